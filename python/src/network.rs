//! Networks handed over from Python as arrays (the Python side turns a networkx graph or edge
//! and node DataFrames into them): built and checked by `kolsim::network::in_memory`, and
//! registered under a name a scenario refers to.

use kolsim::network::in_memory::{self, Edges};
use kolsim::network::{Attribute, MAX_NODES};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use std::sync::Arc;

/// Builds the network (GIL released) and registers it; returns its name for
/// `[network] kind = "in_memory"`. Raises `kolsim.InputError` naming the bad edge or node.
///
/// `ids`: node ids (strings, distinct); `src`, `dst`: node indices of each edge; `weight`: each
/// edge's weight (`None`: 1); `columns`: node attributes in order, each a float64 array
/// (numeric, NaN = missing) or a list of str (text).
#[pyfunction]
#[pyo3(signature = (ids, src, dst, weight, directed, columns))]
pub fn register_network(
    py: Python<'_>,
    ids: Vec<String>,
    src: PyReadonlyArray1<'_, i64>,
    dst: PyReadonlyArray1<'_, i64>,
    weight: Option<PyReadonlyArray1<'_, f64>>,
    directed: bool,
    columns: Vec<(String, Bound<'_, PyAny>)>,
) -> PyResult<String> {
    let index = |a: &PyReadonlyArray1<'_, i64>, what: &str| -> PyResult<Vec<u32>> {
        a.as_array()
            .iter()
            .map(|&i| {
                u32::try_from(i)
                    .ok()
                    .filter(|&i| (i as u64) < MAX_NODES)
                    .ok_or_else(|| {
                        crate::InputError::new_err(format!(
                            "network: {what} index {i} is not a node"
                        ))
                    })
            })
            .collect()
    };
    let mut attributes: Vec<(String, Attribute)> = Vec::new();
    for (name, v) in columns {
        let attr = match v.extract::<PyReadonlyArray1<'_, f64>>() {
            Ok(a) => Attribute::Numeric(
                a.as_array()
                    .iter()
                    .map(|&x| x.is_finite().then_some(x))
                    .collect(),
            ),
            Err(_) => Attribute::Text(v.extract::<Vec<String>>()?),
        };
        attributes.push((name, attr));
    }
    let edges = Edges {
        ids,
        src: index(&src, "source")?,
        dst: index(&dst, "target")?,
        weight: weight.map(|w| w.as_array().to_vec()),
        directed,
        attributes,
    };
    py.detach(move || in_memory::from_edges(edges).map(|net| in_memory::register(Arc::new(net))))
        .map_err(|e| crate::InputError::new_err(e.to_string()))
}
