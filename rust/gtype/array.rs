//! `array`: list, tuple, set or frozenset; item counts, every item, then `unique_items`.
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
}

pub fn compile(cx: &Compiler, d: &Bound<'_, PyDict>) -> PyResult<ArrayNode> {
    Ok(ArrayNode {
        items: Box::new(cx.node(&plan::req(d, "items")?)?),
        min_items: plan::opt_usize(d, "min_items")?,
        max_items: plan::opt_usize(d, "max_items")?,
        unique_items: plan::flag(d, "unique_items")?,
    })
}

/// The items of a list or tuple, or `None` for any other value.
pub fn sequence<'py>(value: &Bound<'py, PyAny>) -> Option<Bound<'py, PyAny>> {
    if types::is::<PyList>(value) || types::is::<PyTuple>(value) {
        Some(value.clone())
    } else {
        None
    }
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &ArrayNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let is_seq = sequence(value).is_some();
    let is_set = !is_seq && (types::is::<PySet>(value) || types::is::<PyFrozenSet>(value));
    if !is_seq && !is_set {
        return ctx.err(node, Code::ArrayType, path, value);
    }
    ctx.nested(path, value, |ctx| body(ctx, node, k, value, is_set, path))
}

fn body<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &ArrayNode,
    value: &Bound<'py, PyAny>,
    is_set: bool,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let n = value.len()?;
    if k.min_items.is_some_and(|m| n < m) {
        ctx.err(node, Code::ArrayMinItems, path, value)?;
    }
    if k.max_items.is_some_and(|m| n > m) {
        ctx.err(node, Code::ArrayMaxItems, path, value)?;
    }
    if is_set {
        let items: Vec<Bound<'py, PyAny>> = value.try_iter()?.collect::<PyResult<_>>()?;
        for (i, item) in items.iter().enumerate() {
            if ctx.stopped() {
                return Ok(());
            }
            validate_node(ctx, &k.items, item, &path.idx(i))?;
        }
    } else if let Ok(list) = value.cast::<PyList>() {
        let mut i = 0;
        while i < list.len() {
            if ctx.stopped() {
                return Ok(());
            }
            validate_node(ctx, &k.items, &list.get_item(i)?, &path.idx(i))?;
            i += 1;
        }
    } else {
        let tuple = value.cast::<PyTuple>()?;
        for (i, item) in tuple.iter().enumerate() {
            if ctx.stopped() {
                return Ok(());
            }
            validate_node(ctx, &k.items, &item, &path.idx(i))?;
        }
    }
    if k.unique_items && !ctx.stopped() {
        if let Some(item) = unique::first_repeat(value)? {
            return ctx.err(node, Code::ArrayUniqueItems, path, &item);
        }
    }
    Ok(())
}
