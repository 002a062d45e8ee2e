//! `validate`: parse and check a scenario and its data files, build realisation 0, run nothing.

use crate::error::Error;
use crate::scenario::{self, Scenario};
use std::path::Path;

/// What `validate` found: the scenario and the facts of its first realisation.
#[derive(Debug)]
pub struct Validation {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Physicians in realisation 0.
    pub physicians: usize,
    /// Arcs in realisation 0 (after cleaning).
    pub arcs: u64,
    /// Self-loops dropped while building it.
    pub self_loops_dropped: u64,
    /// Duplicate arcs merged while building it.
    pub duplicates_merged: u64,
    /// KOLs selected on it.
    pub kols: usize,
    /// Weakly connected components, their largest size and isolated physicians.
    pub components: Components,
    /// Per seeding arm (with seeds): replicate 0's seeds against the components.
    pub reach: Vec<ArmReach>,
    /// With `segment`: each segment's label and physicians.
    pub segments: Vec<(String, usize)>,
    /// What reading the input files dropped or combined.
    pub input: crate::network::edge_list::InputReport,
    /// Estimated memory of `kolsim run` with the file's replicates, on all cores.
    pub memory: super::memory::Estimate,
    /// Memory available to this process, where known.
    pub available: Option<u64>,
    /// The `[observed]` launch as read (its layout, window and physicians of unknown
    /// adoption), when the scenario names one.
    pub observed: Option<crate::fit::observed::Observed>,
}

/// The network's weakly connected components.
#[derive(Debug, Clone, Default)]
pub struct Components {
    /// How many.
    pub count: usize,
    /// Physicians in the largest.
    pub largest: usize,
    /// Physicians with no tie at all (components of one).
    pub isolated: usize,
}

/// One arm's seeds (replicate 0's) against the components: the components they miss are
/// reached only by non-network channels (spontaneous adoption, detailing, …).
#[derive(Debug, Clone)]
pub struct ArmReach {
    /// The arm.
    pub arm: String,
    /// Whether the seeds are drawn at random (so vary by replicate).
    pub random: bool,
    /// Components that hold no initial adopter.
    pub unseeded_components: usize,
    /// Physicians in those components: no chain of ties leads to them from any seed.
    pub unreachable: usize,
}

/// Components of `net` and, per arm, the components its replicate-0 seeds miss.
fn components(
    sc: &Scenario,
    real: &crate::realise::Realisation,
) -> Result<(Components, Vec<ArmReach>), Error> {
    let (labels, count) = real.net.component_labels();
    let mut sizes = vec![0usize; count];
    for &l in &labels {
        sizes[l as usize] += 1;
    }
    let comps = Components {
        count,
        largest: sizes.iter().copied().max().unwrap_or(0),
        isolated: sizes.iter().filter(|&&s| s == 1).count(),
    };
    let mut reach = Vec::new();
    for arm in &sc.arms {
        let seeds = crate::realise::initial_adopters(sc, &arm.adopters, real, 0)?;
        if seeds.is_empty() {
            continue;
        }
        let mut seeded = vec![false; count];
        for &s in &seeds {
            seeded[labels[s as usize] as usize] = true;
        }
        reach.push(ArmReach {
            arm: arm.name.clone(),
            random: matches!(
                arm.adopters,
                crate::scenario::InitialAdopters::Random(_)
                    | crate::scenario::InitialAdopters::Attribute(..)
            ),
            unseeded_components: seeded.iter().filter(|&&x| !x).count(),
            unreachable: (0..count).filter(|&c| !seeded[c]).map(|c| sizes[c]).sum(),
        });
    }
    Ok((comps, reach))
}

/// Loads `path`, checks it (every data file, id and attribute, every seeding arm) on
/// realisation 0, and reports what it found.
pub fn validate(path: &Path) -> Result<Validation, Error> {
    let sc = scenario::load(path)?;
    super::memory::check_kappa(&sc)?;
    let build = super::memory::estimate_network(&sc);
    super::memory::check(&build, None, "building the network", false)?;
    let real = crate::realise::check(&sc)?;
    real.net
        .check_weights()
        .map_err(|m| Error::Scenario(sc.source.error(None, "kols.weight", m)))?;
    let (components, reach) = components(&sc, &real)?;
    let observed = check_observed(&sc, &real.net)?;
    if let Some(o) = &sc.observed {
        // `[observed] strata / covariates`: the columns exist and can be fitted.
        let spec = crate::fit::controls::ControlSpec {
            strata: o.strata.clone(),
            covariates: o.covariates.clone(),
        };
        if spec.any() {
            crate::fit::controls::build(&spec, &real.net, &vec![true; real.net.n()])?;
        }
    }
    let segments = real
        .segments
        .as_ref()
        .map(|g| {
            g.labels
                .iter()
                .cloned()
                .zip(g.sizes.iter().copied())
                .collect()
        })
        .unwrap_or_default();
    Ok(Validation {
        components,
        reach,
        segments,
        memory: super::memory::estimate(&sc, 0, false),
        available: super::memory::available_memory(),
        physicians: real.net.n(),
        arcs: real.net.arc_count(),
        self_loops_dropped: real.net.report().self_loops_dropped,
        duplicates_merged: real.net.report().duplicates_merged,
        kols: real.kols.len(),
        input: real.net.input().clone(),
        observed,
        scenario: sc,
    })
}

