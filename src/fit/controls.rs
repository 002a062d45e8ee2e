//! The controls of the spontaneous adoption rate: group fixed effects (`--strata COLUMN`,
//! `[observed] strata`) and physician covariates (`--covariates a,b,c`, `[observed]
//! covariates`), read from the node file's attributes.
//!
//! Every model's spontaneous probability is `p_i(t) = logistic(α_t + δ_g(i) + x_iᵀγ)`
//! ([`crate::fit::hazard`]); this module turns the attributes into the design of `δ` and `γ`:
//! - a stratum column gives one dummy per group except the first (groups sorted; numbers
//!   numerically, text alphabetically), the first being the baseline;
//! - a numeric covariate is one column of its values; a text covariate, or one written
//!   `name:factor`, one dummy per level except the first (sorted as groups are).
//!
//! Physicians with equal design rows share a *pattern*; the likelihood's adoptions and
//! person-periods at risk are kept apart by pattern ([`crate::fit::data::cells_and_events`],
//! [`crate::fit::data::at_risk`]). Physicians with a missing value (empty,
//! `NA`, …) in any control are excluded from the fit with their arcs, as unknown adoption is.

use crate::error::Error;
use crate::network::{Attribute, Network};
use std::collections::HashMap;

/// Most groups of a stratum column, and most levels of a factor covariate.
pub const MAX_LEVELS: usize = 1000;

/// Which node attributes control the spontaneous rate, as the user wrote them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ControlSpec {
    /// The group column (fixed effects), if any.
    pub strata: Option<String>,
    /// Covariate columns: `name` (numeric as a number, text as a factor) or `name:factor`.
    pub covariates: Vec<String>,
}

impl ControlSpec {
    /// Whether any control is asked for.
    pub fn any(&self) -> bool {
        self.strata.is_some() || !self.covariates.is_empty()
    }

    /// Parses a comma-separated covariate list (`--covariates jours,specialty:factor`).
    pub fn parse_list(list: &str) -> Vec<String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }
}

/// Whether a coefficient is a group effect or a covariate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `δ_g`: a group against the baseline group.
    Group,
    /// `γ`: a covariate (or one level of a factor against its first level).
    Covariate,
}

/// The controls' design on the physicians of a network.
#[derive(Debug, Clone, PartialEq)]
pub struct Controls {
    /// Per physician of the network: its pattern, `None` where a control value is missing.
    pub pattern: Vec<Option<u32>>,
    /// The design row of each pattern (one value per coefficient).
    pub rows: Vec<Vec<f64>>,
    /// Coefficient names: `city_name=Peoria`, `jours`, `specialty=2`.
    pub names: Vec<String>,
    /// The role of each coefficient.
    pub roles: Vec<Role>,
    /// The stratum column and its groups (the first is the baseline).
    pub strata: Option<(String, Vec<String>)>,
    /// The covariate columns, as fitted (`jours`, `specialty (factor)`).
    pub covariates: Vec<String>,
}

/// One control column's values per physician: a number, a level index, or missing.
enum Column {
    Numeric(Vec<Option<f64>>),
    Levels(Vec<Option<u32>>, Vec<String>),
}

fn usage(msg: String) -> Error {
    Error::Usage(msg)
}

fn missing_text(s: &str) -> bool {
    matches!(
        s.trim(),
        "" | "NA" | "na" | "NaN" | "nan" | "null" | "." | "N/A"
    )
}

fn label(x: f64) -> String {
    format!("{x}")
}

/// The levels of a column (sorted: numbers numerically, text alphabetically) and each
/// physician's level.
fn levels(attr: &Attribute) -> (Vec<Option<u32>>, Vec<String>) {
    match attr {
        Attribute::Numeric(v) => {
            let mut vals: Vec<f64> = v.iter().flatten().copied().collect();
            vals.sort_by(f64::total_cmp);
            vals.dedup();
            let idx = v
                .iter()
                .map(|x| x.map(|x| vals.partition_point(|&y| y < x) as u32))
                .collect();
            (idx, vals.into_iter().map(label).collect())
        }
        Attribute::Text(v) => {
            let mut vals: Vec<&str> = v
                .iter()
                .map(|s| s.trim())
                .filter(|s| !missing_text(s))
                .collect();
            vals.sort_unstable();
            vals.dedup();
            let index: HashMap<&str, u32> = vals
                .iter()
                .enumerate()
                .map(|(i, s)| (*s, i as u32))
                .collect();
            let idx = v.iter().map(|s| index.get(s.trim()).copied()).collect();
            (idx, vals.into_iter().map(String::from).collect())
        }
    }
}

/// The attribute `name` of `net`, or an error listing the columns there are.
fn attribute<'a>(net: &'a Network, name: &str, what: &str) -> Result<&'a Attribute, Error> {
    net.attribute(name).ok_or_else(|| {
        let have = net.attribute_names();
        usage(if have.is_empty() {
            format!(
                "{what} \"{name}\": the scenario's network has no node attributes (give a node file, [network.nodes], with a column \"{name}\")"
            )
        } else {
            format!(
                "{what} \"{name}\" is not a column of the node file (columns: {})",
                have.join(", ")
            )
        })
    })
}

