//! The files of a run folder, listed once ([`FILES`]): each with when a run writes it and how
//! its bytes are made. The manifest's file list, the folder's contents and their order all
//! come from it. To add a file: its writer (in `output.rs`, `segments/`, `report/`, …) and one
//! entry here.

use crate::api;
use crate::error::Error;
use crate::scenario::Scenario;
use crate::{output, segments};

/// How much per-replicate detail a run folder keeps (`--curves`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curves {
    /// `curves.csv` (every replicate's curve) and `metrics.csv` (every replicate's metrics).
    Full,
    /// No `curves.csv`; `metrics.csv` kept (one row per replicate, small).
    Summary,
    /// Neither `curves.csv` nor `metrics.csv`: only the summaries over replicates.
    None,
}

/// Above this estimated size of `curves.csv` (50 MB), a run without `--curves` writes the
/// summary only.
pub const CURVES_AUTO_LIMIT: u64 = 50_000_000;

impl Curves {
    /// Parses `full`, `summary` or `none`.
    pub fn from_name(s: &str) -> Option<Curves> {
        match s {
            "full" => Some(Curves::Full),
            "summary" => Some(Curves::Summary),
            "none" => Some(Curves::None),
            _ => None,
        }
    }

    /// Rows of `curves.csv`: arms × models × replicates × (steps + 1).
    pub fn auto_rows(sc: &Scenario) -> u64 {
        sc.arms.len() as u64
            * sc.models.len() as u64
            * u64::from(sc.replicates)
            * (u64::from(sc.steps) + 1)
    }

    /// The name, as written in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Curves::Full => "full",
            Curves::Summary => "summary",
            Curves::None => "none",
        }
    }

    /// The default: `full` when `curves.csv` would be under [`CURVES_AUTO_LIMIT`] (estimated at
    /// 40 bytes per row: arms × models × replicates × (steps + 1) rows), else `summary`.
    pub fn auto(sc: &Scenario) -> Curves {
        if Curves::auto_rows(sc).saturating_mul(40) > CURVES_AUTO_LIMIT {
            Curves::Summary
        } else {
            Curves::Full
        }
    }
}

/// What a run writes, decided before anything is written.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plan {
    /// Which per-replicate files.
    pub curves: Curves,
    /// Whether `segment_curves.csv` is written.
    pub segment_curves: bool,
    /// Whether every adoption was recorded (`adoptions.csv`).
    pub record: bool,
    /// Whether rows naming unknown physicians were dropped (`dropped.csv`).
    pub dropped: bool,
    /// Whether the results are also split by segment.
    pub segments: bool,
    /// Whether the report is also printed to PDF.
    pub pdf: bool,
}

impl Plan {
    /// The plan for `res`, simulated from `sc`, written with `curves` (`None`: [`Curves::auto`]),
    /// `record`ed adoptions, and a `pdf` of the report.
    pub fn new(
        sc: &Scenario,
        res: &api::RunResults,
        asked: Option<Curves>,
        record: bool,
        pdf: bool,
    ) -> Plan {
        let curves = asked.unwrap_or_else(|| Curves::auto(sc));
        // `segment_curves.csv` has a row per segment for each `curves.csv` row: without an
        // explicit `--curves full`, it is written only while it stays under the size limit of
        // `curves.csv`.
        let segment_curves = curves == Curves::Full
            && res.result.segments.as_ref().is_some_and(|seg| {
                asked.is_some()
                    || Curves::auto_rows(sc).saturating_mul(seg.labels.len() as u64 * 40)
                        <= CURVES_AUTO_LIMIT
            });
        Plan {
            curves,
            segment_curves,
            record,
            dropped: !res.result.network.dropped.is_empty(),
            segments: res.segments.is_some() && res.result.segments.is_some(),
            pdf,
        }
    }

    /// The files written, in manifest order.
    pub fn names(&self) -> Vec<&'static str> {
        FILES
            .iter()
            .filter(|f| (f.when)(self))
            .map(|f| f.name)
            .collect()
    }
}

