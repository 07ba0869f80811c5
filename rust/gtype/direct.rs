//! `validate_json`'s fast path: read and check in one pass, driven by the schema.
//!
//! Every kind is checked on the JSON tokens themselves (keys matched as Rust text, constraints
//! checked before any Python object exists): a discriminated union peeks at its tag and reads
//! the chosen member, a plain union tries its members on the token stream (rewinding the
//! reader between them), an intersection reads with its first member and checks the value with
//! the others. `any`, non-string literals and patterns for Python's `re` read their value and
//! run the object validator on it. The pass stops at the first problem of any kind and the
//! exact path (read everything, then validate collecting every error) runs instead, so errors
//! are always those of `validate`.
use std::borrow::Cow;
use std::collections::HashSet;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString};

use super::array::ArrayNode;
use super::errors::{Msgs, Path};
use super::intersection::IntersectionNode;
use super::json::{Failure, Reader};
use super::node::{self, Ctx, Kind, Node};
use super::object::{Extra, ObjectNode, Seen};
use super::record::RecordNode;
use super::scalar::Scalar;
use super::tuple::TupleNode;
use super::{custom, guard};
use super::{number, string, unique};

mod union;

/// Why the fast pass stopped.
pub enum Stop {
    /// The value is invalid here (or the document malformed): a union may try its next member;
    /// otherwise the exact path runs.
    Redo,
    /// Something only the exact path can decide (a repeated key, a document too deep): the
    /// exact path runs, whatever unions are being tried.
    Bail,
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
            Failure::Invalid(..) => Stop::Redo,
            Failure::TooDeep => Stop::Bail,
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
    /// How many more bytes may be read again (see `union::budget`).
    reread: usize,
    /// (plain union, offset, depth) where no member matched (see `union`); made at the first
    /// such failure, as most documents have none.
    failed: Option<HashSet<(usize, usize, usize)>>,
}

impl<'a, 's, 'py> Direct<'a, 's, 'py> {
    pub fn new(
        r: Reader<'s, 'py>,
        len: usize,
        defs: &'a [Node],
        global: &'a Msgs,
        max_depth: usize,
    ) -> Self {
        let stack_floor = guard::stack_floor();
        Direct {
            r,
            defs,
            global,
            max_depth,
            stack_floor,
            reread: union::budget(len),
            failed: None,
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
    #[inline(never)]
    fn generic(&mut self, node: &Node, depth: usize) -> R<Bound<'py, PyAny>> {
        let value = self.r.value(self.max_depth.saturating_sub(depth))?;
        self.checked(node, &value, depth)?;
        Ok(value)
    }

    /// `depth` is the number of arrays/objects around the value. Strings and numbers, most
    /// of a document's values, are read and checked here, written out where values are read
    /// (measured: a call per value cost more than its work); everything else in `other`.
    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn node(&mut self, node: &Node, depth: usize) -> R<Bound<'py, PyAny>> {
        self.r.step();
        self.r.ws();
        let next = self.r.peek();
        let value = match (&node.kind, next) {
            (Kind::String(k), Some(b'"')) => {
                let text = self.r.str_token()?;
                let value = self.r.py_string(&text, false).into_any();
                match string::check_text(k, &text) {
                    Some(true) => value,
                    Some(false) => return Err(Stop::Redo),
                    None => return self.checked(node, &value, depth).map(|()| value),
                }
            }
            (Kind::Literal(k), Some(b'"')) => {
                let text = self.r.str_token()?;
                match k.match_text(self.r.py, &text) {
                    Ok(Some(cand)) => cand.into_any(),
                    Ok(None) => {
                        let value = self.r.py_string(&text, false).into_any();
                        return self.checked(node, &value, depth).map(|()| value);
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
                    None => return self.checked(node, &value, depth).map(|()| value),
                }
            }
            _ => return self.other(node, depth, next),
        };
        if node.validators.is_empty() {
            return Ok(value);
        }
        self.custom(node, value, depth)
    }

    /// Every value but a string or number of a string or number node, `next` its first byte.
    #[inline(never)]
    fn other(&mut self, node: &Node, depth: usize, next: Option<u8>) -> R<Bound<'py, PyAny>> {
        let py = self.r.py;
        if node.nullable && next == Some(b'n') {
            return Ok(self.r.word("null", py.None().into_bound(py))?);
        }
        // Only containers nest (a ref cycle that enters none is refused by the planner).
        if matches!(next, Some(b'{' | b'['))
            && (depth >= MAX_NEST || guard::stack_here() < self.stack_floor)
        {
            return self.generic(node, depth);
        }
        let value = match (&node.kind, next) {
            (Kind::Scalar(Scalar::Boolean), Some(b't')) => self
                .r
                .word("true", PyBool::new(py, true).to_owned().into_any())?,
            (Kind::Scalar(Scalar::Boolean), Some(b'f')) => self
                .r
                .word("false", PyBool::new(py, false).to_owned().into_any())?,
            (Kind::Scalar(Scalar::Null), Some(b'n')) => {
                self.r.word("null", py.None().into_bound(py))?
            }
            (Kind::Object(k), Some(b'{')) => self.object(k, depth)?,
            (Kind::Array(k), Some(b'[')) => self.array(k, depth)?,
            (Kind::Tuple(k), Some(b'[')) => self.tuple(k, depth)?,
            (Kind::Record(k), Some(b'{')) => self.record(k, depth)?,
            (Kind::Ref(i), _) => {
                let defs = self.defs;
                self.node(&defs[*i], depth)?
            }
            (Kind::Intersection(k), _) => self.intersection(k, depth)?,
            (Kind::Union(k), Some(b'{')) if k.tag_key.is_some() => self.tagged(k, depth)?,
            (Kind::Union(k), _) if k.tag_key.is_none() => self.first_member(k, depth)?,
            _ => return self.generic(node, depth),
        };
        if node.validators.is_empty() {
            return Ok(value);
        }
        self.custom(node, value, depth)
    }

