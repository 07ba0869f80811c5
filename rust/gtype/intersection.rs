//! `intersection`: every member validates the same value; all their errors are collected.
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::errors::Path;
use super::node::{validate as validate_node, Compiler, Ctx, Node};
use super::plan;

pub struct IntersectionNode {
    pub(super) members: Vec<Node>,
}

pub fn compile(cx: &Compiler, d: &Bound<'_, PyDict>) -> PyResult<IntersectionNode> {
    Ok(IntersectionNode {
        members: cx.nodes(&plan::req(d, "members")?)?,
    })
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    k: &IntersectionNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    for member in &k.members {
        validate_node(ctx, member, value, path)?;
    }
    Ok(())
}
