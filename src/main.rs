//! The `kolsim` command line. Exit status: 0 success; 2 bad usage or bad scenario/input
//! data; 1 any other failure.

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kolsim::{Error, manifest, models, output, run, scenario, sweep, table};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// `println!` that ignores a closed pipe (`kolsim ... | head`) instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

const EXAMPLES: &str = "Examples:
  kolsim run scenarios/quickstart.toml
  kolsim run scenarios/ckm-tetracycline.toml --replicates 1000 --out results/ckm-1000
  kolsim validate scenarios/quickstart.toml
  kolsim models

Exit status: 0 success; 2 bad usage or bad scenario/input data; 1 any other failure.";

#[derive(Parser)]
#[command(name = "kolsim", version, about = "Simulate how a new drug spreads through a physician network, and how much of it is due to Key Opinion Leaders", after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options shared by `run` and `sweep`.
#[derive(clap::Args)]
struct Common {
    /// Replicates per model, or per sweep point (overrides the file).
    #[arg(long, value_name = "N")]
    replicates: Option<u32>,
    /// Master random seed (overrides the file), 0 to 2^63 - 1.
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T", default_value_t = 0)]
    threads: usize,
    /// Output folder (default: results/<scenario name>, or results/<scenario name>-sweep).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace an existing output folder.
    #[arg(long)]
    force: bool,
    /// No progress bar and no table.
    #[arg(long, short)]
    quiet: bool,
}

impl Common {
    /// Loads the scenario with the command-line overrides applied.
    fn load(&self, path: &std::path::Path) -> Result<scenario::Scenario, Error> {
        let mut sc = scenario::load(path)?;
        if let Some(r) = self.replicates {
            if r == 0 {
                return Err(Error::Usage("--replicates must be at least 1".into()));
            }
            sc.replicates = r;
        }
        if let Some(s) = self.seed {
            sc.seed = s;
        }
        Ok(sc)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run every model of a scenario over many replicates and write the results folder.
    #[command(
        after_help = "Example:\n  kolsim run scenarios/quickstart.toml --replicates 500 --threads 2\n\nWrites results/<scenario name>/ (or --out): curves.csv, summary.csv, metrics.csv,\ncomparison.csv, manifest.json, scenario.toml, adoption.svg, new_adopters.svg,\nreport.html (and adoptions.csv with --record adoptions)."
    )]
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Also record every adoption (`adoptions`): adoptions.csv with channel and
        /// influencer, and the share of adoptions through KOL ties in metrics.csv.
        #[arg(long, value_name = "WHAT", value_parser = ["adoptions"])]
        record: Option<String>,
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
        after_help = "Examples:\n  kolsim sweep scenarios/quickstart.toml --set model.bass.q=0.1,0.2,0.4 --set kols.share=0.01:0.05:0.01\n  kolsim sweep scenarios/quickstart.toml --set model.bass.q=0.1:0.5:0.1 --shard 0/4 --out results/qs-sweep\n  kolsim merge results/qs-sweep\n\nKEY is a path into the scenario: model.<name>.<param>, arm.<name>.<param>, kols.share,\nnetwork.m, steps, ... VALUES is a list (0.1,0.2,0.4) or an inclusive range start:stop:step.\nWrites <DIR>/sweep.csv (one row per point × model × arm), summary.csv, manifest.json,\ngrid.json and points/."
    )]
    Sweep {
        /// The scenario file (TOML); an optional [sweep] table adds keys.
        scenario: PathBuf,
        /// KEY=VALUES to sweep (repeatable); the grid is the product of all keys.
        #[arg(long = "set", value_name = "KEY=VALUES")]
        set: Vec<String>,
        #[command(flatten)]
        common: Common,
        /// Run only the points missing from an existing output folder.
        #[arg(long)]
        resume: bool,
        /// Run only the points with index % N == I (e.g. a Slurm array task), then `kolsim merge`.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to standard output.
    #[command(
        after_help = "Example:\n  kolsim completions bash > ~/.local/share/bash-completion/completions/kolsim"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output.
    #[command(after_help = "Example:\n  kolsim man > kolsim.1 && man ./kolsim.1")]
    Man,
    /// Combine the finished points (shards) of a sweep folder into sweep.csv and friends.
    #[command(after_help = "Example:\n  kolsim merge results/quickstart-sweep")]
    Merge {
        /// The sweep folder.
        dir: PathBuf,
    },
}

