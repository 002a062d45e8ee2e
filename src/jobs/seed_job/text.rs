//! The terminal text of a `seed` job (also `summary.txt`), and the plain sentences the report
//! opens with.

use super::Role;
use super::{Robust, SeedOutcome, Selection};
use crate::network::Network;
use crate::scenario::Scenario;
use std::fmt::Write as _;

/// A share as a percentage with one decimal (`-` when undefined).
pub(super) fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}", 100.0 * x)
    } else {
        "-".into()
    }
}

/// `72% [68, 75]`.
pub(super) fn pct_ci(est: f64, lo: f64, hi: f64) -> String {
    format!("{}% [{}, {}]", pct(est), pct(lo), pct(hi))
}

/// The objective's words: `adopters by step 17`, weighted over theories when several.
fn objective(o: &SeedOutcome) -> String {
    let obj = o.req.objective.label(o.horizon);
    match (o.multi(), o.req.robust) {
        (false, _) => format!("expected {obj}"),
        (true, Robust::Mean) => format!("weighted expected {obj} over the theories"),
        (true, Robust::Worst) => {
            format!(
                "worst case over the theories of expected {obj} as a share of each theory's optimized set"
            )
        }
    }
}

/// The plain-sentence summary: what is recommended, how the KOL list fares, the headline.
pub(super) fn summary(o: &SeedOutcome) -> Vec<String> {
    let mut s = Vec::new();
    let chosen = &o.rows[o.decision.chosen];
    s.push(format!(
        "Recommended: the {} seeds of \"{}\", the best set found for the {}.",
        o.seeds.len(),
        chosen.name,
        objective(o)
    ));
    let kol = o.rows.iter().position(|r| r.role == Role::KolList);
    if let (Some(i), true) = (kol, o.multi()) {
        let r = &o.regret[i];
        let lo = r.shares.iter().map(|x| x.est).fold(f64::INFINITY, f64::min);
        let hi = r
            .shares
            .iter()
            .map(|x| x.est)
            .fold(f64::NEG_INFINITY, f64::max);
        let robust = &o.regret[o.decision.chosen];
        let reach = if pct(lo) == pct(hi) {
            format!("{}% of the best set under every theory", pct(lo))
        } else {
            format!(
                "between {}% and {}% of the best set depending on the theory",
                pct(lo),
                pct(hi)
            )
        };
        s.push(format!(
            "The scenario's KOL list reaches {reach}; the robust set never falls below {}%.",
            pct(robust.worst.est)
        ));
        let floor = o
            .regret
            .iter()
            .zip(&o.rows)
            .filter(|(_, row)| !row.fixed().is_empty())
            .map(|(r, _)| r.worst.est)
            .fold(f64::INFINITY, f64::min);
        if floor >= 0.98 {
            s.push(format!(
                "Every compared set of physicians reaches at least {}% of each theory's best set: under the theories weighed here, which physicians are seeded makes little difference.",
                pct(floor)
            ));
        }
    } else if let Some(i) = kol {
        let c = &o.compared[i];
        s.push(format!(
            "The scenario's KOL list ({} seeds) reaches {} of the recommended set's {}.",
            o.rows[i].fixed().len(),
            pct_ci(c.ratio, c.ratio_lo, c.ratio_hi),
            o.req.objective.label(o.horizon)
        ));
    }
    s.push(o.decision.note.clone());
    s
}