/// Which values are seen among the physicians `fit` (those with known adoption and every
/// control value present).
fn distinct_fitted(col: &Column, fit: &[bool]) -> usize {
    match col {
        Column::Numeric(v) => {
            let mut x: Vec<f64> = v
                .iter()
                .zip(fit)
                .filter(|(_, f)| **f)
                .filter_map(|(x, _)| *x)
                .collect();
            x.sort_by(f64::total_cmp);
            x.dedup();
            x.len()
        }
        Column::Levels(v, _) => {
            let mut x: Vec<u32> = v
                .iter()
                .zip(fit)
                .filter(|(_, f)| **f)
                .filter_map(|(x, _)| *x)
                .collect();
            x.sort_unstable();
            x.dedup();
            x.len()
        }
    }
}

fn is_present(col: &Column, i: usize) -> bool {
    match col {
        Column::Numeric(v) => v[i].is_some(),
        Column::Levels(v, _) => v[i].is_some(),
    }
}

/// Reads the controls of `spec` from `net`'s node attributes. `known[i]`: physician `i` has
/// a known adoption (the checks — a constant covariate, a stratum with one group — are made
/// on the physicians that will be fitted). Errors (exit 2) name the column.
pub fn build(spec: &ControlSpec, net: &Network, known: &[bool]) -> Result<Controls, Error> {
    let mut cols: Vec<(String, Role, Column)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    if let Some(s) = &spec.strata {
        let (idx, levels) = levels(attribute(net, s, "--strata column")?);
        cols.push((s.clone(), Role::Group, Column::Levels(idx, levels)));
        seen.push(s);
    }
    for c in &spec.covariates {
        let (name, factor) = match c.split_once(':') {
            Some((n, "factor")) => (n, true),
            Some((_, kind)) => {
                return Err(usage(format!(
                    "--covariates \"{c}\": unknown kind \"{kind}\" (write `name` or `name:factor`)"
                )));
            }
            None => (c.as_str(), false),
        };
        if seen.contains(&name) {
            return Err(usage(format!(
                "--covariates: \"{name}\" is given twice (or is also the --strata column)"
            )));
        }
        seen.push(name);
        let attr = attribute(net, name, "--covariates column")?;
        let col = match (attr, factor) {
            (Attribute::Numeric(v), false) => Column::Numeric(v.clone()),
            _ => {
                let (idx, levels) = levels(attr);
                Column::Levels(idx, levels)
            }
        };
        cols.push((name.to_string(), Role::Covariate, col));
    }
    let n = net.n();
    let fit: Vec<bool> = (0..n)
        .map(|i| known[i] && cols.iter().all(|(_, _, c)| is_present(c, i)))
        .collect();
    check(&cols, &fit)?;
    Ok(design(cols, &fit, n))
}

/// Refuses controls that cannot be fitted: too many levels, a single group or level, a
/// constant covariate (among the physicians fitted).
fn check(cols: &[(String, Role, Column)], fit: &[bool]) -> Result<(), Error> {
    for (name, role, col) in cols {
        let what = match role {
            Role::Group => "--strata column",
            Role::Covariate => "--covariates column",
        };
        if let Column::Levels(_, levels) = col
            && levels.len() > MAX_LEVELS
        {
            return Err(usage(format!(
                "{what} \"{name}\" has {} distinct values (at most {MAX_LEVELS}); a numeric column is used as a number unless written `{name}:factor`",
                levels.len()
            )));
        }
        let k = distinct_fitted(col, fit);
        if k < 2 {
            return Err(usage(match (role, col) {
                (Role::Group, _) => format!(
                    "{what} \"{name}\" has {k} group among the physicians fitted: strata need at least two groups"
                ),
                (_, Column::Numeric(_)) => format!(
                    "{what} \"{name}\" is constant among the physicians fitted: it cannot be told apart from the baseline rate"
                ),
                _ => format!(
                    "{what} \"{name}\" has {k} level among the physicians fitted: a factor needs at least two"
                ),
            }));
        }
    }
    Ok(())
}