fn main() {
    // A panic is a bug: say so plainly, exit 1, and never show a raw backtrace to a user
    // (set RUST_BACKTRACE=1 to get one).
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            default_hook(info);
        }
        eprintln!(
            "error (internal): kolsim hit a bug: {info}\nPlease report it with the scenario file; no results were written."
        );
        std::process::exit(1);
    }));
    let cli = Cli::parse();
    let code = match execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            let kind = if e.exit_code() == 2 {
                "invalid input"
            } else {
                "failed"
            };
            eprintln!("error ({kind}): {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}

/// A progress bar on stderr, hidden with `--quiet` or when stderr is not a terminal (indicatif
/// also honours NO_COLOR; the bar uses no colour anyway).
fn progress(quiet: bool, len: u64, template: &str, message: String) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

fn execute(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Sweep {
            scenario,
            set,
            common,
            resume,
            shard,
        } => {
            let sc = common.load(&scenario)?;
            let Common {
                threads,
                out,
                force,
                quiet,
                ..
            } = common;
            let shard = shard.as_deref().map(sweep::Shard::parse).transpose()?;
            if force && shard.is_some() {
                return Err(Error::Usage(
                    "--force with --shard would delete points other shards finished in the shared folder; remove the folder yourself before starting the shards".into(),
                ));
            }
            let mut axes = sweep::axes_from_table(&sc)?;
            for a in set {
                let a = sweep::parse_set(&a)?;
                axes.retain(|b| b.key != a.key);
                axes.push(a);
            }
            let grid = sweep::Grid {
                scenario: sc.name.clone(),
                scenario_text: sc.source.text.clone(),
                seed: sc.seed,
                replicates: sc.replicates,
                axes,
            };
            sweep::check(&sc, &grid)?;
            let dir =
                out.unwrap_or_else(|| PathBuf::from("results").join(format!("{}-sweep", sc.name)));
            if dir.exists() {
                if force {
                    std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
                } else if !resume && shard.is_none() {
                    return Err(Error::OutputExists(dir));
                }
            }
            sweep::prepare_dir(&dir, &grid)?;
            let todo: Vec<usize> = (0..grid.len())
                .filter(|&k| shard.is_none_or(|s| s.owns(k)) && !sweep::is_done(&dir, k))
                .collect();
            let bar = progress(
                quiet,
                todo.len() as u64,
                "{spinner} {msg} [{bar:30}] {pos}/{len} points (eta {eta})",
                format!("{}: sweeping", sc.name),
            );
            for &k in &todo {
                sweep::run_point(&sc, &grid, k, &dir, threads)?;
                bar.inc(1);
            }
            bar.finish_and_clear();
            match shard {
                Some(s) => {
                    if !quiet {
                        say!(
                            "shard {}/{}: {} point(s) run, {} of {} points finished in {}; when all shards are done: kolsim merge {}",
                            s.index,
                            s.count,
                            todo.len(),
                            (0..grid.len()).filter(|&k| sweep::is_done(&dir, k)).count(),
                            grid.len(),
                            dir.display(),
                            dir.display()
                        );
                    }
                    Ok(())
                }
                None => {
                    sweep::merge(&dir)?;
                    if !quiet {
                        say!(
                            "{}: {} points × {} replicates ({} run now). Results in {}/sweep.csv",
                            sc.name,
                            grid.len(),
                            grid.replicates,
                            todo.len(),
                            dir.display()
                        );
                    }
                    Ok(())
                }
            }
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "kolsim", &mut out);
            let _ = std::io::stdout().lock().write_all(&out);
            Ok(())
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(|e| Error::Other(format!("cannot render the manual page: {e}")))?;
            let _ = std::io::stdout().lock().write_all(&out);
            Ok(())
        }
        Command::Merge { dir } => {
            let files = sweep::merge(&dir)?;
            say!("merged {} into {}", dir.display(), files.join(", "));
            Ok(())
        }
        Command::Models => {
            print_models();
            Ok(())
        }
        Command::Validate { scenario } => {
            let sc = scenario::load(&scenario)?;
            let real = kolsim::realise::check(&sc)?;
            say!(
                "ok: {} — {} network, {} physicians, {} arcs ({} self-loops dropped, {} duplicate arcs merged), {} KOLs, {} model(s) ({}), {} arm(s) ({}), {} steps × {} replicates, seed {}",
                sc.name,
                sc.network.kind(),
                real.net.n(),
                real.net.arc_count(),
                real.net.report().self_loops_dropped,
                real.net.report().duplicates_merged,
                real.kols.len(),
                sc.models.len(),
                sc.models
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                sc.arms.len(),
                sc.arms
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                sc.steps,
                sc.replicates,
                sc.seed
            );
            Ok(())
        }
        Command::Run {
            scenario,
            common,
            record,
        } => {
            let sc = common.load(&scenario)?;
            let Common {
                threads,
                out,
                force,
                quiet,
                ..
            } = common;
            let dir = out.unwrap_or_else(|| PathBuf::from("results").join(&sc.name));
            if dir.exists() && !force {
                return Err(Error::OutputExists(dir));
            }
            run_scenario(
                &sc,
                &dir,
                run::RunOptions {
                    threads,
                    record: record.is_some(),
                },
                force,
                quiet,
            )
        }
    }
}

