//! The controlled fits of [`super`]: every candidate with the controls of the spontaneous
//! rate ([`crate::fit::hazard`]) on data factored into exposure cells, adoption events and
//! person-periods at risk by period and pattern.

use crate::fit::data::{self, Cell, Design, FitNet};
use crate::fit::estimate::{fit_pooled, new_fit, slot};
use crate::fit::models::Candidate;
use crate::fit::{ModelFit, Prepared, controls, hazard};
use rayon::prelude::*;

/// The data of the controlled fits: per design the exposure cells (pooled over periods and
/// patterns) and the adoption events, and the censored person-periods by period and pattern.
struct ControlledDesigns {
    v: Vec<(Vec<Cell>, Vec<data::Event>)>,
    sim: Option<(Vec<Cell>, Vec<data::Event>)>,
    risk: Vec<data::AtRisk>,
}

impl ControlledDesigns {
    fn build(prep: &Prepared, net: &FitNet) -> Self {
        let (tau, periods, z) = (&prep.tau, prep.facts.periods, &prep.z);
        let pass_on = |n: &FitNet, d: &[Design]| data::cells_and_events(n, tau, periods, d, z);
        let pass = |d: &[Design]| pass_on(net, d);
        let ((mut v, b), (sim, risk)) = rayon::join(
            || {
                rayon::join(
                    || pass(&[Design::Influence, Design::KolSplit]),
                    || pass(&[Design::Cascade, Design::Threshold]),
                )
            },
            || {
                let sim = prep
                    .similar
                    .as_ref()
                    .ok()
                    .map(|s| pass_on(s, &[Design::Similar]).remove(0));
                (sim, data::at_risk(tau, z, periods))
            },
        );
        v.extend(b);
        ControlledDesigns { v, sim, risk }
    }

    fn of(&self, c: Candidate) -> Option<hazard::Controlled<'_>> {
        slot(&self.v, self.sim.as_ref(), c).map(|(cells, events)| hazard::Controlled {
            cells,
            events,
            risk: &self.risk,
        })
    }
}

/// Every candidate with the controls of the spontaneous rate ([`hazard`]): the constant-α
/// family and (with `period_effects`) the α-per-period family, on one set of data. Models
/// without a spontaneous channel (imitation) have nothing to control and are fitted as
/// without controls.
pub(super) fn fit_controlled(
    prep: &Prepared,
    net: &FitNet,
    ctl: &controls::Controls,
    period_effects: bool,
    todo: &[Candidate],
    fits: &mut Vec<ModelFit>,
) {
    let families: &[bool] = if period_effects {
        &[false, true]
    } else {
        &[false]
    };
    let data = ControlledDesigns::build(prep, net);
    for &pe in families {
        let s = hazard::Spont {
            rows: &ctl.rows,
            names: &ctl.names,
            by_period: pe,
        };
        let mut work: Vec<(Option<Candidate>, hazard::Controlled<'_>)> =
            vec![(None, data.of(Candidate::null()).expect("influence cells"))];
        for &c in todo.iter().filter(|c| !c.is_null()) {
            if let Some(d) = data.of(c)
                && (c.nests_innovation() || !pe)
            {
                work.push((Some(c), d));
            }
        }
        let done: Vec<ModelFit> = work
            .par_iter()
            .map(|(c, d)| controlled_fit(*c, d, &s, pe))
            .collect();
        fits.extend(done);
    }
}

/// One model with controls (`None`: the controls alone, innovation only or period effects).
fn controlled_fit(
    c: Option<Candidate>,
    d: &hazard::Controlled<'_>,
    s: &hazard::Spont<'_>,
    pe: bool,
) -> ModelFit {
    let name = match (c, pe) {
        (None, false) => Candidate::null().name().to_string(),
        (None, true) => "period_effects".to_string(),
        (Some(c), false) => c.name().to_string(),
        (Some(c), true) => format!("{}+period", c.name()),
    };
    let cand = if c.is_none() && !pe {
        Some(Candidate::null())
    } else {
        c
    };
    if let Some(c) = c.filter(|c| c.p_index().is_none()) {
        // No spontaneous channel: nothing for the controls to act on.
        let (est, ll) = fit_pooled(c, d.cells, 0.0);
        return new_fit(name, Some(c), false, est, c.params().len(), ll, d.cells);
    }
    let f = hazard::fit(c, d, s);
    let mut m = new_fit(name, cand, pe, f.params, f.k, f.loglik, d.cells);
    if f.loglik.is_finite() {
        m.coefficients = f.coefficients;
        if let Some(r) = c.and_then(Candidate::ratio) {
            m.kappa = hazard::kappa(r, d, s, &m.params);
        }
    }
    if let Some(c) = c {
        m.boundary_rho = hazard::null_rho(c, d, s);
    }
    m
}
