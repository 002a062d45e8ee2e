//! `fitted.toml`: the scenario with the fitted theories as simulation models, so that
//! `kolsim run fitted.toml` simulates them from the observed seeds. Pure: returns bytes.

use super::{FitReport, TIME_CONVENTION};
use crate::fit::models::Candidate;
use crate::scenario::Scenario;

fn absolutise(v: &mut toml::Value, base: &std::path::Path) {
    if let toml::Value::String(s) = v {
        let p = std::path::Path::new(s.as_str());
        if p.is_relative() {
            let joined = base.join(p);
            let abs = joined.canonicalize().unwrap_or(joined);
            *s = abs.to_string_lossy().into_owned();
        }
    }
}

/// `fitted.toml`: the scenario with the fitted models, the observed seeds as initial adopters
/// and `steps = T − 1`, so `kolsim run fitted.toml` simulates the fitted theories on the same
/// network. Data paths are made absolute.
pub fn fitted_toml(sc: &Scenario, r: &FitReport) -> Vec<u8> {
    let mut doc: toml::Table = toml::from_str(&sc.source.text).unwrap_or_default();
    let base = sc
        .source
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    if let Some(toml::Value::Table(net)) = doc.get_mut("network") {
        if let Some(p) = net.get_mut("path") {
            absolutise(p, &base);
        }
        if let Some(toml::Value::Table(nodes)) = net.get_mut("nodes")
            && let Some(p) = nodes.get_mut("path")
        {
            absolutise(p, &base);
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
            absolutise(p, &base);
        }
    }
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
    let mut models = Vec::new();
    for m in &r.models {
        let Some(c) = m.candidate else { continue };
        if m.period_effects || !m.loglik.is_finite() {
            continue;
        }
        let v = |name: &str| {
            m.params
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.value)
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
                t.insert("q".into(), v("q").into());
                t.insert("top_k".into(), toml::Value::Integer(r.facts.top_k as i64));
                "structural_equivalence"
            }
            // kol_contagion has no simulation model; detailing was fitted to the observed
            // visits, which no targeting policy of the scenario reproduces.
            Candidate::KolContagion | Candidate::KolRatio | Candidate::Detailing => continue,
        };
        t.insert("kind".into(), kind.into());
        models.push(toml::Value::Table(t));
    }
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
        "# Written by `kolsim fit` from {}.\n# The fitted theories as simulation models (kol_contagion has no simulation model, and detailing fitted to observed visits no targeting policy, so both are left out).\n# {}\n",
        sc.source.path.display(),
        TIME_CONVENTION
    );
    o.push_str(&toml::to_string(&doc).unwrap_or_default());
    o.into_bytes()
}
