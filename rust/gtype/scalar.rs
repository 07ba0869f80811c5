//! `boolean`, `null` and `any`: kinds with a type check and nothing else.
use pyo3::prelude::*;
use pyo3::types::PyBool;

use super::errors::{Code, Path};
use super::node::{Ctx, Node};

#[derive(Clone, Copy)]
pub enum Scalar {
    Boolean,
    Null,
    Any,
}

pub fn compile(ty: &str) -> Scalar {
    match ty {
        "boolean" => Scalar::Boolean,
        "null" => Scalar::Null,
        _ => Scalar::Any,
    }
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    kind: Scalar,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    match kind {
        Scalar::Boolean if !value.is_exact_instance_of::<PyBool>() => {
            ctx.err(node, Code::BooleanType, path, value)
        }
        Scalar::Null if !value.is_none() => ctx.err(node, Code::NullType, path, value),
        _ => Ok(()),
    }
}
