//! `unique_items`: the first item equal, as JSON, to an earlier one, in linear time.
//!
//! Twin of `gati/_pure/unique.py`, step for step: every item gets the same canonical Python
//! key (the value itself for strings and numbers, else a tagged tuple; equal keys for
//! JSON-equal items) and a set finds repeats; only items without
//! a key (an unhashable non-JSON value inside, or nesting deeper than `CANON_DEPTH`) are
//! compared pairwise. Building the same keys in the same order means user `__hash__`/`__eq__`
//! run the same way on both backends.
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple};

use super::pause::Pause;

/// Items nested deeper than this get no key and are compared pairwise.
const CANON_DEPTH: usize = 64;

/// The first repeated item of `items` (any iterable), or `None`.
pub fn first_repeat<'py>(items: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = items.py();
    let seen = PySet::empty(py)?;
    let mut keyless: Vec<Bound<'py, PyAny>> = Vec::new();
    let mut earlier: Vec<Bound<'py, PyAny>> = Vec::new();
    let mut nan = 0u64;
    let mut pause = Pause::default();
    for item in items.try_iter()? {
        let item = item?;
        pause.step(py);
        match canon(&item, 0, &mut nan)? {
            None => {
                for e in &earlier {
                    if json_eq(&item, e, 0)? {
                        return Ok(Some(item));
                    }
                }
                keyless.push(item.clone());
            }
            Some(key) => {
                // One hash lookup: the set grows unless the key was there already.
                let before = seen.len();
                seen.add(key)?;
                if seen.len() == before {
                    return Ok(Some(item));
                }
                for e in &keyless {
                    if json_eq(&item, e, 0)? {
                        return Ok(Some(item));
                    }
                }
            }
        }
        earlier.push(item);
    }
    Ok(None)
}

fn tagged<'py>(
    tag: &Bound<'py, PyString>,
    rest: &[Bound<'py, PyAny>],
) -> PyResult<Bound<'py, PyAny>> {
    let mut items = Vec::with_capacity(rest.len() + 1);
    items.push(tag.clone().into_any());
    items.extend(rest.iter().cloned());
    Ok(PyTuple::new(tag.py(), items)?.into_any())
}

/// The canonical key of `value`; `None` when it has none.
fn canon<'py>(
    value: &Bound<'py, PyAny>,
    depth: usize,
    nan: &mut u64,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = value.py();
    if value.is_instance_of::<PyBool>() {
        return tagged(intern!(py, "b"), std::slice::from_ref(value)).map(Some);
    }
    // Strings, ints and floats are their own keys (read as their base type).
    if let Ok(s) = value.cast::<PyString>() {
        return if s.is_exact_instance_of::<PyString>() {
            Ok(Some(s.clone().into_any()))
        } else {
            py.get_type::<PyString>()
                .call_method1("__str__", (s,))
                .map(Some)
        };
    }
    if let Ok(i) = value.cast::<PyInt>() {
        return if i.is_exact_instance_of::<PyInt>() {
            Ok(Some(i.clone().into_any()))
        } else {
            py.get_type::<PyInt>()
                .call_method1("__index__", (i,))
                .map(Some)
        };
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        let x = f.value();
        if x.is_nan() {
            // Equal to nothing: a key no other item has.
            *nan += 1;
            return tagged(intern!(py, "x"), &[nan.into_pyobject(py)?.into_any()]).map(Some);
        }
        return Ok(Some(if f.is_exact_instance_of::<PyFloat>() {
            f.clone().into_any()
        } else {
            PyFloat::new(py, x).into_any()
        }));
    }
    if value.is_none() {
        return tagged(intern!(py, "z"), &[]).map(Some);
    }
    if depth >= CANON_DEPTH {
        return Ok(None);
    }
    if let Some(items) = base_items(value)? {
        let mut keys = Vec::with_capacity(items.len());
        for x in &items {
            match canon(x, depth + 1, nan)? {
                Some(k) => keys.push(k),
                None => return Ok(None),
            }
        }
        return tagged(intern!(py, "l"), &keys).map(Some);
    }
    if let Ok(d) = value.cast::<PyDict>() {
        let mut pairs = Vec::with_capacity(d.len());
        for (k, x) in d.iter() {
            let Some(k) = canon(&k, depth + 1, nan)? else {
                return Ok(None);
            };
            let Some(x) = canon(&x, depth + 1, nan)? else {
                return Ok(None);
            };
            pairs.push(PyTuple::new(py, [k, x])?);
        }
        let set = PyFrozenSet::new(py, &pairs)?;
        return tagged(intern!(py, "d"), &[set.into_any()]).map(Some);
    }
    match value.hash() {
        Ok(_) => tagged(intern!(py, "o"), std::slice::from_ref(value)).map(Some),
        Err(e) if e.is_instance_of::<PyTypeError>(py) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The items of a list or tuple (subclasses read as their base type), else `None`.
fn base_items<'py>(value: &Bound<'py, PyAny>) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    if let Ok(list) = value.cast::<PyList>() {
        Ok(Some(
            (0..list.len())
                .map(|i| list.get_item(i))
                .collect::<PyResult<_>>()?,
        ))
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        Ok(Some(tuple.iter().collect()))
    } else {
        Ok(None)
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Scalar,
    Seq,
    Dict,
    Other,
}

fn kind(v: &Bound<'_, PyAny>) -> Kind {
    if v.is_instance_of::<PyBool>()
        || v.is_instance_of::<PyString>()
        || v.is_instance_of::<PyInt>()
        || v.is_instance_of::<PyFloat>()
        || v.is_none()
    {
        Kind::Scalar
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        Kind::Seq
    } else if v.is_instance_of::<PyDict>() {
        Kind::Dict
    } else {
        Kind::Other
    }
}

/// JSON equality of two values: the pairwise comparison for items without a key.
fn json_eq(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, depth: usize) -> PyResult<bool> {
    let (ka, kb) = (kind(a), kind(b));
    if ka != kb {
        return Ok(false);
    }
    if ka == Kind::Scalar {
        let mut nan = 0;
        let (x, y) = (canon(a, 0, &mut nan)?, canon(b, 0, &mut nan)?);
        return match (x, y) {
            (Some(x), Some(y)) => x.eq(y),
            _ => Ok(false),
        };
    }
    if depth >= CANON_DEPTH || ka == Kind::Other {
        return a.eq(b);
    }
    if ka == Kind::Seq {
        let (Some(xs), Some(ys)) = (base_items(a)?, base_items(b)?) else {
            return Ok(false);
        };
        if xs.len() != ys.len() {
            return Ok(false);
        }
        for (x, y) in xs.iter().zip(&ys) {
            if !json_eq(x, y, depth + 1)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    let (da, db) = (a.cast::<PyDict>()?, b.cast::<PyDict>()?);
    if da.len() != db.len() {
        return Ok(false);
    }
    for (key, x) in da.iter() {
        let mut found = None;
        for (key_b, y) in db.iter() {
            if json_eq(&key, &key_b, depth + 1)? {
                found = Some(y);
                break;
            }
        }
        match found {
            Some(y) if json_eq(&x, &y, depth + 1)? => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}
