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

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList};

use super::array::ArrayNode;
use super::errors::{Msgs, Path};
use super::json::{Failure, Reader};
use super::node::{self, Ctx, Kind, Node};
use super::object::{Extra, ObjectNode, Seen};
use super::record::RecordNode;
use super::scalar::Scalar;
use super::tuple::TupleNode;
use super::union::UnionNode;
use super::{custom, guard};
use super::{number, string, unique};

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

/// Bytes a document may be read again (union members tried after a failed one, tags looked
/// ahead for) beyond its own length, per byte of it: past this, unions read their value once
/// and check it with the object validator, so nested unions never take more than linear time.
const REREAD_PER_BYTE: usize = 4;

pub struct Direct<'a, 's, 'py> {
    r: Reader<'s, 'py>,
    defs: &'a [Node],
    global: &'a Msgs,
    max_depth: usize,
    stack_floor: usize,
    /// How many more bytes may be read again (see `REREAD_PER_BYTE`).
    reread: usize,
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
            reread: len.saturating_mul(REREAD_PER_BYTE).saturating_add(4096),
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
        self.checked(node, &value, depth)?;
        Ok(value)
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
                    None => return self.checked(node, &value, depth).map(|()| value),
                }
            }
            (Kind::Literal(k), Some(b'"')) => {
                let text = self.r.str_token()?;
                match k.match_text(py, &text) {
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
            (Kind::Intersection(k), _) => {
                let Some((first, rest)) = k.members.split_first() else {
                    return Err(Stop::Redo);
                };
                let value = self.node(first, depth)?;
                for member in rest {
                    self.checked(member, &value, depth)?;
                }
                value
            }
            (Kind::Union(k), Some(b'{')) if k.tag_key.is_some() => match self.tagged(k, depth)? {
                Some(value) => value,
                None => return self.generic(node, depth),
            },
            (Kind::Union(k), _) if k.tag_key.is_none() => match self.first_member(k, depth)? {
                Some(value) => value,
                None => return self.generic(node, depth),
            },
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

    /// Checks a built value with the object validator (e.g. a pattern for Python's `re`).
    fn checked(&self, node: &Node, value: &Bound<'py, PyAny>, depth: usize) -> R<()> {
        let mut ctx = self.fast_ctx(depth);
        node::validate(&mut ctx, node, value, &Path::root())?;
        if ctx.errors.count > 0 {
            return Err(Stop::Redo);
        }
        Ok(())
    }

    fn object(&mut self, k: &ObjectNode, depth: usize) -> R<Bound<'py, PyAny>> {
        let py = self.r.py;
        if depth >= self.max_depth {
            return Err(Stop::Redo);
        }
        self.r.bump();
        // While the keys come in schema order (`ordered`), the values replace those of a copy
        // of the template; at the first key out of that order, the dict is rebuilt with the
        // properties read so far and filled key by key from then on.
        let mut dict = k.template.bind(py).copy()?;
        let mut ordered = true;
        let mut seen = Seen::new(k.properties.len());
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
                if ordered && found != Some(hint) {
                    dict = read_so_far(&dict, k, hint)?;
                    ordered = false;
                }
                match found {
                    Some(i) => {
                        if !seen.insert(i) {
                            return Err(Stop::Bail);
                        }
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
                        let before = dict.len();
                        dict.set_item(key, value)?;
                        if dict.len() == before {
                            return Err(Stop::Bail);
                        }
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
            .any(|(i, p)| p.required && !seen.contains(i));
        if missing {
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
                if self.r.eat(b',') {
                    continue;
                }
                if self.r.eat(b']') {
                    break;
                }
                return Err(Stop::Redo);
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
                self.r.ws();
                if self.r.peek() != Some(b'"') {
                    return Err(Stop::Redo);
                }
                let text = self.r.str_token()?;
                if !self.r.eat(b':') {
                    return Err(Stop::Redo);
                }
                let key = self.r.py_string(&text, true);
                let value = self.node(&k.values, depth + 1)?;
                let before = dict.len();
                dict.set_item(key, value)?;
                if dict.len() == before {
                    return Err(Stop::Bail);
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
        Ok(dict.into_any())
    }

    /// A discriminated union at `{`: looks ahead for the tag, then reads the object with the
    /// member it selects. `None` when the look-ahead budget is spent.
    fn tagged(&mut self, k: &UnionNode, depth: usize) -> R<Option<Bound<'py, PyAny>>> {
        if depth >= self.max_depth {
            return Err(Stop::Redo);
        }
        let start = self.r.pos();
        let index = self.tag_member(k);
        let read = self.r.pos() - start;
        self.r.rewind(start);
        let Some(index) = index? else {
            return Ok(None);
        };
        if !self.spend(read) {
            return Ok(None);
        }
        self.node(&k.members[index], depth + 1).map(Some)
    }

    /// The member the object's tag selects (`None` when the budget runs out first); `Redo`
    /// when the tag is missing or matches no member.
    fn tag_member(&mut self, k: &UnionNode) -> R<Option<usize>> {
        let py = self.r.py;
        let tag_key = k.tag_key.as_deref().unwrap_or_default();
        self.r.bump();
        loop {
            self.r.ws();
            if self.r.peek() != Some(b'"') {
                return Err(Stop::Redo);
            }
            let key = self.r.str_token()?;
            if !self.r.eat(b':') {
                return Err(Stop::Redo);
            }
            self.r.ws();
            if key == tag_key {
                let tag = match (self.r.peek(), &k.tag_texts) {
                    (Some(b'"'), Some(texts)) => {
                        let text = self.r.str_token()?;
                        let found = texts.iter().find(|(t, _)| *t == text);
                        return found.map(|(_, i)| Some(*i)).ok_or(Stop::Redo);
                    }
                    (Some(b'"'), None) => {
                        let text = self.r.str_token()?;
                        self.r.py_string(&text, false).into_any()
                    }
                    (Some(b'-' | b'0'..=b'9'), _) => {
                        let num = self.r.num_token()?;
                        self.r.py_number(&num)?
                    }
                    (Some(b't'), _) => self
                        .r
                        .word("true", PyBool::new(py, true).to_owned().into_any())?,
                    (Some(b'f'), _) => self
                        .r
                        .word("false", PyBool::new(py, false).to_owned().into_any())?,
                    (Some(b'n'), _) => self.r.word("null", py.None().into_bound(py))?,
                    _ => return Err(Stop::Redo),
                };
                return k.member_for(&tag)?.map(Some).ok_or(Stop::Redo);
            }
            let from = self.r.pos();
            self.r.skip()?;
            if !self.spend(self.r.pos() - from) {
                return Ok(None);
            }
            if !self.r.eat(b',') {
                return Err(Stop::Redo);
            }
        }
    }

    /// A plain union: each member that could start with the next byte is tried on the token
    /// stream, the reader rewound after each failure. `None` when the rereading budget is spent.
    fn first_member(&mut self, k: &UnionNode, depth: usize) -> R<Option<Bound<'py, PyAny>>> {
        self.r.ws();
        let start = self.r.pos();
        let next = self.r.peek();
        for member in k.members.iter().filter(|m| may_start(m, next)) {
            match self.node(member, depth) {
                Err(Stop::Redo) => {
                    let read = self.r.pos() - start;
                    self.r.rewind(start);
                    if !self.spend(read) {
                        return Ok(None);
                    }
                }
                found => return found.map(Some),
            }
        }
        Err(Stop::Redo)
    }

    /// Takes `bytes` from the rereading budget; false once it is spent.
    fn spend(&mut self, bytes: usize) -> bool {
        match self.reread.checked_sub(bytes) {
            Some(left) => {
                self.reread = left;
                true
            }
            None => {
                self.reread = 0;
                false
            }
        }
    }
}

/// Whether a value starting with `next` could be valid for `node`: a member that fails
/// this would fail its type check, so trying it cannot change the outcome.
fn may_start(node: &Node, next: Option<u8>) -> bool {
    let Some(b) = next else { return false };
    if node.nullable && b == b'n' {
        return true;
    }
    match &node.kind {
        Kind::String(_) => b == b'"',
        Kind::Number(_) => b == b'-' || b.is_ascii_digit(),
        Kind::Scalar(Scalar::Boolean) => b == b't' || b == b'f',
        Kind::Scalar(Scalar::Null) => b == b'n',
        Kind::Object(_) | Kind::Record(_) => b == b'{',
        Kind::Union(u) if u.tag_key.is_some() => b == b'{',
        Kind::Array(_) | Kind::Tuple(_) => b == b'[',
        _ => true,
    }
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
