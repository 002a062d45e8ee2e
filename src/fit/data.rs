//! The person-period data of an observed launch, compressed into cells.
//!
//! The exact likelihood (MODELS.md) is a sum over person-periods `(i, t)` at risk of
//! `y log h + (1 − y) log(1 − h)`, and a model's hazard depends on `(i, t)` only through a
//! few covariates (the [`Exposure`]). Person-periods with equal covariates are pooled into one
//! [`Cell`] holding `r` (person-periods at risk) and `y` (adoptions), so the likelihood costs
//! `O(cells)` per evaluation, not `O(n · T)`.
//!
//! # Invariants
//! - Period 1 is the initial condition; cells cover periods `2..=T`. A physician adopting in
//!   `τ` is at risk in `2..=τ` (adopting in `τ`); a censored one in `2..=T`.
//! - The exposure at `t` is computed on the observed state at the end of `t − 1`.
//! - One streaming pass, like one simulated replicate: when physicians adopt in period `s`,
//!   exposure is pushed along their out-arcs, and each touched listener's constant-covariate
//!   spell so far is flushed into the cells. Cost `O(n + arcs + spells)`, memory `O(n)` plus
//!   the cells.
//! - Cells are returned sorted by `(period, key)`, so sums over them do not depend on hash
//!   order.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub use crate::models::likelihood::{Exposure, MAX_CLASSES};

/// "Never adopted" in period arrays.
pub const NEVER: u32 = u32::MAX;

/// Person-periods with equal covariates.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    /// The covariates.
    pub x: Exposure,
    /// Person-periods at risk.
    pub r: f64,
    /// Adoptions among them.
    pub y: f64,
    /// Control pattern of the physicians (their group and covariate values, an index into
    /// [`crate::fit::controls::Controls::rows`]); 0 without controls.
    pub z: u32,
}

/// Which covariates a model's hazard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// `(c, w)` on the influence network.
    Influence,
    /// `(c, w)` on the similarity network (structural equivalence).
    Similar,
    /// `(kol, other, w_raw)`.
    KolSplit,
    /// Arcs from last period's adopters, by weight class.
    Cascade,
    /// `(c, w, m)`.
    Threshold,
    /// `(c, w, d)`: exposure and the detailing stock ([`crate::fit::covariates`]).
    Detailing,
}

pub use super::fitnet::{FitNet, MAX_COMPLETE};

/// FxHash-style hasher for cell keys (the keys are float bits; no DoS concern).
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Key = [u64; 5];

/// One key's pooled counts: covariates, `r`, `y` (pooled), and per-period difference array of
/// `r` and adoptions (by period).
type Acc = (Key, Exposure, f64, f64, Vec<i64>, Vec<u32>);

/// Pooled person-periods per key, optionally split by period (difference arrays over `t`).
struct Tally {
    periods: Option<u32>,
    index: HashMap<Key, usize, BuildHasherDefault<Fx>>,
    cells: Vec<Acc>,
}

impl Tally {
    fn new(periods: Option<u32>) -> Self {
        Tally {
            periods,
            index: HashMap::default(),
            cells: Vec::new(),
        }
    }

    /// Adds periods `from..=to` with covariates `x`, and an adoption in `event` if any.
    fn add(&mut self, key: Key, x: &Exposure, from: u32, to: u32, event: Option<u32>) {
        let k = match self.index.get(&key) {
            Some(&k) => k,
            None => {
                let len = self.periods.map_or(0, |t| t as usize + 2);
                self.cells
                    .push((key, *x, 0.0, 0.0, vec![0; len], vec![0; len]));
                self.index.insert(key, self.cells.len() - 1);
                self.cells.len() - 1
            }
        };
        let c = &mut self.cells[k];
        if self.periods.is_some() {
            c.4[from as usize] += 1;
            c.4[to as usize + 1] -= 1;
            if let Some(t) = event {
                c.5[t as usize] += 1;
            }
        } else {
            c.2 += (to - from + 1) as f64;
            c.3 += f64::from(u8::from(event.is_some()));
        }
    }

