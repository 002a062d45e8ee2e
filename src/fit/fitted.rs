//! `fitted.toml`: the scenario with the fitted theories as simulation models, so that
//! `kolsim run fitted.toml` simulates them from the observed seeds. Pure: returns bytes.

use super::data::NEVER;
use super::{FitReport, ModelFit, Prepared, TIME_CONVENTION};
use crate::fit::models::Candidate;
use crate::scenario::Scenario;

use std::path::{Component, Path, PathBuf};

/// `p` made absolute (against the working directory) with `.` and `..` resolved lexically.
fn absolute(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// The path of `target` relative to the folder `from` (both made absolute first).
pub fn relative_to(target: &Path, from: &Path) -> PathBuf {
    let (t, f) = (absolute(target), absolute(from));
    let (tc, fc): (Vec<_>, Vec<_>) = (t.components().collect(), f.components().collect());
    let common = tc.iter().zip(&fc).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..fc.len() {
        out.push("..");
    }
    for c in &tc[common..] {
        out.push(c);
    }
    out
}

/// Rewrites a data path of the scenario (relative to `base`, the scenario's folder) relative
/// to `dir`, the folder `fitted.toml` is written to, so the fit folder can be moved together
/// with the data or shared within the project.
fn relink(v: &mut toml::Value, base: &Path, dir: &Path) {
    if let toml::Value::String(s) = v {
        let p = Path::new(s.as_str());
        let target = if p.is_relative() {
            base.join(p)
        } else {
            p.to_path_buf()
        };
        *s = relative_to(&target, dir)
            .to_string_lossy()
            .replace('\\', "/");
    }
}

/// Rewrites every data path of the scenario document relative to `dir`.
fn relink_all(doc: &mut toml::Table, base: &Path, dir: &Path) {
    if let Some(toml::Value::Table(net)) = doc.get_mut("network") {
        if let Some(p) = net.get_mut("path") {
            relink(p, base, dir);
        }
        if let Some(toml::Value::Table(nodes)) = net.get_mut("nodes")
            && let Some(p) = nodes.get_mut("path")
        {
            relink(p, base, dir);
        }
    }
    for (table, key) in [
        ("kols", "path"),
        ("observed", "path"),
        ("observed", "marketing"),
        ("observed", "detailing"),
    ] {
        if let Some(toml::Value::Table(k)) = doc.get_mut(table)
            && let Some(p) = k.get_mut(key)
        {
            relink(p, base, dir);
        }
    }
}

/// The spontaneous probability of a model fitted with controls (`p_i = logistic(α + z_iᵀβ)`,
/// constant α), averaged over the at-risk person-periods of the physicians fitted: the one
/// rate a simulation model can carry. It reproduces the fitted expected number of spontaneous
/// adoptions over those person-periods. `None` for a model without controls (or one per
/// period), or when `prep` has none.
pub fn mean_spontaneous(m: &ModelFit, prep: &Prepared) -> Option<f64> {
    let ctl = prep.controls.as_ref()?;
    if m.period_effects || m.coefficients.is_empty() {
        return None;
    }
    let coef = |name: &str| {
        m.coefficients
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value)
    };
    let alpha = coef("alpha")?;
    let beta: Vec<f64> = ctl.names.iter().map(|n| coef(n).unwrap_or(0.0)).collect();
    let p_of: Vec<f64> = ctl
        .rows
        .iter()
        .map(|row| {
            let eta = alpha + row.iter().zip(&beta).map(|(x, b)| x * b).sum::<f64>();
            1.0 / (1.0 + (-eta).exp())
        })
        .collect();
    let periods = prep.facts.periods;
    let (mut sum, mut n) = (0.0, 0.0);
    for (&t, &z) in prep.tau.iter().zip(&prep.z) {
        let at_risk = if t == NEVER { periods - 1 } else { t - 1 };
        sum += f64::from(at_risk) * p_of.get(z as usize).copied().unwrap_or(0.0);
        n += f64::from(at_risk);
    }
    (n > 0.0).then(|| sum / n)
}

