//! `kols.csv`: every physician of realisation 0 with the KOL rule's score and rank, the KOL
//! flag, the arms that seeded them in replicate 0, and the node attributes.

use crate::error::Error;
use crate::kols;
use crate::network::{Attribute, Network};
use crate::output::csv_field;
use crate::rng::{Purpose, stream};
use crate::run::RunResult;
use crate::scenario::Scenario;
use std::fmt::Write as _;

/// The rule's score of every physician on the unweighted network (as the KOLs were ranked,
/// [`kols::scores`]), `None` for a physician without one (a missing attribute) or a rule
/// without scores (`explicit`).
fn scores(sc: &Scenario, net: &Network) -> Option<Vec<Option<f64>>> {
    let rule = sc.kol_rule(net).ok()?;
    kols::scores(net, &rule, &mut stream(sc.seed, Purpose::Kols, 0)).map(|s| s.values)
}

/// `kols.csv` of a run: one row per physician of realisation 0, in physician order:
/// `id, score, rank, kol, seeded_in`, then one column per node attribute. `score` is the KOL
/// rule's score on the unweighted network (empty for `explicit` and missing attributes);
/// `rank` the position in the rule's ranking, 1 = highest (ties by physician order; for
/// `explicit`, the position in the list); `kol` 1 or 0; `seeded_in` the arms whose
/// replicate 0 seeded the physician, separated by `;`.
pub fn kols_csv(sc: &Scenario, res: &RunResult) -> Result<Vec<u8>, Error> {
    // The run keeps realisation 0's network (κ applied: ids and attributes only) and the
    // scores it ranked the KOLs by (before κ). Without KOLs there is no ranking, and no κ.
    let built;
    let net = match &res.ids {
        Some(net) => net,
        None => {
            built = crate::realise::build_network(sc, 0)?;
            &built
        }
    };
    let n = net.n();
    let computed;
    let score: Option<&[Option<f64>]> = match &res.kol_scores0 {
        Some(s) => Some(s),
        None => {
            computed = if res.kols0.is_empty() {
                scores(sc, net)
            } else {
                None // an explicit list
            };
            computed.as_deref()
        }
    };
    let mut rank: Vec<Option<usize>> = vec![None; n];
    match score {
        Some(s) => {
            let mut order: Vec<usize> = (0..n).filter(|&i| s[i].is_some()).collect();
            order.sort_by(|&a, &b| {
                s[b].unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&s[a].unwrap_or(f64::NEG_INFINITY))
                    .then(a.cmp(&b))
            });
            for (r, &i) in order.iter().enumerate() {
                rank[i] = Some(r + 1);
            }
        }
        None => {
            for (r, &i) in res.kols0.iter().enumerate() {
                rank[i as usize] = Some(r + 1);
            }
        }
    }
    let mut is_kol = vec![false; n];
    for &k in &res.kols0 {
        if let Some(x) = is_kol.get_mut(k as usize) {
            *x = true;
        }
    }
    let mut seeded: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, seeds) in res.seeds0.iter().enumerate() {
        for &s in seeds {
            if let Some(v) = seeded.get_mut(s as usize) {
                v.push(a);
            }
        }
    }
    let attrs = net.attributes();
    let mut o = String::with_capacity(32 * n + 64);
    o.push_str("id,score,rank,kol,seeded_in");
    for (name, _) in attrs {
        let _ = write!(o, ",{}", csv_field(name));
    }
    o.push('\n');
    for i in 0..n {
        o.push_str(&csv_field(&net.id(i)));
        o.push(',');
        if let Some(Some(v)) = score.map(|s| s[i]) {
            let _ = write!(o, "{v}");
        }
        o.push(',');
        if let Some(r) = rank[i] {
            let _ = write!(o, "{r}");
        }
        let _ = write!(o, ",{},", u8::from(is_kol[i]));
        let arms: Vec<&str> = seeded[i].iter().map(|&a| res.arms[a].as_str()).collect();
        o.push_str(&csv_field(&arms.join(";")));
        for (_, a) in attrs {
            o.push(',');
            match a {
                Attribute::Numeric(v) => {
                    if let Some(x) = v[i] {
                        let _ = write!(o, "{x}");
                    }
                }
                Attribute::Text(v) => o.push_str(&csv_field(&v[i])),
            }
        }
        o.push('\n');
    }
    Ok(o.into_bytes())
}
