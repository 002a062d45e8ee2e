//! Scenarios from Python: loaded from a file, built from a dict (the TOML keys), patched by
//! dotted keys, or given a network held in memory. Dicts and patches become scenario text
//! (TOML) read by the same loader as files, so every check and message is the CLI's.

use kolsim::scenario::{self, Scenario, Source};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::path::PathBuf;

/// Appended to the file name of a scenario changed from Python (its text is no longer the
/// file's).
const CHANGED: &str = " (changed in Python)";

/// A validated scenario (see `kolsim.Scenario`).
#[pyclass(module = "kolsim._native", frozen)]
#[derive(Clone)]
pub struct NativeScenario {
    pub(crate) sc: Scenario,
}

fn parse(text: String, path: PathBuf) -> PyResult<NativeScenario> {
    scenario::parse(Source { path, text })
        .map(|sc| NativeScenario { sc })
        .map_err(|e| crate::to_py(e.into()))
}

/// A Python value as a TOML value: bool, int, float, str, list/tuple, dict (str keys).
fn to_toml(v: &Bound<'_, PyAny>, key: &str) -> PyResult<toml::Value> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        return v.extract::<i64>().map(toml::Value::Integer).map_err(|_| {
            PyValueError::new_err(format!("`{key}`: integer out of the 64-bit range"))
        });
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, x) in d.iter() {
            let k: String = k.extract().map_err(|_| {
                PyTypeError::new_err(format!("`{key}`: table keys must be strings"))
            })?;
            let sub = if key.is_empty() {
                k.clone()
            } else {
                format!("{key}.{k}")
            };
            if x.is_none() {
                continue;
            }
            t.insert(k, to_toml(&x, &sub)?);
        }
        return Ok(toml::Value::Table(t));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut a = Vec::new();
        for (i, x) in v.try_iter()?.enumerate() {
            a.push(to_toml(&x?, &format!("{key}[{i}]"))?);
        }
        return Ok(toml::Value::Array(a));
    }
    // numpy scalars and other numbers
    if v.hasattr("__index__")? {
        return Ok(toml::Value::Integer(
            v.call_method0("__index__")?.extract()?,
        ));
    }
    if v.hasattr("__float__")? {
        return Ok(toml::Value::Float(v.call_method0("__float__")?.extract()?));
    }
    Err(PyTypeError::new_err(format!(
        "`{key}`: {} is not a scenario value (use bool, int, float, str, list or dict)",
        v.get_type().name()?
    )))
}

/// A TOML value as a Python value.
fn toml_to_py<'py>(py: Python<'py>, v: &toml::Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        toml::Value::String(s) => s.into_pyobject(py)?.into_any(),
        toml::Value::Integer(i) => i.into_pyobject(py)?.into_any(),
        toml::Value::Float(f) => f.into_pyobject(py)?.into_any(),
        toml::Value::Boolean(b) => b.into_pyobject(py)?.to_owned().into_any(),
        toml::Value::Datetime(d) => d.to_string().into_pyobject(py)?.into_any(),
        toml::Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(toml_to_py(py, x)?)?;
            }
            l.into_any()
        }
        toml::Value::Table(t) => {
            let d = PyDict::new(py);
            for (k, x) in t {
                d.set_item(k, toml_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

impl NativeScenario {
    /// The scenario's text as a TOML table.
    fn doc(&self) -> PyResult<toml::Table> {
        toml::from_str(&self.sc.source.text)
            .map_err(|e| PyValueError::new_err(format!("cannot re-read the scenario: {e}")))
    }

    /// A scenario from `doc`, named after this scenario's file with a mark that it was
    /// changed (messages locate problems in the new text), in the same folder (relative data
    /// paths keep resolving).
    fn derived(&self, text: String) -> PyResult<NativeScenario> {
        let path = &self.sc.source.path;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let path = if name.ends_with(CHANGED) {
            path.clone()
        } else {
            path.with_file_name(format!("{name}{CHANGED}"))
        };
        parse(text, path)
    }
}

#[pymethods]
impl NativeScenario {
    /// Loads and validates a scenario file.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        scenario::load(&path)
            .map(|sc| NativeScenario { sc })
            .map_err(|e| crate::to_py(e.into()))
    }

    /// Validates scenario text; `path` names it in messages and resolves relative paths.
    #[staticmethod]
    fn parse(text: String, path: PathBuf) -> PyResult<Self> {
        parse(text, path)
    }

    /// A scenario from a dict with the TOML keys (`None` values are left out).
    #[staticmethod]
    fn from_dict(d: &Bound<'_, PyAny>, path: PathBuf) -> PyResult<Self> {
        match to_toml(d, "")? {
            toml::Value::Table(t) => {
                let text = toml::to_string(&t).map_err(|e| {
                    PyValueError::new_err(format!("cannot write the scenario: {e}"))
                })?;
                parse(text, path)
            }
            _ => Err(PyTypeError::new_err("a scenario dict is needed")),
        }
    }

    /// This scenario with `(key, value)` pairs set (see `kolsim.Scenario.with_`).
    fn with_values(&self, items: Vec<(String, Bound<'_, PyAny>)>) -> PyResult<Self> {
        let values = items
            .iter()
            .map(|(k, v)| Ok((k.as_str(), to_toml(v, k)?)))
            .collect::<PyResult<Vec<_>>>()?;
        let text = self
            .sc
            .patched_text(&values)
            .map_err(|e| crate::to_py(e.into()))?;
        self.derived(text)
    }

    /// This scenario on the network registered in memory under `name`.
    fn with_network(&self, name: String) -> PyResult<Self> {
        let mut doc = self.doc()?;
        let mut t = toml::Table::new();
        t.insert("kind".into(), toml::Value::String("in_memory".into()));
        t.insert("path".into(), toml::Value::String(name));
        doc.insert("network".into(), toml::Value::Table(t));
        let text = toml::to_string(&doc)
            .map_err(|e| PyValueError::new_err(format!("cannot write the scenario: {e}")))?;
        self.derived(text)
    }

    /// The scenario as a dict of its TOML keys.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        toml_to_py(py, &toml::Value::Table(self.doc()?))
    }

    /// `name`.
    #[getter]
    fn name(&self) -> String {
        self.sc.name.clone()
    }

    /// The scenario text (TOML).
    #[getter]
    fn text(&self) -> String {
        self.sc.source.text.clone()
    }

    /// The scenario's file (for a dict: the path messages name).
    #[getter]
    fn path(&self) -> PathBuf {
        self.sc.source.path.clone()
    }

    /// `steps`.
    #[getter]
    fn steps(&self) -> u32 {
        self.sc.steps
    }

    /// `replicates`.
    #[getter]
    fn replicates(&self) -> u32 {
        self.sc.replicates
    }

    /// `seed`.
    #[getter]
    fn seed(&self) -> u64 {
        self.sc.seed
    }

    /// The model names, in file order.
    #[getter]
    fn models(&self) -> Vec<String> {
        self.sc.models.iter().map(|m| m.name.clone()).collect()
    }

    /// The arm names.
    #[getter]
    fn arms(&self) -> Vec<String> {
        self.sc.arms.iter().map(|a| a.name.clone()).collect()
    }

    /// The network kind.
    #[getter]
    fn network_kind(&self) -> &'static str {
        self.sc.network.kind()
    }

    /// The `[observed]` file, if any.
    #[getter]
    fn observed(&self) -> Option<PathBuf> {
        self.sc.observed.as_ref().map(|o| o.path.clone())
    }
}
