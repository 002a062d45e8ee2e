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
