//! `number` and `integer`: exact int/float comparisons and `multiple_of`.
// i64 -> f64 casts happen only where they are exact (|i| <= 2**53, see `holds`) or where the
// float quotient is what `multiple_of` is defined by (docs/gtype.md §5).
#![allow(clippy::cast_precision_loss)]
use std::cmp::Ordering;

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt};

use super::errors::{Code, Path};
use super::json::Num;
use super::node::{Ctx, Node};
use super::{plan, types};

/// A number from the plan or the input: machine-sized when possible, else the Python object.
#[derive(Clone, Copy)]
enum Fast {
    Int(i64),
    Float(f64),
    Big,
}

fn classify(v: &Bound<'_, PyAny>) -> Fast {
    if types::is::<PyFloat>(v) {
        v.extract::<f64>().map_or(Fast::Big, Fast::Float)
    } else {
        v.extract::<i64>().map_or(Fast::Big, Fast::Int)
    }
}

pub struct Limit {
    obj: Py<PyAny>,
    fast: Fast,
}

pub struct NumberNode {
    integer: bool,
    min: Option<Limit>,
    max: Option<Limit>,
    exclusive_min: Option<Limit>,
    exclusive_max: Option<Limit>,
    multiple_of: Option<Limit>,
}

fn limit(d: &Bound<'_, PyDict>, key: &str) -> PyResult<Option<Limit>> {
    Ok(plan::get(d, key)?.map(|v| Limit {
        fast: classify(&v),
        obj: v.unbind(),
    }))
}

pub fn compile(d: &Bound<'_, PyDict>, integer: bool) -> PyResult<NumberNode> {
    Ok(NumberNode {
        integer,
        min: limit(d, "min")?,
        max: limit(d, "max")?,
        exclusive_min: limit(d, "exclusive_min")?,
        exclusive_max: limit(d, "exclusive_max")?,
        multiple_of: limit(d, "multiple_of")?,
    })
}

/// `value <op> limit`, exactly as Python compares ints and floats.
fn holds(value: &Bound<'_, PyAny>, fast: Fast, lim: &Limit, op: CompareOp) -> PyResult<bool> {
    // Ints up to 2**53 convert to float exactly, so mixed comparisons stay exact.
    const EXACT: u64 = 1 << 53;
    let ord = match (fast, lim.fast) {
        (Fast::Int(a), Fast::Int(b)) => Some(a.cmp(&b)),
        (Fast::Float(a), Fast::Float(b)) => a.partial_cmp(&b),
        (Fast::Int(a), Fast::Float(b)) if a.unsigned_abs() <= EXACT => (a as f64).partial_cmp(&b),
        (Fast::Float(a), Fast::Int(b)) if b.unsigned_abs() <= EXACT => a.partial_cmp(&(b as f64)),
        _ => {
            return value
                .rich_compare(lim.obj.bind(value.py()), op)?
                .is_truthy()
        }
    };
    Ok(match (ord, op) {
        (None, _) => false,
        (Some(o), CompareOp::Lt) => o == Ordering::Less,
        (Some(o), CompareOp::Le) => o != Ordering::Greater,
        (Some(o), CompareOp::Gt) => o == Ordering::Greater,
        (Some(o), CompareOp::Ge) => o != Ordering::Less,
        (Some(o), CompareOp::Eq) => o == Ordering::Equal,
        (Some(o), CompareOp::Ne) => o != Ordering::Equal,
    })
}

