//! Custom validators `(value) -> bool | str`, called through the GIL.
use pyo3::exceptions::{PyAssertionError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::errors::{Code, Path};
use super::node::{Ctx, Node};

/// Runs every validator of `node` in order; each refusal is one `custom` error.
pub fn run<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let py = ctx.py;
    for f in &node.validators {
        if ctx.stopped() {
            break;
        }
        let message: Option<Option<Bound<'py, PyString>>> = match f.bind(py).call1((value,)) {
            Ok(out) => {
                if let Ok(s) = out.cast::<PyString>() {
                    Some(Some(s.str()?))
                } else if out.is_truthy()? {
                    None
                } else {
                    Some(None)
                }
            }
            Err(e)
                if e.is_instance_of::<PyValueError>(py)
                    || e.is_instance_of::<PyAssertionError>(py) =>
            {
                Some(Some(e.value(py).str()?))
            }
            Err(e) => return Err(e),
        };
        if let Some(message) = message {
            ctx.errors.add_full(
                &node.msgs,
                ctx.global,
                Code::Custom,
                path,
                value,
                message,
                None,
            )?;
        }
    }
    Ok(())
}