/// What a file's bytes are made from.
pub(super) struct Inputs<'a> {
    pub sc: &'a Scenario,
    pub res: &'a api::RunResults,
    /// Replicate ids.
    pub ids: &'a [u64],
    /// The bytes of `manifest.json`.
    pub manifest: &'a [u8],
}

/// How a file's bytes are made: written from the results, or made with the report (the
/// figures and the page by [`crate::report::files`], the PDF printed from the page).
pub(super) enum Bytes {
    /// Its own writer.
    Table(fn(&Inputs) -> Result<Vec<u8>, Error>),
    /// Made by the report.
    Report,
}

/// One output file of a command, in words (`--help`, `docs/output-files.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputFile {
    /// Its name in the folder.
    pub name: &'static str,
    /// When it is written (empty: always).
    pub when: &'static str,
    /// The function that makes its bytes.
    pub writer: &'static str,
    /// What it holds.
    pub about: &'static str,
}

/// One file of a run folder.
pub(super) struct RunFile {
    /// Its name in the folder.
    pub name: &'static str,
    /// Whether a run with this plan writes it.
    pub when: fn(&Plan) -> bool,
    /// Its bytes.
    pub bytes: Bytes,
    /// Its name, when it is written, its writer and what it holds, in words (`--help`, docs).
    pub doc: OutputFile,
}

const fn file(
    name: &'static str,
    when: fn(&Plan) -> bool,
    bytes: Bytes,
    [condition, writer, about]: [&'static str; 3],
) -> RunFile {
    RunFile {
        name,
        when,
        bytes,
        doc: OutputFile {
            name,
            when: condition,
            writer,
            about,
        },
    }
}

/// The files a run may write, in words ([`super::outputs`]).
pub(super) fn outputs() -> Vec<OutputFile> {
    FILES.iter().map(|f| f.doc).collect()
}

fn always(_: &Plan) -> bool {
    true
}

fn full(p: &Plan) -> bool {
    p.curves == Curves::Full
}

fn per_replicate(p: &Plan) -> bool {
    p.curves != Curves::None
}

fn segmented(p: &Plan) -> bool {
    p.segments
}

/// The segment analysis, for the writers of segment files (only called when
/// [`Plan::segments`]).
fn seg<'a>(i: &'a Inputs) -> Result<(&'a crate::groups::Segments, &'a segments::Analysis), Error> {
    match (&i.res.result.segments, &i.res.segments) {
        (Some(s), Some(a)) => Ok((s, a)),
        _ => Err(Error::Other("segment files without segments".into())),
    }
}