/// The design rows and each fitted physician's pattern. Levels absent among the physicians
/// fitted get no dummy (their coefficient would not be identified).
fn design(cols: Vec<(String, Role, Column)>, fit: &[bool], n: usize) -> Controls {
    let mut names = Vec::new();
    let mut roles = Vec::new();
    let mut strata = None;
    let mut covariates = Vec::new();
    // Per column: for each level, its dummy position (None for the baseline or absent).
    let mut slots: Vec<Vec<Option<usize>>> = Vec::new();
    for (name, role, col) in &cols {
        match col {
            Column::Numeric(_) => {
                slots.push(Vec::new());
                names.push(name.clone());
                roles.push(*role);
                covariates.push(name.clone());
            }
            Column::Levels(idx, levels) => {
                let mut used = vec![false; levels.len()];
                for (x, f) in idx.iter().zip(fit) {
                    if let (Some(l), true) = (x, f) {
                        used[*l as usize] = true;
                    }
                }
                let present: Vec<usize> = (0..levels.len()).filter(|&l| used[l]).collect();
                let mut s = vec![None; levels.len()];
                for &l in &present[1..] {
                    s[l] = Some(names.len());
                    names.push(format!("{name}={}", levels[l]));
                    roles.push(*role);
                }
                slots.push(s);
                match role {
                    Role::Group => {
                        strata = Some((
                            name.clone(),
                            present.iter().map(|&l| levels[l].clone()).collect(),
                        ))
                    }
                    Role::Covariate => covariates.push(format!("{name} (factor)")),
                }
            }
        }
    }
    let e = names.len();
    let mut index: HashMap<Vec<u64>, u32> = HashMap::new();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut pattern = vec![None; n];
    let mut row = vec![0.0; e];
    for i in (0..n).filter(|&i| fit[i]) {
        row.iter_mut().for_each(|v| *v = 0.0);
        let mut k = 0;
        for ((_, _, col), s) in cols.iter().zip(&slots) {
            match col {
                Column::Numeric(v) => {
                    row[k] = v[i].unwrap_or(0.0);
                    k += 1;
                }
                Column::Levels(v, _) => {
                    if let Some(pos) = v[i].and_then(|l| s[l as usize]) {
                        row[pos] = 1.0;
                    }
                    k += s.iter().flatten().count();
                }
            }
        }
        let key: Vec<u64> = row.iter().map(|x| x.to_bits()).collect();
        let next = rows.len() as u32;
        let z = *index.entry(key).or_insert_with(|| {
            rows.push(row.clone());
            next
        });
        pattern[i] = Some(z);
    }
    Controls {
        pattern,
        rows,
        names,
        roles,
        strata,
        covariates,
    }
}

impl Controls {
    /// Number of coefficients (`δ` and `γ`).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no coefficients.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The controls in words, for the header and the verdict: `groups (city_name: 4) and
    /// covariates jours, med_sch_yr`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some((col, groups)) = &self.strata {
            parts.push(format!(
                "fixed effects for the {} groups of {col} ({})",
                groups.len(),
                groups.join(", ")
            ));
        }
        if !self.covariates.is_empty() {
            parts.push(format!("covariates {}", self.covariates.join(", ")));
        }
        parts.join(" and ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Network {
        Network::from_ties(5, &[0, 1, 1, 2, 2, 3, 3, 4]).with_attributes(vec![
            (
                "town".into(),
                Attribute::Text(vec![
                    "b".into(),
                    "a".into(),
                    "b".into(),
                    "NA".into(),
                    "a".into(),
                ]),
            ),
            (
                "age".into(),
                Attribute::Numeric(vec![Some(30.0), Some(40.0), None, Some(50.0), Some(40.0)]),
            ),
            ("flat".into(), Attribute::Numeric(vec![Some(1.0); 5])),
        ])
    }

    #[test]
    fn groups_and_numbers_make_patterns() {
        let spec = ControlSpec {
            strata: Some("town".into()),
            covariates: vec!["age".into()],
        };
        let c = build(&spec, &net(), &[true; 5]).unwrap();
        assert_eq!(c.names, vec!["town=b".to_string(), "age".into()]);
        // Physicians 2 (age missing) and 3 (town missing) are excluded.
        assert_eq!(c.pattern[2], None);
        assert_eq!(c.pattern[3], None);
        // 1 and 4 share a pattern (town a, age 40).
        assert_eq!(c.pattern[1], c.pattern[4]);
        let z0 = c.pattern[0].unwrap() as usize;
        assert_eq!(c.rows[z0], vec![1.0, 30.0]);
        assert_eq!(c.strata.as_ref().unwrap().1, vec!["a", "b"]);
    }

    #[test]
    fn bad_controls_are_refused() {
        let known = [true; 5];
        let err = |spec: ControlSpec| build(&spec, &net(), &known).unwrap_err().to_string();
        let cov = |c: &str| ControlSpec {
            strata: None,
            covariates: vec![c.into()],
        };
        assert!(
            err(cov("nope")).contains("not a column"),
            "{}",
            err(cov("nope"))
        );
        assert!(err(cov("flat")).contains("constant"));
        assert!(err(cov("flat:factor")).contains("1 level"));
        assert!(err(cov("age:number")).contains("unknown kind"));
        let one = ControlSpec {
            strata: Some("town".into()),
            covariates: vec![],
        };
        let e = build(&one, &net(), &[false, true, false, false, true])
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least two groups"), "{e}");
        let twice = ControlSpec {
            strata: Some("town".into()),
            covariates: vec!["town".into()],
        };
        assert!(err(twice).contains("twice"));
    }
}