/// How OPIM-C chose (the certificate, the sentinel set, the budget, the baseline).
fn rr_method(
    t: &mut String,
    o: &SeedOutcome,
    c: &crate::seed::Certified,
    net: &Network,
    best: &str,
) {
    let _ = writeln!(
        t,
        "Method: reverse-reachable sets{} + OPIM-C, 2 × {} sets ({} round(s), mean set size {:.1}), {:.2} s.",
        if o.multi() {
            " (each set's theory drawn by weight)"
        } else {
            ""
        },
        c.rr_sets,
        c.rounds,
        c.mean_rr_size,
        c.seconds
    );
    if let Some(p) = &c.sentinel {
        let _ = writeln!(
            t,
            "Sentinel set (HIST-style): {} physician(s) picked on {} pilot RR sets (mean size {:.0}); {:.0}% of the sets stop at it.",
            p.set.len(),
            p.sets,
            p.mean_size,
            100.0 * c.sentinel_hits
        );
    }
    let _ = writeln!(
        t,
        "Certificate: with probability >= 1 - {:.2e}, these seeds reach at least {:.3} x {best} (on {})\n  (target {} = {:.3}: {}). Their estimated objective: {:.1}.",
        c.delta,
        c.ratio,
        c.certified_on,
        if o.budget.is_some() {
            "(1 - 1/e - ε)/2, the best-of-two guarantee"
        } else {
            "1 - 1/e - ε"
        },
        c.target,
        if c.reached {
            "reached".to_string()
        } else {
            format!("NOT reached: stopped at the {}", c.stopped)
        },
        c.spread
    );
    if let Some(b) = &c.budget {
        let _ = writeln!(
            t,
            "Budget {}: spent {}; best of two: cost-greedy set ({} physicians, estimated {:.1}) vs best single affordable physician ({}, estimated {:.1}): the {} won.",
            b.budget,
            b.spent,
            b.best_of_two.greedy_seeds.len(),
            b.best_of_two.greedy_value,
            b.best_of_two
                .single
                .map(|v| net.id(v as usize))
                .unwrap_or_else(|| "none".into()),
            b.best_of_two.single_value,
            b.best_of_two.winner.label()
        );
    }
    if c.baseline > 0.0 {
        let _ = writeln!(
            t,
            "Spontaneous adoption is a virtual source: {:.1} expected with no seed at all; the certificate is on the seeds' own addition.",
            c.baseline
        );
    }
}

/// How a selection was made, in one or a few lines.
fn method(t: &mut String, o: &SeedOutcome, sel: &Selection, net: &Network) {
    let best = match &o.budget {
        Some(_) => "the best set within the budget".to_string(),
        None => format!("the best {} seeds", sel.seeds().len()),
    };
    match sel {
        Selection::Rr(c) => rr_method(t, o, c, net, &best),
        Selection::Celf {
            lazy,
            why,
            pool,
            seconds,
            best_of_two,
        } => {
            let _ = writeln!(
                t,
                "Method: CELF lazy greedy on forward simulations ({} replicates per set, common random numbers, {} candidates, {} evaluations, {:.2} s).",
                o.req.replicates, pool, lazy.evaluations, seconds
            );
            let _ = writeln!(
                t,
                "NO GUARANTEE: {why}. The greedy set may be far from the best one."
            );
            if let (Some(c), Some(b)) = (best_of_two, &o.budget) {
                let _ = writeln!(
                    t,
                    "Budget {}: spent {}; best of two: cost-greedy set ({} physicians, simulated {:.1}) vs best single affordable physician ({}, simulated {:.1}): the {} won.",
                    b.budget,
                    b.cost_of(&o.seeds),
                    c.greedy_seeds.len(),
                    c.greedy_value,
                    c.single
                        .map(|v| net.id(v as usize))
                        .unwrap_or_else(|| "none".into()),
                    c.single_value,
                    c.winner.label()
                );
            }
        }
        Selection::Saturate {
            sat,
            rr_sets,
            seconds,
        } => {
            let _ = writeln!(
                t,
                "Method: saturate greedy (He & Kempe 2016; Chen et al. 2016) on each theory's RR sets ({} sets per theory), {} bisection steps, {:.2} s; worst-case share on the RR sets {:.3}.",
                rr_sets
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join("/"),
                sat.steps,
                seconds,
                sat.ratios.iter().copied().fold(f64::INFINITY, f64::min)
            );
            let _ = writeln!(
                t,
                "NO GUARANTEE with exactly {} seeds (the worst case over theories is inapproximable in general); the bicriteria guarantee would need {} seeds. Every compared set is measured by simulation below.",
                sat.seeds.len(),
                sat.bicriteria_k
            );
        }
    }
}

/// Width of the set-name column.
fn name_width(o: &SeedOutcome) -> usize {
    o.rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(3)
        .max(3)
}

