//! The command line: carries out a parsed [`Cli`] by calling the library's jobs
//! ([`crate::jobs`]) and printing what they return. Progress bars and terminal text live here;
//! `main.rs` only installs the process-wide handlers, parses, and exits with the status.

mod args;
mod man;

pub use args::{Cli, Command, Common};
pub use man::{command, pages, parse};

use crate::jobs::{self, Progress};
use crate::{Error, models, run, seed};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};

/// Writes to stdout, failing (exit status 1) when stdout cannot be written, but ending quietly
/// on a closed pipe (`kolsim ... | head`).
fn say(text: &str) -> Result<(), Error> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r
            .and_then(|()| std::io::stdout().lock().flush())
            .or_else(|e| {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .map_err(|e| Error::io("standard output", e)),
    }
}

/// A progress bar on stderr, hidden with `--quiet` or when stderr is not a terminal (indicatif
/// also honours NO_COLOR; the bar uses no colour anyway).
struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new(quiet: bool, template: &str, message: String) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar {
                bar: ProgressBar::hidden(),
            };
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ")
                // A whole-number rate and an ETA from the average rate so far: indicatif's own
                // `{per_sec}` prints four decimals and its `{eta}` follows the recent rate,
                // which a slow first step (building the network) throws far off.
                .with_key(
                    "rate",
                    |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let secs = s.elapsed().as_secs_f64();
                        let _ = if secs > 0.0 {
                            write!(w, "{:.0}/s", s.pos() as f64 / secs)
                        } else {
                            write!(w, "-/s")
                        };
                    },
                )
                .with_key(
                    "left",
                    |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}", time_left(s.pos(), s.len(), s.elapsed()));
                    },
                ),
        );
        bar.set_message(message);
        Bar { bar }
    }
}

impl Progress for Bar {
    fn start(&self, len: u64) {
        self.bar.set_length(len);
    }
    fn tick(&self) {
        self.bar.inc(1);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Time left at the average rate so far: `about 12 s left`, `about 3 min left`; `-` until
/// a tenth of a second of work is done or the length is unknown.
fn time_left(pos: u64, len: Option<u64>, elapsed: std::time::Duration) -> String {
    let secs = elapsed.as_secs_f64();
    match len {
        Some(len) if pos > 0 && secs >= 0.1 => {
            let left = secs / pos as f64 * len.saturating_sub(pos) as f64;
            if left < 90.0 {
                format!("about {left:.0} s left")
            } else if left < 5400.0 {
                format!("about {:.0} min left", left / 60.0)
            } else {
                format!("about {:.1} h left", left / 3600.0)
            }
        }
        _ => "-".into(),
    }
}

/// Carries out one command.
pub fn execute(cli: Cli) -> Result<(), Error> {
    match cli.command {
        c @ Command::Run { .. } => run(c),
        c @ Command::Seed { .. } => seed(c),
        Command::Validate { scenario } => say(&format!("{}\n", jobs::validate(&scenario)?)),
        Command::Models => say(&models_text()),
        c @ Command::Sweep { .. } => sweep(c),
        c @ Command::Fit { .. } => fit(c),
        Command::Merge { dir, pdf } => {
            let files = jobs::merge_pdf(&dir, pdf)?;
            say(&format!(
                "merged {} into {}\n",
                dir.display(),
                files.join(", ")
            ))
        }
        Command::Completions { shell } => {
            let mut cmd = command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "kolsim", &mut out);
            say(&String::from_utf8_lossy(&out))
        }
        Command::Man { command, out } => say(&man::man(command.as_deref(), out.as_deref())?),
    }
}

/// `kolsim run`.
fn run(command: Command) -> Result<(), Error> {
    let Command::Run {
        scenario,
        common,
        record,
        curves,
        pdf,
    } = command
    else {
        return Err(Error::Other("not a run command".into()));
    };
    let sc = common.load(&scenario)?;
    let dir = common
        .out
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("results").join(&sc.name));
    let bar = Bar::new(
        common.quiet,
        "{spinner} {msg} [{bar:30}] {pos}/{len} ({rate}, {left})",
        format!("{}: simulating", sc.name),
    );
    let req = jobs::RunRequest {
        dir,
        force: common.force,
        opts: run::RunOptions {
            threads: common.threads,
            record: record.is_some(),
        },
        command: std::env::args().collect(),
        max_memory: common.max_memory,
        curves: curves.as_deref().and_then(jobs::Curves::from_name),
        pdf,
    };
    let outcome = jobs::run_folder(&sc, req, &bar)?;
    drop(bar);
    for w in &outcome.result.warnings {
        let _ = writeln!(std::io::stderr(), "warning: {w}");
    }
    if !common.quiet {
        say(&outcome.terminal_text(&sc))?;
    }
    Ok(())
}

/// `kolsim seed`.
fn seed(command: Command) -> Result<(), Error> {
    let Command::Seed {
        scenario,
        k,
        model,
        theories,
        pdf,
        horizon,
        epsilon,
        objective,
        method,
        budget,
        cost,
        candidates,
        candidates_file,
        sentinel,
        pool,
        compare,
        common,
    } = command
    else {
        return Err(Error::Other("not a seed command".into()));
    };
    let sc = common.load(&scenario)?;
    let what = model.clone().unwrap_or_else(|| "theories".into());
    let dir = common.out.clone().unwrap_or_else(|| {
        std::path::PathBuf::from("results").join(format!("{}-seed-{what}", sc.name))
    });
    let request = jobs::SeedRequest {
        model,
        theories,
        robust: if objective == "worst" {
            jobs::Robust::Worst
        } else {
            jobs::Robust::Mean
        },
        k,
        budget,
        cost,
        horizon,
        epsilon,
        objective: seed::Objective::parse(&objective).unwrap_or(seed::Objective::Adopters),
        method: match method.as_str() {
            "rr" => jobs::Method::Rr,
            "celf" => jobs::Method::Celf,
            _ => jobs::Method::Auto,
        },
        candidates,
        candidates_file,
        sentinel: seed::Sentinel::parse(&sentinel).unwrap_or_default(),
        pool: pool.max(1),
        compare: jobs::Compare::from_arg(&compare).map_err(Error::Usage)?,
        replicates: sc.replicates,
        threads: common.threads,
    };
    let job = jobs::SeedJob {
        request,
        max_memory: common.max_memory,
        pdf,
        dir,
        force: common.force,
    };
    let o = jobs::seed_folder(&sc, job)?;
    if !common.quiet {
        say(&o.text)?;
    }
    Ok(())
}

