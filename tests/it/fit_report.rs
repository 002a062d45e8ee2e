//! The fit report's figure population (issue 21): `curves.csv` and `fit.svg` simulate each
//! fitted theory on exactly the physicians the likelihood used, seeded as observed, against
//! the observed launch of that same population; `report.html` holds its tables as HTML.

use crate::common::{kolsim, read_csv, root};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Runs `kolsim fit` on shipped CKM with `args` into a new folder and returns it (in its
/// temporary parent).
fn fit(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("fit");
    kolsim()
        .args(["fit", "scenarios/ckm-tetracycline.toml"])
        .args(args)
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    (d, dir)
}

/// `curves.csv` as rows keyed by column name.
fn curves(dir: &Path) -> Vec<BTreeMap<String, String>> {
    let (head, rows) = read_csv(&dir.join("curves.csv"));
    rows.into_iter()
        .map(|r| head.iter().cloned().zip(r).collect())
        .collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = {:?} is not a number", row[col]))
}

/// The observed cumulative adopters by period of the physicians with known adoption, read
/// from the shipped observed file directly (`NA`: unknown, empty: not adopted by 17).
fn observed_counts() -> Vec<f64> {
    let text = std::fs::read_to_string(root().join("scenarios/data/ckm/observed.csv")).unwrap();
    let periods: Vec<u32> = text
        .lines()
        .skip(1)
        .filter_map(|l| match l.split(',').nth(1)? {
            "NA" => None,
            "" => Some(u32::MAX),
            t => Some(t.parse().unwrap()),
        })
        .collect();
    (1..=17)
        .map(|t| periods.iter().filter(|&&p| p <= t).count() as f64)
        .collect()
}

#[test]
fn fitted_innovation_ends_at_the_observed_share_of_the_fitted_physicians() {
    let (_tmp, dir) = fit(&["-q"]);
    let rows = curves(&dir);
    let last = rows
        .iter()
        .find(|r| r["model"] == "innovation" && r["period"] == "17")
        .expect("innovation at period 17");
    // The likelihood uses the 125 physicians with known adoption; 109 of them adopted by 17.
    assert_eq!(last["physicians"], "125");
    assert_eq!(last["observed_adopters"], "109");
    let share = num(last, "mean_share");
    assert!(
        (share - 109.0 / 125.0).abs() < 0.05,
        "fitted innovation ends at {share}, observed 109/125 = 0.872"
    );
    // The figure draws the same population (not all 246 physicians of the network).
    let svg = std::fs::read_to_string(dir.join("fit.svg")).unwrap();
    assert!(
        svg.contains("the 125 physicians the likelihood used"),
        "{svg}"
    );
}

#[test]
fn curves_csv_holds_the_plotted_numbers() {
    let (_tmp, dir) = fit(&["-q"]);
    let (head, _) = read_csv(&dir.join("curves.csv"));
    assert_eq!(
        head,
        [
            "model",
            "period",
            "mean_adopters",
            "mean_share",
            "p05_share",
            "p95_share",
            "observed_adopters",
            "observed_share",
            "physicians"
        ]
    );
    let rows = curves(&dir);
    let observed = observed_counts();
    let fitted = std::fs::read_to_string(dir.join("fitted.toml")).unwrap();
    let mut models: Vec<&str> = rows.iter().map(|r| r["model"].as_str()).collect();
    models.dedup();
    // Every fitted theory with a simulation model, in fitted.toml's order.
    assert_eq!(models, ["innovation", "bass", "cascade", "learning"]);
    for m in &models {
        assert!(fitted.contains(&format!("name = \"{m}\"")), "{m}");
        let of: Vec<_> = rows.iter().filter(|r| r["model"] == *m).collect();
        assert_eq!(of.len(), 17, "{m}: periods 1..17");
        for (t, r) in of.iter().enumerate() {
            assert_eq!(r["period"], (t + 1).to_string());
            // Observed: the known-adoption physicians' counts; shares of the same 125.
            assert_eq!(
                num(r, "observed_adopters"),
                observed[t],
                "{m} period {}",
                t + 1
            );
            let n = num(r, "physicians");
            assert!((num(r, "observed_share") - observed[t] / n).abs() < 1e-9);
            assert!((num(r, "mean_share") - num(r, "mean_adopters") / n).abs() < 1e-9);
        }
        // Seeded as observed: period 1 is exactly the 11 observed seeds in every replicate.
        assert_eq!(num(of[0], "mean_adopters"), 11.0, "{m}");
        let reproduces = !of[16]["p05_share"].is_empty();
        assert_eq!(
            reproduces,
            *m != "learning",
            "{m}: band only where it reproduces"
        );
        if reproduces {
            for r in &of {
                let (lo, mean, hi) = (
                    num(r, "p05_share"),
                    num(r, "mean_share"),
                    num(r, "p95_share"),
                );
                assert!(lo <= mean + 1e-12 && mean <= hi + 1e-12, "{m}: {r:?}");
            }
        } else {
            assert!(of.iter().all(|r| r["p95_share"].is_empty()));
        }
    }
    // Listed in the manifest, named by the report; the learning panel says it cannot
    // reproduce the launch.
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"curves.csv\""), "{manifest}");
    let svg = std::fs::read_to_string(dir.join("fit.svg")).unwrap();
    assert!(svg.contains("\nlearning\n") && svg.contains("cannot reproduce this launch"));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<code>curves.csv</code>"));
}

#[test]
fn report_tables_are_html_and_the_verdict_comes_first() {
    let (_tmp, dir) = fit(&["-q", "--covariates", "jours", "--strata", "city_name"]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let verdict = std::fs::read_to_string(dir.join("verdict.txt")).unwrap();
    let escaped = verdict
        .trim_end()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    // The verdict is the first thing after the title, word for word as in verdict.txt.
    let at = html.find(&escaped).expect("the verdict in report.html");
    for later in ["id=\"ranking\"", "id=\"estimates\"", "id=\"data\"", "<svg"] {
        assert!(html.find(later).is_some_and(|k| k > at), "{later}");
    }
    assert!(!html.contains("<pre"), "no <pre> blocks");
    for table in ["headline", "ranking", "estimates", "facts"] {
        assert!(
            html.contains(&format!("<table class=\"{table} stack\">")),
            "{table}"
        );
    }
    // Controls: the odds ratios are estimates rows; the theories fitted with them are
    // simulated as fitted.toml writes them (the spontaneous rate averaged over the at-risk
    // person-periods).
    assert!(html.contains("odds ratio, jours"), "odds ratios");
    assert!(!html.contains("Not drawn: innovation"));
    // Physicians with a missing covariate are left out of the population too.
    let rows = curves(&dir);
    assert!(rows.iter().any(|r| r["model"] == "innovation"));
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let fitted: serde_json::Value = serde_json::from_str(&text).unwrap();
    let n = fitted["data"]["physicians"].as_u64().unwrap();
    assert!(rows.iter().all(|r| r["physicians"] == n.to_string()));
}
