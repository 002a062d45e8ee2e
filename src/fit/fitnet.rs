//! The network a fit runs on ([`FitNet`]): the scenario's realisation restricted to the
//! physicians fitted, as out-arcs with κ-weighted and raw weights.

use crate::models::likelihood::MAX_CLASSES;
use crate::network::Network;

/// The network a fit runs on: the scenario's realisation restricted to the physicians kept,
/// as out-arcs (for pushing exposure) with κ-weighted and raw weights.
#[derive(Debug, Clone)]
pub struct FitNet {
    pub(super) n: usize,
    pub(super) offsets: Vec<usize>,
    pub(super) targets: Vec<u32>,
    pub(super) w: Vec<f32>,
    pub(super) raw: Vec<f32>,
    pub(super) in_w: Vec<f64>,
    pub(super) in_raw: Vec<f64>,
    pub(super) is_kol: Vec<bool>,
    pub(super) classes: Vec<f32>,
}

/// Largest complete graph a fit materialises.
pub const MAX_COMPLETE: usize = 5_000;

impl FitNet {
    /// Restricts `net` (KOL weight applied) to the nodes with `keep[i]`, renumbered in order.
    /// Raw (κ = 1) weights are recovered by dividing by the source's scale.
    pub fn restrict(net: &Network, keep: &[bool], is_kol: &[bool]) -> Result<FitNet, String> {
        let n0 = net.n();
        if net.is_complete() && n0 > MAX_COMPLETE {
            return Err(format!(
                "fitting on a complete network of more than {MAX_COMPLETE} physicians is not supported"
            ));
        }
        let mut map = vec![u32::MAX; n0];
        let mut n = 0usize;
        for i in 0..n0 {
            if keep[i] {
                map[i] = n as u32;
                n += 1;
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let (mut targets, mut w, mut raw) = (Vec::new(), Vec::new(), Vec::new());
        let mut kol = Vec::with_capacity(n);
        for j in 0..n0 {
            if !keep[j] {
                continue;
            }
            let scale = net.source_scale(j);
            if net.is_complete() {
                for i in 0..n0 {
                    if i != j && keep[i] {
                        targets.push(map[i]);
                        w.push(scale);
                        raw.push(1.0);
                    }
                }
            } else {
                let (nodes, ws) = net.out_arcs().arcs(j);
                for (&i, &x) in nodes.iter().zip(ws) {
                    if keep[i as usize] {
                        targets.push(map[i as usize]);
                        w.push(x);
                        raw.push(x / scale);
                    }
                }
            }
            offsets.push(targets.len());
            kol.push(is_kol[j]);
        }
        let mut in_w = vec![0.0; n];
        let mut in_raw = vec![0.0; n];
        for (k, &i) in targets.iter().enumerate() {
            in_w[i as usize] += w[k] as f64;
            in_raw[i as usize] += raw[k] as f64;
        }
        let mut classes: Vec<f32> = w.clone();
        classes.sort_by(f32::total_cmp);
        classes.dedup();
        Ok(FitNet {
            n,
            offsets,
            targets,
            w,
            raw,
            in_w,
            in_raw,
            is_kol: kol,
            classes,
        })
    }

    /// Number of physicians.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of arcs.
    pub fn arcs(&self) -> usize {
        self.targets.len()
    }

    /// Distinct arc weights, if few enough for the cascade likelihood.
    pub fn cascade_classes(&self) -> Option<&[f32]> {
        (self.classes.len() <= MAX_CLASSES).then_some(&self.classes[..])
    }

    /// The physicians `j` influences (its out-arcs' targets): `j` is their adviser.
    pub fn listeners(&self, j: usize) -> &[u32] {
        &self.targets[self.offsets[j]..self.offsets[j + 1]]
    }

    /// The out-arcs of `j`: its listeners and the arc weights (KOL weight applied).
    pub fn out_arcs(&self, j: usize) -> (&[u32], &[f32]) {
        let r = self.offsets[j]..self.offsets[j + 1];
        (&self.targets[r.clone()], &self.w[r])
    }

    /// Total in-weight of `i` (KOL weight applied).
    pub fn in_weight(&self, i: usize) -> f64 {
        self.in_w[i]
    }

    /// Number of distinct arc weights.
    pub fn distinct_weights(&self) -> usize {
        self.classes.len()
    }
}