/// `fitted.toml`: the scenario with the fitted models, the observed seeds as initial adopters
/// and `steps = T − 1`, so `kolsim run fitted.toml` simulates the fitted theories on the same
/// network. Data paths are written relative to `dir`, the folder that holds `fitted.toml`.
/// A model fitted with controls of the spontaneous rate gets `p` = [`mean_spontaneous`]
/// (from `prep`, the fit's inputs; without them its `p` is 0), said in a comment.
/// Left out: kol_contagion (no simulation model), detailing fitted to observed visits,
/// structural equivalence with a spontaneous rate and threshold with `high > 1` (the
/// simulation models have neither), and the models with one rate per period.
pub fn fitted_toml(sc: &Scenario, r: &FitReport, dir: &Path, prep: Option<&Prepared>) -> Vec<u8> {
    let mut doc = sc.written_table();
    let base = sc
        .source
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    relink_all(&mut doc, &base, dir);
    for key in ["arm", "initial_adopters", "sweep", "reference_arm"] {
        doc.remove(key);
    }
    doc.insert("name".into(), format!("{}-fitted", sc.name).into());
    doc.insert(
        "description".into(),
        format!(
            "{}: the theories fitted by `kolsim fit`, seeded with the {} observed period-1 adopters{}, over the {} observed periods",
            sc.name,
            r.facts.seeds,
            if r.facts.aggregate {
                " (random physicians: the aggregate data do not say who)"
            } else {
                ""
            },
            r.facts.periods
        )
        .into(),
    );
    doc.insert(
        "steps".into(),
        toml::Value::Integer(r.facts.periods as i64 - 1),
    );
    let mut init = toml::Table::new();
    if r.facts.aggregate && r.facts.seeds > 0 {
        // Who adopted first is unknown: as many random physicians, as the simulated fits did.
        init.insert("strategy".into(), "random".into());
        init.insert("count".into(), toml::Value::Integer(r.facts.seeds as i64));
    } else if r.seeds.is_empty() {
        init.insert("strategy".into(), "none".into());
    } else {
        init.insert("strategy".into(), "explicit".into());
        init.insert(
            "ids".into(),
            toml::Value::Array(
                r.seeds
                    .iter()
                    .map(|s| toml::Value::String(s.clone()))
                    .collect(),
            ),
        );
    }
    doc.insert("initial_adopters".into(), toml::Value::Table(init));
    let mut averaged = false;
    let mut models: Vec<toml::Value> = r
        .models
        .iter()
        .filter_map(|m| {
            let p = prep.and_then(|prep| mean_spontaneous(m, prep));
            let t = model_table(m, r.facts.top_k, p)?;
            averaged |= p.is_some();
            Some(t)
        })
        .collect();
    for m in &r.models {
        if let Some(t) = &m.sim_table {
            let mut t = t.clone();
            t.insert("name".into(), m.name.clone().into());
            models.push(toml::Value::Table(t));
        }
    }
    doc.insert("model".into(), toml::Value::Array(models));
    doc.insert("baseline".into(), "innovation".into());
    let mut o = format!(
        "# Written by `kolsim fit` from {}.\n# The fitted theories as simulation models (left out: kol_contagion, which has no simulation model; detailing fitted to observed visits, which no targeting policy reproduces; structural_equivalence with a spontaneous rate p > 0 and threshold with high > 1, which the simulation models cannot express). Paths are relative to this file.\n# {}\n",
        sc.source.path.display(),
        TIME_CONVENTION
    );
    if averaged {
        o.push_str(&format!(
            "# Controls: the models were fitted with a spontaneous rate per physician, logistic(alpha + groups + covariates): {}. A simulation model has one rate for everyone, so each model's p here is its fitted spontaneous probability averaged over the {} at-risk person-periods of the physicians fitted (it reproduces the fitted number of spontaneous adoptions; the differences between physicians are averaged out).\n",
            r.facts.controls.as_deref().unwrap_or("controls"),
            r.facts.person_periods
        ));
    }
    o.push_str(&toml::to_string(&doc).unwrap_or_default());
    o.into_bytes()
}

/// The simulation model of one exact fit (with a constant spontaneous rate and a simulation
/// counterpart), as a `[[model]]` table; `p`: the averaged spontaneous rate of a model fitted
/// with controls.
fn model_table(m: &ModelFit, top_k: usize, p: Option<f64>) -> Option<toml::Value> {
    let c = m.candidate?;
    if m.period_effects || !m.loglik.is_finite() {
        return None;
    }
    let v = |name: &str| {
        m.params
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value)
            .or(p.filter(|_| name == "p"))
            .unwrap_or(0.0)
    };
    let mut t = toml::Table::new();
    t.insert("name".into(), m.name.clone().into());
    let kind = match c {
        Candidate::Innovation => {
            t.insert("p".into(), v("p").into());
            t.insert("q".into(), 0.0.into());
            "bass"
        }
        Candidate::Imitation | Candidate::ImitationCount => {
            t.insert("q".into(), v("q").into());
            let e = if c == Candidate::Imitation {
                "share"
            } else {
                "count"
            };
            t.insert("exposure".into(), e.into());
            "imitation"
        }
        Candidate::Bass => {
            t.insert("p".into(), v("p").into());
            t.insert("q".into(), v("q").into());
            "bass"
        }
        Candidate::Cascade => {
            t.insert("beta".into(), v("beta").into());
            t.insert("p".into(), v("p").into());
            "independent_cascade"
        }
        Candidate::Threshold if v("high") > 1.0 => return None,
        Candidate::Structural if v("p") > 0.0 => return None,
        Candidate::Threshold => {
            let mut th = toml::Table::new();
            th.insert("dist".into(), "uniform".into());
            th.insert("low".into(), 0.0.into());
            th.insert("high".into(), v("high").into());
            t.insert("theta".into(), toml::Value::Table(th));
            t.insert("p".into(), v("p").into());
            "threshold"
        }
        Candidate::Structural => {
            // p̂ = 0: the simulation model (no spontaneous channel) is the fitted one.
            t.insert("q".into(), v("q").into());
            t.insert("top_k".into(), toml::Value::Integer(top_k as i64));
            "structural_equivalence"
        }
        // kol_contagion has no simulation model; detailing was fitted to the observed
        // visits, which no targeting policy of the scenario reproduces.
        Candidate::KolContagion | Candidate::KolRatio | Candidate::Detailing => return None,
    };
    t.insert("kind".into(), kind.into());
    Some(toml::Value::Table(t))
}
