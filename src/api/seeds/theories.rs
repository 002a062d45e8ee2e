//! `--theories SPEC`: the theories a seed set is chosen over, with their weights (issue 23).
//!
//! SPEC is either a list `imitation=0.5,cascade=0.3,threshold=0.2` of the scenario's model
//! names (weights normalised to sum to 1; a name without `=w` gets weight 1), or the path of a
//! fit's `fitted.toml`. From a `fitted.toml` the theories are its `[[model]]` entries (the
//! fitted parameters), simulated on the scenario's own network, and the weights are read, in
//! order of preference, from a `weight` or `akaike_weight` key of each model table, from the
//! `akaike_weight` column of the `models.csv` beside it (rows matched by `model` name), or, when
//! neither exists, set equal (and the output says so). Theories with weight 0 are dropped.

use crate::error::Error;
use crate::scenario::{NamedModel, Scenario};
use std::path::Path;

/// One theory: a model of the (effective) scenario and its weight.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Theory {
    /// The model's name.
    pub name: String,
    /// The model's `kind`.
    pub kind: &'static str,
    /// Weight (the weights sum to 1).
    pub weight: f64,
    /// Index of the model in the effective scenario's `models`.
    pub model: usize,
}

/// The theories and the scenario they run in.
#[derive(Debug)]
pub struct Resolved {
    /// The scenario with the theories' models (the fitted ones for a `fitted.toml`).
    pub scenario: Scenario,
    /// The theories, weights normalised.
    pub theories: Vec<Theory>,
    /// Where the weights came from (for the output).
    pub source: String,
    /// Whether the models come from a `fitted.toml` (the scenario's own arms and KOLs are
    /// then taken from a realisation of the scenario itself).
    pub fitted: bool,
}

fn usage(msg: String) -> Error {
    Error::Usage(msg)
}

/// Resolves `--model NAME` (one theory) or `--theories SPEC`.
pub fn resolve(sc: &Scenario, model: Option<&str>, spec: Option<&str>) -> Result<Resolved, Error> {
    let names = || {
        sc.models
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pairs: Vec<(String, f64)> = match (model, spec) {
        (Some(_), Some(_)) => {
            return Err(usage(
                "give --model NAME or --theories SPEC, not both".into(),
            ));
        }
        (None, None) => {
            return Err(usage(format!(
                "give --model NAME (one of: {}) or --theories SPEC (a list name=weight,... or a fit's fitted.toml)",
                names()
            )));
        }
        (Some(m), None) => vec![(m.to_string(), 1.0)],
        (None, Some(s)) if s.ends_with(".toml") || Path::new(s).is_file() => {
            return fitted(sc, Path::new(s));
        }
        (None, Some(s)) => parse_list(s)?,
    };
    let mut theories = Vec::new();
    for (name, w) in &pairs {
        let Some(i) = sc.models.iter().position(|m| &m.name == name) else {
            let flag = if model.is_some() {
                "--model"
            } else {
                "--theories"
            };
            return Err(usage(format!(
                "{flag} {name}: no such model in the scenario (its models: {})",
                names()
            )));
        };
        if theories.iter().any(|t: &Theory| t.model == i) {
            return Err(usage(format!("--theories: {name} is listed twice")));
        }
        theories.push(Theory {
            name: name.clone(),
            kind: sc.models[i].model.kind(),
            weight: *w,
            model: i,
        });
    }
    let mut source = if model.is_some() {
        "one model".to_string()
    } else {
        "the --theories list".to_string()
    };
    Ok(Resolved {
        scenario: sc.clone(),
        theories: normalise(theories, &mut source)?,
        source,
        fitted: false,
    })
}

/// `a=0.5,b=0.3` (a name alone: weight 1).
fn parse_list(s: &str) -> Result<Vec<(String, f64)>, Error> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|item| match item.split_once('=') {
            None => Ok((item.to_string(), 1.0)),
            Some((n, w)) => match w.trim().parse::<f64>() {
                Ok(w) if w.is_finite() && w >= 0.0 => Ok((n.trim().to_string(), w)),
                _ => Err(usage(format!(
                    "--theories {s}: the weight of {} must be a non-negative number, not \"{}\"",
                    n.trim(),
                    w.trim()
                ))),
            },
        })
        .collect()
}

/// Smallest normalised weight a theory keeps (below it, a fit's theory has no support; it
/// would only force CELF on the mean and dominate the worst case).
pub const MIN_WEIGHT: f64 = 1e-3;

