//! Detailing on a realisation: the model with its targeting order, its run, and the
//! attribution of each adoption to marketing or peers.

use super::*;

/// Detailing prepared on a realisation: the model with its targeting order.
#[derive(Debug, Clone)]
pub struct Targeted {
    pub(super) model: Detailing,
    /// The policy's targeting order: KOLs in rank order for `kols_first`, attribute order for
    /// `by_volume`, else empty.
    pub(super) priority: Vec<u32>,
}

impl Dynamics for Targeted {
    type State = ();
    type Attributor<'s> = DetailingAttribution<'s>;

    fn replicate(&self, _: &Replicate<'_>) {}

    /// Its own sweep: the hazard changes every step, so the engine choice does not apply.
    fn run<O: Observer + ?Sized>(
        &self,
        _: &(),
        _: EngineKind,
        rep: &Replicate<'_>,
        scratch: &mut Scratch,
        obs: &mut O,
    ) {
        self.model.sweep(rep, &self.priority, scratch, obs)
    }

    fn attributor<'s>(&'s self, _: &'s (), rep: &Replicate<'s>) -> DetailingAttribution<'s> {
        DetailingAttribution {
            model: self,
            is_kol: rep.is_kol,
            stock: vec![0.0; rep.net.n()],
            stock_step: 0,
            rng: rep.stream(Purpose::Detailing),
            picks: Vec::new(),
        }
    }
}

/// Marketing with rate `α + β·D_i(t)` against peers with rate `γ·e_i(t-1)`. The detailing
/// stock is replayed from the replicate's `Detailing` stream, as in the run.
pub struct DetailingAttribution<'s> {
    model: &'s Targeted,
    is_kol: &'s [bool],
    stock: Vec<f64>,
    stock_step: u32,
    rng: ChaCha8Rng,
    picks: Vec<usize>,
}

impl Attribute for DetailingAttribution<'_> {
    fn attribute(&mut self, i: usize, t: u32, trace: &mut Trace<'_>) -> (Channel, Option<u32>) {
        let m = &self.model.model;
        while self.stock_step < t {
            self.stock_step += 1;
            m.detail(
                self.stock_step,
                &mut self.stock,
                &self.model.priority,
                self.is_kol,
                &mut self.rng,
                &mut self.picks,
            );
        }
        let c = trace.gather(i, t, false);
        let peer = m.gamma * share(c, trace.net().in_weight(i));
        let outside = m.alpha + m.beta * self.stock[i];
        if trace.choose(outside, peer) {
            (Channel::Peer, trace.pick(|w| w))
        } else {
            (Channel::Marketing, None)
        }
    }
}