    /// An intersection: read with its first member, checked with the others.
    #[inline(never)]
    fn intersection(&mut self, k: &IntersectionNode, depth: usize) -> R<Bound<'py, PyAny>> {
        let Some((first, rest)) = k.members.split_first() else {
            return Err(Stop::Redo);
        };
        let value = self.node(first, depth)?;
        for member in rest {
            self.checked(member, &value, depth)?;
        }
        Ok(value)
    }

    /// A value read and checked, run through the node's custom validators.
    #[inline(never)]
    fn custom(&self, node: &Node, value: Bound<'py, PyAny>, depth: usize) -> R<Bound<'py, PyAny>> {
        let mut ctx = self.fast_ctx(depth);
        custom::run(&mut ctx, node, &value, &Path::root())?;
        if ctx.errors.count > 0 {
            return Err(Stop::Redo);
        }
        Ok(value)
    }

    /// Checks a built value with the object validator (e.g. a pattern for Python's `re`).
    #[inline(never)]
    fn checked(&self, node: &Node, value: &Bound<'py, PyAny>, depth: usize) -> R<()> {
        let mut ctx = self.fast_ctx(depth);
        node::validate(&mut ctx, node, value, &Path::root())?;
        if ctx.errors.count > 0 {
            return Err(Stop::Redo);
        }
        Ok(())
    }

    fn object(&mut self, k: &ObjectNode, depth: usize) -> R<Bound<'py, PyAny>> {
        if depth >= self.max_depth {
            return Err(Stop::Redo);
        }
        self.r.bump();
        self.entries(k, depth, None)
    }

    /// An object's entries, its `{` read; `first` is the property index and value of an
    /// entry already read (a discriminated union's tag), the reader just after it.
    fn entries(
        &mut self,
        k: &ObjectNode,
        depth: usize,
        first: Option<(usize, Bound<'py, PyAny>)>,
    ) -> R<Bound<'py, PyAny>> {
        let py = self.r.py;
        // While the keys come in schema order (`ordered`), the values replace those of a copy
        // of the template; at the first key out of that order, the dict is rebuilt with the
        // properties read so far and filled key by key from then on. Objects without a
        // template (or whose first entry read is not their first property) are filled key by
        // key from the start.
        let in_order = first.as_ref().is_none_or(|(i, _)| *i == 0);
        let (mut dict, mut ordered) = match &k.template {
            Some(template) if in_order => (template.bind(py).copy()?, true),
            _ => (PyDict::new(py), false),
        };
        let mut seen = Seen::new(k.properties.len());
        let mut hint = 0;
        let more = match first {
            None => !self.r.eat(b'}'),
            Some((i, value)) => {
                seen.insert(i);
                hint = i + 1;
                dict.set_item(k.properties[i].name.bind(py), value)?;
                self.more(b'}')?
            }
        };
        if more {
            loop {
                // Keys usually come in schema order: the expected name and its colon are
                // compared whole before any general key read.
                let expected = k.properties.get(hint).and_then(|p| p.raw.as_ref());
                let i = if expected.is_some_and(|name| self.r.raw_key(name)) {
                    hint
                } else {
                    match self.other_key(k, &mut dict, &mut ordered, hint, depth)? {
                        Some(i) => i,
                        None if self.more(b'}')? => continue,
                        None => break,
                    }
                };
                if !seen.insert(i) {
                    return Err(Stop::Bail);
                }
                hint = i + 1;
                let prop = &k.properties[i];
                let value = self.node(&prop.node, depth + 1)?;
                dict.set_item(prop.name.bind(py), value)?;
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        if !k.has_required(&seen) {
            return Err(Stop::Redo);
        }
        if ordered {
            // Optional properties at the end that the document did not have.
            for p in &k.properties[hint..] {
                dict.del_item(p.name.bind(py))?;
            }
        }
        Ok(dict.into_any())
    }

    /// An entry whose key is not the expected property's compact token, its key read in
    /// general: `Some(i)` for the declared property `i` (its value still to read), `None` for
    /// a key the schema does not declare, whose value is read here. At the first key out of
    /// schema order, a dict copied from the template (`ordered`) is rebuilt with the
    /// properties read so far.
    #[inline(never)]
    fn other_key(
        &mut self,
        k: &ObjectNode,
        dict: &mut Bound<'py, PyDict>,
        ordered: &mut bool,
        hint: usize,
        depth: usize,
    ) -> R<Option<usize>> {
        let text = self.entry_key()?;
        let found = k.find(&text, hint);
        if *ordered && found != Some(hint) {
            *dict = read_so_far(dict, k, hint)?;
            *ordered = false;
        }
        if found.is_some() {
            return Ok(found);
        }
        let key = self.r.py_string(&text, true);
        let value = match &k.extra {
            Extra::Ignore => self.r.value(self.max_depth.saturating_sub(depth + 1))?,
            Extra::Forbid => return Err(Stop::Redo),
            Extra::Schema(schema) => self.node(schema, depth + 1)?,
        };
        insert_new(dict, key, value)?;
        Ok(None)
    }

    fn array(&mut self, k: &ArrayNode, depth: usize) -> R<Bound<'py, PyAny>> {
        let py = self.r.py;
        if depth >= self.max_depth {
            return Err(Stop::Redo);
        }
        self.r.bump();
        let list = PyList::empty(py);
        if !self.r.eat(b']') {
            loop {
                list.append(self.node(&k.items, depth + 1)?)?;
                if !self.more(b']')? {
                    break;
                }
            }
        }
        let n = list.len();
        if k.min_items.is_some_and(|m| n < m) || k.max_items.is_some_and(|m| n > m) {
            return Err(Stop::Redo);
        }
        if k.unique_items && unique::first_repeat(list.as_any())?.is_some() {
            return Err(Stop::Redo);
        }
        Ok(list.into_any())
    }

    fn tuple(&mut self, k: &TupleNode, depth: usize) -> R<Bound<'py, PyAny>> {
        if depth >= self.max_depth {
            return Err(Stop::Redo);
        }
        self.r.bump();
        let list = PyList::empty(self.r.py);
        if !self.r.eat(b']') {
            loop {
                let schema = match k.items.get(list.len()) {
                    Some(item) => item,
                    None => k.rest.as_deref().ok_or(Stop::Redo)?,
                };
                list.append(self.node(schema, depth + 1)?)?;
                if !self.more(b']')? {
                    break;
                }
            }
        }
        if list.len() < k.items.len() {
            return Err(Stop::Redo);
        }
        Ok(list.into_any())
    }

    fn record(&mut self, k: &RecordNode, depth: usize) -> R<Bound<'py, PyAny>> {
        if depth >= self.max_depth {
            return Err(Stop::Redo);
        }
        self.r.bump();
        let dict = PyDict::new(self.r.py);
        if !self.r.eat(b'}') {
            loop {
                let text = self.entry_key()?;
                let key = self.r.py_string(&text, true);
                let value = self.node(&k.values, depth + 1)?;
                insert_new(&dict, key, value)?;
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        Ok(dict.into_any())
    }

    /// An object entry's key and its `:`.
    fn entry_key(&mut self) -> R<Cow<'s, str>> {
        self.r.ws();
        if self.r.peek() != Some(b'"') {
            return Err(Stop::Redo);
        }
        let text = self.r.str_token()?;
        if !self.r.eat(b':') {
            return Err(Stop::Redo);
        }
        Ok(text)
    }

    /// After an entry of an array or object: `true` at `,` (another follows), `false` at
    /// `close`.
    fn more(&mut self, close: u8) -> R<bool> {
        self.r.ws();
        let next = self.r.peek();
        if next == Some(b',') || next == Some(close) {
            self.r.bump();
            return Ok(next == Some(b','));
        }
        Err(Stop::Redo)
    }
}

/// Adds an entry read from the document; a key seen before is for the exact path to report.
fn insert_new<'py>(
    dict: &Bound<'py, PyDict>,
    key: Bound<'py, PyString>,
    value: Bound<'py, PyAny>,
) -> R<()> {
    let before = dict.len();
    dict.set_item(key, value)?;
    if dict.len() == before {
        return Err(Stop::Bail);
    }
    Ok(())
}

/// A dict of the first `n` properties of `filled`, a template copy whose first `n` values were
/// read, in that order.
fn read_so_far<'py>(
    filled: &Bound<'py, PyDict>,
    k: &ObjectNode,
    n: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let py = filled.py();
    let dict = PyDict::new(py);
    for p in &k.properties[..n] {
        let name = p.name.bind(py);
        if let Some(value) = filled.get_item(name)? {
            dict.set_item(name, value)?;
        }
    }
    Ok(dict)
}
