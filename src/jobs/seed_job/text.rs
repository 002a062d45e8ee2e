//! The terminal text of a `seed` job (also `summary.txt`).

use super::{SeedOutcome, Selection};
use crate::network::Network;
use crate::scenario::Scenario;
use std::fmt::Write as _;

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}", 100.0 * x)
    } else {
        "-".into()
    }
}

pub(super) fn terminal(sc: &Scenario, o: &SeedOutcome, net: &Network) -> String {
    let r = &o.req;
    let obj = r.objective.label(o.horizon);
    let mut t = String::new();
    let what = match (&o.budget, r.k) {
        (Some(b), _) => format!(
            "best seeds within budget {} (cost: {})",
            b.budget,
            r.cost.as_deref().unwrap_or("?")
        ),
        (None, k) => format!("best {} seeds", k.unwrap_or(o.seeds.len())),
    };
    let best = match &o.budget {
        Some(_) => "the best set within the budget".to_string(),
        None => format!("the best {} seeds", o.seeds.len()),
    };
    let _ = writeln!(
        t,
        "{}: {what} under model \"{}\" ({}); objective: expected {obj}",
        sc.name, r.model, o.kind
    );
    match &o.selection {
        Selection::Rr(c) => {
            let _ = writeln!(
                t,
                "Method: reverse-reachable sets + OPIM-C, 2 × {} sets ({} round(s), mean set size {:.1}), {:.2} s.",
                c.rr_sets, c.rounds, c.mean_rr_size, c.seconds
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
                "Certificate: with probability >= 1 - {:.2e}, these seeds reach at least {:.3} x {best} (on {})\n  (target {} = {:.3}: {}). Their estimated {obj}: {:.1}.",
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
                r.replicates, pool, lazy.evaluations, seconds
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
    }
    let _ = writeln!(
        t,
        "\nForward simulation of \"{}\", {} replicates, paired (common random numbers); [95% intervals]:",
        r.model, r.replicates
    );
    let opt: std::collections::HashSet<u32> = o.seeds.iter().copied().collect();
    let head = obj.clone();
    let _ = writeln!(
        t,
        "{:<24} {:>26} {:>20} {:>8}",
        "strategy", head, "% of optimized", "overlap"
    );
    for (c, set) in &o.compared {
        let ov = if c.strategy == "random" {
            "-".to_string()
        } else {
            format!(
                "{}/{}",
                set.iter().filter(|v| opt.contains(v)).count(),
                o.seeds.len()
            )
        };
        let _ = writeln!(
            t,
            "{:<24} {:>26} {:>20} {:>8}",
            c.strategy,
            format!("{:.1} [{:.1}, {:.1}]", c.mean, c.lo, c.hi),
            if c.strategy == "optimized" {
                "100".to_string()
            } else {
                format!(
                    "{} [{}, {}]",
                    pct(c.ratio),
                    pct(c.ratio_lo),
                    pct(c.ratio_hi)
                )
            },
            ov
        );
    }
    if let Some((c, _)) = o
        .compared
        .iter()
        .find(|(c, _)| c.strategy.ends_with("(KOL rule)"))
    {
        let _ = writeln!(
            t,
            "\nThe usual top-{} by {} reaches {}% [{}, {}] of the optimized set's {obj}.",
            o.seeds.len(),
            o.kol_rule,
            pct(c.ratio),
            pct(c.ratio_lo),
            pct(c.ratio_hi)
        );
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
        "Results in {} (seeds.csv, comparison.csv, certificate.json).",
        r.dir.display()
    );
    t
}
