//! Golden outputs: the bytes of `run`, `sweep`, `fit` and `seed` on shipped scenarios, hashed
//! file by file and compared with `tests/golden/hashes.txt`. Refactors must keep them green;
//! a change that is meant to change results re-blesses the list (run the test with
//! `KOLSIM_BLESS=1`) and says why in its commit message. `KOLSIM_GOLDEN_DUMP=DIR` writes what
//! was hashed under DIR, to diff two runs.
//!
//! Lines that carry the machine, the time or the command line (timings, thread counts, git
//! commit, paths of the temporary folder, the binary and the checkout) are blanked before hashing; everything else counts.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{kolsim, root, tree};

/// FNV-1a, 64 bits: stable across platforms and Rust versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Keys whose values depend on the machine, the clock or the invocation, not on the results.
const VOLATILE: &[&str] = &[
    "timings",
    "seconds",
    "_s\":",
    "_s&quot;:",
    "threads",
    "git_commit",
    "kolsim_version",
    "command",
    "scenario_file",
    "elapsed",
    "(commit ",
];

/// Whether a line of text states a duration in seconds ("0.03 s.", "(1.2 s)").
fn has_timing(line: &str) -> bool {
    let b = line.as_bytes();
    (1..b.len().saturating_sub(1)).any(|i| {
        b[i] == b' '
            && b[i + 1] == b's'
            && b[i - 1].is_ascii_digit()
            && b.get(i + 2)
                .is_none_or(|c| matches!(c, b'.' | b',' | b')' | b' ' | b';'))
    })
}

/// The bytes that count: volatile lines blanked, the temporary folder's path replaced.
fn normalise(name: &str, bytes: &[u8], tmp: &str) -> Vec<u8> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => return bytes.to_vec(),
    };
    // The binary's path (in the manifest's argv) and absolute data paths (in fitted.toml)
    // depend on where the checkout is.
    let text = text
        .replace(env!("CARGO_BIN_EXE_kolsim"), "<kolsim>")
        .replace(tmp, "<tmp>")
        .replace(&root().display().to_string(), "<root>");
    let volatile_file =
        name.ends_with(".json") || name.ends_with(".html") || name.ends_with(".txt");
    let mut out = String::with_capacity(text.len());
    let mut skipping_object = 0usize;
    for line in text.lines() {
        // fitted.toml writes data paths relative to itself: the way from the temporary folder
        // up to the checkout depends on where both are.
        if let (Some(start), Some(end)) = (line.find("path = \""), line.find("scenarios/"))
            && start < end
        {
            out.push_str(&line[..start + 8]);
            out.push_str("<rel>/");
            out.push_str(&line[end..]);
            out.push('\n');
            continue;
        }
        if skipping_object > 0 {
            skipping_object += line.matches('{').count();
            skipping_object -= line.matches('}').count().min(skipping_object);
            continue;
        }
        let timing_html = name.ends_with(".html")
            && (line.contains(" s simulating")
                || line.contains("thread(s)")
                || line.contains("Timings"));
        if volatile_file
            && (VOLATILE.iter().any(|k| line.contains(k)) || timing_html || has_timing(line))
        {
            let opens = line.matches('{').count();
            let closes = line.matches('}').count();
            if opens > closes {
                skipping_object = opens - closes;
            }
            out.push_str("<volatile>\n");
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

/// Runs one command into `out` and returns "job/file" → hash for every file it wrote.
fn hashes(job: &str, args: &[&str], out: &Path, tmp: &str) -> BTreeMap<String, u64> {
    let output = kolsim()
        .args(args)
        .arg("--out")
        .arg(out)
        .args(["--quiet"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{job}: kolsim {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    tree(out)
        .into_iter()
        .filter(|(name, _)| !name.ends_with(".kolsim"))
        .map(|(name, bytes)| {
            let normal = normalise(&name, &bytes, tmp);
            if let Some(dump) = std::env::var_os("KOLSIM_GOLDEN_DUMP") {
                // What was hashed, to diff two runs when a hash changes unexpectedly.
                let p = Path::new(&dump).join(job).join(&name);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, &normal).unwrap();
            }
            let h = fnv1a(&normal);
            (format!("{job}/{name}"), h)
        })
        .collect()
}

/// Every golden job: (name, arguments before `--out`).
fn jobs() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "run-quickstart",
            vec!["run", "scenarios/quickstart.toml", "--replicates", "40"],
        ),
        (
            "run-ckm",
            vec![
                "run",
                "scenarios/ckm-tetracycline.toml",
                "--replicates",
                "30",
            ],
        ),
        (
            "run-ckm-layers",
            vec!["run", "scenarios/ckm-layers.toml", "--replicates", "20"],
        ),
        (
            "sweep-quickstart",
            vec![
                "sweep",
                "scenarios/quickstart.toml",
                "--set",
                "model.bass.q=0.1,0.3",
                "--set",
                "kols.share=0.01:0.02:0.01",
                "--replicates",
                "10",
            ],
        ),
        ("fit-ckm", vec!["fit", "scenarios/ckm-tetracycline.toml"]),
        (
            // The controlled path (groups and covariates: `fit::hazard`, its joint Newton and
            // α grid checks), which the default fit above does not take.
            "fit-ckm-controls",
            vec![
                "fit",
                "scenarios/ckm-tetracycline.toml",
                "--covariates",
                "jours,med_sch_yr,patients",
                "--strata",
                "city_name",
            ],
        ),
        (
            "seed-ckm",
            vec![
                "seed",
                "scenarios/ckm-tetracycline.toml",
                "--k",
                "5",
                "--model",
                "imitation",
            ],
        ),
        (
            "seed-ckm-layers",
            vec![
                "seed",
                "scenarios/ckm-layers.toml",
                "--k",
                "8",
                "--model",
                "cascade",
            ],
        ),
    ]
}

#[test]
fn outputs_match_the_golden_hashes() {
    let d = tempfile::tempdir().unwrap();
    let tmp = d.path().display().to_string();
    let mut all = BTreeMap::new();
    for (job, args) in jobs() {
        all.extend(hashes(job, &args, &d.path().join(job), &tmp));
    }
    let text: String = all.iter().map(|(k, v)| format!("{k} {v:016x}\n")).collect();
    let path = root().join("tests/golden/hashes.txt");
    if std::env::var_os("KOLSIM_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .expect("tests/golden/hashes.txt (bless with KOLSIM_BLESS=1)");
    let want: BTreeMap<&str, &str> = want.lines().filter_map(|l| l.split_once(' ')).collect();
    let got: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once(' ')).collect();
    let mut diffs = Vec::new();
    for (k, v) in &want {
        match got.get(k) {
            None => diffs.push(format!("missing now: {k}")),
            Some(g) if g != v => diffs.push(format!("changed: {k}")),
            _ => {}
        }
    }
    for k in got.keys() {
        if !want.contains_key(k) {
            diffs.push(format!("new: {k}"));
        }
    }
    assert!(
        diffs.is_empty(),
        "outputs differ from tests/golden/hashes.txt:\n{}",
        diffs.join("\n")
    );
}
