//! The README and the user guide (`docs/*.md`) cannot go stale:
//!
//! - every ```` ```console ```` block is run: each `$ kolsim …` line runs the built binary in a
//!   scratch folder holding the repository's `scenarios/` (one folder per page, the blocks in
//!   order, so a later command can read what an earlier one wrote), and what it prints (stdout,
//!   then stderr) must match the lines below it: `[..]` in a line matches any text, a line `...`
//!   any number of lines, and a first line `? N` expects exit status N (default 0);
//! - every relative link leads to an existing file, and its `#anchor` to a heading there;
//! - `kolsim man` gives every subcommand a page with its options, and each command's `--help`
//!   words the options it shares with others for that command.

use crate::common::root;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pages checked: the README and every chapter of the guide.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// One documented command: its arguments, the exit status and the lines it must print.
#[derive(Debug)]
struct Case {
    /// The 1-based line of the `$` line in its page.
    line: usize,
    /// The command line after `$ kolsim`.
    args: Vec<String>,
    /// The expected exit status.
    status: i32,
    /// The expected output lines (with `[..]` and `...` wildcards).
    expected: Vec<String>,
}

/// The commands of every ```` ```console ```` block of `text`, in order.
fn cases(text: &str) -> Vec<Case> {
    let mut out: Vec<Case> = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(lang) = fence {
            if trimmed.starts_with("```") {
                fence = None;
            } else if lang == "console" {
                if let Some(cmd) = line.strip_prefix("$ ") {
                    let mut words = cmd.split_whitespace().map(str::to_string);
                    assert_eq!(
                        words.next().as_deref(),
                        Some("kolsim"),
                        "line {}: a console block runs `kolsim` only",
                        i + 1
                    );
                    out.push(Case {
                        line: i + 1,
                        args: words.collect(),
                        status: 0,
                        expected: Vec::new(),
                    });
                } else {
                    let case = out.last_mut().unwrap_or_else(|| {
                        panic!("line {}: a console block starts with `$ kolsim`", i + 1)
                    });
                    match line.strip_prefix("? ") {
                        Some(s) if case.expected.is_empty() => {
                            case.status = s.trim().parse().expect("`? N`: an exit status");
                        }
                        _ => case.expected.push(line.to_string()),
                    }
                }
            }
        } else if let Some(lang) = trimmed.strip_prefix("```") {
            fence = Some(if lang.trim() == "console" {
                "console"
            } else {
                "other"
            });
        }
    }
    out
}

/// Whether `line` matches the pattern `pat`, where `[..]` matches any text.
fn line_matches(pat: &str, line: &str) -> bool {
    let mut parts = pat.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (k, part) in parts.iter().enumerate() {
        if k + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Whether the output lines `got` match the expected lines `want` (`...` = any lines).
fn lines_match(want: &[String], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((w, rest)) if w.trim() == "..." => {
            (0..=got.len()).any(|skip| lines_match(rest, &got[skip..]))
        }
        Some((w, rest)) => {
            !got.is_empty()
                && line_matches(w.trim_end(), got[0].trim_end())
                && lines_match(rest, &got[1..])
        }
    }
}

/// A scratch folder for one page: `scenarios` links to the repository's.
fn scratch(page: &Path) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!(
            "kolsim-docs-{}-",
            page.file_stem().unwrap().to_string_lossy()
        ))
        .tempdir()
        .unwrap();
    std::os::unix::fs::symlink(root().join("scenarios"), dir.path().join("scenarios")).unwrap();
    dir
}

#[test]
fn documented_commands_print_what_the_docs_show() {
    let bin = env!("CARGO_BIN_EXE_kolsim");
    let mut failures = Vec::new();
    let mut ran = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let cases = cases(&text);
        if cases.is_empty() {
            continue;
        }
        let dir = scratch(&page);
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        for case in cases {
            let out = Command::new(bin)
                .args(&case.args)
                .current_dir(dir.path())
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            ran += 1;
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let got: Vec<&str> = printed.lines().collect();
            let status = out.status.code().unwrap_or(-1);
            if status != case.status || !lines_match(&case.expected, &got) {
                failures.push(format!(
                    "{name}:{}: `kolsim {}` exited {status} (documented: {}) and printed:\n{printed}",
                    case.line,
                    case.args.join(" "),
                    case.status
                ));
            }
        }
    }
    assert!(ran >= 5, "only {ran} documented commands found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of every heading of a markdown text (outside code fences).
fn anchors(text: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// The targets of the markdown links `](target)` of a text, outside code fences and spans.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut in_fence = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        // Drop inline code spans: text between backticks.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let tail = &rest[at + 2..];
            let end = tail.find(')').unwrap_or(tail.len());
            out.push((i + 1, tail[..end].to_string()));
            rest = &tail[end..];
        }
    }
    out
}

