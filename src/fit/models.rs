//! The models `kolsim fit` compares.
//!
//! Each simulation model's likelihood is a method of the model: `impl Likelihood for X` sits in
//! `src/models/<kind>.rs` next to `impl Hazard for X` ([`crate::models::likelihood`]) and
//! evaluates the model's own per-step rule on the *observed* state at the end of `t − 1`
//! (MODELS.md, *Fitting to an observed launch*). The only likelihood here is the KOL term's
//! ([`KolContagion`]), which is fitted but has no simulation model.
//!
//! [`Candidate`] lists the models `kolsim fit` compares, their free parameters, bounds and the
//! covariates ([`Design`]) their hazard reads.

use super::data::{Design, Exposure};
pub use crate::models::Likelihood;
use crate::models::{
    Bass, Detailing, ExposureKind, Hazard, Imitation, IndependentCascade, Policy,
    StructuralEquivalence, Theta, Threshold,
};

/// The KOL term (MODELS.md): exposure split by source, each over the total in-weight with
/// κ = 1, with its own coefficient: Bass with imitation `q_K e^K + q_O e^O`. `q_K / q_O` is
/// the estimated KOL weight κ̂. Not a simulation model; fitted only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KolContagion {
    /// External influence per step.
    pub p: f64,
    /// Imitation coefficient of exposure to KOL adopters.
    pub q_kol: f64,
    /// Imitation coefficient of exposure to other adopters.
    pub q_other: f64,
}

impl Likelihood for KolContagion {
    /// Bass's rule with the weighted count `q_K c^K + q_O c^O` (so `q = 1` in Bass's formula).
    fn hazard(&self, x: &Exposure) -> f64 {
        Bass { p: self.p, q: 1.0 }.prob(0, self.q_kol * x.kol + self.q_other * x.other, x.w_raw)
    }
}

/// Largest `high` of the threshold family (θ ~ U(0, high)): a share `1 − 1/high` of the
/// physicians never adopts through the network.
pub const HIGH_MAX: f64 = 1000.0;

/// A model `kolsim fit` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Candidate {
    /// Innovation only: `bass` with `q = 0` (`h = p`), the baseline.
    Innovation,
    /// `imitation`, share exposure (no spontaneous channel).
    Imitation,
    /// `imitation`, count exposure.
    ImitationCount,
    /// `bass`.
    Bass,
    /// `independent_cascade` (exposure from last period's adopters only).
    Cascade,
    /// `threshold` with `θ ~ U(0, high)` and spontaneous `p`, share exposure; `high` may
    /// exceed 1, so a share `1 − 1/high` of physicians never adopts through the network
    /// (θ > 1) and the family can fit launches where some never follow their advisers.
    Threshold,
    /// `structural_equivalence` (exposure over the similarity network) with a spontaneous
    /// channel `p`: `h = 1 − (1 − p)(1 − q·e)`.
    Structural,
    /// Bass with separate coefficients for KOL and other adopters.
    KolContagion,
    /// [`Candidate::KolContagion`] parametrised by `(p, q_other, κ = q_K / q_O)`, for κ̂'s
    /// interval.
    KolRatio,
    /// `detailing` with the observed marketing covariates (the stock `D_i` at the scenario's
    /// decay λ): fitted only when a marketing series or detailing file is given, so it is not
    /// in [`Candidate::ALL`].
    Detailing,
}

impl Candidate {
    /// The models compared, in output order (KolRatio is internal).
    pub const ALL: [Candidate; 8] = [
        Candidate::Innovation,
        Candidate::Imitation,
        Candidate::ImitationCount,
        Candidate::Bass,
        Candidate::Cascade,
        Candidate::Threshold,
        Candidate::Structural,
        Candidate::KolContagion,
    ];

