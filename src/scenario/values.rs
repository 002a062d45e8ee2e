//! Typed access to a model's parameters by key, for the analyses that change a model (the
//! simulation-based fit, `fitted.toml`): the number a `[[model]]` table gives a parameter
//! ([`NamedModel::number`]), a scenario model with some numbers changed
//! ([`Scenario::model_with`]) and a model from values given in code
//! ([`NamedModel::from_values`]), each validated and built through the model registry as a
//! `[[model]]` table with those keys would be.

use super::{NamedModel, Scenario, ScenarioError, Source};
use crate::models::{ParamTable, ParamValue, Registry};
use toml::{Table, Value};

impl NamedModel {
    /// The number parameter `key` is given (`a`, or `a.b` for a key of an inline table, such
    /// as `theta.high`); `None` when it is left to its default or is not a number.
    ///
    /// ```
    /// use kolsim::models::bass::Bass;
    /// use kolsim::scenario::NamedModel;
    /// let m = NamedModel::new("bass", Bass { p: 0.01, q: 0.3 }, &[("p", "0.01"), ("q", "0.3")]);
    /// assert_eq!(m.number("q"), Some(0.3));
    /// assert_eq!(m.number("theta.high"), None);
    /// ```
    pub fn number(&self, key: &str) -> Option<f64> {
        match key.split_once('.') {
            Some((a, b)) => match self.param(a)? {
                ParamValue::Table(t) => t.iter().find(|(k, _)| k == b)?.1.as_number(),
                _ => None,
            },
            None => self.param(key)?.as_number(),
        }
    }

    /// The model of kind `kind` named `name` with the parameters `values` (the others at their
    /// defaults), validated and built through the built-in registry as a `[[model]]` table
    /// with these keys would be.
    ///
    /// ```
    /// use kolsim::scenario::{NamedModel, ParamValue::Num};
    /// let m = NamedModel::from_values("b", "bass", &[("p", Num(0.02)), ("q", Num(0.3))])?;
    /// assert_eq!((m.model.kind(), m.number("p")), ("bass", Some(0.02)));
    /// assert!(NamedModel::from_values("b", "bass", &[("p", Num(2.0))]).is_err());
    /// # Ok::<(), kolsim::scenario::ScenarioError>(())
    /// ```
    pub fn from_values(
        name: &str,
        kind: &str,
        values: &[(&str, ParamValue)],
    ) -> Result<NamedModel, ScenarioError> {
        in_code(&Registry::builtin(), name, kind, values)
    }
}

impl Scenario {
    /// [`NamedModel::from_values`] through the scenario's model kinds
    /// ([`Scenario::registry`]).
    pub fn model_from_values(
        &self,
        name: &str,
        kind: &str,
        values: &[(&str, ParamValue)],
    ) -> Result<NamedModel, ScenarioError> {
        in_code(self.registry(), name, kind, values)
    }

    /// The scenario's model `index` with the numbers `values` set (keys as for
    /// [`NamedModel::number`]; a key `a.b` is set only where `a` is a table), rebuilt through
    /// the scenario's model kinds ([`Scenario::registry`]); errors name `model[index]`.
    ///
    /// ```
    /// use kolsim::models::bass::Bass;
    /// use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};
    /// let bass = NamedModel::new("bass", Bass { p: 0.01, q: 0.3 }, &[("p", "0.01"), ("q", "0.3")]);
    /// let sc = Scenario::new("in-code", 24, 10, NetworkSpec::Complete { n: 100 }, vec![bass]);
    /// assert_eq!(sc.model_with(0, &[("q", 0.5)])?.number("q"), Some(0.5));
    /// assert!(sc.model_with(0, &[("q", 1.5)]).is_err()); // q is a probability
    /// # Ok::<(), kolsim::scenario::ScenarioError>(())
    /// ```
    pub fn model_with(
        &self,
        index: usize,
        values: &[(&str, f64)],
    ) -> Result<NamedModel, ScenarioError> {
        let key = format!("model[{index}]");
        let m = self
            .models
            .get(index)
            .ok_or_else(|| self.source.error(None, &key, "no such model"))?;
        let mut t = m.table();
        for &(key, v) in values {
            match key.split_once('.') {
                Some((a, b)) => {
                    if let Some(Value::Table(inner)) = t.get_mut(a) {
                        inner.insert(b.into(), v.into());
                    }
                }
                None => {
                    t.insert(key.into(), v.into());
                }
            }
        }
        let mut changed = build(
            self.registry(),
            &m.name,
            m.model.kind(),
            &t,
            &self.source,
            index,
        )?;
        changed.weight = m.weight;
        changed.spans = m.spans.clone();
        Ok(changed)
    }
}

