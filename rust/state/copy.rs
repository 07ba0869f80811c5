//! Native twin of `gati._pure.values.copy_value`: copies exact `dict`, `list`, `tuple`,
//! `set` and `bytearray` recursively and returns every other object as it is.
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict, PyList, PySet, PyTuple};

/// Deepest container nesting a state value may have (`gati._tables.STATE_MAX_DEPTH`).
pub const MAX_DEPTH: usize = 256;

/// True when `v` is one of the container types that value semantics copies.
pub fn is_container(v: &Bound<'_, PyAny>) -> bool {
    v.is_exact_instance_of::<PyDict>()
        || v.is_exact_instance_of::<PyList>()
        || v.is_exact_instance_of::<PyTuple>()
        || v.is_exact_instance_of::<PySet>()
        || v.is_exact_instance_of::<PyByteArray>()
}

fn copy_at<'py>(v: &Bound<'py, PyAny>, depth: usize) -> PyResult<Bound<'py, PyAny>> {
    if !is_container(v) {
        return Ok(v.clone());
    }
    if depth >= MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "state value nested deeper than {MAX_DEPTH} levels (or cyclic)"
        )));
    }
    let py = v.py();
    let d = depth + 1;
    if let Ok(dict) = v.cast::<PyDict>() {
        let out = PyDict::new(py);
        for (k, x) in dict.iter() {
            out.set_item(k, copy_at(&x, d)?)?;
        }
        return Ok(out.into_any());
    }
    if let Ok(list) = v.cast::<PyList>() {
        let out = PyList::empty(py);
        for x in list.iter() {
            out.append(copy_at(&x, d)?)?;
        }
        return Ok(out.into_any());
    }
    if let Ok(tuple) = v.cast::<PyTuple>() {
        let items = tuple
            .iter()
            .map(|x| copy_at(&x, d))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(PyTuple::new(py, items)?.into_any());
    }
    if let Ok(set) = v.cast::<PySet>() {
        return Ok(PySet::new(py, set.iter())?.into_any());
    }
    let bytes = v.cast::<PyByteArray>()?.to_vec();
    Ok(PyByteArray::new(py, &bytes).into_any())
}

/// Return an independent copy of `value`'s built-in containers (see the module doc).
#[pyfunction]
pub fn copy_value<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    crate::boundary::guard(|| copy_at(value, 0))
}
