//! `literal` and `enum`: membership with JSON-kind-aware equality (`True` is not `1`).
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString, PyType};

use super::errors::{Code, Path};
use super::node::{Ctx, Node};
use super::{json, plan, types};

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
    if v.is_exact_instance_of::<PyBool>() {
        JsonKind::Bool
    } else if types::is::<PyString>(v) {
        JsonKind::Str
    } else if types::is::<PyInt>(v) || types::is::<PyFloat>(v) {
        JsonKind::Number
    } else if v.is_none() {
        JsonKind::Null
    } else {
        JsonKind::Other
    }
}

/// docs/gtype.md §5: both bools and equal, or neither a bool, the same JSON kind and `==`.
pub fn same_value(a: &Bound<'_, PyAny>, kind_a: JsonKind, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    same_kinded(a, kind_a, b, json_kind(b))
}

fn same_kinded(
    a: &Bound<'_, PyAny>,
    kind_a: JsonKind,
    b: &Bound<'_, PyAny>,
    kind_b: JsonKind,
) -> PyResult<bool> {
    if a.is(b) && kind_a != JsonKind::Other {
        return Ok(true);
    }
    if kind_a != kind_b || kind_a == JsonKind::Other {
        return Ok(false);
    }
    if kind_a == JsonKind::Bool || kind_a == JsonKind::Null {
        return Ok(a.is(b) || a.eq(b)?);
    }
    base(a, kind_a)?.eq(b)
}

/// A `str`, `int` or `float` subclass as its exact base type, so that what a subclass overrides
/// (`__eq__`, `__hash__`) never runs (docs/gtype.md §5, hostile values).
fn base<'py>(v: &Bound<'py, PyAny>, kind: JsonKind) -> PyResult<Bound<'py, PyAny>> {
    let py = v.py();
    if v.is_exact_instance_of::<PyString>()
        || v.is_exact_instance_of::<PyInt>()
        || v.is_exact_instance_of::<PyFloat>()
    {
        return Ok(v.clone());
    }
    match kind {
        JsonKind::Str => py.get_type::<PyString>().call_method1("__str__", (v,)),
        JsonKind::Number => match v.cast::<PyFloat>() {
            Ok(f) => Ok(PyFloat::new(py, f.value()).into_any()),
            Err(_) => py.get_type::<PyInt>().call_method1("__index__", (v,)),
        },
        _ => Ok(v.clone()),
    }
}

pub struct LiteralNode {
    code: Code,
    values: Vec<(Py<PyAny>, JsonKind)>,
    pub(super) enum_class: Option<Py<PyType>>,
    /// The `str` candidates as Rust text, in order, each with the candidate itself when it is
    /// a plain `str` (reused as the value read from JSON), so a JSON string is matched without
    /// asking Python for each candidate's text. Strings reach nothing: the collector need not
    /// see them.
    texts: Vec<(Box<str>, Option<Py<PyString>>)>,
}

pub fn compile(d: &Bound<'_, PyDict>, is_enum: bool) -> PyResult<LiteralNode> {
    let values: Vec<(Py<PyAny>, JsonKind)> = plan::req(d, "values")?
        .try_iter()?
        .map(|v| v.map(|v| (json_kind(&v), v)).map(|(k, v)| (v.unbind(), k)))
        .collect::<PyResult<_>>()?;
    let enum_class = match plan::get(d, "enum_class")? {
        Some(c) if is_enum => Some(c.cast_into::<PyType>()?.unbind()),
        _ => None,
    };
    let mut texts = Vec::new();
    for (cand, kind) in &values {
        let cand = cand.bind(d.py());
        if *kind == JsonKind::Str {
            // A candidate holding a lone surrogate equals no JSON text.
            if let Ok(text) = cand.cast::<PyString>()?.to_str() {
                let plain = cand.is_exact_instance_of::<PyString>();
                let reused: Option<Py<PyString>> = if plain {
                    Some(cand.cast::<PyString>()?.clone().unbind())
                } else {
                    None
                };
                texts.push((text.into(), reused));
            }
        }
    }
    Ok(LiteralNode {
        texts,
        code: if is_enum {
            Code::EnumError
        } else {
            Code::LiteralError
        },
        values,
        enum_class,
    })
}

impl LiteralNode {
    /// For a JSON string token: the matching candidate (reused as the value), `Err(())` when
    /// none matches, `Ok(None)` when only Python can tell (an enum class).
    #[allow(clippy::result_unit_err)]
    pub fn match_text<'py>(
        &self,
        py: Python<'py>,
        text: &str,
    ) -> Result<Option<Bound<'py, PyString>>, ()> {
        if self.enum_class.is_some() {
            return Ok(None);
        }
        let found = self
            .texts
            .iter()
            .find(|(cand, _)| json::same(cand.as_bytes(), text.as_bytes()));
        match found {
            Some((_, Some(plain))) => Ok(Some(plain.bind(py).clone())),
            Some((_, None)) => Ok(Some(PyString::new(py, text))),
            None => Err(()),
        }
    }
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
    for (cand, cand_kind) in &k.values {
        if same_kinded(value, kind, cand.bind(py), *cand_kind)? {
            return Ok(());
        }
    }
    ctx.err(node, k.code, path, value)
}
