//! `tuple`: a list or tuple of fixed items, with an optional schema for the rest.
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::errors::{Code, Path};
use super::node::{validate as validate_node, Compiler, Ctx, Node};
use super::{array, plan, types};

pub struct TupleNode {
    pub(super) items: Vec<Node>,
    pub(super) rest: Option<Box<Node>>,
}

pub fn compile(cx: &Compiler, d: &Bound<'_, PyDict>) -> PyResult<TupleNode> {
    let rest = match plan::get(d, "rest")? {
        Some(r) => Some(Box::new(cx.node(&r)?)),
        None => None,
    };
    Ok(TupleNode {
        items: cx.nodes(&plan::req(d, "items")?)?,
        rest,
    })
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &TupleNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    if !(types::is::<PyList>(value) || types::is::<PyTuple>(value)) {
        return ctx.err(node, Code::TupleType, path, value);
    }
    ctx.nested(path, value, |ctx| {
        // Read once, as stored (docs/gtype.md §5): the list or tuple itself is never asked again.
        let items: Vec<Bound<'py, PyAny>> = match array::stored(value, false)? {
            Some(stored) => stored.try_iter()?.collect::<PyResult<_>>()?,
            None => Vec::new(),
        };
        let n = items.len();
        if n < k.items.len() || (k.rest.is_none() && n > k.items.len()) {
            return ctx.err(node, Code::TupleLength, path, value);
        }
        let fixed = k
            .items
            .iter()
            .chain(std::iter::repeat_n(k.rest.as_deref(), n).flatten());
        for (i, (item, schema)) in items.iter().zip(fixed).enumerate() {
            if ctx.stopped() {
                break;
            }
            validate_node(ctx, schema, item, &path.idx(i))?;
        }
        Ok(())
    })
}