/// The model of kind `kind` named `name` with the parameters `values`, built through `reg`
/// as a `[[model]]` table with these keys would be.
fn in_code(
    reg: &Registry,
    name: &str,
    kind: &str,
    values: &[(&str, ParamValue)],
) -> Result<NamedModel, ScenarioError> {
    let params: Table = values
        .iter()
        .map(|(k, v)| (k.to_string(), super::models::toml_value(v)))
        .collect();
    let src = Source {
        path: format!("<{name}, built in code>").into(),
        text: String::new(),
    };
    build(reg, name, kind, &params, &src, 0)
}

/// Builds model `index` of kind `kind` from its table `table` (keys other than `name` and
/// `kind` are its parameters) through `reg`. Errors are located in `src` at `model[index]`
/// without a line: the table is not the user's text.
fn build(
    reg: &Registry,
    name: &str,
    kind: &str,
    table: &Table,
    src: &Source,
    index: usize,
) -> Result<NamedModel, ScenarioError> {
    let entry = reg.get(kind).ok_or_else(|| {
        src.error(
            None,
            &format!("model[{index}].kind"),
            format!("unknown model kind \"{kind}\""),
        )
    })?;
    let owned: Vec<(&str, &Value)> = table
        .iter()
        .filter(|(k, _)| !["name", "kind", super::models::WEIGHT].contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    if let Some((k, _)) = owned.iter().find(|(k, _)| entry.info.param(k).is_none()) {
        return Err(src.error(
            None,
            &format!("model[{index}].{k}"),
            format!("`{k}` is not a parameter of model kind \"{kind}\""),
        ));
    }
    let entries = owned
        .iter()
        .map(|(k, v)| {
            let value = super::models::param_value(v);
            (*k, crate::models::Given { value, span: 0..0 })
        })
        .collect();
    let t = ParamTable::new(src, index, entry.info, 0..0, entries);
    let model = (entry.parse)(&t)?;
    let mut params: Vec<(String, ParamValue)> = owned
        .iter()
        .map(|(k, v)| (k.to_string(), super::models::param_value(v)))
        .collect();
    params.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(NamedModel {
        name: name.to_string(),
        model,
        params,
        weight: None,
        spans: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use crate::scenario::{Scenario, Source, parse};

    fn threshold(theta: &str) -> Scenario {
        let text = format!(
            "name = \"t\"\nsteps = 3\nreplicates = 1\n[network]\nkind = \"complete\"\nn = 5\n\
             [[model]]\nname = \"th\"\nkind = \"threshold\"\ntheta = {theta}\np = 0.01\nweight = 0.5\n"
        );
        parse(Source {
            path: "t.toml".into(),
            text,
        })
        .unwrap()
    }

    #[test]
    fn a_uniform_threshold_frees_its_upper_end_and_keeps_its_weight() {
        let sc = threshold("{ dist = \"uniform\", low = 0.2, high = 0.6 }");
        let m = &sc.models[0];
        let free: Vec<_> = m.model.free_params().iter().map(|p| p.key).collect();
        assert_eq!(free, ["theta.high", "p"]);
        assert!((m.model.free_params()[0].bounds.0 - 0.200001).abs() < 1e-12);
        assert!(m.model.needs_simulation(), "low > 0: no exact likelihood");
        assert_eq!(m.number("theta.high"), Some(0.6));
        let changed = sc
            .model_with(0, &[("theta.high", 0.7), ("p", 0.05)])
            .unwrap();
        assert_eq!(changed.number("theta.high"), Some(0.7));
        assert_eq!(changed.number("theta.low"), Some(0.2));
        assert_eq!(
            (changed.number("p"), changed.weight),
            (Some(0.05), Some(0.5))
        );
        // Out of the parameter's range: refused as in a scenario file.
        assert!(sc.model_with(0, &[("theta.high", 0.1)]).is_err());
    }

    #[test]
    fn fixed_and_exact_thresholds() {
        let fixed = threshold("0.3");
        let free: Vec<_> = fixed.models[0]
            .model
            .free_params()
            .iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(free, ["theta", "p"]);
        assert!(fixed.models[0].model.needs_simulation());
        let exact = threshold("{ dist = \"uniform\", low = 0, high = 0.5 }");
        assert!(!exact.models[0].model.needs_simulation());
        let beta = threshold("{ dist = \"beta\", a = 2, b = 3 }");
        let free: Vec<_> = beta.models[0]
            .model
            .free_params()
            .iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(free, ["p"]);
    }
}
