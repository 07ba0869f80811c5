//! Unions read on the token stream: a discriminated union looks ahead for its tag, a plain
//! union tries its members, rewinding the reader after each failure.
//!
//! A plain union that found no member at an offset (and depth) says so at once when met there
//! again: without that, each level of a recursive union retried every member on the levels
//! below, which rewound before failing, so the bytes they read were never counted (2^depth).
//! What is read again is bounded: past `REREAD_PER_BYTE` bytes read again per byte of the
//! document, the pass stops and the exact path (read once, then validate) decides, which the
//! object validator does in linear time however unions nest (`trials`). So this pass never
//! costs more than a few readings of the document either.
use std::collections::HashSet;

use pyo3::prelude::*;
use pyo3::types::PyBool;

use super::{Direct, Stop, MAX_NEST, R};
use crate::gtype::guard;
use crate::gtype::json::same;
use crate::gtype::node::{Kind, Node};
use crate::gtype::scalar::Scalar;
use crate::gtype::union::{ReadOn, UnionNode};

/// Bytes a document may be read again (union members tried after a failed one, tags looked
/// ahead for), per byte of it.
const REREAD_PER_BYTE: usize = 4;

/// The rereading budget of a document of `len` bytes.
pub(super) fn budget(len: usize) -> usize {
    len.saturating_mul(REREAD_PER_BYTE).saturating_add(4096)
}

impl<'py> Direct<'_, '_, 'py> {
    /// A discriminated union at `{`: looks ahead for the tag, then reads the object with the
    /// member it selects. When the tag is the object's first entry (as documents write it) and
    /// the member a plain object, the member goes on from there with the tag's value, instead
    /// of reading the object again from its `{` (the tag's key and value twice).
    pub(super) fn tagged(&mut self, k: &UnionNode, depth: usize) -> R<Bound<'py, PyAny>> {
        if depth >= self.max_depth {
            return Err(Stop::Redo);
        }
        let start = self.r.pos();
        let found = self.tag_member(k);
        if let Ok((index, Some((i, value)))) = &found {
            // The member object at `depth + 1`, as `node` would read it from its `{` (the
            // checks `node` and `object` make first).
            let nests = depth + 1 >= MAX_NEST || guard::stack_here() < self.stack_floor;
            if !nests {
                if depth + 1 >= self.max_depth {
                    return Err(Stop::Redo);
                }
                if let Kind::Object(object) = &k.members[*index].kind {
                    self.r.step();
                    let first = (*i, value.bind(self.r.py).clone().into_any());
                    return self.entries(object, depth + 1, Some(first));
                }
            }
        }
        let read = self.r.pos() - start;
        self.r.rewind(start);
        let (index, _) = found?;
        self.spend(read)?;
        self.node(&k.members[index], depth + 1)
    }

    /// The member the object's tag selects, with its `TagText::read_on` when the tag is the
    /// object's first entry (the reader then just after it); `Redo` when the tag is missing
    /// or matches no member.
    fn tag_member<'k>(&mut self, k: &'k UnionNode) -> R<(usize, Option<&'k ReadOn>)> {
        let py = self.r.py;
        let tag_key = k.tag_key.as_deref().unwrap_or_default();
        self.r.bump();
        let mut first = true;
        loop {
            // The tag usually comes first, as it is written: its raw bytes are compared
            // before a general key read.
            self.r.ws();
            let raw = k.tag_raw.as_ref().is_some_and(|name| self.r.raw_key(name));
            let is_tag = raw || self.entry_key()? == tag_key;
            self.r.ws();
            if is_tag {
                let tag = match (self.r.peek(), &k.tag_texts) {
                    (Some(b'"'), Some(texts)) => {
                        let text = self.r.str_token()?;
                        let found = texts
                            .iter()
                            .find(|t| same(t.text.as_bytes(), text.as_bytes()))
                            .ok_or(Stop::Redo)?;
                        let read_on = found.read_on.as_ref().filter(|_| first);
                        return Ok((found.member, read_on));
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
                return Ok((k.member_for(&tag)?.ok_or(Stop::Redo)?, None));
            }
            let from = self.r.pos();
            self.r.skip()?;
            self.spend(self.r.pos() - from)?;
            first = false;
            if !self.r.eat(b',') {
                return Err(Stop::Redo);
            }
        }
    }

    /// A plain union: each member that could start with the next byte is tried on the token
    /// stream, the reader rewound after each failure.
    pub(super) fn first_member(&mut self, k: &UnionNode, depth: usize) -> R<Bound<'py, PyAny>> {
        self.r.ws();
        let start = self.r.pos();
        let key = (std::ptr::from_ref(k) as usize, start, depth);
        if self.failed.as_ref().is_some_and(|f| f.contains(&key)) {
            return Err(Stop::Redo);
        }
        let next = self.r.peek();
        for member in k.members.iter().filter(|m| may_start(m, next)) {
            match self.node(member, depth) {
                Err(Stop::Redo) => {
                    let read = self.r.pos() - start;
                    self.r.rewind(start);
                    self.spend(read)?;
                }
                found => return found,
            }
        }
        self.failed.get_or_insert_with(HashSet::new).insert(key);
        Err(Stop::Redo)
    }

    /// Takes `bytes` from the rereading budget; once it is spent, the exact path runs.
    fn spend(&mut self, bytes: usize) -> R<()> {
        self.reread = self.reread.checked_sub(bytes).ok_or(Stop::Bail)?;
        Ok(())
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