#[test]
fn relative_links_lead_to_files_and_headings() {
    let mut bad = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (line, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, frag) = target.split_once('#').unwrap_or((target.as_str(), ""));
            let file = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(path)
            };
            let name = page.strip_prefix(root()).unwrap().display().to_string();
            if !file.exists() {
                bad.push(format!("{name}:{line}: `{target}`: no such file"));
            } else if !frag.is_empty() {
                let target_text = std::fs::read_to_string(&file).unwrap_or_default();
                if !anchors(&target_text).iter().any(|a| a == frag) {
                    bad.push(format!("{name}:{line}: `{target}`: no such heading"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "broken links:\n{}", bad.join("\n"));
}

#[test]
fn wildcards_match_as_documented() {
    assert!(line_matches(
        "Results in [..] ([..] s)",
        "Results in a/b (0.4 s)"
    ));
    assert!(!line_matches("Results in [..] s", "Results in a/b (0.4 s)"));
    assert!(line_matches("exact", "exact"));
    assert!(!line_matches("exact", "exactly"));
    let want: Vec<String> = ["a", "...", "z"].iter().map(|s| s.to_string()).collect();
    assert!(lines_match(&want, &["a", "b", "c", "z"]));
    assert!(lines_match(&want, &["a", "z"]));
    assert!(!lines_match(&want, &["a", "b"]));
}

#[test]
fn every_subcommand_has_a_manual_page_with_its_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::common::kolsim()
        .args(["man", "--out"])
        .arg(dir.path().join("man"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("kolsim-seed.1"));
    let cmd = kolsim::cli::command();
    let root = std::fs::read_to_string(dir.path().join("man/kolsim.1")).unwrap();
    for sub in cmd.get_subcommands() {
        let name = format!("kolsim-{}.1", sub.get_name());
        // The page exists, the root page points at it, and `kolsim man <command>` prints it.
        let page = std::fs::read_to_string(dir.path().join("man").join(&name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            root.contains(&format!("kolsim\\-{}(1)", sub.get_name())),
            "kolsim.1 lacks {name}"
        );
        assert!(
            page.contains(&format!(".TH kolsim-{}", sub.get_name())),
            "{name}: {page}"
        );
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                let roff = format!("\\-\\-{}", long.replace('-', "\\-"));
                assert!(page.contains(&roff), "{name} lacks --{long}");
            }
        }
        let printed = crate::common::kolsim()
            .args(["man", sub.get_name()])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert_eq!(
            String::from_utf8_lossy(&printed),
            page,
            "kolsim man {}",
            sub.get_name()
        );
    }
    assert_eq!(
        kolsim::cli::pages().unwrap().len(),
        cmd.get_subcommands().count() + 1
    );
    crate::common::kolsim()
        .args(["man", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no command `nope`"))
        .stderr(predicate::str::contains("run, validate, models"));
}

#[test]
fn shared_options_are_worded_for_each_command() {
    let help = |sub: &str| crate::common::stdout_of(&crate::common::root(), &[sub, "--help"]);
    let run = help("run");
    assert!(run.contains("results/NAME,"), "{run}");
    assert!(!run.contains("sweep"), "run --help mentions sweep:\n{run}");
    let seed = help("seed");
    assert!(seed.contains("results/NAME-seed-MODEL"), "{seed}");
    assert!(
        !seed.contains("NAME-sweep") && !seed.contains("per model and point"),
        "{seed}"
    );
    let sweep = help("sweep");
    assert!(
        sweep.contains("results/NAME-sweep") && sweep.contains("report.html"),
        "{sweep}"
    );
    assert!(sweep.contains("plot_"), "{sweep}");
    let merge = help("merge");
    assert!(
        merge.contains("report.html") && merge.contains("plot"),
        "{merge}"
    );
    let fit = help("fit");
    assert!(fit.contains("results/NAME-fit"), "{fit}");
}

/// The README's quick start is two commands, and CI (`.ci/run`) runs both: the test command
/// exactly, the run command with only options added after it.
#[test]
fn quick_start_commands_are_what_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let start = readme
        .find("## Quick start")
        .expect("a Quick start section");
    let block = &readme[start..];
    let block = &block[block.find("```sh\n").expect("a sh block") + 6..];
    let commands: Vec<&str> = block[..block.find("```").unwrap()].lines().collect();
    assert_eq!(
        commands,
        [
            "cargo run --release -- run scenarios/quickstart.toml",
            "cargo test --release"
        ]
    );
    assert!(
        ci.lines().any(|l| l.trim() == commands[1]),
        "CI lacks `{}`",
        commands[1]
    );
    assert!(
        ci.lines()
            .any(|l| l.trim().starts_with(&format!("{} ", commands[0]))),
        "CI lacks `{}`",
        commands[0]
    );
}
