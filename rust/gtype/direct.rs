//! `validate_json`'s fast path: read and check in one pass, driven by the schema.
//!
//! Objects, arrays, strings, numbers, booleans and nulls are checked on the JSON tokens
//! themselves (keys matched as Rust text, constraints checked before any Python object
//! exists); other kinds read their value and run the object validator on it. The pass
//! stops at the first problem of any kind and the exact path (read everything, then validate
//! collecting every error) runs instead, so errors are always those of `validate`.
use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList};

use super::errors::{Msgs, Path};
use super::json::{Failure, Reader};
use super::node::{self, Ctx, Kind, Node};
use super::object::{Extra, ObjectNode};
use super::scalar::Scalar;
use super::{custom, guard};
use super::{number, string, unique};

/// Why the fast pass stopped.
pub enum Stop {
    /// Something is invalid (or unusual): run the exact path.
    Redo,
    /// A Python exception from a custom validator or a pattern.
    Py(PyErr),
}

impl From<PyErr> for Stop {
    fn from(e: PyErr) -> Self {
        Stop::Py(e)
    }
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Py(e) => Stop::Py(e),
            Failure::Invalid(..) | Failure::TooDeep => Stop::Redo,
        }
    }
}

type R<T> = Result<T, Stop>;

/// Containers nested deeper than this are read iteratively and checked by the object
/// validator, so this pass never recurses without bound.
const MAX_NEST: usize = 128;

pub struct Direct<'a, 's, 'py> {
    r: Reader<'s, 'py>,
    defs: &'a [Node],
    global: &'a Msgs,
    max_depth: usize,
    stack_floor: usize,
}

impl<'a, 's, 'py> Direct<'a, 's, 'py> {
    pub fn new(r: Reader<'s, 'py>, defs: &'a [Node], global: &'a Msgs, max_depth: usize) -> Self {
        let stack_floor = guard::stack_floor();
        Direct {
            r,
            defs,
            global,
            max_depth,
            stack_floor,
        }
    }

