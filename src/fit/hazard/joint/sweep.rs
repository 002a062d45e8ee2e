//! One joint pass's sums over the network parameters: the accumulator, the fixed-chunk
//! parallel reduction, and the per-cell and per-adoption terms.

use super::*;

/// The network parameters' part of a joint pass: gradient `g`, minus the Hessian `c`, minus
/// the cross derivatives with the α's `bx` (`na × m`) and with the dense coefficients `cross`
/// (`e × m`).
#[derive(Clone)]
pub(super) struct Acc {
    pub(super) g: Vec<f64>,
    pub(super) c: Vec<f64>,
    pub(super) bx: Vec<f64>,
    pub(super) cross: Vec<f64>,
}

impl Acc {
    pub(super) fn new(na: usize, e: usize, m: usize) -> Self {
        Acc {
            g: vec![0.0; m],
            c: vec![0.0; m * m],
            bx: vec![0.0; na * m],
            cross: vec![0.0; e * m],
        }
    }

    /// An accumulator of the same shape, at zero.
    pub(super) fn zeroed(&self) -> Self {
        let z = |v: &Vec<f64>| vec![0.0; v.len()];
        Acc {
            g: z(&self.g),
            c: z(&self.c),
            bx: z(&self.bx),
            cross: z(&self.cross),
        }
    }

    pub(super) fn add(&mut self, o: &Acc) {
        for (a, b) in [
            (&mut self.g, &o.g),
            (&mut self.c, &o.c),
            (&mut self.bx, &o.bx),
            (&mut self.cross, &o.cross),
        ] {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        }
    }
}

/// `f` over `0..n` into `acc`: in one call where `n` fits a [`CHUNK`], else over fixed
/// chunks in parallel, their sums added in chunk order (the same bits on any number of
/// threads).
pub(super) fn chunked(n: usize, acc: &mut Acc, f: &(dyn Fn(Range<usize>, &mut Acc) + Sync)) {
    if n <= CHUNK {
        f(0..n, acc);
        return;
    }
    let parts: Vec<Acc> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|k| {
            let mut part = acc.zeroed();
            f(k * CHUNK..((k + 1) * CHUNK).min(n), &mut part);
            part
        })
        .collect();
    parts.iter().for_each(|p| acc.add(p));
}

/// One joint pass's view of the data and the point, shared by the parallel chunks.
pub(super) struct Sweep<'s, 'a> {
    pub(super) pr: &'s Problem<'a>,
    pub(super) feats: &'s [[f64; 2]],
    pub(super) free: &'s [usize],
    /// Whether the network term is the KOL term in `(q_O, κ)`.
    pub(super) ratio: bool,
    /// Number of network parameters.
    pub(super) n: usize,
    pub(super) psi: &'s [f64],
    pub(super) terms: &'s Terms,
    pub(super) psd: bool,
}

impl Sweep<'_, '_> {
    /// `∂h0/∂ψ` and `∂²h0/∂ψ²` (row-major) of cell `cell` over the free parameters.
    pub(super) fn derivatives(&self, cell: usize) -> ([f64; 2], [f64; 4]) {
        let (f, psi) = (self.feats[cell], self.psi);
        let (g, k): ([f64; 2], [f64; 4]) = if self.ratio {
            // h0 = q_O (κ f_K + f_O).
            (
                [psi[1] * f[0] + f[1], psi[0] * f[0]],
                [0.0, f[0], f[0], 0.0],
            )
        } else {
            (f, [0.0; 4])
        };
        let m = self.free.len();
        let mut gf = [0.0; 2];
        let mut kf = [0.0; 4];
        for (i, &a) in self.free.iter().enumerate() {
            gf[i] = g[a];
            for (j, &b) in self.free.iter().enumerate() {
                kf[i * m + j] = k[a * self.n + b];
            }
        }
        (gf, kf)
    }

    /// The censored person-periods of cells `cells`.
    pub(super) fn censored(&self, cells: Range<usize>, acc: &mut Acc) {
        let m = self.free.len();
        for i in cells {
            let cell = &self.pr.cells[i];
            if cell.r <= cell.y {
                continue;
            }
            let (w, om) = (cell.r - cell.y, 1.0 - self.terms.h0[i]);
            let (gd, kd) = self.derivatives(i);
            for a in 0..m {
                acc.g[a] -= w * gd[a] / om;
                for b in 0..m {
                    let curv = if self.psd { 0.0 } else { kd[a * m + b] / om };
                    acc.c[a * m + b] += w * (curv + gd[a] * gd[b] / (om * om));
                }
            }
        }
    }

    /// Every adoption, in fixed chunks of [`CHUNK`] events (in parallel where over one, the
    /// chunks' sums added in chunk order): its log-likelihood into `ll`, its gradient and
    /// weight in η into `gw` (per group, as `newton::pass`, the same bits) and the network
    /// parameters' sums into `acc`, given each group's `(p, q)` in `pq`.
    pub(super) fn adoptions(
        &self,
        pq: &[(f64, f64)],
        ll: &mut Neumaier,
        gw: &mut [(f64, f64)],
        acc: &mut Acc,
    ) {
        let zero = acc.zeroed();
        event_chunks(
            &self.pr.events,
            (ll, gw, acc),
            &zero,
            &|events, ll, gw, first, acc| self.event_chunk(events, pq, ll, gw, first, acc),
            Acc::add,
        );
    }

    /// The adoptions `events` (sorted by group, the first group `first`): see
    /// [`Self::adoptions`]; `gw` indexed from `first`.
    fn event_chunk(
        &self,
        events: &[(u32, u32, f64)],
        pq: &[(f64, f64)],
        ll: &mut Neumaier,
        gw: &mut [(f64, f64)],
        first: usize,
        acc: &mut Acc,
    ) {
        let (pr, m, psd) = (self.pr, self.free.len(), self.psd);
        // Per group, minus the cross derivative of its η with the network parameters.
        let mut cr = vec![[0.0f64; 2]; gw.len()];
        for &(g, cell, y) in events {
            let (p, q) = pq[g as usize];
            let h0 = self.terms.h0[cell as usize];
            let (l, gi, w) = event_terms(h0, (p, q), y, psd);
            ll.add(l);
            let k = g as usize - first;
            gw[k].0 += gi;
            gw[k].1 += w;
            let h = h0 + (1.0 - h0) * p;
            let (gd, kd) = self.derivatives(cell as usize);
            let crk = &mut cr[k];
            for a in 0..m {
                acc.g[a] += y * q * gd[a] / h;
                crk[a] += if psd {
                    y * (1.0 - h0) * p * q * q * gd[a] / (h * h)
                } else {
                    y * gd[a] * p * q / (h * h)
                };
                for b in 0..m {
                    let curv = if psd { 0.0 } else { q * kd[a * m + b] / h };
                    acc.c[a * m + b] += y * (q * q * gd[a] * gd[b] / (h * h) - curv);
                }
            }
        }
        for (k, crk) in cr.iter().enumerate() {
            let (t, z, _) = pr.groups[first + k];
            let (t, z) = (t as usize, z as usize);
            for (a, &cra) in crk.iter().enumerate().take(m) {
                acc.bx[t * m + a] += cra;
                for (j, xj) in pr.rows.get(z).into_iter().flatten().enumerate() {
                    acc.cross[j * m + a] += cra * xj;
                }
            }
        }
    }
}
