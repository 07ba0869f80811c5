//! `literal` and `enum`: membership with JSON-kind-aware equality (`True` is not `1`).
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString, PyType};

use super::errors::{Code, Path};
use super::node::{Ctx, Node};
use super::plan;

/// The JSON kind that decides which candidates a value may equal.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum JsonKind {
    Bool,
    Str,
    Number,
    Null,
    Other,
}

pub fn json_kind(v: &Bound<'_, PyAny>) -> JsonKind {
    if v.is_instance_of::<PyBool>() {
        JsonKind::Bool
    } else if v.is_instance_of::<PyString>() {
        JsonKind::Str
    } else if v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>() {
        JsonKind::Number
    } else if v.is_none() {
        JsonKind::Null
    } else {
        JsonKind::Other
    }
}

/// docs/gtype.md §5: both bools and equal, or neither a bool, the same JSON kind and `==`.
pub fn same_value(a: &Bound<'_, PyAny>, kind_a: JsonKind, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    let kind_b = json_kind(b);
    if kind_a != kind_b || kind_a == JsonKind::Other {
        return Ok(false);
    }
    if kind_a == JsonKind::Bool || kind_a == JsonKind::Null {
        return Ok(a.is(b) || a.eq(b)?);
    }
    a.eq(b)
}

pub struct LiteralNode {
    code: Code,
    values: Vec<Py<PyAny>>,
    enum_class: Option<Py<PyType>>,
}

pub fn compile(d: &Bound<'_, PyDict>, is_enum: bool) -> PyResult<LiteralNode> {
    let values = plan::req(d, "values")?
        .try_iter()?
        .map(|v| v.map(Bound::unbind))
        .collect::<PyResult<_>>()?;
    let enum_class = match plan::get(d, "enum_class")? {
        Some(c) if is_enum => Some(c.cast_into::<PyType>()?.unbind()),
        _ => None,
    };
    Ok(LiteralNode {
        code: if is_enum {
            Code::EnumError
        } else {
            Code::LiteralError
        },
        values,
        enum_class,
    })
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &LiteralNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let py = ctx.py;
    if let Some(cls) = &k.enum_class {
        if value.is_instance(cls.bind(py))? {
            return Ok(());
        }
    }
    let kind = json_kind(value);
    for cand in &k.values {
        if same_value(value, kind, cand.bind(py))? {
            return Ok(());
        }
    }
    ctx.err(node, k.code, path, value)
}
