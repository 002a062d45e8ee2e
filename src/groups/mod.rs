//! Physicians grouped by a node attribute: the categories behind `group` and `where` (in
//! `[kols]` and in seeding arms) and behind the scenario's `segment`.
//!
//! A cell that is blank or a missing marker (`NA`, `na`, `NaN`, `nan`, `null`, `.`, after
//! trimming spaces) has no category: it never matches a `where` value, never counts towards a
//! `group` quota, and puts the physician in the segment [`MISSING`]. A numeric attribute's
//! categories are its distinct values (written as Rust writes numbers: `3`, `0.5`).
//!
//! Everything here is deterministic: categories are sorted (numbers by value, text by its
//! bytes), and selections keep the order of the ranking they are given.

mod tally;

pub use tally::{Segments, Tallied, Tally, grouping};

use crate::error::Error;
use crate::network::{Attribute, Network};
use crate::scenario::Scenario;
use std::collections::BTreeMap;
use std::ops::Range;

/// The segment of physicians whose attribute cell is blank or a missing marker.
pub const MISSING: &str = "(missing)";

/// Most segments a run reports (`segment` on a column with more distinct values is refused).
pub const MAX_SEGMENTS: usize = 100;

/// Whether a text cell means "no value": blank, `NA`, `na`, `NaN`, `nan`, `null` or `.`
/// (after trimming spaces), the markers the node-file reader also reads as missing numbers.
pub fn is_missing(cell: &str) -> bool {
    crate::network::edge_list::is_missing(cell.trim())
}

/// Physician `i`'s category under attribute `a`, `None` where the cell is missing.
pub fn value_text(a: &Attribute, i: usize) -> Option<String> {
    match a {
        Attribute::Numeric(v) => v[i].map(|x| x.to_string()),
        Attribute::Text(v) => (!is_missing(&v[i])).then(|| v[i].clone()),
    }
}

/// A partition of the physicians by the values of one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    /// Category labels, sorted (numbers by value, text by its bytes), then [`MISSING`] when
    /// some physician has no value.
    pub labels: Vec<String>,
    /// `of[i]`: the index in `labels` of physician `i`'s category.
    pub of: Vec<u32>,
    /// Physicians per category.
    pub sizes: Vec<usize>,
    /// Whether the last label is [`MISSING`].
    pub has_missing: bool,
}

impl Grouping {
    /// Groups the `n` physicians by attribute `a`.
    pub fn new(a: &Attribute, n: usize) -> Grouping {
        let mut labels: Vec<String> = match a {
            Attribute::Numeric(v) => {
                let mut x: Vec<f64> = v.iter().flatten().copied().collect();
                x.sort_by(f64::total_cmp);
                x.dedup();
                x.iter().map(|x| x.to_string()).collect()
            }
            Attribute::Text(v) => {
                let mut x: Vec<&String> = v.iter().filter(|s| !is_missing(s)).collect();
                x.sort();
                x.dedup();
                x.into_iter().cloned().collect()
            }
        };
        // Numbers that print alike (e.g. 0 and -0) are one category.
        labels.dedup();
        let index: BTreeMap<&str, u32> = labels
            .iter()
            .enumerate()
            .map(|(k, l)| (l.as_str(), k as u32))
            .collect();
        let missing = labels.len() as u32;
        let of: Vec<u32> = (0..n)
            .map(|i| value_text(a, i).map_or(missing, |v| index[v.as_str()]))
            .collect();
        let has_missing = of.contains(&missing);
        if has_missing {
            labels.push(MISSING.to_string());
        }
        let mut sizes = vec![0; labels.len()];
        for &g in &of {
            sizes[g as usize] += 1;
        }
        Grouping {
            labels,
            of,
            sizes,
            has_missing,
        }
    }

    /// Whether category `g` is the [`MISSING`] one.
    pub fn is_missing(&self, g: u32) -> bool {
        self.has_missing && g as usize == self.labels.len() - 1
    }
}

/// The attribute `name`, or a located error (`key` at `span`) listing the attributes there
/// are.
pub fn attribute<'a>(
    sc: &Scenario,
    net: &'a Network,
    name: &str,
    span: &Range<usize>,
    key: &str,
) -> Result<&'a Attribute, Error> {
    net.attribute(name).ok_or_else(|| {
        let names = net.attribute_names();
        Error::Scenario(sc.source.error(
            Some(span.clone()),
            key,
            format!(
                "no node attribute \"{name}\" (available: {})",
                if names.is_empty() {
                    "none; attributes come from a node file".to_string()
                } else {
                    names.join(", ")
                }
            ),
        ))
    })
}

/// A `where` table: `(attribute, value as written, span)` for each key.
pub type Filter = [(String, String, Range<usize>)];

/// Which physicians match every value of `filter` (key path `table.where.<attribute>` in
/// errors). A value no physician has is an error that lists the values there are.
pub fn filter_mask(
    sc: &Scenario,
    net: &Network,
    filter: &Filter,
    table: &str,
) -> Result<Vec<bool>, Error> {
    let mut keep = vec![true; net.n()];
    for (name, value, span) in filter {
        let key = format!("{table}.where.{name}");
        let a = attribute(sc, net, name, span, &key)?;
        let want = value.parse::<f64>().ok();
        let mut any = false;
        for (i, k) in keep.iter_mut().enumerate() {
            let matches = match (a, want) {
                (Attribute::Numeric(v), Some(w)) => v[i] == Some(w),
                _ => value_text(a, i).as_deref() == Some(value.as_str()),
            };
            any |= matches;
            *k &= matches;
        }
        if !any {
            let g = Grouping::new(a, net.n());
            let mut values: Vec<String> = g
                .labels
                .iter()
                .take(g.labels.len() - usize::from(g.has_missing))
                .take(12)
                .map(|l| format!("\"{}\"", crate::limits::quote(l)))
                .collect();
            if g.labels.len() - usize::from(g.has_missing) > 12 {
                values.push("…".into());
            }
            return Err(Error::Scenario(sc.source.error(
                Some(span.clone()),
                &key,
                format!(
                    "no physician has {name} = \"{}\" (values: {}; blank and NA cells match nothing)",
                    crate::limits::quote(value),
                    if values.is_empty() {
                        "none".to_string()
                    } else {
                        values.join(", ")
                    }
                ),
            )));
        }
    }
    Ok(keep)
}

