//! One home per fact (issue 20): a fittable model is its file and its registry entry. The fit
//! compares exactly the exact fits the model files declare, with their facts, and names no
//! model of its own.

use crate::common::root;
use kolsim::fit::{self, FitOptions};
use kolsim::models::{Registry, Role};
use std::path::Path;

/// Every exact fit the registry lists shows up in the fit of the shipped CKM launch, with the
/// parameters its model file declares, or is said not to be fitted.
#[test]
fn every_registered_fit_is_ranked_with_its_facts_from_its_model_file() {
    let sc = kolsim::scenario::load(&root().join("scenarios/ckm-tetracycline.toml")).unwrap();
    let observed = root().join("scenarios/data/ckm/observed.csv");
    let opts = FitOptions {
        permutations: 0,
        ..Default::default()
    };
    let prep = fit::prepare(&sc, &observed, &opts).unwrap();
    let report = fit::fit_models(&prep, &opts);
    let reg = Registry::builtin();
    let mut compared = 0;
    for kind in reg.kinds() {
        for f in kind.fits.iter().filter(|f| f.role != Role::Internal) {
            let not_fitted = report.not_fitted.iter().any(|(n, _)| n == f.name);
            let Some(m) = report.models.iter().find(|m| m.name == f.name) else {
                assert!(
                    not_fitted,
                    "{} ({}) neither fitted nor excused",
                    f.name, kind.info.kind
                );
                continue;
            };
            compared += 1;
            let c = m.candidate.expect("an exact fit has its candidate");
            assert_eq!((c.name(), c.kind()), (f.name, kind.info.kind));
            assert_eq!(c.params().len(), f.params.len());
            if !m.loglik.is_finite() {
                // The family cannot produce the launch: said why, no estimates.
                assert!(m.note.is_some() && m.params.is_empty(), "{}", f.name);
                continue;
            }
            let names: Vec<&str> = m.params.iter().map(|e| e.name.as_str()).collect();
            let declared: Vec<&str> = f.params.iter().map(|p| p.name).collect();
            assert_eq!(names, declared, "{}", f.name);
            for e in &m.params {
                let p = f.params.iter().find(|p| p.name == e.name).unwrap();
                assert!(
                    p.bounds.0 <= e.value && e.value <= p.bounds.1,
                    "{}.{}",
                    f.name,
                    e.name
                );
            }
            assert_eq!(m.kappa.is_some(), f.ratio.is_some(), "{}: κ̂", f.name);
        }
    }
    // Every model the fit compares on a per-physician launch is one of them.
    let exact = report.models.iter().filter(|m| m.candidate.is_some());
    assert!(exact.count() >= compared);
    assert_eq!(
        compared,
        fit::models::Candidates::builtin().all().len(),
        "CKM fits every compared model"
    );
}

/// The string literals of a source file before its tests, comments left out.
fn literals(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let parts: Vec<&str> = line.split('"').collect();
        out.extend(parts.iter().skip(1).step_by(2).map(|s| s.to_string()));
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// No second list of models in the fit: no file of `src/fit/` names a registered model kind
/// or exact fit (not even the null, found by its role), or a model's own parameter (the fit
/// reads `top_k` and `decay` from the typed model, `Model::design_input`); the fitted
/// parameters' names (`p`, `q`, …) are the fit's outputs and may appear.
#[test]
fn the_fit_names_no_model_of_its_own() {
    let reg = Registry::builtin();
    let mut names: Vec<&str> = reg.names();
    names.extend(reg.kinds().flat_map(|k| k.fits.iter().map(|f| f.name)));
    let fitted: Vec<&str> = reg
        .kinds()
        .flat_map(|k| k.fits.iter().flat_map(|f| f.params.iter().map(|p| p.name)))
        .collect();
    names.extend(
        reg.kinds()
            .flat_map(|k| k.info.params.iter().map(|p| p.name))
            .filter(|n| !fitted.contains(n)),
    );
    assert!(names.contains(&"top_k") && names.contains(&"decay"));
    let mut files = Vec::new();
    rust_files(&root().join("src/fit"), &mut files);
    assert!(files.len() > 10);
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for lit in literals(&text) {
            if names.contains(&lit.as_str()) {
                found.push(format!("{}: \"{lit}\"", f.display()));
            }
        }
    }
    assert!(found.is_empty(), "model names in src/fit: {found:?}");
}