/// Reads the scenario's `[observed]` launch and its `marketing` and `detailing` files as `run`
/// (observed points) and `fit` read them, so that `validate` fails where they would.
fn check_observed(
    sc: &Scenario,
    net: &crate::network::Network,
) -> Result<Option<crate::fit::observed::Observed>, Error> {
    use crate::fit::{covariates, observed};
    let Some(spec) = &sc.observed else {
        return Ok(None);
    };
    let obs = observed::read_spec(spec, net)?;
    let files = covariates::CovariateFiles {
        marketing: spec.marketing.clone(),
        detailing: spec.detailing.clone(),
    };
    if files.any() && obs.layout == observed::Layout::PerPhysician {
        let keep: Vec<bool> = obs
            .status
            .iter()
            .map(|s| *s != observed::Status::Unknown)
            .collect();
        covariates::read(
            &files,
            net,
            &keep,
            &spec.id_column,
            obs.periods,
            covariates::DEFAULT_DECAY,
        )?;
    }
    Ok(Some(obs))
}

/// What `validate` says of the observed launch it read.
fn observed_line(obs: &crate::fit::observed::Observed) -> String {
    use crate::fit::observed::{Layout, Status};
    match obs.layout {
        Layout::Aggregate => format!(
            "{} — cumulative adopters over {} periods",
            obs.path.display(),
            obs.periods
        ),
        Layout::PerPhysician => {
            let adopted = obs
                .status
                .iter()
                .filter(|s| matches!(s, Status::Adopted(_)))
                .count();
            let known = obs.status.iter().filter(|s| **s != Status::Unknown).count();
            format!(
                "{} — {known} physicians of known adoption ({adopted} adopted within {} periods), {} unknown",
                obs.path.display(),
                obs.periods,
                obs.status.len() - known
            )
        }
    }
}

/// The first ids of `ids`, for a message: at most 10, then how many more.
fn first_ids(ids: &[&str]) -> String {
    let shown: Vec<String> = ids
        .iter()
        .take(10)
        .map(|id| format!("\"{}\"", crate::limits::quote(id)))
        .collect();
    match ids.len() {
        n if n > 10 => format!("{} and {} more", shown.join(", "), n - 10),
        _ => shown.join(", "),
    }
}

impl Validation {
    /// The lines on what reading the input files dropped, warned of and found (observed
    /// launch), after the first line.
    fn fmt_input(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let input = &self.input;
        if !input.dropped.is_empty() {
            let ids = input.dropped_ids();
            write!(
                f,
                "\ndropped: {} edge row(s) naming physicians not in the node file (unknown_ids = \"drop\"): {} id(s), {} (`run` lists every one, with its file and line, in dropped.csv)",
                input.unknown_ids_dropped,
                ids.len(),
                first_ids(&ids)
            )?;
        }
        if input.missing_rows_dropped > 0 {
            write!(
                f,
                "\ndropped: {} edge row(s) with a missing endpoint (`missing` markers)",
                input.missing_rows_dropped
            )?;
        }
        if input.weight_column_from_header {
            write!(
                f,
                "\nweights: read from the edge list's column \"weight\" (set `weight` in [network] to choose another)"
            )?;
        }
        if !input.layers.is_empty() {
            let layers: Vec<String> = input
                .layers
                .iter()
                .map(|(name, arcs)| format!("{name} {arcs} arcs"))
                .collect();
            write!(
                f,
                "\nlayers: {} (summed into {} arcs after merging duplicates)",
                layers.join(", "),
                self.arcs
            )?;
        }
        for w in &input.warnings {
            write!(f, "\nwarning: {w}")?;
        }
        if let Some(obs) = &self.observed {
            write!(f, "\nobserved: {}", observed_line(obs))?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Validation {
    /// The one line `kolsim validate` prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sc = &self.scenario;
        let models: Vec<&str> = sc.models.iter().map(|m| m.name.as_str()).collect();
        let arms: Vec<&str> = sc.arms.iter().map(|a| a.name.as_str()).collect();
        write!(
            f,
            "ok: {} — {} network, {} physicians, {} arcs ({} self-loops dropped, {} duplicate arcs merged), {} KOLs, {} model(s) ({}), {} arm(s) ({}), {} steps × {} replicates, seed {}",
            sc.name,
            sc.network.kind(),
            self.physicians,
            self.arcs,
            self.self_loops_dropped,
            self.duplicates_merged,
            self.kols,
            models.len(),
            models.join(", "),
            arms.len(),
            arms.join(", "),
            sc.steps,
            sc.replicates,
            sc.seed
        )?;
        self.fmt_input(f)?;
        if let Some((attribute, _)) = &sc.segment {
            let list: Vec<String> = self
                .segments
                .iter()
                .map(|(label, n)| format!("{label} {n}"))
                .collect();
            write!(
                f,
                "\nsegments: {} by \"{attribute}\" ({} physicians)",
                self.segments.len(),
                list.join(", ")
            )?;
        }
        let c = &self.components;
        write!(
            f,
            "\ncomponents: {} (largest {} physicians, {} isolated)",
            c.count, c.largest, c.isolated
        )?;
        for r in &self.reach {
            if r.unseeded_components > 0 {
                write!(
                    f,
                    "\nwarning: arm \"{}\": {} component(s) hold no initial adopter{}, so {} physician(s) are unreachable from the initial adopters through ties (they can adopt only by a model's non-network channel)",
                    r.arm,
                    r.unseeded_components,
                    if r.random {
                        " in replicate 0's draw"
                    } else {
                        ""
                    },
                    r.unreachable
                )?;
            }
        }
        let total = self.memory.total();
        write!(
            f,
            "\nmemory: about {} for `kolsim run` on all cores ({})",
            crate::limits::size_text(total),
            self.memory.largest()
        )?;
        match self.available {
            Some(a) if total > a => write!(
                f,
                "; only {} is available, so `run` will refuse it without --max-memory",
                crate::limits::size_text(a)
            ),
            _ => Ok(()),
        }
    }
}
