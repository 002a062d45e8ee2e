//! The models `kolsim fit` compares, read from the model registry.
//!
//! Each fittable model declares its exact fit ([`ExactFit`]: parameters, bounds, starts, the
//! covariates its hazard reads, its hazard through its own [`Likelihood`], its simulation
//! counterpart) **in its own file** under `src/models/`, and lists it in its registry entry
//! ([`crate::models::Kind::fits`]). A [`Candidate`] is a handle on one of them; nothing in
//! [`crate::fit`] names a model otherwise.

use super::data::{Design, Exposure};
pub use crate::models::Likelihood;
use crate::models::Registry;
pub use crate::models::bass::KolContagion;
pub use crate::models::exact_fit::{Counted, ExactFit, Role, Start};
pub use crate::models::threshold::HIGH_MAX;
use std::sync::OnceLock;

/// A model `kolsim fit` compares: one registered [`ExactFit`] and the model kind that
/// registers it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    fit: &'static ExactFit,
    kind: &'static str,
    /// The fit this one reparametrises (set by [`Candidate::ratio`]).
    of: Option<&'static ExactFit>,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Candidate) -> bool {
        self.fit.name == other.fit.name && self.fit.role == other.fit.role
    }
}

/// The models a fit compares: every exact fit of one model [`Registry`] (the scenario's,
/// [`crate::scenario::Scenario::registry`]), in registration order, with the built-in null.
/// [`super::prepare()`] keeps it in [`super::Prepared::candidates`].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidates {
    list: Vec<Candidate>,
}

impl Candidates {
    /// The exact fits of `reg`'s kinds, in registration order. The null is always the
    /// built-in one ([`Candidate::null`]); [`Registry::register`] refuses another.
    pub fn of(reg: &Registry) -> Candidates {
        let null = Candidate::null();
        let mut list: Vec<Candidate> = reg
            .kinds()
            .flat_map(|k| k.fits.iter().map(|fit| Candidate::new(fit, k.info.kind)))
            .collect();
        if !list.contains(&null) {
            list.insert(0, null);
        }
        Candidates { list }
    }

    /// The candidates of the built-in registry (read once).
    pub fn builtin() -> &'static Candidates {
        static BUILTIN: OnceLock<Candidates> = OnceLock::new();
        BUILTIN.get_or_init(|| Candidates::of(&Registry::builtin()))
    }

    /// The models compared on every per-physician launch, in output order: by [`Design`], the
    /// null first, then in registration order.
    pub fn all(&self) -> Vec<Candidate> {
        let mut v: Vec<Candidate> = self
            .list
            .iter()
            .copied()
            .filter(|c| matches!(c.fit.role, Role::Null | Role::Compared))
            .collect();
        v.sort_by_key(|c| (c.fit.design, c.fit.role != Role::Null));
        v
    }

    /// The fit called `name` (not an internal one), if any.
    pub fn named(&self, name: &str) -> Option<Candidate> {
        self.list
            .iter()
            .copied()
            .find(|c| c.fit.name == name && c.fit.role != Role::Internal)
    }

    /// The fits compared only on their covariates ([`Role::Covariates`]).
    pub fn on_covariates(&self) -> Vec<Candidate> {
        self.list
            .iter()
            .copied()
            .filter(|c| c.needs_covariates())
            .collect()
    }
}

impl Default for Candidates {
    /// The built-in registry's ([`Candidates::builtin`]).
    fn default() -> Candidates {
        Candidates::builtin().clone()
    }
}

impl Candidate {
    fn new(fit: &'static ExactFit, kind: &'static str) -> Candidate {
        Candidate {
            fit,
            kind,
            of: None,
        }
    }

    /// The built-in fit called `name` (not an internal one), if any.
    pub fn named(name: &str) -> Option<Candidate> {
        Candidates::builtin().named(name)
    }

    /// The null every network term is tested against: the controls alone, no network term
    /// ([`Role::Null`], innovation only), declared once by the built-in registry.
    ///
    /// # Panics
    /// If the built-in registry has no null fit (a programming error, tested).
    pub fn null() -> Candidate {
        static NULL: OnceLock<Candidate> = OnceLock::new();
        *NULL.get_or_init(|| {
            Registry::builtin()
                .kinds()
                .find_map(|k| {
                    let f = k.fits.iter().find(|f| f.role == Role::Null)?;
                    Some(Candidate::new(f, k.info.kind))
                })
                .expect("the built-in registry declares the null fit")
        })
    }

