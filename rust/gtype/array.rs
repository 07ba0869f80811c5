//! `array`: list, tuple, set or frozenset; item counts, every item, then `unique_items`.
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyList, PySet, PyTuple};

use super::errors::{Code, Path};
use super::node::{validate as validate_node, Compiler, Ctx, Node};
use super::{plan, types, unique};

pub struct ArrayNode {
    pub(super) items: Box<Node>,
    pub(super) min_items: Option<usize>,
    pub(super) max_items: Option<usize>,
    pub(super) unique_items: bool,
    /// Whether validating the items can run outside code (the plan's `snapshot`): the walk
    /// then goes over a copy of a list's items, so changes made meanwhile are not seen.
    snapshot: bool,
}

pub fn compile(cx: &Compiler, d: &Bound<'_, PyDict>) -> PyResult<ArrayNode> {
    Ok(ArrayNode {
        items: Box::new(cx.node(&plan::req(d, "items")?)?),
        min_items: plan::opt_usize(d, "min_items")?,
        max_items: plan::opt_usize(d, "max_items")?,
        unique_items: plan::flag(d, "unique_items")?,
        // A plan written without it (by hand) is walked the safe way.
        snapshot: plan::get(d, "snapshot")?.map_or(Ok(true), |v| v.is_truthy())?,
    })
}

/// An array's items as stored, read once (docs/gtype.md §5), as an exact list or tuple: a
/// subclass of `list`, `tuple`, `set` or `frozenset` is read as its base type whatever it
/// overrides; a list is copied when `copy` (or when it is a subclass); a set becomes a list.
/// `None` for any other value.
pub fn stored<'py>(value: &Bound<'py, PyAny>, copy: bool) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = value.py();
    if let Ok(list) = value.cast_exact::<PyList>() {
        return Ok(Some(if copy {
            list.get_slice(0, list.len()).into_any()
        } else {
            value.clone()
        }));
    }
    if value.is_exact_instance_of::<PyTuple>() {
        return Ok(Some(value.clone()));
    }
    if let Ok(list) = value.cast::<PyList>() {
        return Ok(Some(list.get_slice(0, list.len()).into_any()));
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return Ok(Some(tuple.get_slice(0, tuple.len()).into_any()));
    }
    let base = if types::is::<PySet>(value) {
        py.get_type::<PySet>()
    } else if types::is::<PyFrozenSet>(value) {
        py.get_type::<PyFrozenSet>()
    } else {
        return Ok(None);
    };
    let members = if value.get_type().is(&base) {
        value.try_iter()?
    } else {
        base.getattr(intern!(py, "__iter__"))?
            .call1((value,))?
            .try_iter()?
    };
    let members: Vec<Bound<'py, PyAny>> = members.collect::<PyResult<_>>()?;
    Ok(Some(PyList::new(py, members)?.into_any()))
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &ArrayNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let Some(items) = stored(value, k.snapshot)? else {
        return ctx.err(node, Code::ArrayType, path, value);
    };
    ctx.nested(path, value, |ctx| body(ctx, node, k, value, &items, path))
}

fn body<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &ArrayNode,
    value: &Bound<'py, PyAny>,
    items: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let n = items.len()?;
    if k.min_items.is_some_and(|m| n < m) {
        ctx.err(node, Code::ArrayMinItems, path, value)?;
    }
    if k.max_items.is_some_and(|m| n > m) {
        ctx.err(node, Code::ArrayMaxItems, path, value)?;
    }
    // An exact list or tuple (no override to run); a list not copied cannot change meanwhile,
    // as no outside code runs under it.
    for (i, item) in items.try_iter()?.enumerate() {
        if ctx.stopped() {
            return Ok(());
        }
        validate_node(ctx, &k.items, &item?, &path.idx(i))?;
    }
    if k.unique_items && !ctx.stopped() {
        if let Some(item) = unique::first_repeat(items)? {
            return ctx.err(node, Code::ArrayUniqueItems, path, &item);
        }
    }
    Ok(())
}