fn run_scenario(
    sc: &scenario::Scenario,
    dir: &std::path::Path,
    opts: run::RunOptions,
    force: bool,
    quiet: bool,
) -> Result<(), Error> {
    let ids: Vec<u64> = (0..sc.replicates as u64).collect();
    let bar = progress(
        quiet,
        run::work_items(sc, ids.len()),
        "{spinner} {msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})",
        format!("{}: simulating", sc.name),
    );
    let tick = || bar.inc(1);
    let res = run::run(sc, &ids, opts, &tick)?;
    bar.finish_and_clear();
    let sums = output::summaries(&res);
    let metrics = output::all_metrics(&res);
    let cmp = output::comparisons(&res, &metrics, &sc.baseline, &sc.reference_arm);
    let mut names = vec![
        "curves.csv",
        "summary.csv",
        "metrics.csv",
        "comparison.csv",
        "manifest.json",
        "scenario.toml",
    ];
    if opts.record {
        names.push("adoptions.csv");
    }
    names.extend(kolsim::report::FILES);
    let command: Vec<String> = std::env::args().collect();
    let man = manifest::build(sc, &res, command, names.clone());
    let man_json = serde_json::to_vec_pretty(&man).map_err(|e| Error::Other(e.to_string()))?;
    let deliverables = kolsim::report::files(sc, &res, &sums, &metrics, &cmp, &man_json);
    let mut files = vec![
        (names[0], output::curves_csv(&res, &ids)),
        (names[1], output::summary_csv(&res, &sums)),
        (names[2], output::metrics_csv(&res, &metrics, &ids)),
        (names[3], output::comparison_csv(&cmp)),
        (names[4], man_json),
        (names[5], sc.source.text.clone().into_bytes()),
    ];
    if opts.record {
        let real0 = match &res.ids {
            Some(net) => std::borrow::Cow::Borrowed(net),
            None => std::borrow::Cow::Owned(kolsim::realise::build_network(sc, 0)?),
        };
        files.push((names[6], output::adoptions_csv(&res, &ids, &real0)));
    }
    files.extend(deliverables);
    output::write_folder(dir, &files, force)?;
    if !quiet {
        let mut o = std::io::stdout().lock();
        let _ = writeln!(
            o,
            "{}: {} physicians ({} network, {} arcs, {} KOLs), {} steps, {} replicates per model, seed {}\n",
            sc.name,
            res.n,
            res.network.kind,
            res.network.arcs,
            res.kols,
            sc.steps,
            sc.replicates,
            sc.seed
        );
        let _ = write!(
            o,
            "{}",
            table::render(
                &res.models,
                &res.arms,
                &metrics,
                &output::final_users(&res),
                &cmp,
                sc.steps
            )
        );
        let _ = writeln!(
            o,
            "\nt10/t50/t90: steps to 10/50/90% adoption, median [5–95%] over replicates. Baseline: {}.\nResults in {} ({:.2} s simulating on {} thread(s)).",
            sc.baseline,
            dir.display(),
            res.timings.simulate_s,
            res.threads
        );
    }
    Ok(())
}

fn print_models() {
    let _ = write!(
        std::io::stdout().lock(),
        "{}",
        models::Registry::builtin().describe()
    );
}