fn is_multiple(value: &Bound<'_, PyAny>, fast: Fast, m: &Limit) -> PyResult<bool> {
    let py = value.py();
    let int_value = value.is_instance_of::<PyInt>();
    let int_divisor = m.obj.bind(py).is_instance_of::<PyInt>();
    if int_value && int_divisor {
        if let (Fast::Int(a), Fast::Int(b)) = (fast, m.fast) {
            return Ok(b != 0 && (b == -1 || a % b == 0));
        }
        let rem = value.rem(m.obj.bind(py))?;
        return rem.eq(0);
    }
    let q: f64 = match (fast, m.fast) {
        (Fast::Float(a), Fast::Float(b)) => a / b,
        (Fast::Float(a), Fast::Int(b)) => a / b as f64,
        (Fast::Int(a), Fast::Float(b)) => a as f64 / b,
        _ => match value.div(m.obj.bind(py)) {
            Ok(q) => q.extract::<f64>()?,
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) => {
                return Ok(false)
            }
            Err(e) => return Err(e),
        },
    };
    #[allow(clippy::float_cmp)] // an exact integrality test, as documented
    let integral = q == q.floor();
    Ok(q.is_finite() && integral)
}

/// Whether a JSON number meets every constraint, checked in Rust; `None` when a limit or
/// the value needs Python's exact arithmetic.
pub fn check_num(k: &NumberNode, num: &Num<'_>) -> Option<bool> {
    let fast = match *num {
        Num::Int(i) => Fast::Int(i),
        Num::Float(_) if k.integer => return Some(false),
        Num::Float(f) => Fast::Float(f),
        Num::Big(_) => return None,
    };
    let checks = [
        (&k.min, Ordering::Less, false),
        (&k.max, Ordering::Greater, false),
        (&k.exclusive_min, Ordering::Less, true),
        (&k.exclusive_max, Ordering::Greater, true),
    ];
    for (lim, bad, or_equal) in checks {
        if let Some(lim) = lim {
            let ord = native_cmp(fast, lim.fast)?;
            if ord == bad || (or_equal && ord == Ordering::Equal) {
                return Some(false);
            }
        }
    }
    match (&k.multiple_of, fast) {
        (None, _) => Some(true),
        (Some(m), Fast::Int(a)) => match m.fast {
            Fast::Int(b) => Some(b != 0 && (b == -1 || a % b == 0)),
            _ => None,
        },
        (Some(_), _) => None,
    }
}

/// Compares two machine numbers exactly; `None` when that needs Python (or a NaN is involved).
fn native_cmp(a: Fast, b: Fast) -> Option<Ordering> {
    // Ints up to 2**53 convert to float exactly, so mixed comparisons stay exact.
    const EXACT: u64 = 1 << 53;
    match (a, b) {
        (Fast::Int(a), Fast::Int(b)) => Some(a.cmp(&b)),
        (Fast::Float(a), Fast::Float(b)) => a.partial_cmp(&b),
        (Fast::Int(a), Fast::Float(b)) if a.unsigned_abs() <= EXACT => (a as f64).partial_cmp(&b),
        (Fast::Float(a), Fast::Int(b)) if b.unsigned_abs() <= EXACT => a.partial_cmp(&(b as f64)),
        _ => None,
    }
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &NumberNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let type_code = if k.integer {
        Code::IntegerType
    } else {
        Code::NumberType
    };
    let exact_int = value.is_exact_instance_of::<PyInt>();
    let is_int =
        exact_int || (value.is_instance_of::<PyInt>() && !value.is_exact_instance_of::<PyBool>());
    if !(is_int || (!k.integer && types::is::<PyFloat>(value))) {
        return ctx.err(node, type_code, path, value);
    }
    let fast = classify(value);
    if let Fast::Float(f) = fast {
        if !f.is_finite() {
            return ctx.err(node, Code::NumberFinite, path, value);
        }
    }
    let checks = [
        (&k.min, CompareOp::Lt, Code::NumberMin),
        (&k.max, CompareOp::Gt, Code::NumberMax),
        (&k.exclusive_min, CompareOp::Le, Code::NumberExclusiveMin),
        (&k.exclusive_max, CompareOp::Ge, Code::NumberExclusiveMax),
    ];
    for (lim, op, code) in checks {
        if let Some(lim) = lim {
            if holds(value, fast, lim, op)? {
                ctx.err(node, code, path, value)?;
            }
        }
    }
    if let Some(m) = &k.multiple_of {
        if !is_multiple(value, fast, m)? {
            ctx.err(node, Code::NumberMultipleOf, path, value)?;
        }
    }
    Ok(())
}
