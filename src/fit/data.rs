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
}

/// Adoptions of a controlled fit with equal exposure, period and control pattern: the
/// spontaneous rate depends on `(t, z)`, the network term on the exposure only, so the
/// censored person-periods factor into [`Cell`]s (pooled over periods and patterns) and
/// [`AtRisk`] counts, and only the adoptions need all three ([`crate::fit::hazard`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Index of the cell of its exposure (in the design's pooled cells).
    pub cell: u32,
    /// The period of adoption.
    pub t: u32,
    /// Control pattern (an index into [`crate::fit::controls::Controls::rows`]).
    pub z: u32,
    /// Adoptions.
    pub y: f64,
}

/// Person-periods at risk without an adoption in period `t`, by control pattern `z`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtRisk {
    /// Period.
    pub t: u32,
    /// Control pattern.
    pub z: u32,
    /// Person-periods at risk that did not adopt.
    pub r: f64,
}

/// Which covariates a model's hazard reads (declared with the models' fit facts).
pub use crate::models::Design;

pub use super::fitnet::{FitNet, MAX_COMPLETE};

/// FxHash-style hasher for cell keys (the keys are float bits; no DoS concern).
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // A key's words arrive as one slice of bytes: eight at a time, not one round per byte
        // (the order of the cells does not depend on the hash: they are sorted by key).
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Key = [u64; 4];

/// One key's pooled counts: covariates, `r`, `y` (pooled), and per-period difference array of
/// `r` and adoptions (by period).
type Acc = (Key, Exposure, f64, f64, Vec<i64>, Vec<u32>);

/// Pooled person-periods per key, optionally split by period (difference arrays over `t`).
struct Tally {
    periods: Option<u32>,
    index: HashMap<Key, usize, BuildHasherDefault<Fx>>,
    cells: Vec<Acc>,
    /// With controls: each adoption as `(t, key index, pattern)`.
    events: Option<Vec<(u32, u32, u32)>>,
}

impl Tally {
    fn new(periods: Option<u32>, events: bool) -> Self {
        Tally {
            periods,
            index: HashMap::default(),
            cells: Vec::new(),
            events: events.then(Vec::new),
        }
    }

    /// Adds periods `from..=to` with covariates `x`, and an adoption in `event` if any (of a
    /// physician of pattern `z`).
    fn add(&mut self, key: Key, x: &Exposure, span: (u32, u32), event: Option<u32>, z: u32) {
        let (from, to) = span;
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
        if let (Some(ev), Some(t)) = (&mut self.events, event) {
            ev.push((t, k as u32, z));
        }
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

    /// The cells sorted by `(period, key)`, and the events (by `(t, z, cell)`, pooled).
    fn finish(self) -> (Vec<Cell>, Vec<Event>) {
        let mut out = Vec::new();
        for (key, x, r, y, diff, ys) in self.cells {
            match self.periods {
                None => out.push((0, key, Cell { x, r, y })),
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
                                },
                            ));
                        }
                    }
                }
            }
        }
        let mut order: Vec<u32> = (0..out.len() as u32).collect();
        order.sort_unstable_by_key(|&i| (out[i as usize].0, out[i as usize].1));
        let events = self.events.map_or_else(Vec::new, |ev| {
            // Events are recorded only when periods are pooled: key index = cell before sorting.
            let mut pos = vec![0u32; order.len()];
            for (j, &i) in order.iter().enumerate() {
                pos[i as usize] = j as u32;
            }
            let mut ev: Vec<(u32, u32, u32)> = ev
                .into_iter()
                .map(|(t, k, z)| (t, z, pos[k as usize]))
                .collect();
            ev.sort_unstable();
            let mut pooled: Vec<Event> = Vec::new();
            for (t, z, cell) in ev {
                match pooled.last_mut() {
                    Some(e) if (e.t, e.z, e.cell) == (t, z, cell) => e.y += 1.0,
                    _ => pooled.push(Event { cell, t, z, y: 1.0 }),
                }
            }
            pooled
        });
        let cells = order.into_iter().map(|i| out[i as usize].2).collect();
        (cells, events)
    }
}

