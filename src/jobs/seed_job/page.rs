//! The seed report's figure and page from a finished job ([`crate::report::seed_report_html`]).

use super::SeedOutcome;
use super::text::{pct, pct_ci, summary};
use crate::report::{Bar, SeedPage, SeedTable, bars_svg, seed_report_html};
use crate::scenario::Scenario;

/// The comparison table (weighted objective, against the recommended set).
fn comparison(o: &SeedOutcome) -> SeedTable {
    SeedTable {
        title: "Every compared set".into(),
        note: format!(
            "Expected {} by forward simulation ({} replicates, common random numbers){}; shares of the recommended set with paired 95% intervals.",
            o.req.objective.label(o.horizon),
            o.req.replicates,
            if o.multi() {
                ", weighted over the theories"
            } else {
                ""
            }
        ),
        header: vec![
            "set".into(),
            "seeds".into(),
            "expected [95% CI]".into(),
            "share of recommended [95% CI]".into(),
        ],
        rows: o
            .compared
            .iter()
            .zip(&o.rows)
            .map(|(c, r)| {
                let n = r.fixed().len();
                vec![
                    r.name.clone(),
                    if n == 0 {
                        "random".into()
                    } else {
                        n.to_string()
                    },
                    format!("{:.1} [{:.1}–{:.1}]", c.mean, c.lo, c.hi),
                    format!(
                        "{}% [{}–{}]",
                        pct(c.ratio),
                        pct(c.ratio_lo),
                        pct(c.ratio_hi)
                    ),
                ]
            })
            .collect(),
    }
}

/// The regret table (several theories).
fn regret(o: &SeedOutcome) -> SeedTable {
    let mut header = vec!["set".to_string()];
    header.extend(
        o.theories
            .iter()
            .map(|t| format!("{} (weight {:.2}) [95% CI]", t.name, t.weight)),
    );
    header.push("weighted mean [95% CI]".into());
    header.push("worst case [95% CI]".into());
    SeedTable {
        title: "Regret table".into(),
        note: format!(
            "Each set's expected adopters as a share of each theory's optimized set, with paired 95% intervals; weights from {}.",
            o.weights_from
        ),
        header,
        rows: o
            .rows
            .iter()
            .zip(&o.regret)
            .map(|(row, r)| {
                let mut cells = vec![row.name.clone()];
                cells.extend(
                    r.shares
                        .iter()
                        .chain([&r.mean, &r.worst])
                        .map(|x| pct_ci(x.est, x.lo, x.hi).replace(", ", "–")),
                );
                cells
            })
            .collect(),
    }
}

/// `(seed.svg, report.html)`.
pub(super) fn report(sc: &Scenario, o: &SeedOutcome, terminal: &str) -> (String, String) {
    let bars: Vec<Bar> = if o.multi() {
        o.rows
            .iter()
            .zip(&o.regret)
            .map(|(row, r)| Bar {
                label: row.name.clone(),
                est: r.mean.est,
                lo: r.mean.lo,
                hi: r.mean.hi,
                mark: Some(r.worst.est),
            })
            .collect()
    } else {
        o.rows
            .iter()
            .zip(&o.compared)
            .map(|(row, c)| Bar {
                label: row.name.clone(),
                est: c.ratio,
                lo: c.ratio_lo,
                hi: c.ratio_hi,
                mark: None,
            })
            .collect()
    };
    let (title, axis) = if o.multi() {
        (
            "Expected adopters as a share of each theory's optimized set (weighted mean)",
            "share of the optimized set (bar: weighted mean, 95% CI)",
        )
    } else {
        (
            "Expected adopters as a share of the recommended set",
            "share of the recommended set (95% paired CI)",
        )
    };
    let svg = bars_svg(title, axis, "worst case over the theories", &bars);
    let mut tables = vec![comparison(o)];
    if o.multi() {
        tables.insert(0, regret(o));
    }
    let method: String = terminal
        .lines()
        .take_while(|l| !l.starts_with("Forward simulation"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = sc.toml_text();
    let page = SeedPage {
        title: format!("{}: seed selection", sc.name),
        summary: summary(o),
        svg: &svg,
        caption: format!(
            "{} Bars: expected {} by simulation, {} replicates, as a share of the {}; whiskers: paired 95% intervals{}.",
            title,
            o.req.objective.label(o.horizon),
            o.req.replicates,
            if o.multi() {
                "optimized set of each theory, weighted"
            } else {
                "recommended set"
            },
            if o.multi() {
                "; diamonds: the worst case over the theories"
            } else {
                ""
            }
        ),
        tables,
        method: &method,
        scenario: &text,
    };
    (svg.clone(), seed_report_html(&page))
}