/// `kolsim sweep`.
fn sweep(command: Command) -> Result<(), Error> {
    let Command::Sweep {
        scenario,
        set,
        common,
        resume,
        shard,
        pdf,
    } = command
    else {
        return Err(Error::Other("not a sweep command".into()));
    };
    let sc = common.load(&scenario)?;
    let bar = Bar::new(
        common.quiet,
        "{spinner} {msg} [{bar:30}] {pos}/{len} points ({left})",
        format!("{}: sweeping", sc.name),
    );
    let req = jobs::SweepRequest {
        set,
        dir: common.out.clone(),
        force: common.force,
        resume,
        shard,
        threads: common.threads,
        max_memory: common.max_memory,
        pdf,
    };
    let o = jobs::sweep(&sc, req, &bar)?;
    drop(bar);
    if common.quiet {
        return Ok(());
    }
    let d = o.dir.display();
    say(&match o.shard {
        Some(s) => format!(
            "shard {}/{}: {} point(s) run, {} of {} points finished in {d}; when all shards are done: kolsim merge {d}\n",
            s.index,
            s.count,
            o.ran,
            o.finished,
            o.grid.len(),
        ),
        None => format!(
            "{}: {} points × {} replicates ({} run now). Results in {d}/sweep.csv\n",
            sc.name,
            o.grid.len(),
            o.grid.replicates,
            o.ran,
        ),
    })
}

/// `kolsim fit`.
fn fit(command: Command) -> Result<(), Error> {
    let Command::Fit {
        scenario,
        observed,
        id_column,
        time_column,
        missing,
        unobserved,
        periods,
        period_effects: _,
        no_period_effects,
        permutations,
        holdout,
        marketing,
        detailing,
        strata,
        covariates,
        sim_replicates,
        bootstrap,
        out,
        force,
        pdf,
        quiet,
    } = command
    else {
        return Err(Error::Other("not a fit command".into()));
    };
    let sc = crate::scenario::load(&scenario)?;
    let dir =
        out.unwrap_or_else(|| std::path::PathBuf::from("results").join(format!("{}-fit", sc.name)));
    let spec = sc.observed.clone();
    let observed = match (observed, &spec) {
        (Some(p), _) => p,
        (None, Some(s)) => s.path.clone(),
        (None, None) => {
            return Err(Error::Usage(format!(
                "{}: no observed launch: give --observed FILE or an [observed] table in the scenario",
                scenario.display()
            )));
        }
    };
    let opts = crate::fit::FitOptions {
        read: crate::fit::observed::ReadOptions {
            id_column: id_column
                .or_else(|| spec.as_ref().map(|s| s.id_column.clone()))
                .unwrap_or_else(|| "id".into()),
            time_column: time_column
                .or_else(|| spec.as_ref().map(|s| s.time_column.clone()))
                .unwrap_or_else(|| "adopted_at".into()),
            missing: missing
                .or_else(|| spec.as_ref().map(|s| s.missing.clone()))
                .unwrap_or_else(|| vec!["NA".into()]),
            periods,
        },
        unobserved: if unobserved == "never" {
            crate::fit::Unobserved::Never
        } else {
            crate::fit::Unobserved::Exclude
        },
        period_effects: !no_period_effects,
        permutations,
        holdout,
        covariates: crate::fit::covariates::CovariateFiles {
            marketing: marketing.or_else(|| spec.as_ref().and_then(|s| s.marketing.clone())),
            detailing: detailing.or_else(|| spec.as_ref().and_then(|s| s.detailing.clone())),
        },
        sim_replicates,
        bootstrap,
        controls: crate::fit::controls::ControlSpec {
            strata: strata.or_else(|| spec.as_ref().and_then(|s| s.strata.clone())),
            covariates: covariates
                .or_else(|| spec.as_ref().map(|s| s.covariates.clone()))
                .unwrap_or_default(),
        },
    };
    let req = jobs::FitRequest {
        observed: observed.clone(),
        opts,
        dir,
        force,
        command: std::env::args().collect(),
        pdf,
    };
    let outcome = jobs::fit_folder(&sc, req)?;
    if !quiet {
        say(&outcome.terminal_text(&sc, &observed))?;
    }
    Ok(())
}

/// What `kolsim models` prints: every model with its parameters.
fn models_text() -> String {
    models::Registry::builtin().describe()
}

#[cfg(test)]
mod tests {
    use super::time_left;
    use std::time::Duration;

    #[test]
    fn time_left_uses_the_average_rate() {
        assert_eq!(time_left(0, Some(10), Duration::from_secs(1)), "-");
        assert_eq!(
            time_left(5, Some(10), Duration::from_secs(7)),
            "about 7 s left"
        );
        assert_eq!(
            time_left(1, Some(10), Duration::from_secs(60)),
            "about 9 min left"
        );
        assert_eq!(
            time_left(10, Some(10), Duration::from_secs(3)),
            "about 0 s left"
        );
    }
}
