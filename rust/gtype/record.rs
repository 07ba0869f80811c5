//! `record`: a dict of str keys whose every value matches one schema.
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::errors::{Code, Path};
use super::node::{validate as validate_node, Compiler, Ctx, Node};
use super::object::check_keys;
use super::{plan, types};

pub struct RecordNode {
    pub(super) values: Box<Node>,
}

pub fn compile(cx: &Compiler, d: &Bound<'_, PyDict>) -> PyResult<RecordNode> {
    Ok(RecordNode {
        values: Box::new(cx.node(&plan::req(d, "values")?)?),
    })
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &RecordNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let Some(dict) = types::cast::<PyDict>(value) else {
        return ctx.err(node, Code::RecordType, path, value);
    };
    ctx.nested(path, value, |ctx| {
        check_keys(ctx, node, dict, path)?;
        for kv in dict.items().iter() {
            if ctx.stopped() {
                break;
            }
            let (key, v) = (kv.get_item(0)?, kv.get_item(1)?);
            if key.is_instance_of::<pyo3::types::PyString>() {
                validate_node(ctx, &k.values, &v, &path.key(&key))?;
            }
        }
        Ok(())
    })
}
