//! `kolsim fit`'s options together with controls of the spontaneous rate, and what its
//! outputs say to a client:
//! - `--holdout K` with `--covariates`/`--strata`: each constant-α model refitted on periods
//!   `≤ K` with its controls and scored on the later ones (innovation's score checked against
//!   a person-period log-likelihood computed here);
//! - `--bootstrap N` with controls: the launches simulated under the fitted controls, the
//!   p-value near the boundary-corrected one, and kept in `models.csv` and the verdict;
//! - `--marketing` / `--detailing` with controls: refused (exit 2) with the reason;
//! - `fitted.toml` with controls: `p` averaged over the at-risk person-periods, and `kolsim
//!   run fitted.toml` reproduces the observed final share;
//! - κ̂ at a degenerate interval worded for a client in every output; p-values never
//!   "0.000"; CSV floats with at most 10 significant digits.

use crate::common::{kolsim, line_starting, read_csv, root};
use kolsim::fit::{self, Method};
use std::path::{Path, PathBuf};

const SCENARIO: &str = "scenarios/ckm-tetracycline.toml";
const OBSERVED: &str = "scenarios/data/ckm/observed.csv";

fn controls() -> fit::controls::ControlSpec {
    fit::controls::ControlSpec {
        strata: Some("city_name".into()),
        covariates: vec!["jours".into(), "med_sch_yr".into(), "patients".into()],
    }
}

