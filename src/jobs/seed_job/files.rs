//! The files of a `seed` folder: `seeds.csv`, `comparison.csv`, `regret.csv` (several
//! theories), `certificate.json`, `summary.txt`, `scenario.toml`, `seed.svg`, `report.html`
//! (and `report.pdf` with `--pdf`).

use super::{CELF_FIRST_REPLICATE, Files, SeedOutcome, Selection};
use crate::error::Error;
use crate::jobs::outputs::SEED;
use crate::network::{Attribute, Network};
use crate::output::csv_field;
use crate::scenario::Scenario;
use serde_json::{Value, json};
use std::fmt::Write as _;

/// A node attribute's value as a CSV cell (empty when missing).
fn attribute_cell(a: &Attribute, i: usize) -> String {
    match a {
        Attribute::Numeric(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
        Attribute::Text(v) => csv_field(&v[i]),
    }
}

/// `seeds.csv`: the recommended seeds in selection order, with the node file's attribute
/// columns (cost last, with a budget).
fn seeds_csv(o: &SeedOutcome, net: &Network, ranking: &[u32], kols: &[u32]) -> String {
    let mut rank = vec![None; o.n];
    for (i, &v) in ranking.iter().enumerate() {
        rank[v as usize] = Some(i + 1);
    }
    let is_kol: std::collections::HashSet<u32> = kols.iter().copied().collect();
    let attrs = net.attributes();
    let mut s = String::from("rank,id,marginal_gain,estimated_so_far,is_kol,kol_rule_rank");
    for (name, _) in attrs {
        let _ = write!(s, ",{}", csv_field(name));
    }
    s.push_str(if o.budget.is_some() { ",cost\n" } else { "\n" });
    let (gains, so_far) = &o.prefix;
    for (i, &v) in o.seeds.iter().enumerate() {
        let _ = write!(
            s,
            "{},{},{:.4},{:.4},{},{}",
            i + 1,
            csv_field(&net.id(v as usize)),
            gains.get(i).copied().unwrap_or(f64::NAN),
            so_far.get(i).copied().unwrap_or(f64::NAN),
            is_kol.contains(&v),
            rank[v as usize].map(|r| r.to_string()).unwrap_or_default()
        );
        for (_, a) in attrs {
            let _ = write!(s, ",{}", attribute_cell(a, v as usize));
        }
        match &o.budget {
            Some(b) => {
                let _ = writeln!(s, ",{}", b.costs[v as usize]);
            }
            None => s.push('\n'),
        }
    }
    s
}

fn ids(net: &Network, set: &[u32]) -> String {
    set.iter()
        .map(|&v| net.id(v as usize))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `comparison.csv`: every compared set on the (weighted) objective, paired against the
/// recommended set.
fn comparison_csv(o: &SeedOutcome, net: &Network) -> String {
    let mut cmp = String::from(
        "strategy,seeds,mean,lo,hi,ratio_to_recommended,ratio_lo,ratio_hi,diff,diff_lo,diff_hi,overlap,ids\n",
    );
    let rec: std::collections::HashSet<u32> = o.seeds.iter().copied().collect();
    for (c, row) in o.compared.iter().zip(&o.rows) {
        let set = row.fixed();
        let _ = writeln!(
            cmp,
            "{},{},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{},{}",
            csv_field(&c.strategy),
            if set.is_empty() {
                String::new()
            } else {
                set.len().to_string()
            },
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
                set.iter().filter(|v| rec.contains(v)).count().to_string()
            },
            csv_field(&ids(net, set))
        );
    }
    cmp
}

/// `regret.csv`: per compared set, each theory's expected objective as a share of that
/// theory's optimized set, the weighted mean and the worst case, with 95% intervals.
fn regret_csv(o: &SeedOutcome, net: &Network) -> String {
    let mut s = String::from("set,seeds");
    for t in &o.theories {
        let n = csv_field(&t.name);
        let _ = write!(s, ",{n},{n}_lo,{n}_hi");
    }
    s.push_str(",weighted_mean,weighted_mean_lo,weighted_mean_hi,worst,worst_lo,worst_hi,worst_theory,ids\n");
    for (row, r) in o.rows.iter().zip(&o.regret) {
        let set = row.fixed();
        let _ = write!(
            s,
            "{},{}",
            csv_field(&row.name),
            if set.is_empty() {
                String::new()
            } else {
                set.len().to_string()
            }
        );
        for x in r.shares.iter().chain([&r.mean, &r.worst]) {
            let _ = write!(s, ",{:.4},{:.4},{:.4}", x.est, x.lo, x.hi);
        }
        let _ = writeln!(
            s,
            ",{},{}",
            csv_field(&o.theories[r.worst_theory].name),
            csv_field(&ids(net, set))
        );
    }
    s
}

/// Replaces the physician indices at `path` in `v` by ids.
fn to_ids(v: &mut Value, path: &[&str], net: &Network) {
    let Some((last, init)) = path.split_last() else {
        return;
    };
    let mut cur = v;
    for key in init {
        match cur.get_mut(*key) {
            Some(x) => cur = x,
            None => return,
        }
    }
    let Some(x) = cur.get_mut(*last) else { return };
    let id = |i: &Value| {
        i.as_u64()
            .map_or(Value::Null, |i| Value::String(net.id(i as usize)))
    };
    let new = match &*x {
        Value::Array(a) => Value::Array(a.iter().map(id).collect()),
        Value::Null => Value::Null,
        other => id(other),
    };
    *x = new;
}

/// One selection as JSON, physicians named by id.
fn selection_json(o: &SeedOutcome, sel: &Selection, net: &Network) -> Value {
    let mut v = match sel {
        Selection::Rr(c) => json!({
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
        } => json!({
            "method": "celf",
            "guarantee": "none",
            "why": why,
            "candidates": pool,
            "selection_replicates": o.req.replicates,
            "first_selection_replicate": CELF_FIRST_REPLICATE,
            "evaluations": lazy.evaluations,
            "baseline": lazy.baseline,
            "seeds": lazy.seeds,
            "best_of_two": best_of_two,
        }),
        Selection::Saturate { sat, rr_sets, .. } => json!({
            "method": "saturate_greedy",
            "guarantee": format!(
                "none with exactly k seeds (the worst-case objective is inapproximable in general); saturate greedy with {} seeds (bicriteria) would reach the best k-set's worst-case ratio",
                sat.bicriteria_k
            ),
            "rr_sets_per_theory": rr_sets,
            "saturate": sat,
        }),
    };
    for path in [
        &["certificate", "seeds"][..],
        &["certificate", "sentinel", "set"],
        &["certificate", "budget", "best_of_two", "greedy_seeds"],
        &["certificate", "budget", "best_of_two", "single"],
        &["seeds"],
        &["best_of_two", "greedy_seeds"],
        &["best_of_two", "single"],
        &["saturate", "seeds"],
    ] {
        to_ids(&mut v, path, net);
    }
    v
}

fn certificate(sc: &Scenario, o: &SeedOutcome, net: &Network) -> Value {
    let chosen = &o.rows[o.decision.chosen];
    json!({
        "schema_version": 2,
        "scenario": sc.name,
        "theories": o.theories,
        "weights_from": o.weights_from,
        "robust": if o.multi() { Some(o.req.robust) } else { None },
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
        "compare": o.req.compare,
        "compare_seconds": o.compare_seconds,
        "recommended": {
            "set": chosen.name,
            "replaced_greedy": o.decision.replaced(),
            "note": o.decision.note,
            "seeds": o.seeds.iter().map(|&v| net.id(v as usize)).collect::<Vec<_>>(),
        },
        "selection": selection_json(o, &o.selection, net),
        "per_theory": o.own.iter().zip(&o.theories).map(|(s, t)| json!({
            "theory": t.name,
            "selection": selection_json(o, s, net),
        })).collect::<Vec<_>>(),
    })
}

/// Every file of the folder, in order: the names and their order are
/// [`crate::jobs::outputs::SEED`]'s, one writer per entry (`None`: not written this time).
/// `o.network` is the network before KOL weights (ids and attributes).
pub(super) fn files(sc: &Scenario, o: &SeedOutcome, text: &str, pdf: bool) -> Result<Files, Error> {
    let base = &o.network;
    let json = |v: &Value| serde_json::to_vec_pretty(v).map_err(|e| Error::Other(e.to_string()));
    let (svg, html) = super::page::report(sc, o, text);
    let pdf = match super::browser(pdf)? {
        Some(b) => Some(crate::jobs::run_job::print_pdf(&b, html.as_bytes())?),
        None => None,
    };
    let bytes: [Option<Vec<u8>>; SEED.len()] = [
        Some(seeds_csv(o, base, &o.kol_ranking, &o.kol_list).into_bytes()),
        Some(comparison_csv(o, base).into_bytes()),
        o.multi().then(|| regret_csv(o, base).into_bytes()),
        Some(json(&certificate(sc, o, base))?),
        Some(text.as_bytes().to_vec()),
        Some(sc.toml_text().into_bytes()),
        Some(svg.into_bytes()),
        Some(html.into_bytes()),
        pdf,
    ];
    Ok(SEED
        .iter()
        .zip(bytes)
        .filter_map(|(f, b)| b.map(|b| (f.name, b)))
        .collect())
}
