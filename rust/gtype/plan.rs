//! Reading the plan dicts of docs/gtype.md §4 (made once in Python by `make_plan`).
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// A plan key's value; a missing key and `None` both read as `None`.
pub fn get<'py>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    Ok(d.get_item(PyString::intern(d.py(), key))?
        .filter(|v| !v.is_none()))
}

pub fn req<'py>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    get(d, key)?.ok_or_else(|| PyValueError::new_err(format!("plan node has no {key:?}")))
}

pub fn opt_usize(d: &Bound<'_, PyDict>, key: &str) -> PyResult<Option<usize>> {
    get(d, key)?.map(|v| v.extract::<usize>()).transpose()
}

pub fn flag(d: &Bound<'_, PyDict>, key: &str) -> PyResult<bool> {
    Ok(get(d, key)?
        .map(|v| v.is_truthy())
        .transpose()?
        .unwrap_or(false))
}

pub fn string(d: &Bound<'_, PyDict>, key: &str) -> PyResult<Option<String>> {
    get(d, key)?.map(|v| v.extract::<String>()).transpose()
}