    fn finish(self) -> Vec<Cell> {
        let mut out = Vec::new();
        for (key, x, r, y, diff, ys) in self.cells {
            let z = key[4] as u32;
            match self.periods {
                None => out.push((0, key, Cell { x, r, y, z })),
                Some(t_max) => {
                    let mut run = 0i64;
                    for t in 0..=t_max as usize {
                        run += diff[t];
                        if run > 0 {
                            let mut x = x;
                            x.t = t as u32;
                            out.push((
                                t as u32,
                                key,
                                Cell {
                                    x,
                                    r: run as f64,
                                    y: ys[t] as f64,
                                    z,
                                },
                            ));
                        }
                    }
                }
            }
        }
        out.sort_by_key(|a| (a.0, a.1));
        out.into_iter().map(|(_, _, c)| c).collect()
    }
}

fn key2(a: f64, b: f64, z: u32) -> Key {
    [a.to_bits(), b.to_bits(), 0, 0, z as u64]
}

/// Per-physician state of the cells pass, one record per physician (the pass touches it at random: one
/// record keeps those touches to one or two cache lines).
#[derive(Clone, Copy)]
struct Node {
    c: f64,
    kol: f64,
    oth: f64,
    prev: f64,
    w: f64,
    w_raw: f64,
    tau: u32,
    since: u32,
    stamp: u32,
    z: u32,
    new: [u32; MAX_CLASSES],
}

/// Flushes physician `s`'s constant-covariate spell (periods `s.since..=min(upto, s.tau)`)
/// into the tally of every design.
fn flush_spell(
    s: &Node,
    upto: u32,
    designs: &[Design],
    tallies: &mut [Tally],
    class_w: &[f32; MAX_CLASSES],
    cascade: bool,
) {
    let from = s.since;
    let end = upto.min(s.tau);
    if from > end || from < 2 {
        return;
    }
    let ev = (s.tau >= from && s.tau <= end).then_some(s.tau);
    let ev_rest = ev.filter(|&t| t > from);
    for (d, tally) in designs.iter().zip(tallies.iter_mut()) {
        match d {
            Design::Influence | Design::Similar | Design::Detailing => {
                let x = Exposure {
                    c: s.c,
                    w: s.w,
                    ..Exposure::default()
                };
                tally.add(key2(x.c, x.w, s.z), &x, from, end, ev);
            }
            Design::KolSplit => {
                let x = Exposure {
                    kol: s.kol,
                    other: s.oth,
                    w_raw: s.w_raw,
                    ..Exposure::default()
                };
                let key = [
                    x.kol.to_bits(),
                    x.other.to_bits(),
                    x.w_raw.to_bits(),
                    0,
                    s.z as u64,
                ];
                tally.add(key, &x, from, end, ev);
            }
            Design::Cascade => {
                if !cascade {
                    continue;
                }
                let mut x = Exposure {
                    class_w: *class_w,
                    new: s.new,
                    ..Exposure::default()
                };
                let n = x.new;
                let key = [
                    (n[0] as u64) << 32 | n[1] as u64,
                    (n[2] as u64) << 32 | n[3] as u64,
                    (n[4] as u64) << 32 | n[5] as u64,
                    (n[6] as u64) << 32 | n[7] as u64,
                    s.z as u64,
                ];
                tally.add(key, &x, from, from, ev.filter(|&t| t == from));
                if end > from {
                    x.new = [0; MAX_CLASSES];
                    tally.add([0, 0, 0, 0, s.z as u64], &x, from + 1, end, ev_rest);
                }
            }
            Design::Threshold => {
                let x = Exposure {
                    c: s.c,
                    w: s.w,
                    m: s.prev,
                    ..Exposure::default()
                };
                let key = [x.c.to_bits(), x.w.to_bits(), x.m.to_bits(), 1, s.z as u64];
                tally.add(key, &x, from, from, ev.filter(|&t| t == from));
                if end > from {
                    // No change since last period: exposure equals the largest survived
                    // exposure, so only the spontaneous channel acts.
                    let rest = Exposure::default();
                    tally.add([0, 0, 0, 0, s.z as u64], &rest, from + 1, end, ev_rest);
                }
            }
        }
    }
}

