//! The command line's types (clap derive): subcommands, their options and help texts. Parsing
//! happens in `main.rs`; [`super::execute`] carries the command out.

use crate::{Error, scenario};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

const EXAMPLES: &str = "Examples:
  kolsim run scenarios/quickstart.toml
  kolsim run scenarios/ckm-tetracycline.toml --replicates 1000 --out results/ckm-1000
  kolsim validate scenarios/quickstart.toml
  kolsim models
  kolsim fit scenarios/ckm-tetracycline.toml --observed scenarios/data/ckm/observed.csv

Exit status: 0 success; 2 bad usage or bad scenario/input data; 1 any other failure.";

/// The command line: one subcommand per job.
#[derive(Parser)]
#[command(name = "kolsim", version, about = "Simulate how a new drug spreads through a physician network, and how much of it is due to Key Opinion Leaders", after_help = EXAMPLES)]
pub struct Cli {
    /// The job to run.
    #[command(subcommand)]
    /// The subcommand.
    pub command: Command,
}

/// Options shared by `run`, `sweep` and `seed`.
#[derive(clap::Args)]
pub struct Common {
    /// Replicates per model (in `sweep`, per model and point), overriding the file's
    /// `replicates`.
    #[arg(long, value_name = "N")]
    pub replicates: Option<u32>,
    /// Master random seed (overrides the file), 0 to 2^63 - 1.
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores), at most 1024. Results do not depend on it.
    #[arg(long, value_name = "T", default_value_t = 0)]
    pub threads: usize,
    /// Memory the job may use, e.g. 8G (default: the memory available). A job whose
    /// estimate exceeds it is refused before anything is built.
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_memory: Option<u64>,
    /// Output folder. Default, NAME being the scenario's name: results/NAME (run),
    /// results/NAME-sweep (sweep), results/NAME-seed-MODEL (seed; MODEL: --model, or "theories").
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace an existing output folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no printed summary.
    #[arg(long, short)]
    pub quiet: bool,
}