/// Drops theories with weight below [`MIN_WEIGHT`] of the total and normalises the rest;
/// names the dropped ones in `source`.
fn normalise(mut theories: Vec<Theory>, source: &mut String) -> Result<Vec<Theory>, Error> {
    let total: f64 = theories.iter().map(|t| t.weight).sum();
    if theories.is_empty() || total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(usage("--theories: no theory with a positive weight".into()));
    }
    let dropped: Vec<String> = theories
        .iter()
        .filter(|t| t.weight / total < MIN_WEIGHT)
        .map(|t| t.name.clone())
        .collect();
    if !dropped.is_empty() {
        source.push_str(&format!(
            "; left out (weight below {MIN_WEIGHT}): {}",
            dropped.join(", ")
        ));
    }
    theories.retain(|t| t.weight / total >= MIN_WEIGHT);
    let total: f64 = theories.iter().map(|t| t.weight).sum();
    for t in &mut theories {
        t.weight /= total;
    }
    Ok(theories)
}

/// Weights from the models of a `fitted.toml` (their `weight` keys, [`NamedModel::weight`]).
fn table_weights(fit: &Scenario) -> Vec<(String, f64)> {
    fit.models
        .iter()
        .filter_map(|m| Some((m.name.clone(), m.weight?)))
        .collect()
}

/// Weights from the `akaike_weight` column of `models.csv` (by `model` name).
fn csv_weights(path: &Path) -> Vec<(String, f64)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let Ok(head) = r.headers().cloned() else {
        return Vec::new();
    };
    let (Some(mc), Some(wc)) = (
        head.iter().position(|h| h.trim() == "model"),
        head.iter().position(|h| h.trim() == "akaike_weight"),
    ) else {
        return Vec::new();
    };
    r.records()
        .filter_map(Result::ok)
        .filter_map(|rec| {
            let w: f64 = rec.get(wc)?.trim().parse().ok()?;
            Some((rec.get(mc)?.trim().to_string(), w))
        })
        .filter(|(_, w)| w.is_finite() && *w >= 0.0)
        .collect()
}

/// The theories of a fit's `fitted.toml`, simulated on `sc`'s network.
fn fitted(sc: &Scenario, path: &Path) -> Result<Resolved, Error> {
    std::fs::File::open(path).map_err(|e| {
        usage(format!(
            "--theories {}: cannot read it: {e}",
            path.display()
        ))
    })?;
    let fit = crate::scenario::load(path).map_err(|e| {
        usage(format!(
            "--theories {}: not a readable fitted.toml ({e})",
            path.display()
        ))
    })?;
    if fit.models.is_empty() {
        return Err(usage(format!(
            "--theories {}: the file has no [[model]] to simulate",
            path.display()
        )));
    }
    let mut weights = table_weights(&fit);
    let mut source = format!("the weights in {}", path.display());
    if weights.is_empty() {
        let csv = path.with_file_name("models.csv");
        weights = csv_weights(&csv);
        source = format!("the Akaike weights in {}", csv.display());
    }
    let equal = weights.is_empty();
    if equal {
        source = format!(
            "equal weights ({} gives none, and no models.csv with akaike_weight is beside it)",
            path.display()
        );
    }
    let models: Vec<NamedModel> = fit.models.clone();
    let theories: Vec<Theory> = models
        .iter()
        .enumerate()
        .map(|(i, m)| Theory {
            name: m.name.clone(),
            kind: m.model.kind(),
            weight: if equal {
                1.0
            } else {
                weights
                    .iter()
                    .find(|(n, _)| *n == m.name)
                    .map_or(0.0, |w| w.1)
            },
            model: i,
        })
        .collect();
    let mut scenario = sc.clone();
    scenario.models = models;
    // Arms may name the scenario's own models; they are realised on the scenario itself.
    scenario.arms.clear();
    scenario.baseline = scenario.models[0].name.clone();
    Ok(Resolved {
        scenario,
        theories: normalise(theories, &mut source)?,
        source,
        fitted: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_table_weights() {
        let l = parse_list("a=0.5, b=1.5,c").unwrap();
        assert_eq!(
            l,
            vec![("a".into(), 0.5), ("b".into(), 1.5), ("c".into(), 1.0)]
        );
        assert!(parse_list("a=-1").is_err());
        let text = "name = \"t\"\nsteps = 2\nreplicates = 1\n[network]\nkind = \"complete\"\nn = 5\n\
                    [[model]]\nname = \"x\"\nkind = \"bass\"\np = 0.1\nq = 0.2\nweight = 0.25\n\
                    [[model]]\nname = \"y\"\nkind = \"bass\"\np = 0.1\nq = 0.2\n";
        let fit = crate::scenario::parse(crate::scenario::Source {
            path: "fitted.toml".into(),
            text: text.into(),
        })
        .unwrap();
        assert_eq!(table_weights(&fit), vec![("x".into(), 0.25)]);
        assert!(fit.to_toml().contains("weight = 0.25"));
    }
}
