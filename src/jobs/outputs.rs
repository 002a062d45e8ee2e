//! Every output file of `kolsim run`, `fit`, `seed` and `sweep`, described once: its name, when
//! it is written, its writer and what it holds. Each subcommand's `--help` "Writes" lines and
//! `docs/output-files.md` ([`markdown`]; `tests/it/outputs.rs` keeps the page in sync) come from
//! here. A run folder's list is `jobs/run_files.rs`'s `FILES` itself (the folder, the manifest
//! and this page read it); a fit, seed or sweep folder's names and order are [`FIT`]'s,
//! [`SEED`]'s and [`SWEEP`]'s: `jobs/fit_job.rs`, `jobs/seed_job/files.rs` and
//! `jobs/sweep_folder.rs` write one entry per listed file, in the list's order (an array as
//! long as the list), and `tests/it/outputs.rs` checks the folders against the lists.

pub use super::run_files::OutputFile;

const fn out(
    name: &'static str,
    when: &'static str,
    writer: &'static str,
    about: &'static str,
) -> OutputFile {
    OutputFile {
        name,
        when,
        writer,
        about,
    }
}

/// The files of a fit folder, in order, `manifest.json` last: `jobs/fit_job.rs` names and
/// orders the folder's files from this list.
pub const FIT: [OutputFile; 10] = [
    out(
        "fit.csv",
        "",
        "fit::output::fit_csv",
        "every fitted model's parameters with 95% intervals",
    ),
    out(
        "models.csv",
        "",
        "fit::output::models_csv",
        "the models ranked by AIC, with likelihood-ratio tests",
    ),
    out(
        "fitted.toml",
        "",
        "fit::fitted::fitted_toml",
        "the scenario with the fitted theories as its models",
    ),
    out(
        "fit.svg",
        "a fitted theory can be simulated",
        "fit::report::fit_svg",
        "the fitted theories simulated on the physicians the likelihood used, against the observed launch",
    ),
    out(
        "curves.csv",
        "a fitted theory can be simulated",
        "fit::report::curves_csv",
        "the figure's numbers: per model and period, mean adopters, share of the fitted physicians, 5-95% band, observed share",
    ),
    out(
        "report.html",
        "",
        "fit::report::report_html",
        "the fit report, one page",
    ),
    out(
        "report.pdf",
        "--pdf",
        "jobs::run_job::print_pdf",
        "the report printed by headless Chromium",
    ),
    out(
        "permutation.csv",
        "the permutation test ran",
        "fit::permutation::csv",
        "the exposure permutation test's statistics",
    ),
    out(
        "verdict.txt",
        "",
        "fit::verdict::verdict",
        "the verdict in words (also printed)",
    ),
    out(
        "manifest.json",
        "",
        "jobs::fit_job::manifest_json",
        "version, options, inputs and files",
    ),
];

/// The files of a seed folder, in order: `jobs/seed_job/files.rs` names and orders the
/// folder's files from this list.
pub const SEED: [OutputFile; 9] = [
    out(
        "seeds.csv",
        "",
        "jobs::seed_job::files::seeds_csv",
        "the recommended seeds in selection order, with their gains",
    ),
    out(
        "comparison.csv",
        "",
        "jobs::seed_job::files::comparison_csv",
        "every compared set's forward-simulated value, paired with the recommended set",
    ),
    out(
        "regret.csv",
        "--theories",
        "jobs::seed_job::files::regret_csv",
        "each set's value and regret under each theory",
    ),
    out(
        "certificate.json",
        "",
        "jobs::seed_job::files::certificate",
        "the selection method, its guarantee and the request",
    ),
    out(
        "summary.txt",
        "",
        "jobs::seed_job::text::terminal",
        "the text printed on the terminal",
    ),
    out(
        "scenario.toml",
        "",
        "Scenario::toml_text",
        "the scenario as run",
    ),
    out(
        "seed.svg",
        "",
        "jobs::seed_job::page::report",
        "the compared sets' values",
    ),
    out(
        "report.html",
        "",
        "report::seed_report_html",
        "the seed report, one page",
    ),
    out(
        "report.pdf",
        "--pdf",
        "jobs::run_job::print_pdf",
        "the report printed by headless Chromium",
    ),
];