fn scratch(tag: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!("kolsim-fit-options-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let dir = base.join(tag);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Innovation's holdout score with controls equals the log-likelihood of periods `K+1..T`
/// at the coefficients fitted to periods `≤ K`, computed here from the person-period table.
/// `kolsim fit` on CKM with the covariates and strata of the example, plus `extra`,
/// into `dir`; it must succeed.
fn fit_with_controls(dir: &Path, extra: &[&str]) {
    let out = kolsim()
        .args(["fit", SCENARIO])
        .args(extra)
        .args(["--covariates", "jours,med_sch_yr,patients"])
        .args(["--strata", "city_name", "--out"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn holdout_with_controls_scores_the_later_periods() {
    let sc = kolsim::scenario::load(&root().join(SCENARIO)).unwrap();
    let k = 10;
    let opts = fit::FitOptions {
        permutations: 0,
        holdout: Some(k),
        controls: controls(),
        ..fit::FitOptions::default()
    };
    let res = kolsim::api::fit(&sc, root().join(OBSERVED).as_path(), &opts).unwrap();
    let r = &res.report;
    assert_eq!(r.holdout, Some(k));
    for m in r.models.iter().filter(|m| m.method == Method::Exact) {
        let scored = m.holdout_log_score.is_some();
        let want = !m.period_effects && m.loglik.is_finite();
        assert_eq!(scored, want, "{}", m.name);
    }
    // The early fit, independently: the same data censored at K.
    let prep = &res.prepared;
    let mut early = prep.clone();
    early.tau = prep
        .tau
        .iter()
        .map(|&t| {
            if t != fit::data::NEVER && t > k {
                fit::data::NEVER
            } else {
                t
            }
        })
        .collect();
    early.facts.periods = k;
    let e = fit::fit_models(
        &early,
        &fit::FitOptions {
            period_effects: false,
            ..opts.clone()
        },
    );
    let innov = e.models.iter().find(|m| m.name == "innovation").unwrap();
    let ctl = prep.controls.as_ref().unwrap();
    let coef = |n: &str| {
        innov
            .coefficients
            .iter()
            .find(|c| c.name == n)
            .unwrap()
            .value
    };
    let mut later = 0.0;
    for (&t, &z) in prep.tau.iter().zip(&prep.z) {
        let eta = coef("alpha")
            + ctl.rows[z as usize]
                .iter()
                .zip(&ctl.names)
                .map(|(x, n)| x * coef(n))
                .sum::<f64>();
        let p = 1.0 / (1.0 + (-eta).exp());
        let last = if t == fit::data::NEVER {
            prep.facts.periods
        } else {
            t
        };
        for s in (k + 1)..=last {
            later += if s == t { p.ln() } else { (1.0 - p).ln() };
        }
    }
    let got = r
        .models
        .iter()
        .find(|m| m.name == "innovation")
        .unwrap()
        .holdout_log_score
        .unwrap();
    assert!((got - later).abs() < 1e-6, "{got} vs {later}");
    let text = fit::output::holdout_text(r).unwrap();
    assert!(text.contains("innovation -"), "{text}");
}

/// `--bootstrap N` with controls: simulated under the fitted controls alone, refitted with
/// them; the p-value within binomial error (plus 0.05 for the asymptotics) of the
/// boundary-corrected one; in `models.csv` and the verdict through the CLI (the second
/// ranking, with the simulation-based fits, keeps it).
#[test]
fn bootstrap_with_controls_agrees_and_is_kept() {
    let n = 200;
    let dir = scratch("boot");
    fit_with_controls(&dir, &["--permutations", "0", "--bootstrap", "200"]);
    let (head, rows) = read_csv(&dir.join("models.csv"));
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let with: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| !r[col("lr_p_bootstrap")].is_empty())
        .collect();
    assert_eq!(with.len(), 1, "{rows:?}");
    let p: f64 = with[0][col("lr_p")].parse().unwrap();
    let boot: f64 = with[0][col("lr_p_bootstrap")].parse().unwrap();
    eprintln!("{}: LR p {p:.4}, bootstrap p {boot:.4}", with[0][0]);
    let tol = 3.0 * (p * (1.0 - p) / f64::from(n)).sqrt() + 0.05;
    assert!((boot - p).abs() < tol, "bootstrap {boot} vs {p}");
    let verdict = std::fs::read_to_string(dir.join("verdict.txt")).unwrap();
    assert!(
        verdict.contains("parametric bootstrap p = ") && verdict.contains("over 200 launches"),
        "{verdict}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The detailing model's visit files with controls: refused, saying why.
#[test]
fn marketing_with_controls_is_refused_with_the_reason() {
    let dir = scratch("marketing");
    std::fs::create_dir_all(&dir).unwrap();
    let series = dir.join("marketing.csv");
    std::fs::write(&series, "step,effort\n0,1\n1,2\n2,1\n").unwrap();
    let out_dir = dir.join("out");
    let out = kolsim()
        .args(["fit", SCENARIO, "--covariates", "jours", "--marketing"])
        .arg(&series)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--marketing / --detailing"), "{err}");
    assert!(
        err.contains("detailing model's spontaneous channel"),
        "{err}"
    );
    assert!(!out_dir.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every number of every CSV in `dir` has at most 10 significant digits.
fn assert_csv_digits(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let (_, rows) = read_csv(&path);
        for field in rows.iter().flatten() {
            if field.parse::<f64>().is_err() || !field.contains(['.', 'e']) {
                continue;
            }
            let mantissa = field.split(['e', 'E']).next().unwrap();
            let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
            let significant = digits.trim_start_matches('0').len();
            assert!(
                significant <= 10,
                "{}: {field} has {significant} significant digits",
                path.display()
            );
        }
    }
}

/// `fitted.toml` with controls: each model's `p` is its spontaneous probability averaged over
/// the at-risk person-periods (for innovation only, adoptions / person-periods, the logistic
/// score equation), said in a comment; `kolsim run fitted.toml`, from another folder, gives a
/// mean final share near the observed share of the physicians fitted.
#[test]
fn fitted_toml_with_controls_reproduces_the_launch() {
    let dir = scratch("fitted");
    fit_with_controls(&dir, &["--permutations", "99", "--holdout", "10"]);
    assert_csv_digits(&dir);
    let text = std::fs::read_to_string(dir.join("fitted.toml")).unwrap();
    assert!(
        text.contains("averaged over the 792 at-risk person-periods"),
        "{text}"
    );
    let doc: toml::Table = text.parse().unwrap();
    let models = doc["model"].as_array().unwrap();
    let p_of = |name: &str| {
        models
            .iter()
            .find(|m| m["name"].as_str() == Some(name))
            .and_then(|m| m["p"].as_float())
            .unwrap()
    };
    assert!((p_of("innovation") - 91.0 / 792.0).abs() < 1e-6);
    assert!(p_of("bass") > 0.05 && p_of("bass") < p_of("innovation"));
    // The period-effects models are left out, and the header says why.
    assert!(
        text.contains("the scenario format cannot express a rate per period"),
        "{text}"
    );
    assert!(
        models
            .iter()
            .all(|m| !m["name"].as_str().unwrap().contains("period"))
    );
    // Structural equivalence has a spontaneous rate under the controls: left out.
    assert!(
        models
            .iter()
            .all(|m| m["name"].as_str() != Some("structural_equivalence"))
    );
    let network = doc["network"]["path"].as_str().unwrap();
    assert!(!Path::new(network).is_absolute(), "{network}");
    // Run it from elsewhere: the paths are relative to the file.
    let run_dir = dir.join("run");
    let out = kolsim()
        .current_dir(std::env::temp_dir())
        .args(["run", "--quiet", "--replicates", "200", "--out"])
        .arg(&run_dir)
        .arg(dir.join("fitted.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (head, rows) = read_csv(&run_dir.join("summary.csv"));
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let last = rows
        .iter()
        .filter(|r| r[col("model")] == "innovation" && r[col("step")] == "16")
        .map(|r| r[col("mean")].parse::<f64>().unwrap())
        .next()
        .unwrap();
    let observed = 102.0 / 118.0;
    assert!((last - observed).abs() < 0.03, "{last} vs {observed}");
    // The figure now simulates the controlled theories too.
    let curves = std::fs::read_to_string(dir.join("curves.csv")).unwrap();
    assert!(curves.contains("\ninnovation,17,"), "{curves}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// κ̂ = 0 with the interval [0, ∞] on the shipped CKM launch: worded in the terminal,
/// `verdict.txt` and `report.html`, a number and `inf` in `fit.csv`; no p-value prints as
/// 0.000 anywhere, nor a weight, nor threshold's `high` as its search cap; CSV floats have at most 10 significant digits.
#[test]
fn degenerate_kappa_and_p_values_read_correctly() {
    let dir = scratch("kappa");
    let out = kolsim()
        .args(["fit", SCENARIO, "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let terminal = String::from_utf8_lossy(&out.stdout).to_string();
    let worded = "κ̂ = 0 [0, ∞] (adopted KOLs add nothing beyond other advisers in the best fit, but the data cannot bound κ above)";
    assert!(terminal.contains(worded), "{terminal}");
    assert!(!terminal.contains("[0, inf]"), "{terminal}");
    let verdict = std::fs::read_to_string(dir.join("verdict.txt")).unwrap();
    assert!(
        verdict.contains("κ̂ = 0 (in the best fit, adopted KOLs add nothing beyond other advisers), but the data cannot bound κ above (95% interval 0 to ∞)"),
        "{verdict}"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("[0, ∞]</span> (adopted KOLs add nothing beyond other advisers in the best fit, but the data cannot bound κ above)"),
        "report.html"
    );
    let csv = std::fs::read_to_string(dir.join("fit.csv")).unwrap();
    assert!(
        csv.contains("\nkol_contagion,kappa,0,,0,inf,exact\n"),
        "{csv}"
    );
    // Threshold's `high` at its search bound reads as ∞ (no network effect), never as the
    // cap 1000; a −∞ likelihood has weight exactly 0, not a rounded "0.000".
    let threshold = line_starting(&terminal, "threshold ");
    assert!(
        threshold.contains("high = ∞ [7.38, ∞] (no network effect in the best fit)"),
        "{threshold}"
    );
    let imitation = line_starting(&terminal, "imitation ");
    assert!(
        imitation.contains("  -inf    inf    0       inf"),
        "{imitation}"
    );
    for text in [&terminal, &verdict, &html] {
        assert!(!text.contains("high = 1000"));
        let rounded_zero = text.match_indices("0.000").any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + 5..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit() || c == '.')
                && !after.is_some_and(|c| c.is_ascii_digit())
        });
        assert!(!rounded_zero, "a weight or p printed as 0.000");
        for bad in ["p = 0.000", "p 0.000", "p = < "] {
            assert!(!text.contains(bad), "{bad}");
        }
    }
    assert_csv_digits(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}
