//! The typed row of a sweep: one point × model × arm, with the metric statistics over the
//! point's replicates ([`SweepRow`]). A point writes its rows with [`SweepRow::write_csv`];
//! merge parses each point's `rows.csv` once ([`parse_rows`]) and hands the rows to
//! `sweep.csv`, the plots and the report.

use super::grid::Grid;
use crate::error::Error;
use crate::stats::{mean_sd, quantile};
use std::fmt::Write as _;
use std::path::Path;

/// Mean, standard deviation and 5th / 95th percentiles of a metric over replicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
    /// 5th percentile (R type 7).
    pub p05: f64,
    /// 95th percentile (R type 7).
    pub p95: f64,
}

impl Stats {
    /// The statistics of `v`, or `None` when it is empty.
    pub fn of(mut v: Vec<f64>) -> Option<Stats> {
        if v.is_empty() {
            return None;
        }
        let (mean, sd) = mean_sd(&v);
        v.sort_by(f64::total_cmp);
        Some(Stats {
            mean,
            sd,
            p05: quantile(&v, 0.05),
            p95: quantile(&v, 0.95),
        })
    }
}

/// A time to an adoption level: its statistics over the replicates that reached the level
/// (`None` when none did) and the share of replicates that did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeStats {
    /// Statistics over the replicates that reached the level.
    pub stats: Option<Stats>,
    /// Share of replicates that reached the level (0–1).
    pub reached: f64,
}

/// The KOL lift of a row: its arm's final share minus the reference arm's, paired over
/// replicates (same network and random numbers), with a 95% t-interval. All `None` for the
/// reference arm itself, for a scenario with one arm, and for point files written before
/// the lift existed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Lift {
    /// Mean paired difference in final share.
    pub mean: Option<f64>,
    /// Lower end of its 95% interval.
    pub lo: Option<f64>,
    /// Upper end of its 95% interval.
    pub hi: Option<f64>,
}

/// One row of `sweep.csv`: a point × model × arm.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    /// Point index in the grid.
    pub point: usize,
    /// The swept values, one per grid axis, in the grid's key order.
    pub values: Vec<f64>,
    /// Model name.
    pub model: String,
    /// Seeding arm name.
    pub arm: String,
    /// Replicates summarised.
    pub replicates: usize,
    /// Final share of physicians who adopted.
    pub final_share: Option<Stats>,
    /// Steps to 10% adoption.
    pub t10: TimeStats,
    /// Steps to 50% adoption.
    pub t50: TimeStats,
    /// Steps to 90% adoption.
    pub t90: TimeStats,
    /// Step of the most new adoptions (replicates with any adoption).
    pub peak_step: Option<Stats>,
    /// KOL lift against the reference arm.
    pub lift: Lift,
}

/// A metric summarised per sweep row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Final share.
    FinalShare,
    /// Time to 10%.
    T10,
    /// Time to 50%.
    T50,
    /// Time to 90%.
    T90,
    /// Peak step.
    PeakStep,
}

impl Metric {
    /// Every metric, in column order.
    pub const ALL: [Metric; 5] = [
        Metric::FinalShare,
        Metric::T10,
        Metric::T50,
        Metric::T90,
        Metric::PeakStep,
    ];

    /// Column prefix in `sweep.csv` (and plot file suffix).
    pub fn name(self) -> &'static str {
        match self {
            Metric::FinalShare => "final_share",
            Metric::T10 => "t10",
            Metric::T50 => "t50",
            Metric::T90 => "t90",
            Metric::PeakStep => "peak_step",
        }
    }

    /// Whether the metric is a time to an adoption level (which replicates may not reach).
    pub fn is_time(self) -> bool {
        matches!(self, Metric::T10 | Metric::T50 | Metric::T90)
    }
}

