//! `ref`: a named definition, with the recursion guard against cyclic data.
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyList, PySet, PyTuple};

use super::errors::{Code, Path};
use super::node::{validate as validate_node, Compiler, Ctx};
use super::{plan, types};

pub fn compile(cx: &Compiler, d: &Bound<'_, PyDict>) -> PyResult<usize> {
    let name = plan::string(d, "name")?.unwrap_or_default();
    cx.names
        .get(&name)
        .copied()
        .ok_or_else(|| PyValueError::new_err(format!("ref to unknown definition {name:?}")))
}

pub fn is_container(v: &Bound<'_, PyAny>) -> bool {
    types::is::<PyDict>(v)
        || types::is::<PyList>(v)
        || types::is::<PyTuple>(v)
        || types::is::<PySet>(v)
        || types::is::<PyFrozenSet>(v)
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    index: usize,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let defs = ctx.defs;
    if !is_container(value) {
        return validate_node(ctx, &defs[index], value, path);
    }
    let key = (index, value.as_ptr() as usize);
    if ctx.active.contains(&key) {
        ctx.trials.detours += 1;
        return ctx.global_err(Code::RecursionLoop, path, value);
    }
    ctx.active.push(key);
    let result = validate_node(ctx, &defs[index], value, path);
    ctx.active.pop();
    result
}
