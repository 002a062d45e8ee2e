//! One list of output files (`src/jobs/outputs.rs`, `src/jobs/run_files.rs`): the docs page is
//! generated from it, and the folders hold what it lists, in its order.

use kolsim::jobs::outputs::{self, OutputFile};
use kolsim::models::bass::Bass;
use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};

/// Whether `written` are files of `list`, in the list's order.
fn in_order(written: &[&str], list: &[OutputFile]) -> bool {
    let mut at = 0;
    written.iter().all(|w| {
        let found = list[at..].iter().position(|f| f.name == *w);
        found.map(|k| at += k + 1).is_some()
    })
}

#[test]
fn the_output_files_page_is_generated_from_the_list() {
    let want = outputs::markdown();
    let path = crate::common::root().join("docs/output-files.md");
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date; replace it with:\n\n{want}",
        path.display()
    );
}

#[test]
fn a_seed_folder_holds_the_listed_files_in_order() {
    let sc = Scenario::new(
        "outputs",
        8,
        8,
        NetworkSpec::BarabasiAlbert { n: 200, m: 2 },
        vec![NamedModel::new(
            "bass",
            Bass { p: 0.01, q: 0.3 },
            &[("p", "0.01"), ("q", "0.3")],
        )],
    );
    let job = kolsim::jobs::SeedJob {
        request: kolsim::api::SeedRequest::new(Some("bass"), 3, 8),
        max_memory: None,
        pdf: false,
        dir: "unused".into(),
        force: false,
    };
    let (done, files) = kolsim::jobs::seed_files(&sc, &job).unwrap();
    assert_eq!(done.outcome.seeds.len(), 3);
    let names: Vec<&str> = files.iter().map(|f| f.0).collect();
    assert!(in_order(&names, &outputs::SEED), "{names:?}");
    let always: Vec<&str> = outputs::SEED
        .iter()
        .filter(|f| f.when.is_empty())
        .map(|f| f.name)
        .collect();
    assert!(always.iter().all(|a| names.contains(a)), "{names:?}");
}

#[test]
fn help_lists_what_each_command_writes() {
    for (sub, file) in [
        ("run", "curves.csv"),
        ("sweep", "grid.json"),
        ("fit", "verdict.txt"),
        ("seed", "certificate.json"),
        ("merge", "sweep.csv"),
    ] {
        crate::common::kolsim()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicates::str::contains("Writes:"))
            .stdout(predicates::str::contains(file));
    }
}

/// The names of a folder's entries (a folder's with a trailing `/`), but the hidden ones
/// (kolsim's ownership marker `.kolsim`).
fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            !e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                format!("{name}/")
            } else {
                name
            }
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_sweep_folder_holds_the_listed_files_and_its_manifest_lists_them_in_order() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("sw");
    crate::common::kolsim()
        .args([
            "sweep",
            "scenarios/quickstart.toml",
            "--set",
            "model.bass.q=0.1,0.3",
        ])
        .args(["--replicates", "4", "--threads", "1", "--out"])
        .arg(&out)
        .assert()
        .success();
    // Every entry of the folder is a listed file (the plots by their pattern), and every
    // file the list writes without `--pdf` is there.
    let is = |f: &OutputFile, e: &str| match f.name.split_once("<metric>") {
        Some((pre, post)) => e.starts_with(pre) && e.ends_with(post),
        None => f.name == e,
    };
    let have = entries(&out);
    for e in &have {
        assert!(outputs::SWEEP.iter().any(|f| is(f, e)), "{e} is not listed");
    }
    for f in outputs::SWEEP.iter().filter(|f| f.when.is_empty()) {
        assert!(
            have.iter().any(|e| is(f, e)),
            "{} missing: {have:?}",
            f.name
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let want: Vec<&str> = outputs::SWEEP
        .iter()
        .filter(|f| f.when.is_empty())
        .map(|f| f.name)
        .collect();
    assert_eq!(manifest["files"], serde_json::json!(want));
}

#[test]
fn a_seed_folder_with_several_theories_holds_the_regret_table_in_its_place() {
    let sc = kolsim::scenario::load(&crate::common::root().join("scenarios/ckm-tetracycline.toml"))
        .unwrap();
    let mut request = kolsim::api::SeedRequest::new(None, 3, 8);
    request.theories = Some("imitation=0.5,cascade=0.5".into());
    request.compare = kolsim::api::Compare::None;
    let job = kolsim::jobs::SeedJob {
        request,
        max_memory: None,
        pdf: false,
        dir: "unused".into(),
        force: false,
    };
    let (_, files) = kolsim::jobs::seed_files(&sc, &job).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.0).collect();
    let want: Vec<&str> = outputs::SEED
        .iter()
        .filter(|f| f.when.is_empty() || f.when == "--theories")
        .map(|f| f.name)
        .collect();
    assert_eq!(names, want);
}