    /// Name in the outputs.
    pub fn name(self) -> &'static str {
        match self {
            Candidate::Innovation => "innovation",
            Candidate::Imitation => "imitation",
            Candidate::ImitationCount => "imitation_count",
            Candidate::Bass => "bass",
            Candidate::Cascade => "cascade",
            Candidate::Threshold => "threshold",
            Candidate::Structural => "structural_equivalence",
            Candidate::KolContagion | Candidate::KolRatio => "kol_contagion",
            Candidate::Detailing => "detailing",
        }
    }

    /// What the model says, for the terminal table.
    pub fn describe(self) -> &'static str {
        match self {
            Candidate::Innovation => "h = p (constant adoption rate; bass with q = 0)",
            Candidate::Imitation => "h = q·e (share of advisers adopted)",
            Candidate::ImitationCount => "h = 1-(1-q)^c (per adopted adviser)",
            Candidate::Bass => "h = p + (1-p)·q·e",
            Candidate::Cascade => "h = 1-(1-p)·Π(1-β·w) over last period's adopters",
            Candidate::Threshold => {
                "h = p + (1-p)·P(θ ≤ e | θ > e_prev), θ ~ U(0, high), share 1-1/high never"
            }
            Candidate::Structural => "h = p + (1-p)·q·e over the most similar peers",
            Candidate::KolContagion | Candidate::KolRatio => {
                "h = p + (1-p)·(q_kol·e_kol + q_other·e_other)"
            }
            Candidate::Detailing => "h = 1-exp(-(alpha + beta·D + gamma·e)), D = detailing stock",
        }
    }

    /// Free parameter names, in order (names as in scenario files where they exist).
    pub fn params(self) -> &'static [&'static str] {
        match self {
            Candidate::Innovation => &["p"],
            Candidate::Imitation | Candidate::ImitationCount => &["q"],
            Candidate::Bass | Candidate::Structural => &["p", "q"],
            Candidate::Cascade => &["beta", "p"],
            Candidate::Threshold => &["high", "p"],
            Candidate::KolContagion => &["p", "q_kol", "q_other"],
            Candidate::KolRatio => &["p", "q_other", "kappa"],
            Candidate::Detailing => &["alpha", "beta", "gamma"],
        }
    }

    /// Box constraints per parameter.
    pub fn bounds(self) -> Vec<(f64, f64)> {
        self.params()
            .iter()
            .map(|&p| match p {
                "high" => (1e-3, HIGH_MAX),
                "kappa" => (0.0, 1000.0),
                "alpha" | "gamma" => (0.0, 20.0),
                "beta" if self == Candidate::Detailing => (0.0, 20.0),
                _ => (0.0, 1.0),
            })
            .collect()
    }

    /// How many parameters of the network term are on their boundary (0) when the model
    /// reduces to its spontaneous channel alone, for the likelihood-ratio test
    /// ([`crate::fit::lrtest`]). 0 where no such test is valid: threshold's network term
    /// vanishes only as `high → ∞`, where nothing identifies it.
    pub fn boundary_params(self) -> usize {
        match self {
            Candidate::Bass | Candidate::Cascade | Candidate::Structural => 1,
            Candidate::KolContagion | Candidate::Detailing => 2,
            _ => 0,
        }
    }

    /// Index of the spontaneous (innovation) probability `p`, if the model has one.
    pub fn p_index(self) -> Option<usize> {
        self.params().iter().position(|&p| p == "p")
    }

    /// Whether innovation-only is the special case with the contagion terms at 0 (so the
    /// likelihood-ratio test against it applies).
    pub fn nests_innovation(self) -> bool {
        // Detailing with β = γ = 0 is innovation only with p = 1 − exp(−α).
        self == Candidate::Detailing || (self.p_index().is_some() && self != Candidate::Innovation)
    }

    /// The covariates the hazard reads.
    pub fn design(self) -> Design {
        match self {
            Candidate::Innovation
            | Candidate::Imitation
            | Candidate::ImitationCount
            | Candidate::Bass => Design::Influence,
            Candidate::Cascade => Design::Cascade,
            Candidate::Threshold => Design::Threshold,
            Candidate::Structural => Design::Similar,
            Candidate::KolContagion | Candidate::KolRatio => Design::KolSplit,
            Candidate::Detailing => Design::Detailing,
        }
    }

    /// The hazard at parameters `th` (in [`Candidate::params`] order), through the model's own
    /// [`Likelihood`].
    pub fn hazard(self, th: &[f64], x: &Exposure) -> f64 {
        match self {
            Candidate::Innovation => Bass { p: th[0], q: 0.0 }.hazard(x),
            Candidate::Imitation => Imitation {
                q: th[0],
                exposure: ExposureKind::Share,
            }
            .hazard(x),
            Candidate::ImitationCount => Imitation {
                q: th[0],
                exposure: ExposureKind::Count,
            }
            .hazard(x),
            Candidate::Bass => Bass { p: th[0], q: th[1] }.hazard(x),
            Candidate::Cascade => IndependentCascade {
                beta: th[0],
                p: th[1],
            }
            .hazard(x),
            Candidate::Threshold => Threshold {
                theta: Theta::Uniform {
                    low: 0.0,
                    high: th[0],
                },
                p: th[1],
                exposure: ExposureKind::Share,
            }
            .hazard(x),
            Candidate::Structural => {
                let net = StructuralEquivalence { q: th[1], top_k: 0 }.hazard(x);
                1.0 - (1.0 - th[0]) * (1.0 - net)
            }
            Candidate::KolContagion => KolContagion {
                p: th[0],
                q_kol: th[1],
                q_other: th[2],
            }
            .hazard(x),
            Candidate::KolRatio => KolContagion {
                p: th[0],
                q_kol: th[2] * th[1],
                q_other: th[1],
            }
            .hazard(x),
            Candidate::Detailing => Detailing {
                alpha: th[0],
                beta: th[1],
                gamma: th[2],
                decay: 0.0,
                budget: Vec::new(),
                policy: Policy::Uniform,
            }
            .hazard(x),
        }
    }

    /// Starting points for the search: a small grid over the contagion parameters, with `p`
    /// at the innovation-only estimate `p0`.
    pub fn starts(self, p0: f64) -> Vec<Vec<f64>> {
        let grid: &[f64] = &[0.01, 0.1, 0.4];
        let mut out: Vec<Vec<f64>> = vec![Vec::new()];
        for &name in self.params() {
            let vals: Vec<f64> = match name {
                "p" => vec![p0.clamp(1e-6, 0.999)],
                "alpha" => vec![-(1.0 - p0.clamp(1e-6, 0.999)).ln()],
                "high" => vec![0.05, 0.3, 0.8, 5.0],
                "kappa" => vec![0.5, 1.0, 3.0],
                _ => grid.to_vec(),
            };
            out = out
                .into_iter()
                .flat_map(|v| {
                    vals.iter().map(move |&x| {
                        let mut v = v.clone();
                        v.push(x);
                        v
                    })
                })
                .collect();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_hazard_is_the_rule_averaged_over_theta() {
        let m = Threshold {
            theta: Theta::Uniform {
                low: 0.0,
                high: 0.5,
            },
            p: 0.1,
            exposure: ExposureKind::Share,
        };
        // e = 0.25, survived e = 0.1: g = (0.5 - 0.2) / 0.8.
        let x = Exposure {
            c: 1.0,
            w: 4.0,
            m: 0.4,
            ..Exposure::default()
        };
        let g = (0.5 - 0.2) / 0.8;
        assert!((m.hazard(&x) - (g + (1.0 - g) * 0.1)).abs() < 1e-12);
        // No new exposure: only p.
        let y = Exposure { m: 1.0, ..x };
        assert!((m.hazard(&y) - 0.1).abs() < 1e-15);
    }

    #[test]
    fn cascade_hazard() {
        let mut x = Exposure::default();
        x.class_w[0] = 1.0;
        x.class_w[1] = 2.0;
        x.new[0] = 2;
        x.new[1] = 1;
        let m = IndependentCascade { beta: 0.2, p: 0.1 };
        let want = 1.0 - 0.9 * 0.8 * 0.8 * 0.6;
        assert!((m.hazard(&x) - want).abs() < 1e-12);
    }
}