    /// The model's fit facts.
    pub fn fit(self) -> &'static ExactFit {
        self.fit
    }

    /// The model kind that registers this fit.
    pub fn kind(self) -> &'static str {
        self.kind
    }

    /// Name in the outputs.
    pub fn name(self) -> &'static str {
        self.fit.name
    }

    /// What the model says, for the terminal table.
    pub fn describe(self) -> &'static str {
        self.fit.describe
    }

    /// Whether this is the null (innovation only).
    pub fn is_null(self) -> bool {
        self.fit.role == Role::Null
    }

    /// Whether the fit needs covariates (detailing).
    pub fn needs_covariates(self) -> bool {
        self.fit.role == Role::Covariates
    }

    /// Free parameter names, in order.
    pub fn params(self) -> Vec<&'static str> {
        self.fit.params.iter().map(|p| p.name).collect()
    }

    /// Box constraints per parameter.
    pub fn bounds(self) -> Vec<(f64, f64)> {
        self.fit.params.iter().map(|p| p.bounds).collect()
    }

    /// How many parameters of the network term are on their boundary (0) when the model
    /// reduces to its spontaneous channel alone, for the likelihood-ratio test
    /// ([`crate::fit::lrtest`]).
    pub fn boundary_params(self) -> usize {
        self.fit.boundary_params
    }

    /// Whether the likelihood has kinks (Nelder–Mead before Newton).
    pub fn rough(self) -> bool {
        self.fit.rough
    }

    /// The KOL premium's reparametrisation `(p, q_other, κ)`, if the fit has one.
    pub fn ratio(self) -> Option<Candidate> {
        self.fit.ratio.map(|fit| Candidate {
            fit,
            kind: self.kind,
            of: Some(self.fit),
        })
    }

    /// The fit this one reparametrises (the KOL term for its `(p, q_other, κ)` form), if any.
    pub fn ratio_of(self) -> Option<Candidate> {
        self.of.map(|fit| Candidate::new(fit, self.kind))
    }

    /// Whether the network term is linear in the network parameters ([`ExactFit::linear`]).
    pub fn linear(self) -> bool {
        self.fit.linear
    }

    /// Index of the spontaneous probability `p`, if the model has one.
    pub fn p_index(self) -> Option<usize> {
        self.fit
            .params
            .iter()
            .position(|p| p.start == Start::Spontaneous)
    }

    /// Index and start of the spontaneous channel (`p`, or a spontaneous hazard rate).
    pub fn spontaneous(self) -> Option<(usize, Start)> {
        self.fit
            .params
            .iter()
            .position(|p| matches!(p.start, Start::Spontaneous | Start::SpontaneousRate))
            .map(|k| (k, self.fit.params[k].start))
    }

    /// Whether innovation-only is the special case with the contagion terms at 0 (so the
    /// likelihood-ratio test against it applies).
    pub fn nests_innovation(self) -> bool {
        !self.is_null() && self.spontaneous().is_some()
    }

    /// The covariates the hazard reads.
    pub fn design(self) -> Design {
        self.fit.design
    }

    /// The hazard at parameters `th` (in [`Candidate::params`] order), through the model's own
    /// [`Likelihood`].
    pub fn hazard(self, th: &[f64], x: &Exposure) -> f64 {
        (self.fit.hazard)(th, x)
    }

    /// Starting points for the search: each parameter's starts crossed, `p` at the
    /// innovation-only estimate `p0`.
    pub fn starts(self, p0: f64) -> Vec<Vec<f64>> {
        let mut out: Vec<Vec<f64>> = vec![Vec::new()];
        for param in self.fit.params {
            let vals: Vec<f64> = match param.start {
                Start::Spontaneous => vec![p0.clamp(1e-6, 0.999)],
                Start::SpontaneousRate => vec![-(1.0 - p0.clamp(1e-6, 0.999)).ln()],
                Start::Grid(g) => g.to_vec(),
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
    use crate::models::{ExposureKind, IndependentCascade, Theta, Threshold};

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

    #[test]
    fn the_compared_models_in_output_order() {
        let all = Candidates::builtin();
        let names: Vec<&str> = all.all().iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "innovation",
                "imitation",
                "imitation_count",
                "bass",
                "cascade",
                "threshold",
                "structural_equivalence",
                "kol_contagion"
            ]
        );
        assert!(Candidate::null().is_null());
        let cov: Vec<&str> = all.on_covariates().iter().map(|c| c.name()).collect();
        assert_eq!(cov, ["detailing"]);
    }
}
