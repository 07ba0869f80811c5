//! `union`: the first member that validates wins; a discriminator picks the member by tag.
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use super::errors::{Code, Errors, Path};
use super::json::RawKey;
use super::literal::{json_kind, same_value};
use super::node::{validate as validate_node, Compiler, Ctx, Kind, Node};
use super::plan;
use super::reference::is_container;
use super::trials::Trials;

pub struct UnionNode {
    pub(super) members: Vec<Node>,
    discriminator: Option<Py<PyString>>,
    /// The discriminator as Rust text, for matching keys read from JSON.
    pub(super) tag_key: Option<String>,
    /// The discriminator's JSON token when it needs no escape (compared with an object's
    /// first key before a general key read).
    pub(super) tag_raw: Option<RawKey>,
    /// (tag value, member index) pairs, matched with the literal rule.
    mapping: Vec<(Py<PyAny>, usize)>,
    /// The `str` tags as Rust text, so a tag read from JSON is matched without a Python string
    /// (`None` when a tag is a `str` subclass, which only Python can compare).
    pub(super) tag_texts: Option<Vec<TagText>>,
}

/// A `str` tag as Rust text and the member it selects.
pub struct TagText {
    pub(super) text: String,
    pub(super) member: usize,
    /// When that member is an object without validators whose tag property is a literal
    /// without validators: the property's index and the value its literal reads from this
    /// text, so an object whose tag comes first is read on from there (`direct::union`).
    pub(super) read_on: Option<ReadOn>,
}

/// A tag property's index in its member object and the value read for it.
pub type ReadOn = (usize, Py<PyString>);

/// `TagText::read_on` for the tag `text` of `member`.
fn read_on(py: Python<'_>, member: &Node, tag_key: &str, text: &str) -> Option<ReadOn> {
    let Kind::Object(object) = &member.kind else {
        return None;
    };
    let i = object.find(tag_key, 0)?;
    let tag = &object.properties[i].node;
    let Kind::Literal(literal) = &tag.kind else {
        return None;
    };
    if !member.validators.is_empty() || !tag.validators.is_empty() {
        return None;
    }
    let value = literal.match_text(py, text).ok()??;
    Some((i, value.unbind()))
}

pub fn compile(cx: &Compiler, d: &Bound<'_, PyDict>) -> PyResult<UnionNode> {
    let py = d.py();
    let members = cx.nodes(&plan::req(d, "members")?)?;
    let tag_key = plan::string(d, "discriminator")?;
    let discriminator = match &tag_key {
        Some(s) => {
            let name = PyString::intern(py, s);
            cx.keys.borrow_mut().insert(&name)?;
            Some(name.unbind())
        }
        None => None,
    };
    let mut mapping = Vec::new();
    if let Some(m) = plan::get(d, "mapping")? {
        for (tag, index) in m.cast::<PyDict>()?.iter() {
            let index = index.extract::<usize>()?;
            if index >= members.len() {
                return Err(PyValueError::new_err(format!(
                    "union mapping points at member {index} of {}",
                    members.len()
                )));
            }
            mapping.push((tag.unbind(), index));
        }
    }
    let mut tag_texts = Some(Vec::new());
    for (tag, index) in &mapping {
        let tag = tag.bind(py);
        if let Ok(text) = tag.cast::<PyString>() {
            match (tag.is_exact_instance_of::<PyString>(), tag_texts.as_mut()) {
                (true, Some(texts)) => {
                    let text = text.to_cow()?.into_owned();
                    let tag_key = tag_key.as_deref().unwrap_or_default();
                    texts.push(TagText {
                        read_on: read_on(py, &members[*index], tag_key, &text),
                        text,
                        member: *index,
                    });
                }
                _ => tag_texts = None,
            }
        }
    }
    let tag_raw = tag_key.as_deref().and_then(RawKey::new);
    Ok(UnionNode {
        members,
        discriminator,
        tag_key,
        tag_raw,
        mapping,
        tag_texts,
    })
}

impl UnionNode {
    /// The member a tag selects (matched like a literal), or `None` when no tag value matches.
    pub fn member_for(&self, tag: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
        let py = tag.py();
        let kind = json_kind(tag);
        for (cand, index) in &self.mapping {
            if same_value(tag, kind, cand.bind(py))? {
                return Ok(Some(*index));
            }
        }
        Ok(None)
    }
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &UnionNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    if let Some(disc) = &k.discriminator {
        let disc = disc.bind(ctx.py);
        let Ok(dict) = value.cast::<PyDict>() else {
            return ctx.err(node, Code::ObjectType, path, value);
        };
        return ctx.nested(path, value, |ctx| {
            let Some(tag) = dict.get_item(disc)? else {
                return ctx.err(node, Code::UnionTagMissing, path, value);
            };
            match k.member_for(&tag)? {
                Some(index) => validate_node(ctx, &k.members[index], value, path),
                None => ctx.err(node, Code::UnionTagInvalid, &path.key(disc.as_any()), &tag),
            }
        });
    }
    if some_member(ctx, k, value, path)? {
        return Ok(());
    }
    if ctx.errors.fast || ctx.errors.in_member {
        return ctx.err(node, Code::UnionMismatch, path, value);
    }
    let py = ctx.py;
    let lists = PyList::empty(py);
    for member in &k.members {
        let fresh = Errors::member_list(ctx.errors.max_errors);
        lists.append(isolated(ctx, member, value, path, fresh)?.into_list(py)?)?;
    }
    ctx.errors.add_full(
        &node.msgs,
        ctx.global,
        Code::UnionMismatch,
        path,
        value,
        None,
        Some(lists.into_any()),
    )
}

/// Runs `member` with the collector `fresh` and hands that collector back.
fn isolated<'py>(
    ctx: &mut Ctx<'_, 'py>,
    member: &Node,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
    fresh: Errors<'py>,
) -> PyResult<Errors<'py>> {
    let saved = std::mem::replace(&mut ctx.errors, fresh);
    let result = validate_node(ctx, member, value, path);
    let mine = std::mem::replace(&mut ctx.errors, saved);
    result.map(|()| mine)
}

/// Whether some member accepts `value`; a container's answer is found once per call and
/// depth (see `trials`).
fn some_member<'py>(
    ctx: &mut Ctx<'_, 'py>,
    k: &UnionNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<bool> {
    let container = is_container(value);
    let key = Trials::key(k, value, ctx.depth);
    if let Some(matched) = ctx.trials.decided(&key).filter(|_| container) {
        return Ok(matched);
    }
    let detours = ctx.trials.detours;
    let mut matched = false;
    for member in &k.members {
        let fresh = Errors::new(ctx.errors.max_errors, true);
        if isolated(ctx, member, value, path, fresh)?.count == 0 {
            matched = true;
            break;
        }
    }
    if container {
        ctx.trials.keep(key, value, detours, matched);
    }
    Ok(matched)
}
