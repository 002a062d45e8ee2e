//! `complete`: everyone listens to everyone (kept implicit, see [`Network::complete`]).

use super::{Generator, Key, Size};
use crate::network::Network;

/// The registration (see [`super::GENERATORS`]).
pub const GENERATOR: Generator = Generator {
    kind: "complete",
    keys: &[Key::n(2)],
    random: false,
    check: |_| Ok(()),
    // No arcs are stored.
    size: |p| Size {
        nodes: p.count("n") as f64,
        arcs: 0.0,
        arclist_cap: 0.0,
        extra: 0.0,
    },
    build: |p, _| Network::complete(p.count("n")),
};
