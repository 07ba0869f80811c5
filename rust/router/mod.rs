//! Path matching: `Router.insert(segments)` registers a pattern, `Router.lookup(path)` returns
//! the pattern's index and its converted parameters in one call.
mod tree;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyType};

use crate::boundary::guard;
use tree::{Kind, Segment, Tree};

static UUID: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The native route tree (pure twin: `gati._pure.router.Router`).
#[pyclass(module = "gati._native", frozen)]
struct Router {
    tree: std::sync::RwLock<Tree>,
}

fn convert<'py>(py: Python<'py>, kind: Kind, raw: &str) -> PyResult<Bound<'py, PyAny>> {
    Ok(match kind {
        Kind::Int => raw
            .parse::<i64>()
            .map_err(|e| PyValueError::new_err(e.to_string()))?
            .into_pyobject(py)?
            .into_any(),
        Kind::Float => raw
            .parse::<f64>()
            .map_err(|e| PyValueError::new_err(e.to_string()))?
            .into_pyobject(py)?
            .into_any(),
        Kind::Uuid => UUID.import(py, "uuid", "UUID")?.call1((raw,))?,
        Kind::Str | Kind::Path => raw.into_pyobject(py)?.into_any(),
    })
}

#[pymethods]
impl Router {
    #[new]
    fn new() -> PyResult<Self> {
        guard(|| {
            Ok(Self {
                tree: std::sync::RwLock::new(Tree::default()),
            })
        })
    }

    /// Register a pattern given as `(kind, text)` pairs, kind being `"static"` or a parameter
    /// type; returns its index. Raises `ValueError` on an unknown type, a `path` parameter
    /// that is not last, or a pattern that conflicts with one already registered.
    fn insert(&self, segments: Vec<(String, String)>) -> PyResult<usize> {
        guard(|| self.insert_segments(segments))
    }

    /// `(index, params)` for the pattern `path` matches, or `None` (also for a path that is
    /// not valid Unicode text, such as one holding lone surrogates).
    fn lookup<'py>(
        &self,
        py: Python<'py>,
        path: &Bound<'py, PyString>,
    ) -> PyResult<Option<(usize, Bound<'py, PyDict>)>> {
        guard(|| self.find(py, path))
    }

    fn __len__(&self) -> PyResult<usize> {
        guard(|| {
            self.tree
                .read()
                .map(|t| t.len())
                .map_err(|_| PyValueError::new_err("router lock poisoned"))
        })
    }
}

impl Router {
    fn insert_segments(&self, segments: Vec<(String, String)>) -> PyResult<usize> {
        let parsed = segments
            .into_iter()
            .map(|(kind, text)| match kind.as_str() {
                "static" => Ok(Segment::Static(text)),
                other => Kind::parse(other).map(|k| Segment::Param(k, text)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let mut tree = self
            .tree
            .write()
            .map_err(|_| PyValueError::new_err("router lock poisoned"))?;
        tree.insert(parsed)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn find<'py>(
        &self,
        py: Python<'py>,
        path: &Bound<'py, PyString>,
    ) -> PyResult<Option<(usize, Bound<'py, PyDict>)>> {
        let Ok(path) = path.to_str() else {
            return Ok(None);
        };
        let tree = self
            .tree
            .read()
            .map_err(|_| PyValueError::new_err("router lock poisoned"))?;
        let Some((endpoint, values)) = tree.lookup(path) else {
            return Ok(None);
        };
        let params = PyDict::new(py);
        for ((kind, name), raw) in endpoint.params.iter().zip(values) {
            params.set_item(name, convert(py, *kind, raw)?)?;
        }
        Ok(Some((endpoint.index, params)))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Router>()
}
