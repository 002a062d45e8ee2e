//! The files of a `seed` folder: `seeds.csv`, `comparison.csv`, `certificate.json`.

use super::{CELF_FIRST_REPLICATE, Files, SeedOutcome, Selection};
use crate::error::Error;
use crate::network::Network;
use crate::scenario::Scenario;
use std::fmt::Write as _;

pub(super) fn files(
    sc: &Scenario,
    o: &SeedOutcome,
    real_ids: &Network,
    ranking: &[u32],
) -> Result<Files, Error> {
    let mut rank = vec![None; o.n];
    for (i, &v) in ranking.iter().enumerate() {
        rank[v as usize] = Some(i + 1);
    }
    let kol_count = sc.kols.size.count(o.n);
    let (gains, so_far): (Vec<f64>, Vec<f64>) = match &o.selection {
        Selection::Rr(c) => {
            let mut prev = c.baseline;
            c.spread_so_far
                .iter()
                .map(|&s| {
                    let g = s - prev;
                    prev = s;
                    (g, s)
                })
                .unzip()
        }
        Selection::Celf { lazy, .. } => (lazy.gains.clone(), lazy.value_so_far.clone()),
    };
    let mut seeds = String::from("rank,id,marginal_gain,estimated_so_far,is_kol,kol_rule_rank");
    seeds.push_str(if o.budget.is_some() { ",cost\n" } else { "\n" });
    for (i, &v) in o.seeds.iter().enumerate() {
        let kr = rank[v as usize];
        let _ = write!(
            seeds,
            "{},{},{:.4},{:.4},{},{}",
            i + 1,
            csv_field(&real_ids.id(v as usize)),
            gains.get(i).copied().unwrap_or(f64::NAN),
            so_far.get(i).copied().unwrap_or(f64::NAN),
            kr.is_some_and(|r| r <= kol_count),
            kr.map(|r| r.to_string()).unwrap_or_default()
        );
        match &o.budget {
            Some(b) => {
                let _ = writeln!(seeds, ",{}", b.costs[v as usize]);
            }
            None => seeds.push('\n'),
        }
    }
    let mut cmp = String::from(
        "strategy,mean,lo,hi,ratio_to_optimized,ratio_lo,ratio_hi,diff,diff_lo,diff_hi,overlap,ids\n",
    );
    let opt: std::collections::HashSet<u32> = o.seeds.iter().copied().collect();
    for (c, set) in &o.compared {
        let ids: Vec<String> = set.iter().map(|&v| real_ids.id(v as usize)).collect();
        let _ = writeln!(
            cmp,
            "{},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{},{}",
            csv_field(&c.strategy),
            c.mean,
            c.lo,
            c.hi,
            c.ratio,
            c.ratio_lo,
            c.ratio_hi,
            c.diff,
            c.diff_lo,
            c.diff_hi,
            if set.is_empty() {
                String::new()
            } else {
                set.iter().filter(|v| opt.contains(v)).count().to_string()
            },
            csv_field(&ids.join(" "))
        );
    }
    let cert = match &o.selection {
        Selection::Rr(c) => serde_json::json!({
            "method": if c.sentinel.is_some() { "rr_opim_c_sentinel" } else { "rr_opim_c" },
            "guarantee": if c.budget.is_some() {
                "best of two (cost-greedy, best single): (1 - 1/e)/2 on exact values; the certified ratio below is the data-dependent bound against the best set within the budget, with probability >= 1 - delta"
            } else {
                "(1 - 1/e - epsilon), with probability >= 1 - delta, on the quantity in certificate.certified_on"
            },
            "certificate": c,
        }),
        Selection::Celf {
            lazy,
            why,
            pool,
            best_of_two,
            ..
        } => serde_json::json!({
            "method": "celf",
            "guarantee": "none",
            "why": why,
            "candidates": pool,
            "selection_replicates": o.req.replicates,
            "first_selection_replicate": CELF_FIRST_REPLICATE,
            "evaluations": lazy.evaluations,
            "baseline": lazy.baseline,
            "best_of_two": best_of_two,
        }),
    };
    let json = serde_json::json!({
        "schema_version": 1,
        "scenario": sc.name,
        "model": o.req.model,
        "kind": o.kind,
        "k": o.req.k,
        "horizon": o.horizon,
        "objective": o.req.objective,
        "epsilon": o.req.epsilon,
        "seed": sc.seed,
        "realisation": 0,
        "candidates": o.req.candidates,
        "candidates_file": o.req.candidates_file,
        "budget": o.budget.as_ref().map(|b| b.budget),
        "cost": o.req.cost,
        "spent": o.budget.as_ref().map(|b| b.cost_of(&o.seeds)),
        "comparison_replicates": o.req.replicates,
        "selection": cert,
    });
    Ok(vec![
        ("seeds.csv", seeds.into_bytes()),
        ("comparison.csv", cmp.into_bytes()),
        (
            "certificate.json",
            serde_json::to_vec_pretty(&json).map_err(|e| Error::Other(e.to_string()))?,
        ),
        ("summary.txt", o.text.clone().into_bytes()),
        ("scenario.toml", sc.source.text.clone().into_bytes()),
    ])
}

/// Quotes a CSV field when needed.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
