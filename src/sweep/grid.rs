//! The grid: swept keys and their values, the scenario of each point, validation of every
//! point before anything runs, and shards.

use crate::error::Error;
use crate::scenario::Scenario;

/// One swept key with its values.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Axis {
    /// Key path, e.g. `model.bass.q`.
    pub key: String,
    /// Values, in order.
    pub values: Vec<f64>,
}

/// The sweep definition, stored as `grid.json` so shards and merges agree on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Grid {
    /// Scenario name.
    pub scenario: String,
    /// Scenario text ([`Scenario::toml_text`]: the file as written, or the scenario built in
    /// code written as TOML).
    pub scenario_text: String,
    /// Master seed.
    pub seed: u64,
    /// Replicates per point.
    pub replicates: u32,
    /// Swept keys.
    pub axes: Vec<Axis>,
}

impl Grid {
    /// The scenario's `time_unit` (for labels), read from its text; month if absent or
    /// unreadable.
    pub fn time_unit(&self) -> crate::scenario::TimeUnit {
        crate::scenario::TimeUnit::of_text(&self.scenario_text)
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.checked_len().unwrap_or(usize::MAX)
    }

    /// Number of points, `None` if it overflows (see [`check`], which refuses grids over
    /// [`MAX_POINTS`]).
    pub fn checked_len(&self) -> Option<usize> {
        self.axes
            .iter()
            .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
    }

    /// Whether the grid has no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of point `k` (first axis slowest).
    pub fn point(&self, k: usize) -> Vec<f64> {
        let mut rest = k;
        let mut out = vec![0.0; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            out[i] = a.values[rest % a.values.len()];
            rest /= a.values.len();
        }
        out
    }
}

/// A usage problem with a sweep key or values.
fn bad(key: &str, why: impl std::fmt::Display) -> Error {
    Error::Usage(format!("sweep key `{key}`: {why}"))
}

/// The most points a sweep may have. Each point is validated (its network built) before
/// anything runs and gets its own folder; larger grids are almost always a typo.
pub const MAX_POINTS: usize = 100_000;

/// Scenario keys that cannot be swept, and why.
const NOT_SWEEPABLE: [(&str, &str); 3] = [
    (
        "seed",
        "every point keeps the scenario's seed so that points share random numbers; to vary the seed, run `kolsim run --seed S` once per seed",
    ),
    (
        "replicates",
        "every point runs the same replicates; set them with --replicates",
    ),
    ("name", "the name is not a number"),
];

/// Parses `VALUES`: a comma-separated list or `start:stop:step` (inclusive), as
/// [`crate::scenario::sweep_values`]; errors name `key`.
pub fn parse_values(key: &str, text: &str) -> Result<Vec<f64>, Error> {
    crate::scenario::sweep_values(text).map_err(|why| bad(key, why))
}

/// Refuses repeated values of `key` ([`crate::scenario::distinct_values`]).
fn distinct(key: &str, values: &[f64]) -> Result<(), Error> {
    crate::scenario::distinct_values(values).map_err(|why| bad(key, why))
}

/// Parses a `--set KEY=VALUES` argument.
pub fn parse_set(arg: &str) -> Result<Axis, Error> {
    let (key, vals) = arg
        .split_once('=')
        .ok_or_else(|| Error::Usage(format!("--set {arg}: expected KEY=VALUES, e.g. model.bass.q=0.1,0.2 or kols.share=0.01:0.05:0.01")))?;
    let key = key.trim().to_string();
    if key.is_empty() {
        return Err(Error::Usage(format!("--set {arg}: empty key")));
    }
    Ok(Axis {
        values: parse_values(&key, vals)?,
        key,
    })
}

/// Axes from the scenario's `[sweep]` table.
pub fn axes_from_table(sc: &Scenario) -> Vec<Axis> {
    sc.sweep
        .iter()
        .map(|(key, values)| Axis {
            key: key.clone(),
            values: values.clone(),
        })
        .collect()
}

/// The scenario of grid point `k`: the base scenario with the point's values set
/// ([`Scenario::with_values`]), validated, without its `[sweep]` table.
pub fn point_scenario(base: &Scenario, grid: &Grid, k: usize) -> Result<Scenario, Error> {
    let mut base = base.clone();
    base.sweep.clear();
    let values = grid.point(k);
    let patch: Vec<(&str, _)> = grid
        .axes
        .iter()
        .zip(&values)
        .map(|(a, &v)| (a.key.as_str(), v.into()))
        .collect();
    let text = base
        .patched_text(&patch)
        .map_err(|e| bad(&e.key, e.message))?;
    let mut sc = base.reparse(text, base.registry()).map_err(|e| {
        let at: Vec<String> = grid
            .axes
            .iter()
            .zip(&values)
            .map(|(a, v)| format!("{} = {v}", a.key))
            .collect();
        Error::Usage(format!(
            "sweep point {k} ({}): `{}`: {}",
            at.join(", "),
            e.key,
            e.message
        ))
    })?;
    sc.replicates = grid.replicates;
    sc.seed = grid.seed;
    Ok(sc)
}