    /// The whole document checked against `root`.
    pub fn document(mut self, root: &Node) -> R<Bound<'py, PyAny>> {
        let value = self.node(root, 0)?;
        self.r.finish()?;
        Ok(value)
    }

    fn fast_ctx(&self, depth: usize) -> Ctx<'a, 'py> {
        let mut ctx = Ctx::new(self.r.py, self.defs, self.global, 1, self.max_depth, true);
        ctx.depth = depth;
        ctx
    }

    /// Reads any value and checks it with the object validator.
    fn generic(&mut self, node: &Node, depth: usize) -> R<Bound<'py, PyAny>> {
        let value = self.r.value(self.max_depth.saturating_sub(depth))?;
        self.checked(node, value, depth)
    }

    /// `depth` is the number of arrays/objects around the value.
    fn node(&mut self, node: &Node, depth: usize) -> R<Bound<'py, PyAny>> {
        let py = self.r.py;
        self.r.ws();
        let next = self.r.peek();
        if node.nullable && next == Some(b'n') {
            return Ok(self.r.word("null", py.None().into_bound(py))?);
        }
        if depth >= MAX_NEST || guard::stack_here() < self.stack_floor {
            return self.generic(node, depth);
        }
        let value = match (&node.kind, next) {
            (Kind::String(k), Some(b'"')) => {
                let text = self.r.str_token()?;
                let value = self.r.py_string(&text, false).into_any();
                match string::check_text(k, &text) {
                    Some(true) => value,
                    Some(false) => return Err(Stop::Redo),
                    None => return self.checked(node, value, depth),
                }
            }
            (Kind::Literal(k), Some(b'"')) => {
                let text = self.r.str_token()?;
                match k.match_text(py, &text) {
                    Ok(Some(cand)) => cand.into_any(),
                    Ok(None) => {
                        let value = self.r.py_string(&text, false).into_any();
                        return self.checked(node, value, depth);
                    }
                    Err(()) => return Err(Stop::Redo),
                }
            }
            (Kind::Number(k), Some(b'-' | b'0'..=b'9')) => {
                let num = self.r.num_token()?;
                let value = self.r.py_number(&num)?;
                match number::check_num(k, &num) {
                    Some(true) => value,
                    Some(false) => return Err(Stop::Redo),
                    None => return self.checked(node, value, depth),
                }
            }
            (Kind::Scalar(Scalar::Boolean), Some(b't')) => self
                .r
                .word("true", PyBool::new(py, true).to_owned().into_any())?,
            (Kind::Scalar(Scalar::Boolean), Some(b'f')) => self
                .r
                .word("false", PyBool::new(py, false).to_owned().into_any())?,
            (Kind::Scalar(Scalar::Null), Some(b'n')) => {
                self.r.word("null", py.None().into_bound(py))?
            }
            (Kind::Object(k), Some(b'{')) if k.properties.len() <= 64 => self.object(k, depth)?,
            (Kind::Array(k), Some(b'[')) => {
                if depth >= self.max_depth {
                    return Err(Stop::Redo);
                }
                self.r.bump();
                let list = PyList::empty(py);
                if !self.r.eat(b']') {
                    loop {
                        list.append(self.node(&k.items, depth + 1)?)?;
                        if self.r.eat(b',') {
                            continue;
                        }
                        if self.r.eat(b']') {
                            break;
                        }
                        return Err(Stop::Redo);
                    }
                }
                let n = list.len();
                if k.min_items.is_some_and(|m| n < m) || k.max_items.is_some_and(|m| n > m) {
                    return Err(Stop::Redo);
                }
                if k.unique_items && unique::first_repeat(list.as_any())?.is_some() {
                    return Err(Stop::Redo);
                }
                list.into_any()
            }
            _ => return self.generic(node, depth),
        };
        if node.validators.is_empty() {
            return Ok(value);
        }
        let mut ctx = self.fast_ctx(depth);
        custom::run(&mut ctx, node, &value, &Path::root())?;
        if ctx.errors.count > 0 {
            return Err(Stop::Redo);
        }
        Ok(value)
    }

    /// Checks a built scalar with the object validator (e.g. a pattern for Python's `re`).
    fn checked(&self, node: &Node, value: Bound<'py, PyAny>, depth: usize) -> R<Bound<'py, PyAny>> {
        let mut ctx = self.fast_ctx(depth);
        node::validate(&mut ctx, node, &value, &Path::root())?;
        if ctx.errors.count > 0 {
            return Err(Stop::Redo);
        }
        Ok(value)
    }

    fn object(&mut self, k: &ObjectNode, depth: usize) -> R<Bound<'py, PyAny>> {
        let py = self.r.py;
        if depth >= self.max_depth {
            return Err(Stop::Redo);
        }
        self.r.bump();
        let dict = PyDict::new(py);
        let mut seen: u64 = 0;
        let mut hint = 0;
        if !self.r.eat(b'}') {
            loop {
                self.r.ws();
                if self.r.peek() != Some(b'"') {
                    return Err(Stop::Redo);
                }
                // Keys usually come in schema order: compare the raw bytes with the expected
                // name before reading a general string token.
                let expected = k.properties.get(hint).and_then(|p| p.raw.as_deref());
                let raw = expected.is_some_and(|name| self.r.raw_key(name));
                let (found, text) = if raw {
                    (Some(hint), Cow::Borrowed(""))
                } else {
                    let text = self.r.str_token()?;
                    (k.find(&text, hint), text)
                };
                if !self.r.eat(b':') {
                    return Err(Stop::Redo);
                }
                match found {
                    Some(i) => {
                        if seen & (1 << i) != 0 {
                            return Err(Stop::Redo);
                        }
                        seen |= 1 << i;
                        hint = i + 1;
                        let prop = &k.properties[i];
                        let value = self.node(&prop.node, depth + 1)?;
                        dict.set_item(prop.name.bind(py), value)?;
                    }
                    None => {
                        let key = self.r.py_string(&text, true);
                        let value = match &k.extra {
                            Extra::Ignore => {
                                self.r.value(self.max_depth.saturating_sub(depth + 1))?
                            }
                            Extra::Forbid => return Err(Stop::Redo),
                            Extra::Schema(schema) => self.node(schema, depth + 1)?,
                        };
                        dict.set_item(key, value)?;
                    }
                }
                if self.r.eat(b',') {
                    continue;
                }
                if self.r.eat(b'}') {
                    break;
                }
                return Err(Stop::Redo);
            }
        }
        let missing = k
            .properties
            .iter()
            .enumerate()
            .any(|(i, p)| p.required && seen & (1 << i) == 0);
        if missing {
            return Err(Stop::Redo);
        }
        Ok(dict.into_any())
    }
}