/// The files of a sweep folder (written by `kolsim sweep`, or by `kolsim merge` after shards),
/// in order: `jobs/sweep_folder.rs` names, orders and lists in the manifest the merged files
/// from this list.
pub const SWEEP: [OutputFile; 8] = [
    out(
        "sweep.csv",
        "",
        "sweep::row::sweep_csv",
        "one row per point × model × arm: the values swept and the results",
    ),
    out(
        "summary.csv",
        "",
        "jobs::sweep_folder::merge",
        "each point's run summary, the point index first",
    ),
    out(
        "manifest.json",
        "",
        "jobs::sweep_folder::merge",
        "version, grid, seed and files",
    ),
    out(
        crate::folder::SWEEP_GRID,
        "",
        "jobs::sweep_folder",
        "the grid: axes, seed and replicates (to resume and merge)",
    ),
    out(
        "points/",
        "",
        "jobs::sweep_job",
        "one folder per point, with a checksummed complete.json",
    ),
    out(
        "plot_<metric>.svg",
        "",
        "plot",
        "each metric over the swept values, one figure per metric",
    ),
    out(
        "report.html",
        "",
        "report::sweep_report_html",
        "the sweep report, executive summary first",
    ),
    out(
        "report.pdf",
        "--pdf",
        "jobs::run_job::print_pdf",
        "the report printed by headless Chromium",
    ),
];

/// The files `command` (`run`, `fit`, `seed`, `sweep`) may write, in order.
pub fn files(command: &str) -> Vec<OutputFile> {
    match command {
        "run" => super::run_files::outputs(),
        "fit" => FIT.to_vec(),
        "seed" => SEED.to_vec(),
        "sweep" | "merge" => SWEEP.to_vec(),
        _ => Vec::new(),
    }
}

/// The "Writes" lines of `command`'s `--help`: `text` (examples, notes), then one line per file.
pub fn after_help(text: &str, command: &str) -> String {
    let list = files(command);
    let width = list.iter().map(|f| f.name.len()).max().unwrap_or(0);
    let mut s = format!("{text}\n\nWrites:\n");
    for f in &list {
        let when = if f.when.is_empty() {
            String::new()
        } else {
            format!(" [{}]", f.when)
        };
        s.push_str(&format!("  {:width$}  {}{when}\n", f.name, f.about));
    }
    s.trim_end().to_string()
}

/// `docs/output-files.md`: a table per command.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Output files\n\nGenerated from `src/jobs/outputs.rs` and `src/jobs/run_files.rs` (the `--help` \"Writes\" lines come\nfrom the same lists); `cargo test --release --test it outputs::` checks this page.\n",
    );
    for (command, title) in [
        ("run", "`kolsim run` (results/<scenario name>/)"),
        (
            "sweep",
            "`kolsim sweep` and `kolsim merge` (results/<scenario name>-sweep/)",
        ),
        ("fit", "`kolsim fit` (results/<scenario name>-fit/)"),
        (
            "seed",
            "`kolsim seed` (results/<scenario name>-seed-<model or theories>/)",
        ),
    ] {
        s.push_str(&format!(
            "\n## {title}\n\n| File | Written | Contents | Writer |\n|---|---|---|---|\n"
        ));
        for f in files(command) {
            let when = if f.when.is_empty() { "always" } else { f.when };
            s.push_str(&format!(
                "| `{}` | {} | {} | `{}` |\n",
                f.name,
                when.replace('|', "\\|"),
                f.about,
                f.writer
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_lists_its_files_once() {
        for c in ["run", "fit", "seed", "sweep"] {
            let names: Vec<&str> = files(c).iter().map(|f| f.name).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{c}: {names:?}");
            assert!(after_help("x", c).contains(names[0]));
        }
    }
}