impl SweepRow {
    /// The statistics of `metric` (`None` where no replicate has a value).
    pub fn stats(&self, metric: Metric) -> Option<Stats> {
        match metric {
            Metric::FinalShare => self.final_share,
            Metric::T10 => self.t10.stats,
            Metric::T50 => self.t50.stats,
            Metric::T90 => self.t90.stats,
            Metric::PeakStep => self.peak_step,
        }
    }

    /// Share of replicates that reached the level of a time metric (`None` for the others).
    pub fn reached(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::T10 => Some(self.t10.reached),
            Metric::T50 => Some(self.t50.reached),
            Metric::T90 => Some(self.t90.reached),
            _ => None,
        }
    }

    /// Appends the row as a CSV line; with `lift`, the three KOL lift columns too.
    pub fn write_csv(&self, s: &mut String, lift: bool) {
        let _ = write!(s, "{}", self.point);
        for v in &self.values {
            let _ = write!(s, ",{v}");
        }
        let _ = write!(s, ",{},{},{}", self.model, self.arm, self.replicates);
        for m in Metric::ALL {
            match self.stats(m) {
                Some(st) => {
                    let _ = write!(s, ",{},{},{},{}", st.mean, st.sd, st.p05, st.p95);
                }
                None => s.push_str(",,,,"),
            }
            if let Some(r) = self.reached(m) {
                let _ = write!(s, ",{r}");
            }
        }
        if lift {
            for v in [self.lift.mean, self.lift.lo, self.lift.hi] {
                s.push(',');
                if let Some(v) = v {
                    let _ = write!(s, "{v}");
                }
            }
        }
        s.push('\n');
    }
}

/// Header of `sweep.csv` (and of every point's `rows.csv`), without the KOL lift columns.
pub fn sweep_header(grid: &Grid) -> String {
    let mut h = String::from("point");
    for a in &grid.axes {
        let _ = write!(h, ",{}", a.key);
    }
    h.push_str(",model,arm,replicates");
    for m in Metric::ALL {
        let m = m.name();
        let _ = write!(h, ",{m}_mean,{m}_sd,{m}_p05,{m}_p95");
        if m != "final_share" && m != "peak_step" {
            let _ = write!(h, ",{m}_reached");
        }
    }
    h.push('\n');
    h
}

/// Names of the KOL lift columns appended to `sweep.csv` when the scenario has several arms.
pub const LIFT_COLUMNS: [&str; 3] = ["kol_lift_mean", "kol_lift_lo", "kol_lift_hi"];

/// Writes `sweep.csv` from its rows: the header, then every row; the KOL lift columns when
/// the rows have several arms.
pub fn sweep_csv(grid: &Grid, rows: &[SweepRow]) -> String {
    let lift = several_arms(rows);
    let mut s = sweep_header(grid);
    if lift {
        s.pop();
        for c in LIFT_COLUMNS {
            let _ = write!(s, ",{c}");
        }
        s.push('\n');
    }
    for r in rows {
        r.write_csv(&mut s, lift);
    }
    s
}

/// Whether the rows span more than one seeding arm.
pub fn several_arms(rows: &[SweepRow]) -> bool {
    rows.iter().any(|r| r.arm != rows[0].arm)
}

