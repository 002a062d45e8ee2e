//! The inputs of a `seed` job beyond the scenario: the KOL ranking, candidate filters
//! (`--candidates ATTR`, `--candidates-file PATH`) and costs (`--cost ATTR`).

use crate::error::Error;
use crate::kols;
use crate::network::{Attribute, Network};
use crate::rng::{Purpose, stream};
use crate::scenario::Scenario;

/// Every ranked physician by the scenario's KOL rule, on the network before the KOL weight:
/// from the scores `real` ranked its KOLs by (the rule is ranked again only where it kept
/// none: no KOLs asked for, or an explicit list).
pub(super) fn kol_ranking(
    sc: &Scenario,
    real: &crate::realise::Realisation,
    base: &Network,
) -> Result<Vec<u32>, Error> {
    match &real.kol_scores {
        Some(values) => Ok(kols::Scores {
            values: values.clone(),
            note: None,
        }
        .ranking()),
        None => scenario_ranking(sc, base),
    }
}

/// The full ranking under the scenario's KOL rule (on the network before the KOL weight).
fn scenario_ranking(sc: &Scenario, base: &Network) -> Result<Vec<u32>, Error> {
    let rule = sc.kol_rule(base)?;
    Ok(kols::rank_with(
        base,
        &rule,
        &mut stream(sc.seed, Purpose::Kols, 0),
    ))
}

/// The candidate mask from `--candidates ATTR`.
pub(super) fn candidate_mask(net: &Network, attr: &str) -> Result<Vec<bool>, Error> {
    match net.attribute(attr) {
        Some(Attribute::Numeric(v)) => Ok(v.iter().map(|x| x.is_some_and(|x| x > 0.0)).collect()),
        Some(Attribute::Text(_)) => Err(Error::Usage(format!(
            "--candidates {attr}: the attribute is text; give a numeric column (candidates are the physicians with a value > 0)"
        ))),
        None => Err(Error::Usage(format!(
            "--candidates {attr}: no such node attribute (known: {})",
            net.attribute_names().join(", ")
        ))),
    }
}

/// One id lookup table for a list of ids (`index_of` scans the ids, O(n) per lookup).
fn id_index(net: &Network) -> Option<std::collections::HashMap<&str, u32>> {
    net.ids().map(|ids| {
        ids.iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32))
            .collect()
    })
}

/// The candidate mask from `--candidates-file PATH`: one id per line (an optional first line
/// `id`), or a delimited file with a header and an `id` column, read by the reader of every
/// input file ([`crate::network::read_sheet`]). Blank lines are skipped; a missing or
/// unreadable file, or an unknown id, is bad input naming the flag, the file and the line.
pub(super) fn candidates_file(net: &Network, path: &std::path::Path) -> Result<Vec<bool>, Error> {
    let flag = |line: Option<usize>, msg: &str| {
        let at = line.map(|l| format!(":{l}")).unwrap_or_default();
        Error::Usage(format!("--candidates-file {}{at}: {msg}", path.display()))
    };
    let sheet = crate::network::read_sheet(path, None).map_err(|e| {
        let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
        Error::Usage(format!(
            "--candidates-file {}{at}: {}",
            path.display(),
            e.message
        ))
    })?;
    let column = match sheet.header.iter().position(|h| h == "id") {
        Some(c) => c,
        None if sheet.header.len() == 1 => 0,
        None => {
            return Err(flag(
                Some(sheet.header_line),
                &format!(
                    "a delimited candidate file needs an `id` column; the header is {}",
                    sheet.header.join(",")
                ),
            ));
        }
    };
    let mut rows = sheet.rows;
    if sheet.header.get(column).is_some_and(|h| h != "id") {
        rows.insert(0, (sheet.header_line, sheet.header));
    }
    if rows.is_empty() {
        return Err(flag(None, "the file lists no physician"));
    }
    let index = id_index(net);
    let mut mask = vec![false; net.n()];
    for (line, row) in rows {
        let Some(id) = row.get(column) else {
            return Err(flag(Some(line), &format!("no field {} (`id`)", column + 1)));
        };
        let found = match &index {
            Some(m) => m.get(id.as_str()).copied(),
            None => net.index_of(id),
        };
        match found {
            Some(v) => mask[v as usize] = true,
            None => {
                return Err(flag(
                    Some(line),
                    &format!("unknown physician id \"{id}\" (not in the scenario's network)"),
                ));
            }
        }
    }
    Ok(mask)
}

/// The costs from `--cost ATTR`: a numeric node attribute, positive and finite for every
/// physician; a missing or unusable value is an error naming the physician.
pub(super) fn costs(net: &Network, attr: &str) -> Result<Vec<f64>, Error> {
    let v = match net.attribute(attr) {
        Some(Attribute::Numeric(v)) => v,
        Some(Attribute::Text(_)) => {
            return Err(Error::Usage(format!(
                "--cost {attr}: the attribute is text; give a numeric column"
            )));
        }
        None => {
            return Err(Error::Usage(format!(
                "--cost {attr}: no such node attribute (known: {})",
                net.attribute_names().join(", ")
            )));
        }
    };
    v.iter()
        .enumerate()
        .map(|(i, x)| match x {
            Some(c) if c.is_finite() && *c > 0.0 => Ok(*c),
            Some(c) => Err(Error::Usage(format!(
                "--cost {attr}: physician \"{}\" has cost {c}; costs must be positive and finite",
                net.id(i)
            ))),
            None => Err(Error::Usage(format!(
                "--cost {attr}: physician \"{}\" has no cost (missing value)",
                net.id(i)
            ))),
        })
        .collect()
}

/// The candidate mask (`--candidates`, `--candidates-file`, both applying) and the budget
/// (`--budget` with `--cost`), checked against `--k` and the network.
pub(super) fn filters(
    net: &Network,
    req: &super::SeedRequest,
) -> Result<(Option<Vec<bool>>, Option<crate::seed::Budget>), Error> {
    let n = net.n();
    if let Some(k) = req.k
        && k > n
    {
        return Err(Error::Usage(format!(
            "--k {k}: the network has only {n} physicians"
        )));
    }
    let mut mask = match &req.candidates {
        Some(a) => Some(candidate_mask(net, a)?),
        None => None,
    };
    if let Some(path) = &req.candidates_file {
        let listed = candidates_file(net, path)?;
        mask = Some(match mask {
            Some(m) => m.iter().zip(&listed).map(|(a, b)| *a && *b).collect(),
            None => listed,
        });
    }
    let budget = match (&req.cost, req.budget) {
        (Some(attr), Some(b)) => Some(crate::seed::Budget {
            costs: costs(net, attr)?,
            budget: b,
        }),
        _ => None,
    };
    let allowed = |v: usize| mask.as_ref().is_none_or(|m| m[v]);
    if let (Some(m), Some(k)) = (&mask, req.k) {
        let c = m.iter().filter(|&&x| x).count();
        if c < k {
            return Err(Error::Usage(format!(
                "candidate filter: only {c} physicians qualify, fewer than --k {k}"
            )));
        }
    }
    if let Some(b) = &budget
        && !(0..n).any(|v| allowed(v) && b.fits(v as u32, b.budget))
    {
        return Err(Error::Usage(format!(
            "--budget {}: no candidate physician costs that little",
            b.budget
        )));
    }
    Ok((mask, budget))
}