/// Builds the cells of every design in `designs` from one pass over the observed adoptions.
/// `tau[i]`: adoption period `1..=periods`, or [`NEVER`]. `by_period`: keep periods apart
/// (period effects). `Similar` is treated like `Influence` (pass the similarity network);
/// so is `Detailing`, with no stock (its cells come from [`crate::fit::covariates::cells`]).
pub fn cells(
    net: &FitNet,
    tau: &[u32],
    periods: u32,
    designs: &[Design],
    by_period: bool,
) -> Vec<Vec<Cell>> {
    cells_by_pattern(net, tau, periods, designs, by_period, &[])
}

/// [`cells`] with each physician's control pattern `z[i]` kept apart (`z` empty: all 0).
pub fn cells_by_pattern(
    net: &FitNet,
    tau: &[u32],
    periods: u32,
    designs: &[Design],
    by_period: bool,
    z: &[u32],
) -> Vec<Vec<Cell>> {
    let n = net.n;
    let classes = net.cascade_classes().unwrap_or(&[]);
    let mut class_w = [0f32; MAX_CLASSES];
    class_w[..classes.len()].copy_from_slice(classes);
    let class_of = |w: f32| classes.iter().position(|&c| c == w).unwrap_or(0);
    let want = |d: Design| designs.contains(&d);
    let cascade = want(Design::Cascade) && !classes.is_empty();
    let mut tallies: Vec<Tally> = designs
        .iter()
        .map(|_| Tally::new(by_period.then_some(periods)))
        .collect();
    let mut st: Vec<Node> = (0..n)
        .map(|i| Node {
            c: 0.0,
            kol: 0.0,
            oth: 0.0,
            prev: f64::NEG_INFINITY,
            w: net.in_w[i],
            w_raw: net.in_raw[i],
            tau: tau[i],
            since: 2,
            stamp: 0,
            z: z.get(i).copied().unwrap_or(0),
            new: [0; MAX_CLASSES],
        })
        .collect();
    let mut by: Vec<Vec<u32>> = vec![Vec::new(); periods as usize + 1];
    for (i, &t) in tau.iter().enumerate() {
        if t != NEVER && t >= 1 && t <= periods {
            by[t as usize].push(i as u32);
        }
    }
    let flush = |s: &Node, upto: u32, tallies: &mut [Tally]| {
        flush_spell(s, upto, designs, tallies, &class_w, cascade)
    };
    let kol_split = want(Design::KolSplit);
    for s in 1..periods {
        let adopters = std::mem::take(&mut by[s as usize]);
        for &j in &adopters {
            let j = j as usize;
            let from_kol = net.is_kol[j];
            for k in net.offsets[j]..net.offsets[j + 1] {
                let node = &mut st[net.targets[k] as usize];
                if node.tau <= s {
                    continue; // already adopted: no longer at risk
                }
                if node.stamp != s {
                    flush(node, s, &mut tallies);
                    node.stamp = s;
                    node.since = s + 1;
                    node.prev = if s >= 2 { node.c } else { f64::NEG_INFINITY };
                    if cascade {
                        node.new = [0; MAX_CLASSES];
                    }
                }
                node.c += net.w[k] as f64;
                if kol_split {
                    if from_kol {
                        node.kol += net.raw[k] as f64;
                    } else {
                        node.oth += net.raw[k] as f64;
                    }
                }
                if cascade {
                    node.new[class_of(net.w[k])] += 1;
                }
            }
        }
        by[s as usize] = adopters;
    }
    for node in &st {
        if node.tau >= 2 {
            flush(node, periods, &mut tallies);
        }
    }
    tallies.into_iter().map(Tally::finish).collect()
}

/// Neumaier-compensated sum of the log-likelihood over `cells` with hazard `h`:
/// `Σ y log h + (r − y) log(1 − h)`, with `0 · log 0 = 0`.
pub fn log_likelihood(cells: &[Cell], mut h: impl FnMut(&Exposure) -> f64) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for cell in cells {
        let p = h(&cell.x);
        let mut v = 0.0;
        if cell.y > 0.0 {
            v += cell.y * p.ln();
        }
        if cell.r > cell.y {
            v += (cell.r - cell.y) * (-p).ln_1p();
        }
        if !v.is_finite() {
            return f64::NEG_INFINITY; // NaN (a hazard outside [0, 1]) or an impossible event
        }
        let t = sum + v;
        if sum.abs() >= v.abs() {
            comp += (sum - t) + v;
        } else {
            comp += (v - t) + sum;
        }
        sum = t;
    }
    sum + comp
}
