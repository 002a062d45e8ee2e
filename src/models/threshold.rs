//! `threshold` — linear threshold / complex contagion (Granovetter 1978; Valente 1995;
//! Centola & Macy 2007).
//!
//! Each physician draws a threshold `θ_i` once per replicate. `i` adopts in step `t` iff
//! `e_i(t-1) ≥ θ_i` (with `exposure = "count"`: iff `c_i(t-1) ≥ θ_i`, an absolute weighted
//! number of adopters), otherwise spontaneously with probability `p`. A physician who listens
//! to nobody has exposure 0, so `θ = 0` means everyone adopts in step 1.
//!
//! # Parameters
//! - `theta`: a number (everyone), or `{ dist = "uniform", low, high }`,
//!   `{ dist = "beta", a, b }`, `{ dist = "normal", mean, sd }` (truncated to [0, 1], or to
//!   [0, ∞) with count exposure), or `{ attribute = "column" }` (from the node file).
//! - `p` ∈ [0, 1], per step, default 0.
//! - `exposure` ∈ {`share`, `count`}, default `share`.
//!
//! # Randomness
//! Thresholds come from the replicate's `Thresholds` stream (one draw per physician, shared by
//! all threshold models of the scenario); adoption is deterministic unless `p > 0`.
//!
//! # Reference
//! Granovetter, M. (1978) AJS 83(6); Valente, T. (1995) *Network Models of the Diffusion of
//! Innovations*; Centola, D. & Macy, M. (2007) AJS 113(3).
//!
//! # Complexity
//! `O(1)` per hazard evaluation; `O(n)` draws per replicate for the thresholds.

use super::{ExposureKind, Hazard, ModelInfo, ParamInfo, share};
use crate::network::{Attribute, Network};
use rand::{Rng, RngExt};
use rand_distr::{Beta, Distribution, Normal};

/// How thresholds are assigned.
#[derive(Debug, Clone, PartialEq)]
pub enum Theta {
    /// The same threshold for everyone.
    Fixed(f64),
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// Beta(a, b).
    Beta {
        /// First shape.
        a: f64,
        /// Second shape.
        b: f64,
    },
    /// Normal(mean, sd), truncated to `[0, upper]` by redrawing.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Upper truncation point (1 for share exposure, infinite for count).
        upper: f64,
    },
    /// Per-physician values given directly.
    PerNode(Vec<f64>),
    /// Per-physician values from a numeric node attribute; a missing value is never reached.
    Attribute(String),
}

impl Theta {
    /// Fills `out` with one threshold per physician. Randomness only from `rng`.
    pub fn draw<R: Rng + ?Sized>(&self, out: &mut Vec<f64>, net: &Network, rng: &mut R) {
        let n = net.n();
        out.clear();
        match self {
            Theta::Fixed(x) => out.resize(n, *x),
            Theta::Uniform { low, high } => {
                out.extend((0..n).map(|_| low + (high - low) * rng.random::<f64>()))
            }
            Theta::Beta { a, b } => {
                let d = Beta::new(*a, *b).expect("validated beta parameters");
                out.extend((0..n).map(|_| d.sample(rng)))
            }
            Theta::Normal { mean, sd, upper } => {
                let d = Normal::new(*mean, *sd).expect("validated normal parameters");
                out.extend((0..n).map(|_| {
                    loop {
                        let x: f64 = d.sample(rng);
                        if (0.0..=*upper).contains(&x) {
                            break x;
                        }
                    }
                }))
            }
            Theta::PerNode(v) => out.extend_from_slice(v),
            Theta::Attribute(name) => match net.attribute(name) {
                Some(Attribute::Numeric(v)) => {
                    out.extend(v.iter().map(|x| x.unwrap_or(f64::INFINITY)))
                }
                _ => out.resize(n, f64::INFINITY),
            },
        }
    }

    /// Whether thresholds are random (need the RNG).
    pub fn is_random(&self) -> bool {
        !matches!(
            self,
            Theta::Fixed(_) | Theta::PerNode(_) | Theta::Attribute(_)
        )
    }
}

/// Linear threshold model.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// Threshold assignment.
    pub theta: Theta,
    /// Spontaneous adoption per step.
    pub p: f64,
    /// Share or count exposure.
    pub exposure: ExposureKind,
}

/// Documentation of `threshold`.
pub const INFO: ModelInfo = ModelInfo {
    kind: "threshold",
    summary: "adopt iff e_i(t-1) >= θ_i (or c_i >= θ_i with count exposure); else spontaneously with p",
    reference: "Granovetter 1978; Valente 1995; Centola & Macy 2007",
    params: &[
        ParamInfo {
            name: "theta",
            meaning: "threshold: a number, or {dist=\"uniform\",low,high} | {dist=\"beta\",a,b} | {dist=\"normal\",mean,sd} | {attribute=\"column\"}",
            unit: "share of weighted in-neighbours (count: weighted adopters)",
            range: "[0, 1] for share; >= 0 for count",
            default: "required",
        },
        ParamInfo {
            name: "p",
            meaning: "spontaneous adoption probability",
            unit: "per step",
            range: "[0, 1]",
            default: "0",
        },
        ParamInfo {
            name: "exposure",
            meaning: "\"share\" or \"count\" (absolute number of adopters)",
            unit: "-",
            range: "share | count",
            default: "share",
        },
    ],
};

impl Hazard for Threshold {
    #[inline]
    fn prob(&self, c: f64, w: f64, theta: f64) -> f64 {
        let x = match self.exposure {
            ExposureKind::Share => share(c, w),
            ExposureKind::Count => c,
        };
        if x >= theta { 1.0 } else { self.p }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    #[test]
    fn rule() {
        let m = Threshold {
            theta: Theta::Fixed(0.5),
            p: 0.01,
            exposure: ExposureKind::Share,
        };
        assert_eq!(m.prob(1.0, 2.0, 0.5), 1.0);
        assert_eq!(m.prob(0.9, 2.0, 0.5), 0.01);
        assert_eq!(m.prob(0.0, 0.0, 0.0), 1.0); // isolated node, θ = 0
    }

    #[test]
    fn truncated_normal_stays_in_range() {
        let mut v = Vec::new();
        let t = Theta::Normal {
            mean: 0.9,
            sd: 0.5,
            upper: 1.0,
        };
        t.draw(
            &mut v,
            &Network::complete(10_000),
            &mut stream(1, Purpose::Thresholds, 0),
        );
        assert!(v.iter().all(|x| (0.0..=1.0).contains(x)));
    }
}