/// Checks every point of the grid before anything runs.
pub fn check(base: &Scenario, grid: &Grid) -> Result<(), Error> {
    if grid.axes.is_empty() {
        return Err(Error::Usage(
            "nothing to sweep: give --set KEY=VALUES or a [sweep] table".into(),
        ));
    }
    for (i, a) in grid.axes.iter().enumerate() {
        if grid.axes[..i].iter().any(|b| b.key == a.key) {
            return Err(bad(&a.key, "given twice"));
        }
        if let Some((_, why)) = NOT_SWEEPABLE.iter().find(|(k, _)| *k == a.key) {
            return Err(bad(&a.key, format!("cannot be swept: {why}")));
        }
        distinct(&a.key, &a.values)?;
    }
    let sizes: Vec<String> = grid
        .axes
        .iter()
        .map(|a| a.values.len().to_string())
        .collect();
    match grid.checked_len() {
        Some(n) if n <= MAX_POINTS => {}
        n => {
            return Err(Error::Usage(format!(
                "the sweep grid has {} points ({}); at most {MAX_POINTS}. Use fewer values, or split the sweep",
                n.map_or("more than 2^64".to_string(), |n| n.to_string()),
                sizes.join(" × ")
            )));
        }
    }
    for k in 0..grid.len() {
        let sc = point_scenario(base, grid, k)?;
        crate::realise::check(&sc).map_err(|e| match e {
            Error::Scenario(s) => {
                Error::Usage(format!("sweep point {k}: `{}`: {}", s.key, s.message))
            }
            other => other,
        })?;
    }
    Ok(())
}

/// Which shard of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N`.
    pub fn parse(s: &str) -> Result<Shard, Error> {
        let err = || {
            Error::Usage(format!(
                "--shard {s}: expected I/N with 0 <= I < N, e.g. 0/4"
            ))
        };
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let (index, count) = (
            i.trim().parse::<usize>().map_err(|_| err())?,
            n.trim().parse::<usize>().map_err(|_| err())?,
        );
        if count == 0 || index >= count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }

    /// Whether point `k` belongs to this shard.
    pub fn owns(&self, k: usize) -> bool {
        k % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lists_and_ranges() {
        assert_eq!(
            parse_values("k", "0.1,0.2,0.4").unwrap(),
            vec![0.1, 0.2, 0.4]
        );
        assert_eq!(
            parse_values("k", "0.05:0.2:0.05").unwrap(),
            vec![0.05, 0.1, 0.15, 0.2]
        );
        assert_eq!(parse_values("k", "1:3:1").unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(
            parse_values("k", "0.1:0.35:0.1").unwrap(),
            vec![0.1, 0.2, 0.3]
        );
        for bad in ["", "a,b", "1:2", "1:0:1", "0:1:0", "0:1:-1", "1,,2", "nan"] {
            assert!(parse_values("k", bad).is_err(), "{bad:?} accepted");
        }
        let a = parse_set("model.bass.q=0.1,0.3").unwrap();
        assert_eq!((a.key.as_str(), a.values.len()), ("model.bass.q", 2));
        assert!(parse_set("model.bass.q").is_err());
    }

    #[test]
    fn grid_points_first_axis_slowest() {
        let g = Grid {
            scenario: "s".into(),
            scenario_text: String::new(),
            seed: 1,
            replicates: 1,
            axes: vec![
                Axis {
                    key: "a".into(),
                    values: vec![1.0, 2.0],
                },
                Axis {
                    key: "b".into(),
                    values: vec![10.0, 20.0, 30.0],
                },
            ],
        };
        assert_eq!(g.len(), 6);
        assert_eq!(g.point(0), vec![1.0, 10.0]);
        assert_eq!(g.point(2), vec![1.0, 30.0]);
        assert_eq!(g.point(3), vec![2.0, 10.0]);
    }

    #[test]
    fn shards() {
        let s = Shard::parse("1/3").unwrap();
        assert!(s.owns(1) && s.owns(4) && !s.owns(0));
        for bad in ["3/3", "1", "a/2", "0/0"] {
            assert!(Shard::parse(bad).is_err());
        }
    }

    #[test]
    fn tiny_steps_and_repeats_are_refused_not_nan() {
        let v = parse_values("x", "0:1e-300:1e-300").unwrap();
        assert_eq!(v, vec![0.0, 1e-300]);
        assert!(v.iter().all(|x| x.is_finite()));
        assert!(parse_values("x", "1:1.00000000000001:1e-15").is_err());
        assert!(parse_values("x", "0.1,0.2,0.1").is_err());
    }

    #[test]
    fn grid_size_never_wraps() {
        let axis = |k: &str| Axis {
            key: k.into(),
            values: (0..65_536).map(f64::from).collect(),
        };
        let g = Grid {
            scenario: "s".into(),
            scenario_text: String::new(),
            seed: 1,
            replicates: 1,
            axes: vec![axis("a"), axis("b"), axis("c"), axis("d")],
        };
        assert_eq!(g.checked_len(), None);
        assert_eq!(g.len(), usize::MAX);
        assert!(!g.is_empty());
    }
}
