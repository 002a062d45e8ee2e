//! The clap command as users see it, and its manual pages.
//!
//! [`command`] is the [`Cli`] definition with the help of the options shared by `run`, `sweep`
//! and `seed` ([`super::Common`]) worded for each command (its own `--out` default, what
//! `--replicates` counts, what `--force` replaces): `--help`, the completions and the manual
//! pages all come from it. [`pages`] renders one roff page for `kolsim` and one per subcommand
//! (`kolsim-run.1`, …) with `clap_mangen`; `kolsim man` prints or writes them.

use super::Cli;
use crate::Error;
use clap::{CommandFactory, FromArgMatches};
use std::path::Path;

/// The help of the shared options, per command: (command, option, help).
const SHARED_HELP: &[(&str, &str, &str)] = &[
    (
        "run",
        "out",
        "Output folder (default: results/NAME, NAME being the scenario's name)",
    ),
    (
        "run",
        "replicates",
        "Replicates per model and arm, overriding the file's `replicates` (1 to 10,000,000)",
    ),
    (
        "run",
        "force",
        "Replace an existing output folder, but only one that kolsim wrote (or an empty one)",
    ),
    (
        "sweep",
        "out",
        "Sweep folder (default: results/NAME-sweep, NAME being the scenario's name)",
    ),
    (
        "sweep",
        "replicates",
        "Replicates per model, arm and point, overriding the file's `replicates`",
    ),
    (
        "sweep",
        "force",
        "Delete an existing sweep folder that kolsim wrote and start again (not with --shard, \
         where it would delete other shards' points)",
    ),
    (
        "seed",
        "out",
        "Output folder (default: results/NAME-seed-MODEL, NAME being the scenario's name and \
         MODEL the --model, or `theories` with --theories)",
    ),
    (
        "seed",
        "replicates",
        "Forward replicates of the comparison of the seed sets (and of CELF's selection), \
         overriding the file's `replicates`",
    ),
    (
        "seed",
        "force",
        "Replace an existing output folder, but only one that kolsim wrote (or an empty one)",
    ),
];

/// The full command-line definition, with each command's own help for the shared options.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    for &(sub, opt, help) in SHARED_HELP {
        cmd = cmd.mut_subcommand(sub, |c| c.mut_arg(opt, |a| a.help(help)));
    }
    cmd
}

/// Parses the process's arguments with [`command`]; prints help, version or a usage error
/// and exits (status 2 for an error) as clap does.
pub fn parse() -> Cli {
    let mut cmd = command();
    let matches = cmd.clone().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
}

/// Every manual page: (file name, roff text), `kolsim.1` first, then one per subcommand.
pub fn pages() -> Result<Vec<(String, String)>, Error> {
    let mut root = command().disable_help_subcommand(true);
    root.build();
    let source = format!("kolsim {}", env!("CARGO_PKG_VERSION"));
    let mut out = vec![render(clap_mangen::Man::new(root.clone()))?];
    // In declaration order (rewording a subcommand's options moves it last in `root`).
    for name in Cli::command().get_subcommands().map(|s| s.get_name()) {
        if let Some(sub) = root.find_subcommand(name).filter(|s| !s.is_hide_set()) {
            out.push(render(
                clap_mangen::Man::new(sub.clone()).source(source.clone()),
            )?);
        }
    }
    Ok(out)
}

/// One page: its file name and text.
fn render(man: clap_mangen::Man) -> Result<(String, String), Error> {
    let mut text = Vec::new();
    man.render(&mut text)
        .map_err(|e| Error::Other(format!("cannot render the manual page: {e}")))?;
    Ok((
        man.get_filename(),
        String::from_utf8_lossy(&text).into_owned(),
    ))
}

/// `kolsim man [COMMAND] [--out DIR]`: with `--out`, writes every page into DIR and returns
/// what it wrote; otherwise returns the page of COMMAND (or of `kolsim`) to print.
pub fn man(subcommand: Option<&str>, out: Option<&Path>) -> Result<String, Error> {
    let pages = pages()?;
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        for (name, text) in &pages {
            write_atomically(&dir.join(name), text)?;
        }
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        return Ok(format!(
            "wrote {} manual pages to {}: {}\n",
            pages.len(),
            dir.display(),
            names.join(", ")
        ));
    }
    let want = match subcommand {
        None => "kolsim.1".to_string(),
        Some(sub) => format!("kolsim-{sub}.1"),
    };
    match pages.into_iter().find(|(name, _)| *name == want) {
        Some((_, text)) => Ok(text),
        None => {
            let subs: Vec<String> = Cli::command()
                .get_subcommands()
                .map(|s| s.get_name().to_string())
                .collect();
            Err(Error::Usage(format!(
                "no command `{}`: the manual pages are kolsim and {}",
                subcommand.unwrap_or_default(),
                subs.join(", ")
            )))
        }
    }
}

/// Writes `text` to `path` through a temporary sibling renamed into place.
fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
}