/// Every file a run folder may hold, in manifest order.
pub(super) const FILES: [RunFile; 18] = [
    file(
        "curves.csv",
        full,
        Bytes::Table(|i| Ok(output::curves_csv(&i.res.result, i.ids))),
        [
            "--curves full (the default below 50 MB)",
            "output::curves_csv",
            "every replicate's adoption curve, per arm and model",
        ],
    ),
    file(
        "summary.csv",
        always,
        Bytes::Table(|i| Ok(output::summary_csv(&i.res.result, &i.res.summaries))),
        [
            "",
            "output::summary_csv",
            "the share adopted per step over replicates (mean and interval)",
        ],
    ),
    file(
        "metrics.csv",
        per_replicate,
        Bytes::Table(|i| Ok(output::metrics_csv(&i.res.result, &i.res.metrics, i.ids))),
        [
            "--curves full or summary",
            "output::metrics_csv",
            "every replicate's final share, t10, t50, t90, …",
        ],
    ),
    file(
        "comparison.csv",
        always,
        Bytes::Table(|i| Ok(output::comparison_csv(&i.res.comparisons))),
        [
            "",
            "output::comparison_csv",
            "each model vs the baseline, each arm vs the reference arm (paired)",
        ],
    ),
    file(
        "manifest.json",
        always,
        Bytes::Table(|i| Ok(i.manifest.to_vec())),
        [
            "",
            "manifest::build",
            "version, scenario, seed, timings and the files written",
        ],
    ),
    file(
        "scenario.toml",
        always,
        Bytes::Table(|i| Ok(i.sc.toml_text().into_bytes())),
        ["", "Scenario::toml_text", "the scenario as run"],
    ),
    file(
        "kols.csv",
        always,
        Bytes::Table(|i| super::kols_file::kols_csv(i.sc, &i.res.result)),
        [
            "",
            "jobs::kols_file::kols_csv",
            "every physician of realisation 0: KOL rule score and rank, KOL flag, seeding arms, attributes",
        ],
    ),
    file(
        "adoptions.csv",
        |p| p.record,
        Bytes::Table(adoptions),
        [
            "--record adoptions",
            "output::adoptions_csv",
            "every adoption with its step, channel and influencer",
        ],
    ),
    file(
        "dropped.csv",
        |p| p.dropped,
        Bytes::Table(|i| Ok(output::dropped_csv(&i.res.result.network.dropped))),
        [
            "edge-list rows were dropped",
            "output::dropped_csv",
            "the edge-list endpoints dropped as not in the node file",
        ],
    ),
    file(
        segments::FILES[0],
        |p| p.segment_curves,
        Bytes::Table(|i| {
            let (s, _) = seg(i)?;
            Ok(segments::output::curves_csv(&i.res.result, s, i.ids))
        }),
        [
            "`segment` and --curves full",
            "segments::output::curves_csv",
            "every replicate's curve per segment",
        ],
    ),
    file(
        segments::FILES[1],
        segmented,
        Bytes::Table(|i| {
            let (s, a) = seg(i)?;
            Ok(segments::output::summary_csv(&i.res.result, s, a))
        }),
        [
            "`segment`",
            "segments::output::summary_csv",
            "summary.csv per segment",
        ],
    ),
    file(
        segments::FILES[2],
        |p| p.segments && per_replicate(p),
        Bytes::Table(|i| {
            let (s, a) = seg(i)?;
            Ok(segments::output::metrics_csv(&i.res.result, s, a, i.ids))
        }),
        [
            "`segment`, --curves full or summary",
            "segments::output::metrics_csv",
            "metrics.csv per segment",
        ],
    ),
    file(
        segments::FILES[3],
        segmented,
        Bytes::Table(|i| {
            let (s, a) = seg(i)?;
            Ok(segments::output::comparison_csv(s, a))
        }),
        [
            "`segment`",
            "segments::output::comparison_csv",
            "comparison.csv per segment",
        ],
    ),
    file(
        crate::report::FILES[0],
        always,
        Bytes::Report,
        [
            "",
            "report::files",
            "the adoption curves (mean and interval)",
        ],
    ),
    file(
        crate::report::FILES[1],
        always,
        Bytes::Report,
        ["", "report::files", "new adopters per step"],
    ),
    file(
        crate::report::FILES[2],
        always,
        Bytes::Report,
        ["", "report::files", "the run report, one page"],
    ),
    file(
        segments::FILES[4],
        segmented,
        Bytes::Report,
        ["`segment`", "report::files", "the final share per segment"],
    ),
    file(
        "report.pdf",
        |p| p.pdf,
        Bytes::Report,
        [
            "--pdf",
            "jobs::run_job::print_pdf",
            "the report printed by headless Chromium",
        ],
    ),
];

/// `adoptions.csv`: every recorded adoption, with the ids of realisation 0's network.
fn adoptions(i: &Inputs) -> Result<Vec<u8>, Error> {
    let result = &i.res.result;
    // The run keeps realisation 0's network when recording; read it again only if not.
    let real0 = match &result.ids {
        Some(net) => std::borrow::Cow::Borrowed(net),
        None => std::borrow::Cow::Owned(crate::realise::build_network(i.sc, 0)?),
    };
    Ok(output::adoptions_csv(result, i.ids, &real0))
}

/// The files with their own writers, in manifest order.
pub(super) fn table_files(
    plan: &Plan,
    inputs: &Inputs,
) -> Result<Vec<(&'static str, Vec<u8>)>, Error> {
    let mut files = Vec::new();
    for f in FILES.iter().filter(|f| (f.when)(plan)) {
        if let Bytes::Table(bytes) = f.bytes {
            files.push((f.name, bytes(inputs)?));
        }
    }
    Ok(files)
}