/// The comparison on the (weighted) objective, paired against the recommended set.
fn comparison(t: &mut String, o: &SeedOutcome) {
    let head = if o.multi() {
        "weighted objective"
    } else {
        "objective"
    };
    let _ = writeln!(
        t,
        "\nForward simulation, {} replicates, paired (common random numbers); [95% intervals]; {} set(s) ({:.2} s; --compare chooses them):",
        o.req.replicates,
        o.rows.len(),
        o.compare_seconds
    );
    let w = name_width(o);
    let _ = writeln!(
        t,
        "{:<w$} {:>6} {:>24} {:>20}",
        "set", "seeds", head, "% of recommended"
    );
    for (c, row) in o.compared.iter().zip(&o.rows) {
        let n = row.fixed().len();
        let _ = writeln!(
            t,
            "{:<w$} {:>6} {:>24} {:>20}",
            row.name,
            if n == 0 {
                "-".to_string()
            } else {
                n.to_string()
            },
            format!("{:.1} [{:.1}, {:.1}]", c.mean, c.lo, c.hi),
            format!(
                "{} [{}, {}]",
                pct(c.ratio),
                pct(c.ratio_lo),
                pct(c.ratio_hi)
            )
        );
    }
}

/// The regret table (several theories).
fn regret(t: &mut String, o: &SeedOutcome) {
    let _ = writeln!(
        t,
        "\nRegret table: expected adopters as % of each theory's optimized set [95% paired intervals]; weights from {}:",
        o.weights_from
    );
    let w = name_width(o);
    let _ = write!(t, "{:<w$}", "set");
    for th in &o.theories {
        let _ = write!(t, " {:>20}", format!("{} ({:.2})", th.name, th.weight));
    }
    let _ = writeln!(t, " {:>20} {:>20}", "weighted mean", "worst case");
    for (row, r) in o.rows.iter().zip(&o.regret) {
        let _ = write!(t, "{:<w$}", row.name);
        for x in r.shares.iter().chain([&r.mean, &r.worst]) {
            let _ = write!(
                t,
                " {:>20}",
                format!("{} [{}, {}]", pct(x.est), pct(x.lo), pct(x.hi))
            );
        }
        t.push('\n');
    }
}

/// The terminal text.
pub(super) fn terminal(sc: &Scenario, o: &SeedOutcome, dir: &std::path::Path) -> String {
    let (r, net) = (&o.req, &o.network);
    let mut t = String::new();
    let what = match (&o.budget, r.k) {
        (Some(b), _) => format!(
            "best seeds within budget {} (cost: {})",
            b.budget,
            r.cost.as_deref().unwrap_or("?")
        ),
        (None, k) => format!("best {} seeds", k.unwrap_or(o.seeds.len())),
    };
    let under = if o.multi() {
        let list: Vec<String> = o
            .theories
            .iter()
            .map(|th| format!("{} {:.2}", th.name, th.weight))
            .collect();
        format!("theories {}", list.join(", "))
    } else {
        format!("model \"{}\" ({})", o.theories[0].name, o.theories[0].kind)
    };
    let _ = writeln!(
        t,
        "{}: {what} under {under}; objective: {}",
        sc.name,
        objective(o)
    );
    method(&mut t, o, &o.selection, net);
    for (s, th) in o.own.iter().zip(&o.theories) {
        let _ = writeln!(
            t,
            "  {}'s own optimized set: {} ({:.2} s).",
            th.name,
            match s {
                Selection::Rr(c) => format!("OPIM-C, certified ratio {:.3}", c.ratio),
                _ => "CELF, no guarantee".to_string(),
            },
            s.seconds()
        );
    }
    comparison(&mut t, o);
    if o.multi() {
        regret(&mut t, o);
    }
    t.push('\n');
    for s in summary(o) {
        let _ = writeln!(t, "{s}");
    }
    let shown: Vec<String> = o
        .seeds
        .iter()
        .take(12)
        .map(|&v| net.id(v as usize))
        .collect();
    let _ = writeln!(
        t,
        "Seeds (in selection order): {}{}",
        shown.join(", "),
        if o.seeds.len() > 12 { ", ..." } else { "" }
    );
    let _ = writeln!(
        t,
        "Results in {} (seeds.csv, comparison.csv{}, certificate.json, report.html).",
        dir.display(),
        if o.multi() { ", regret.csv" } else { "" }
    );
    t
}