/// The physicians of `ranked` (in its order) whose `keep` is set, at most `quota(size of the
/// group)` from each value of attribute `group` (key `key` at `span` in errors). Physicians
/// whose value is missing never qualify. The group's size counts its physicians with `keep`
/// set.
#[allow(clippy::too_many_arguments)]
pub fn top_per_group(
    sc: &Scenario,
    net: &Network,
    ranked: &[u32],
    keep: &[bool],
    group: &str,
    span: &Range<usize>,
    key: &str,
    quota: &dyn Fn(usize) -> usize,
) -> Result<Vec<u32>, Error> {
    let a = attribute(sc, net, group, span, key)?;
    let g = Grouping::new(a, net.n());
    let mut sizes = vec![0usize; g.labels.len()];
    for (i, &k) in keep.iter().enumerate() {
        if k {
            sizes[g.of[i] as usize] += 1;
        }
    }
    let mut left: Vec<usize> = sizes.iter().map(|&s| quota(s)).collect();
    if g.has_missing {
        left[g.labels.len() - 1] = 0;
    }
    let mut out = Vec::new();
    for &i in ranked {
        let c = g.of[i as usize] as usize;
        if keep[i as usize] && left[c] > 0 {
            left[c] -= 1;
            out.push(i);
        }
    }
    Ok(out)
}

/// Who may be chosen, and in which groups, by a seeding arm or `[kols]` with `group` and
/// `where`.
#[derive(Debug, Clone, Copy)]
pub struct Strata<'a> {
    /// `group`: the attribute and its span.
    pub group: Option<&'a (String, Range<usize>)>,
    /// `where` values.
    pub filter: &'a Filter,
    /// Key path of the table (`kols`, `arm[0]`, `initial_adopters`) for errors.
    pub table: &'a str,
}

impl<'a> Strata<'a> {
    /// The `group` and `where` of `arm`; `table` is the arm's key path (`arm[k]` or
    /// `initial_adopters`).
    pub fn of_arm(arm: &'a crate::scenario::Arm, table: &'a str) -> Self {
        Strata {
            group: arm.group.as_ref(),
            filter: &arm.filter,
            table,
        }
    }

    /// Whether the table says `group` or `where`.
    pub fn any(&self) -> bool {
        self.group.is_some() || !self.filter.is_empty()
    }

    /// The first `count` physicians of `ranked` that match `where`, or with `group` the first
    /// `count` of each group (all of a smaller group), in `ranked` order.
    pub fn top(
        &self,
        sc: &Scenario,
        net: &Network,
        ranked: &[u32],
        count: usize,
    ) -> Result<Vec<u32>, Error> {
        let keep = filter_mask(sc, net, self.filter, self.table)?;
        match self.group {
            None => Ok(ranked
                .iter()
                .copied()
                .filter(|&i| keep[i as usize])
                .take(count)
                .collect()),
            Some((g, span)) => top_per_group(
                sc,
                net,
                ranked,
                &keep,
                g,
                span,
                &format!("{}.group", self.table),
                &|s| count.min(s),
            ),
        }
    }

    /// The pools random seeds are drawn from: the physicians matching `where`, split by
    /// `group` (one pool per non-missing value, in label order) or one pool without it.
    pub fn pools(&self, sc: &Scenario, net: &Network) -> Result<Vec<Vec<u32>>, Error> {
        let keep = filter_mask(sc, net, self.filter, self.table)?;
        let Some((group, span)) = self.group else {
            return Ok(vec![
                (0..net.n() as u32).filter(|&i| keep[i as usize]).collect(),
            ]);
        };
        let key = format!("{}.group", self.table);
        let g = Grouping::new(attribute(sc, net, group, span, &key)?, net.n());
        let real = g.labels.len() - usize::from(g.has_missing);
        let mut pools = vec![Vec::new(); real];
        for (i, &c) in g.of.iter().enumerate() {
            if keep[i] && (c as usize) < real {
                pools[c as usize].push(i as u32);
            }
        }
        Ok(pools)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_categories_sorted_with_missing_last() {
        let a = Attribute::Text(
            ["Quincy", "NA", "Peoria", " ", "Quincy", "null"]
                .map(String::from)
                .to_vec(),
        );
        let g = Grouping::new(&a, 6);
        assert_eq!(g.labels, ["Peoria", "Quincy", MISSING]);
        assert_eq!(g.of, [1, 2, 0, 2, 1, 2]);
        assert_eq!(g.sizes, [1, 2, 3]);
        assert!(g.is_missing(2) && !g.is_missing(1));
    }

    #[test]
    fn numeric_categories_by_value() {
        let a = Attribute::Numeric(vec![Some(10.0), Some(2.0), None, Some(2.0)]);
        let g = Grouping::new(&a, 4);
        assert_eq!(g.labels, ["2", "10", MISSING]);
        assert_eq!(g.of, [1, 0, 2, 0]);
        let a = Attribute::Numeric(vec![Some(1.0), Some(1.0)]);
        let g = Grouping::new(&a, 2);
        assert_eq!((g.labels.len(), g.has_missing), (1, false));
    }
}