fn key2(a: f64, b: f64) -> Key {
    [a.to_bits(), b.to_bits(), 0, 0]
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
                tally.add(key2(x.c, x.w), &x, (from, end), ev, s.z);
            }
            Design::KolSplit => {
                let x = Exposure {
                    kol: s.kol,
                    other: s.oth,
                    w_raw: s.w_raw,
                    ..Exposure::default()
                };
                let key = [x.kol.to_bits(), x.other.to_bits(), x.w_raw.to_bits(), 0];
                tally.add(key, &x, (from, end), ev, s.z);
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
                ];
                tally.add(key, &x, (from, from), ev.filter(|&t| t == from), s.z);
                if end > from {
                    x.new = [0; MAX_CLASSES];
                    tally.add([0; 4], &x, (from + 1, end), ev_rest, s.z);
                }
            }
            Design::Threshold => {
                let x = Exposure {
                    c: s.c,
                    w: s.w,
                    m: s.prev,
                    ..Exposure::default()
                };
                let key = [x.c.to_bits(), x.w.to_bits(), x.m.to_bits(), 1];
                tally.add(key, &x, (from, from), ev.filter(|&t| t == from), s.z);
                if end > from {
                    // No change since last period: exposure equals the largest survived
                    // exposure, so only the spontaneous channel acts.
                    let rest = Exposure::default();
                    tally.add([0; 4], &rest, (from + 1, end), ev_rest, s.z);
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
    sweep(net, tau, periods, designs, by_period, None)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// The data of a controlled fit ([`crate::fit::hazard`]), per design: the cells pooled over
/// periods and patterns (as [`cells`] with `by_period = false`) and the adoptions by period,
/// pattern `z[i]` and cell. The censored person-periods by period and pattern are
/// [`at_risk`]'s, shared by every design.
pub fn cells_and_events(
    net: &FitNet,
    tau: &[u32],
    periods: u32,
    designs: &[Design],
    z: &[u32],
) -> Vec<(Vec<Cell>, Vec<Event>)> {
    sweep(net, tau, periods, designs, false, Some(z))
}

/// The person-periods at risk that did not adopt, per period `2..=periods` and pattern
/// `z[i]`, sorted by `(t, z)`: each physician's last such period from its adoption period,
/// sorted per pattern and swept (no per-pattern arrays over periods).
pub fn at_risk(tau: &[u32], z: &[u32], periods: u32) -> Vec<AtRisk> {
    let mut last: Vec<(u32, u32)> = tau
        .iter()
        .zip(z)
        .filter(|(t, _)| **t >= 2)
        .map(|(&t, &z)| {
            (
                z,
                if t == NEVER || t > periods {
                    periods
                } else {
                    t - 1
                },
            )
        })
        .filter(|&(_, l)| l >= 2)
        .collect();
    last.sort_unstable();
    let mut out = Vec::new();
    for run in last.chunk_by(|a, b| a.0 == b.0) {
        let mut k = 0;
        for t in 2..=run[run.len() - 1].1 {
            while run[k].1 < t {
                k += 1;
            }
            out.push(AtRisk {
                t,
                z: run[0].0,
                r: (run.len() - k) as f64,
            });
        }
    }
    out.sort_unstable_by_key(|a| (a.t, a.z));
    out
}

/// One streaming pass: the cells of every design (and, with patterns `z`, the adoption
/// events; periods then pooled).
fn sweep(
    net: &FitNet,
    tau: &[u32],
    periods: u32,
    designs: &[Design],
    by_period: bool,
    z: Option<&[u32]>,
) -> Vec<(Vec<Cell>, Vec<Event>)> {
    let n = net.n;
    let events = z.is_some();
    let z = z.unwrap_or(&[]);
    let classes = net.cascade_classes().unwrap_or(&[]);
    let mut class_w = [0f32; MAX_CLASSES];
    class_w[..classes.len()].copy_from_slice(classes);
    let class_of = |w: f32| classes.iter().position(|&c| c == w).unwrap_or(0);
    let want = |d: Design| designs.contains(&d);
    let cascade = want(Design::Cascade) && !classes.is_empty();
    let mut tallies: Vec<Tally> = designs
        .iter()
        .map(|_| Tally::new(by_period.then_some(periods), events))
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