impl Common {
    /// Loads the scenario with the command-line overrides applied.
    pub fn load(&self, path: &std::path::Path) -> Result<scenario::Scenario, Error> {
        let mut sc = scenario::load(path)?;
        if let Some(r) = self.replicates {
            if r == 0 || u64::from(r) > crate::limits::MAX_REPLICATES {
                return Err(Error::Usage(format!(
                    "--replicates must be at least 1 and at most 10,000,000 (as in the scenario file), not {r}"
                )));
            }
            sc.replicates = r;
        }
        if self.threads > crate::limits::MAX_THREADS {
            return Err(Error::Usage(format!(
                "--threads {} is more than {} (0 means all cores)",
                self.threads,
                crate::limits::MAX_THREADS
            )));
        }
        if let Some(s) = self.seed {
            sc.seed = s;
        }
        Ok(sc)
    }
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Run every model of a scenario over many replicates and write the results folder.
    #[command(
        after_help = crate::jobs::outputs::after_help("Example:\n  kolsim run scenarios/quickstart.toml --replicates 500 --threads 2\n\nThe results folder: results/<scenario name>/ (or --out).", "run")
    )]
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Options shared by every job (output folder, threads, ...).
        #[command(flatten)]
        common: Common,
        /// Also record every adoption (`adoptions`): adoptions.csv with channel and
        /// influencer, and the share of adoptions through KOL ties in metrics.csv.
        #[arg(long, value_name = "WHAT", value_parser = ["adoptions"])]
        record: Option<String>,
        /// Per-replicate files: `full` (curves.csv and metrics.csv), `summary` (no
        /// curves.csv) or `none` (neither). Default: full when curves.csv would stay under
        /// 50 MB, else summary.
        #[arg(long, value_name = "MODE", value_parser = ["full", "summary", "none"])]
        curves: Option<String>,
        /// Also write report.pdf, printed with headless Chromium (chromium on PATH).
        #[arg(long)]
        pdf: bool,
    },
    /// Parse and check a scenario (including its data files) without running it.
    #[command(after_help = "Example:\n  kolsim validate scenarios/ckm-tetracycline.toml")]
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
    /// List every model with its parameters: meaning, unit, range and default.
    #[command(after_help = "Example:\n  kolsim models")]
    Models,
    /// Sweep numeric scenario values over a grid (common random numbers across points).
    #[command(
        after_help = crate::jobs::outputs::after_help("Examples:\n  kolsim sweep scenarios/quickstart.toml --set model.bass.q=0.1,0.2,0.4 --set kols.share=0.01:0.05:0.01\n  kolsim sweep scenarios/quickstart.toml --set model.bass.q=0.1:0.5:0.1 --shard 0/4 --out results/qs-sweep\n  kolsim merge results/qs-sweep\n\nKEY is a path into the scenario: model.<name>.<param>, arm.<name>.<param>, kols.share,\nnetwork.m, steps, ... VALUES is a list (0.1,0.2,0.4) or an inclusive range start:stop:step.\nWith --shard, `kolsim merge` writes the merged files.", "sweep")
    )]
    Sweep {
        /// The scenario file (TOML); an optional `sweep` table adds keys.
        scenario: PathBuf,
        /// KEY=VALUES to sweep (repeatable); the grid is the product of all keys.
        #[arg(long = "set", value_name = "KEY=VALUES")]
        set: Vec<String>,
        /// Options shared by every job (output folder, threads, ...).
        #[command(flatten)]
        common: Common,
        /// Run only the points missing from an existing output folder.
        #[arg(long)]
        resume: bool,
        /// Run only the points with index % N == I (e.g. a Slurm array task), then `kolsim merge`.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Also write report.pdf, printed with headless Chromium (chromium on PATH); with
        /// --shard, give it to `kolsim merge` instead.
        #[arg(long)]
        pdf: bool,
    },
    /// Find the (near-)best k initial adopters under one of the scenario's models, or over
    /// several theories (--theories), and compare them with the scenario's KOL list and arms,
    /// the top-k by each KOL rule and random seeds by forward simulation.
    #[command(
        after_help = crate::jobs::outputs::after_help("Examples:\n  kolsim seed scenarios/ckm-tetracycline.toml --k 11 --model cascade\n  kolsim seed scenarios/ckm-layers.toml --k 8 --theories imitation=0.5,bass=0.3,cascade=0.2\n  kolsim seed scenarios/ckm-tetracycline.toml --k 11 --theories results/ckm-tetracycline-fit/fitted.toml --objective worst\n\nModels with a reverse-reachable form (independent_cascade, imitation, bass, threshold with\ntheta uniform on [0, 1]) use RR sets + OPIM-C and print a certified approximation ratio (with\n--theories: RR sets whose theory is drawn by weight); the others use CELF greedy on\nsimulations, with no guarantee. A compared set that beats the greedy set beyond its interval is\nrecommended instead.\nDefault DIR: results/<scenario name>-seed-<model or theories>.", "seed")
    )]
    Seed {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Number of seeds (or --budget with --cost instead).
        #[arg(
            long,
            value_name = "K",
            required_unless_present = "budget",
            conflicts_with = "budget"
        )]
        k: Option<usize>,
        /// Budget: choose seeds whose total cost is at most B (greedy by gain per cost, best
        /// of two with the best single affordable physician); needs --cost.
        #[arg(long, value_name = "B", requires = "cost")]
        budget: Option<f64>,
        /// Numeric node attribute holding each physician's cost (with --budget).
        #[arg(long, value_name = "ATTR", requires = "budget")]
        cost: Option<String>,
        /// The scenario's model entry to optimise for (its `name`); or --theories.
        #[arg(long, value_name = "NAME", required_unless_present = "theories")]
        model: Option<String>,
        /// Optimise over several theories: a list `imitation=0.5,cascade=0.3` of the
        /// scenario's models (weights normalised), or a fit's fitted.toml (its Akaike weights,
        /// from the models.csv beside it). Writes regret.csv too.
        #[arg(long, value_name = "SPEC", conflicts_with = "model")]
        theories: Option<String>,
        /// Horizon in steps (default: the scenario's `steps`).
        #[arg(long, value_name = "H")]
        horizon: Option<u32>,
        /// ε: stop once the certified ratio reaches 1 - 1/e - ε (RR sets only).
        #[arg(long, value_name = "E", default_value_t = 0.1)]
        epsilon: f64,
        /// What to maximise: expected adopters by the horizon, or adopter-steps (area under
        /// the adoption curve, rewarding speed). With --theories: mean (default: the weighted
        /// expected adopters) or worst (the smallest share of each theory's optimized set).
        #[arg(long, value_name = "OBJ", default_value = "adopters", value_parser = ["adopters", "adopter-steps", "mean", "worst"])]
        objective: String,
        /// Also write report.pdf, printed with headless Chromium (chromium on PATH).
        #[arg(long)]
        pdf: bool,
        /// auto: RR sets where the model allows, else CELF; rr: refuse otherwise; celf: always
        /// greedy on simulations.
        #[arg(long, value_name = "M", default_value = "auto", value_parser = ["auto", "rr", "celf"])]
        method: String,
        /// Only physicians with a value > 0 of this numeric node attribute may be seeds.
        #[arg(long, value_name = "ATTR")]
        candidates: Option<String>,
        /// Only the physicians listed in this file may be seeds: one id per line, or a CSV
        /// file with an `id` column.
        #[arg(long, value_name = "PATH")]
        candidates_file: Option<PathBuf>,
        /// Sentinel-set variant of the RR method for high-influence settings (HIST): auto
        /// (when the RR sets are large), on, off.
        #[arg(long, value_name = "S", default_value = "auto", value_parser = ["auto", "on", "off"])]
        sentinel: String,
        /// Largest CELF candidate pool (the top physicians by in-degree beyond it).
        #[arg(long, value_name = "N", default_value_t = 500)]
        pool: usize,
        /// The sets compared with the recommended one by forward simulation: all (the
        /// scenario's KOL list and arms, the top k by every KOL rule, random seeds), scenario
        /// (the KOL list, arms and random seeds: no other KOL rule is ranked), a list of KOL
        /// rules such as in_degree,pagerank (scenario's sets and those rules' only), or none
        /// (the recommended set alone, no arm's seeds chosen: the fastest).
        #[arg(long, value_name = "SETS", default_value = "all")]
        compare: String,
        /// Options shared by every job (output folder, threads, ...).
        #[command(flatten)]
        common: Common,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to standard output.
    #[command(
        after_help = "Example:\n  kolsim completions bash > ~/.local/share/bash-completion/completions/kolsim"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): kolsim's, or one subcommand's; or write them all with --out.
    #[command(
        after_help = "Examples:\n  kolsim man > kolsim.1 && man ./kolsim.1\n  kolsim man seed | man -l -\n  kolsim man --out man/    (writes kolsim.1 and kolsim-<command>.1 for every command)"
    )]
    Man {
        /// The subcommand whose page to print (default: kolsim's own page).
        #[arg(value_name = "COMMAND", conflicts_with = "out")]
        command: Option<String>,
        /// Write every page into this folder (kolsim.1, kolsim-run.1, ...) instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Fit every theory to an observed launch (exact likelihood, or by simulation where there
    /// is none) and rank them.
    #[command(
        after_help = crate::jobs::outputs::after_help("Examples:\n  kolsim fit scenarios/ckm-tetracycline.toml --observed scenarios/data/ckm/observed.csv\n  kolsim fit s.toml --observed launch.csv --id-column npi --time-column month --missing 98,99 --holdout 10\n\nThe observed file is per physician (columns id,adopted_at: the adoption period 1..T, empty = not\nadopted by T, a missing code = unknown) or aggregate (columns step,adopters: cumulative adopters,\nstep 0 = period 1); the layout is detected from the header.\nTime: period 1 is the initial condition (its adopters are the seeds); the likelihood covers\nperiods 2..T, T = last observed period; non-adopters are censored at T.\nModels without an exact likelihood on these data are fitted by simulation (method = simulated,\napproximate; --sim-replicates N).\nDefault DIR: results/<scenario name>-fit.\nControls: kolsim fit s.toml --covariates jours,med_sch_yr,patients --strata city_name gives every\nmodel the spontaneous rate logistic(alpha_t + delta_group + covariates·gamma).", "fit")
    )]
    Fit {
        /// The scenario file (TOML): its network (first realisation), KOLs and KOL weight.
        scenario: PathBuf,
        /// The observed launch (CSV). Default: the scenario's `[observed]` table.
        #[arg(long, value_name = "FILE")]
        observed: Option<PathBuf>,
        /// Id column of a per-physician file (default: `[observed]`'s, else `id`).
        #[arg(long, value_name = "NAME")]
        id_column: Option<String>,
        /// Adoption-period column of a per-physician file (default: `[observed]`'s, else
        /// `adopted_at`).
        #[arg(long, value_name = "NAME")]
        time_column: Option<String>,
        /// Values meaning "adoption unknown", comma-separated, e.g. 98,99 (default:
        /// `[observed]`'s, else NA).
        #[arg(long, value_name = "CODES", value_delimiter = ',')]
        missing: Option<Vec<String>>,
        /// Physicians with unknown adoption: drop them and their arcs (exclude), or treat them
        /// as never adopting (never).
        #[arg(long, value_name = "HOW", default_value = "exclude", value_parser = ["exclude", "never"])]
        unobserved: String,
        /// The last observed period T (default: the latest adoption period in the file).
        #[arg(long, value_name = "T")]
        periods: Option<u32>,
        /// Accepted for compatibility: period effects (one adoption rate per period, alone and
        /// under each model) are fitted by default.
        #[arg(long, hide = true, conflicts_with = "no_period_effects")]
        period_effects: bool,
        /// Skip the period-effect models (one adoption rate per period): rank only the models
        /// with a constant spontaneous rate.
        #[arg(long)]
        no_period_effects: bool,
        /// Permutations of the model-free exposure test (adoption times shuffled within
        /// network components, the scenario's seed); 0 skips the test.
        #[arg(long, value_name = "R", default_value_t = 999)]
        permutations: u32,
        /// Fit on periods 1..K only and score each model on periods K+1..T (holdout log
        /// score in models.csv); 2 ≤ K < T.
        #[arg(long, value_name = "K")]
        holdout: Option<u32>,
        /// A marketing series (CSV `step,effort`: effort per physician per step) as a covariate
        /// of the `detailing` likelihood (default: `[observed]`'s `marketing`).
        #[arg(long, value_name = "FILE")]
        marketing: Option<PathBuf>,
        /// Per-physician detailing visits (CSV `id,step,visits`) as a covariate of the
        /// `detailing` likelihood (default: `[observed]`'s `detailing`).
        #[arg(long, value_name = "FILE")]
        detailing: Option<PathBuf>,
        /// Group fixed effects of the spontaneous rate: a node-file column (town, practice);
        /// the first group (sorted) is the baseline (default: `[observed]`'s `strata`).
        #[arg(long, value_name = "COLUMN")]
        strata: Option<String>,
        /// Physician covariates of the spontaneous rate, node-file columns, comma-separated:
        /// numbers as numbers, text or `name:factor` as dummies (default: `[observed]`'s
        /// `covariates`).
        #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
        covariates: Option<Vec<String>>,
        /// Replicates per parameter value of the simulation-based fits (common random
        /// numbers: the same replicate streams at every value).
        #[arg(long, value_name = "N", default_value_t = crate::fit::DEFAULT_SIM_REPLICATES, value_parser = clap::value_parser!(u32).range(2..=100_000))]
        sim_replicates: u32,
        /// Launches of a parametric bootstrap of the verdict's likelihood-ratio test (simulated
        /// under the fitted model without the network term, both models refitted); 0: none.
        #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
        bootstrap: u32,
        /// Output folder (default: results/NAME-fit, NAME = the scenario's name).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Replace an existing output folder that kolsim wrote.
        #[arg(long)]
        force: bool,
        /// Also write report.pdf, printed with headless Chromium (chromium on PATH).
        #[arg(long)]
        pdf: bool,
        /// No table.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Combine the finished points (shards) of a sweep folder into sweep.csv, summary.csv,
    /// manifest.json, the plots and report.html.
    #[command(
        after_help = crate::jobs::outputs::after_help("Example:\n  kolsim merge results/quickstart-sweep\n\nWrites into the sweep folder the files of an unsharded sweep, byte for byte.", "merge")
    )]
    Merge {
        /// The sweep folder.
        dir: PathBuf,
        /// Also write report.pdf, printed with headless Chromium (chromium on PATH).
        #[arg(long)]
        pdf: bool,
    },
}