/// Parses point `k`'s `rows.csv` (at `path`, for naming): at least one row, each with the
/// sweep's number of fields (with or without the KOL lift columns), the point's index first,
/// and numbers where numbers belong. A malformed file is bad input (exit 2), named with the
/// line.
pub fn parse_rows(path: &Path, text: &str, k: usize, grid: &Grid) -> Result<Vec<SweepRow>, Error> {
    let bad = |line: usize, why: String| {
        Error::Usage(format!(
            "{}:{line}: malformed point file: {why}; run the point again with `kolsim sweep ... --resume` after deleting its folder",
            path.display()
        ))
    };
    if text.is_empty() || !text.ends_with('\n') {
        return Err(bad(1, "empty or truncated".into()));
    }
    let na = grid.axes.len();
    let width = na + 27;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != width && cells.len() != width + LIFT_COLUMNS.len() {
            return Err(bad(
                i + 1,
                format!("{} field(s), {width} expected", cells.len()),
            ));
        }
        if cells[0] != k.to_string() {
            return Err(bad(i + 1, format!("the row is not for point {k}")));
        }
        let num = |c: usize| -> Result<f64, Error> {
            cells[c]
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad(i + 1, format!("field {} is not a number", c + 1)))
        };
        let opt = |c: usize| -> Result<Option<f64>, Error> {
            if cells[c].is_empty() {
                Ok(None)
            } else {
                num(c).map(Some)
            }
        };
        let stats = |c: usize| -> Result<Option<Stats>, Error> {
            if cells[c..c + 4].iter().all(|x| x.is_empty()) {
                return Ok(None);
            }
            Ok(Some(Stats {
                mean: num(c)?,
                sd: num(c + 1)?,
                p05: num(c + 2)?,
                p95: num(c + 3)?,
            }))
        };
        let time = |c: usize| -> Result<TimeStats, Error> {
            Ok(TimeStats {
                stats: stats(c)?,
                reached: num(c + 4)?,
            })
        };
        let values = (1..=na).map(num).collect::<Result<Vec<_>, _>>()?;
        let replicates = cells[na + 3]
            .parse::<usize>()
            .map_err(|_| bad(i + 1, format!("field {} is not a count", na + 4)))?;
        let c = na + 4;
        let lift = if cells.len() > width {
            Lift {
                mean: opt(width)?,
                lo: opt(width + 1)?,
                hi: opt(width + 2)?,
            }
        } else {
            Lift::default()
        };
        out.push(SweepRow {
            point: k,
            values,
            model: cells[na + 1].to_string(),
            arm: cells[na + 2].to_string(),
            replicates,
            final_share: stats(c)?,
            t10: time(c + 4)?,
            t50: time(c + 9)?,
            t90: time(c + 14)?,
            peak_step: stats(c + 19)?,
            lift,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::Axis;

    fn grid() -> Grid {
        Grid {
            scenario: "s".into(),
            scenario_text: String::new(),
            seed: 1,
            replicates: 2,
            axes: vec![Axis {
                key: "model.bass.q".into(),
                values: vec![0.1, 0.3],
            }],
        }
    }

    #[test]
    fn rows_round_trip_byte_for_byte() {
        let text = "1,0.3,bass,default,20,0.78085,0.02105262828947344,0.744425,0.80855,6,0.6488856845230502,5,7,1,23,1.0760551736979407,21,24.05,1,,,,,0,20.6,4.998947257594396,13.85,27.200000000000003\n";
        let rows = parse_rows(Path::new("r.csv"), text, 1, &grid()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].t90.stats, None);
        assert_eq!(rows[0].t90.reached, 0.0);
        let mut s = String::new();
        rows[0].write_csv(&mut s, false);
        assert_eq!(s, text);
        let mut l = String::new();
        let mut r = rows[0].clone();
        r.lift = Lift {
            mean: Some(0.25),
            lo: None,
            hi: Some(0.5),
        };
        r.write_csv(&mut l, true);
        assert!(l.ends_with(",0.25,,0.5\n"));
        let back = parse_rows(Path::new("r.csv"), &l, 1, &grid()).unwrap();
        assert_eq!(back[0], r);
    }

    #[test]
    fn malformed_rows_are_named() {
        let g = grid();
        let e = parse_rows(Path::new("r.csv"), "0,garbage\n", 0, &g).unwrap_err();
        assert!(e.to_string().contains("r.csv:1: malformed point file"));
        let line =
            "0,0.1,bass,default,x,0.7,0.02,0.7,0.8,6,0.6,5,7,1,23,1,21,24,1,,,,,0,20,4,13,27\n";
        let e = parse_rows(Path::new("r.csv"), line, 0, &g).unwrap_err();
        assert!(e.to_string().contains("not a count"), "{e}");
        assert!(parse_rows(Path::new("r.csv"), "", 0, &g).is_err());
    }
}
