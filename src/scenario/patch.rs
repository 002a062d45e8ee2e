//! Changing typed values by their dotted keys ([`Scenario::with`]), as sweeps do: the value
//! is set in the scenario's table ([`Scenario::to_table`]) and the result validated as a
//! scenario file is, so a bad value gets the same error as in a file.

use super::{Scenario, ScenarioError, Source};
use crate::models::Registry;
use toml::{Table, Value};

impl Scenario {
    /// The scenario with `key` (a dotted path: `replicates`, `network.n`, `kols.weight`,
    /// `model.<name>.<parameter>`, `arm.<name>.count`, `initial_adopters.count`, …) set to
    /// `value`, validated as a scenario file is. A number keeps the type the key takes: a whole
    /// number given for an integer key stays an integer, and an integer given for a
    /// fractional key becomes a float.
    ///
    /// ```
    /// use kolsim::models::bass::Bass;
    /// use kolsim::scenario::{NamedModel, NetworkSpec, Scenario};
    /// let bass = NamedModel::new("bass", Bass { p: 0.01, q: 0.3 }, &[("p", "0.01"), ("q", "0.3")]);
    /// let sc = Scenario::new("in-code", 24, 10, NetworkSpec::Complete { n: 100 }, vec![bass]);
    /// let wider = sc.with("network.n", 500)?.with("model.bass.q", 0.5)?;
    /// assert_eq!(wider.network.known_n(), Some(500));
    /// assert_eq!(wider.models[0].param("q"), Some(&kolsim::models::ParamValue::Num(0.5)));
    /// assert!(sc.with("model.bass.q", 1.5).is_err()); // q is a probability
    /// assert!(sc.with("model.nope.q", 0.5).is_err()); // no model named nope
    /// # Ok::<(), kolsim::scenario::ScenarioError>(())
    /// ```
    pub fn with(&self, key: &str, value: impl Into<Value>) -> Result<Scenario, ScenarioError> {
        self.with_values(&[(key, value.into())])
    }

    /// [`Scenario::with`] for several keys at once. Models are rebuilt through the
    /// scenario's own model kinds ([`Scenario::registry`]).
    pub fn with_values(&self, values: &[(&str, Value)]) -> Result<Scenario, ScenarioError> {
        let text = self.patched_text(values)?;
        self.reparse(text, self.registry())
    }

    /// The scenario's TOML with `values` set (keys as for [`Scenario::with`]), not yet
    /// validated; `Err` names a key that points nowhere or a value of the wrong type. For
    /// faces that validate the text under a name of their own (the Python package).
    pub fn patched_text(&self, values: &[(&str, Value)]) -> Result<String, ScenarioError> {
        let mut doc = self.to_table();
        for (key, v) in values {
            set(&mut doc, key, v.clone()).map_err(|why| self.source.error(None, key, why))?;
        }
        toml::to_string(&doc).map_err(|e| self.source.error(None, "", e.to_string()))
    }

    /// Validates `text`, a scenario written from this one, in this scenario's folder. Errors
    /// name the key but no line: the text is not the user's file.
    pub(crate) fn reparse(&self, text: String, reg: &Registry) -> Result<Scenario, ScenarioError> {
        let src = Source {
            path: self.source.path.clone(),
            text,
        };
        super::parse_with(src, reg).map_err(|e| ScenarioError {
            position: None,
            snippet: None,
            ..e
        })
    }
}

/// Finds the table a key path points into and the final key. `model.<name>` and
/// `arm.<name>` pick the `[[model]]` or `[[arm]]` table by name.
fn locate<'a>(doc: &'a mut Table, path: &str) -> Result<(&'a mut Table, String), String> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, head) = parts.split_last().ok_or("empty key")?;
    let mut table = doc;
    let mut k = 0;
    while k < head.len() {
        let part = head[k];
        if (part == "model" || part == "arm") && k + 1 < head.len() {
            let name = head[k + 1];
            let list = match table.get_mut(part) {
                Some(Value::Array(a)) => a,
                _ => return Err(format!("the scenario has no [[{part}]] tables")),
            };
            let name_of = |t: &Value| {
                t.get("name")
                    .or_else(|| t.get("kind"))
                    .and_then(|v| v.as_str())
                    .map(String::from)
            };
            let names: Vec<String> = list.iter().filter_map(name_of).collect();
            let pos = list
                .iter()
                .position(|t| name_of(t).as_deref() == Some(name))
                .ok_or_else(|| {
                    format!("no {part} named \"{name}\" (names: {})", names.join(", "))
                })?;
            table = list[pos]
                .as_table_mut()
                .ok_or_else(|| format!("[[{part}]] entry is not a table"))?;
            k += 2;
        } else {
            table = match table.get_mut(part) {
                Some(Value::Table(t)) => t,
                _ => return Err(format!("no table `{part}` in the scenario")),
            };
            k += 1;
        }
    }
    Ok((table, last.to_string()))
}

/// Sets `path = value` in a scenario table. A number keeps the type the key has: a whole
/// float for an integer (or absent) key becomes an integer, an integer for a float key a
/// float.
fn set(doc: &mut Table, path: &str, value: Value) -> Result<(), String> {
    let (table, key) = locate(doc, path)?;
    let number = |v: &Value| matches!(v, Value::Integer(_) | Value::Float(_));
    let v = match (value, table.get(&key)) {
        (Value::Float(x), Some(Value::Integer(_)) | None)
            if x.fract() == 0.0 && x.abs() < 9.0e15 =>
        {
            Value::Integer(x as i64)
        }
        (Value::Float(x), Some(Value::Integer(_))) => {
            return Err(format!("{x} is not a whole number, but `{key}` takes one"));
        }
        (Value::Integer(i), Some(Value::Float(_))) => Value::Float(i as f64),
        (v, Some(old)) if number(&v) && !number(old) => {
            return Err(format!("`{key}` is {}, not a number", old.type_str()));
        }
        (v, _) => v,
    };
    table.insert(key, v);
    Ok(())
}
