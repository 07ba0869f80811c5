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
use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::PyBool;

use super::{Direct, Stop, MAX_NEST, R};
use crate::gtype::guard;
use crate::gtype::json::same;
use crate::gtype::node::{Kind, Node};
use crate::gtype::scalar::Scalar;
use crate::gtype::union::UnionNode;

/// Bytes a document may be read again (union members tried after a failed one, tags looked
/// ahead for), per byte of it.
const REREAD_PER_BYTE: usize = 4;

/// The rereading budget of a document of `len` bytes.
pub(super) fn budget(len: usize) -> usize {
    len.saturating_mul(REREAD_PER_BYTE).saturating_add(4096)
}

impl<'s, 'py> Direct<'_, 's, 'py> {
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
        if let Ok((index, Some(text))) = &found {
            if let Some(value) = self.tag_first(k, *index, text, depth + 1)? {
                return Ok(value);
            }
        }
        let read = self.r.pos() - start;
        self.r.rewind(start);
        let (index, _) = found?;
        self.spend(read)?;
        self.node(&k.members[index], depth + 1)
    }

    /// The member object read on from just after its tag, the object's first entry whose text
    /// `text` was read; `None` when the member is not an object read like this (it has
    /// validators, its tag property is not a plain literal of that text, or the object would
    /// be too deep for this pass), for the caller to read it again from its `{`. What it
    /// builds and checks is what `node` would from the `{`.
    fn tag_first(
        &mut self,
        k: &UnionNode,
        index: usize,
        text: &str,
        depth: usize,
    ) -> R<Option<Bound<'py, PyAny>>> {
        let member = &k.members[index];
        let Kind::Object(object) = &member.kind else {
            return Ok(None);
        };
        let tag_key = k.tag_key.as_deref().unwrap_or_default();
        let Some(i) = object.find(tag_key, 0) else {
            return Ok(None);
        };
        let tag = &object.properties[i].node;
        let Kind::Literal(literal) = &tag.kind else {
            return Ok(None);
        };
        let nests = depth >= MAX_NEST || guard::stack_here() < self.stack_floor;
        if !member.validators.is_empty() || !tag.validators.is_empty() || nests {
            return Ok(None);
        }
        if depth >= self.max_depth {
            return Err(Stop::Redo);
        }
        let Ok(Some(value)) = literal.match_text(self.r.py, text) else {
            return Ok(None);
        };
        self.r.step();
        self.entries(object, depth, Some((i, value.into_any())))
            .map(Some)
    }

    /// The member the object's tag selects, with the tag's text when it is the object's first
    /// entry and a string (the reader then just after it); `Redo` when the tag is missing or
    /// matches no member.
    fn tag_member(&mut self, k: &UnionNode) -> R<(usize, Option<Cow<'s, str>>)> {
        let py = self.r.py;
        let tag_key = k.tag_key.as_deref().unwrap_or_default();
        self.r.bump();
        let mut first = true;
        loop {
            // The tag usually comes first, as it is written: its raw bytes are compared
            // before a general key read.
            self.r.ws();
            let raw = self.r.peek() == Some(b'"')
                && k.tag_raw.as_ref().is_some_and(|name| self.r.raw_key(name));
            let is_tag = if raw {
                if !self.r.eat(b':') {
                    return Err(Stop::Redo);
                }
                true
            } else {
                self.entry_key()? == tag_key
            };
            self.r.ws();
            if is_tag {
                let tag = match (self.r.peek(), &k.tag_texts) {
                    (Some(b'"'), Some(texts)) => {
                        let text = self.r.str_token()?;
                        let found = texts
                            .iter()
                            .find(|(t, _)| same(t.as_bytes(), text.as_bytes()));
                        let index = found.map(|(_, i)| *i).ok_or(Stop::Redo)?;
                        return Ok((index, first.then_some(text)));
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
        if self.failed.contains(&key) {
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
        self.failed.insert(key);
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
