//! `object`: str keys, properties in schema order by keyed lookup, then the extra keys.
use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyString};

use super::errors::{Code, Path};
use super::json::RawKey;
use super::node::{validate as validate_node, Compiler, Ctx, Node};
use super::{plan, types};

pub struct Property {
    pub(super) name: Py<PyString>,
    /// The name as Rust text, for matching keys read from JSON.
    pub(super) text: String,
    /// The name's JSON token when it needs no escape.
    pub(super) raw: Option<RawKey>,
    pub(super) required: bool,
    pub(super) node: Node,
}

pub enum Extra {
    Ignore,
    Forbid,
    Schema(Box<Node>),
}

pub struct ObjectNode {
    pub(super) properties: Vec<Property>,
    names: Py<PyFrozenSet>,
    /// `{name: None}` for every property in schema order, for objects of `TEMPLATE_MIN`
    /// properties or more: the JSON reader copies it (one allocation of the right size) and
    /// replaces the values as keys come in that order. Smaller objects are built entry by
    /// entry, which costs less than the copy. Strings and `None` cannot reach back to the
    /// validator, so the collector need not see it.
    pub(super) template: Option<Py<PyDict>>,
    pub(super) extra: Extra,
    /// A bit per required property, for objects of at most 64 (see `Seen`).
    required: u64,
    /// Property indexes by name, for objects with more properties than a scan should visit.
    index: HashMap<String, usize>,
    /// Whether checking the properties can run outside code (the plan's `snapshot`), which
    /// could change the dict meanwhile: then each property is looked up when its turn comes.
    snapshot: bool,
}

/// Objects with more properties than this find a JSON key through `index`, not a scan, and
/// are read from a dict by looking each property up.
const SCAN_MAX: usize = 16;

/// Objects with fewer properties than this are read from JSON into a new dict: copying a
/// template costs more than the dict's growth up to here.
const TEMPLATE_MIN: usize = 6;

impl ObjectNode {
    /// The index of the property named `key`, trying `hint` (the usual next one) first.
    pub fn find(&self, key: &str, hint: usize) -> Option<usize> {
        if self.properties.get(hint).is_some_and(|p| p.text == key) {
            return Some(hint);
        }
        if self.properties.len() > SCAN_MAX {
            return self.index.get(key).copied();
        }
        self.properties.iter().position(|p| p.text == key)
    }

    /// Whether `seen` holds every required property.
    pub fn has_required(&self, seen: &Seen) -> bool {
        if seen.large.is_empty() {
            return seen.small & self.required == self.required;
        }
        let mut props = self.properties.iter().enumerate();
        props.all(|(i, p)| !p.required || seen.contains(i))
    }
}

/// Which properties of one object were read from JSON: a bit per property, in one word for up
/// to 64 properties (no allocation), in a vector beyond.
pub struct Seen {
    small: u64,
    large: Vec<u64>,
}

impl Seen {
    pub fn new(properties: usize) -> Self {
        let large = if properties > 64 {
            vec![0; properties.div_ceil(64)]
        } else {
            Vec::new()
        };
        Seen { small: 0, large }
    }

    /// Marks property `i`; false when it was already marked.
    pub fn insert(&mut self, i: usize) -> bool {
        let word = if self.large.is_empty() {
            &mut self.small
        } else {
            &mut self.large[i / 64]
        };
        let bit = 1u64 << (i % 64);
        let fresh = *word & bit == 0;
        *word |= bit;
        fresh
    }

    pub fn contains(&self, i: usize) -> bool {
        let word = if self.large.is_empty() {
            self.small
        } else {
            self.large[i / 64]
        };
        word & (1u64 << (i % 64)) != 0
    }
}

pub fn compile(cx: &Compiler, d: &Bound<'_, PyDict>) -> PyResult<ObjectNode> {
    let py = d.py();
    let mut properties = Vec::new();
    for entry in plan::req(d, "properties")?.try_iter()? {
        let entry = entry?;
        let name = entry.get_item(0)?.cast_into::<PyString>()?;
        let text = name.to_cow()?.into_owned();
        let name = PyString::intern(py, &text);
        cx.keys.borrow_mut().insert(&name)?;
        properties.push(Property {
            name: name.unbind(),
            raw: RawKey::new(&text),
            text,
            required: entry.get_item(1)?.is_truthy()?,
            node: cx.node(&entry.get_item(2)?)?,
        });
    }
    let names = PyFrozenSet::new(py, properties.iter().map(|p| p.name.bind(py)))?.unbind();
    let template = if properties.len() >= TEMPLATE_MIN {
        let template = PyDict::new(py);
        for p in &properties {
            template.set_item(p.name.bind(py), py.None())?;
        }
        Some(template.unbind())
    } else {
        None
    };
    let extra = match plan::get(d, "extra")? {
        None => Extra::Ignore,
        Some(e) => match e.extract::<String>().ok().as_deref() {
            Some("ignore") => Extra::Ignore,
            Some("forbid") => Extra::Forbid,
            _ => Extra::Schema(Box::new(cx.node(&e)?)),
        },
    };
    let required = properties
        .iter()
        .take(64)
        .enumerate()
        .filter(|(_, p)| p.required)
        .fold(0u64, |bits, (i, _)| bits | 1 << i);
    let index = if properties.len() > SCAN_MAX {
        properties
            .iter()
            .enumerate()
            .map(|(i, p)| (p.text.clone(), i))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(ObjectNode {
        properties,
        names,
        template,
        extra,
        required,
        index,
        // A plan written without it (by hand) is read the safe way.
        snapshot: plan::get(d, "snapshot")?.map_or(Ok(true), |v| v.is_truthy())?,
    })
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &ObjectNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let Some(dict) = types::cast::<PyDict>(value) else {
        return ctx.err(node, Code::ObjectType, path, value);
    };
    ctx.nested(path, value, |ctx| fields(ctx, node, k, dict, path))
}

/// Reports every key that is not a `str`, in the input's order.
pub fn check_keys<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    dict: &Bound<'py, PyDict>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    for (key, _) in dict.iter() {
        if !types::is::<PyString>(&key) {
            ctx.err(node, Code::KeyType, path, &key)?;
        }
    }
    Ok(())
}

fn fields<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &ObjectNode,
    dict: &Bound<'py, PyDict>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let py = ctx.py;
    if !k.snapshot && k.properties.len() <= SCAN_MAX {
        if let Some(values) = by_identity(k, dict) {
            return declared(ctx, node, k, dict, values, path);
        }
    }
    check_keys(ctx, node, dict, path)?;
    let mut found = 0;
    for prop in &k.properties {
        if ctx.stopped() {
            return Ok(());
        }
        let name = prop.name.bind(py).as_any();
        match dict.get_item(name)? {
            Some(v) => {
                found += 1;
                validate_node(ctx, &prop.node, &v, &path.key(name))?;
            }
            None if prop.required => {
                ctx.err(node, Code::ObjectMissing, &path.key(name), dict.as_any())?;
            }
            None => {}
        }
    }
    if matches!(k.extra, Extra::Ignore) || found == dict.len() {
        return Ok(());
    }
    let names = k.names.bind(py);
    for kv in dict.items().iter() {
        let (key, v) = (&kv.get_item(0)?, &kv.get_item(1)?);
        if ctx.stopped() {
            return Ok(());
        }
        if !types::is::<PyString>(key) || names.contains(key)? {
            continue;
        }
        match &k.extra {
            Extra::Forbid => ctx.err(node, Code::ObjectExtra, &path.key(key), v)?,
            Extra::Schema(schema) => validate_node(ctx, schema, v, &path.key(key))?,
            Extra::Ignore => {}
        }
    }
    Ok(())
}

/// The dict's values by property when every key is the very name object of a property (as
/// with dict literals and gati's own JSON reader, whose keys are the interned names): one pass
/// over the entries and no lookup; every key is then a declared `str`. `None` for any other
/// key. Only when nothing run under the object can change the dict (`snapshot` false).
fn by_identity<'py>(
    k: &ObjectNode,
    dict: &Bound<'py, PyDict>,
) -> Option<[Option<Bound<'py, PyAny>>; SCAN_MAX]> {
    let py = dict.py();
    let mut values = [const { None }; SCAN_MAX];
    let mut next = 0;
    let (mut pos, mut key, mut value) = (0, std::ptr::null_mut(), std::ptr::null_mut());
    // `PyDict_Next` itself: keys are only compared by address, so they are not counted in and
    // out as an iterator's items would be (a tenth of a dict's validation).
    // SAFETY: `dict` is a live dict the caller holds; PyDict_Next only reads it, and the
    // borrowed references it hands out stay valid as nothing runs meanwhile to change it.
    while unsafe {
        pyo3::ffi::PyDict_Next(dict.as_ptr(), &raw mut pos, &raw mut key, &raw mut value)
    } != 0
    {
        let i = match k.properties.get(next) {
            Some(p) if p.name.as_ptr() == key => next,
            _ => k.properties.iter().position(|p| p.name.as_ptr() == key)?,
        };
        // SAFETY: `value` is the dict's live borrowed reference, taken as a new one here.
        *values.get_mut(i)? = Some(unsafe { Bound::from_borrowed_ptr(py, value) });
        next = i + 1;
    }
    Some(values)
}

/// The properties checked from values read in one pass: the same checks, in the same order,
/// as `fields` (no key errors and no extra keys are possible then).
fn declared<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &ObjectNode,
    dict: &Bound<'py, PyDict>,
    values: [Option<Bound<'py, PyAny>>; SCAN_MAX],
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let py = ctx.py;
    for (prop, value) in k.properties.iter().zip(values) {
        if ctx.stopped() {
            return Ok(());
        }
        let name = prop.name.bind(py).as_any();
        match value {
            Some(v) => validate_node(ctx, &prop.node, &v, &path.key(name))?,
            None if prop.required => {
                ctx.err(node, Code::ObjectMissing, &path.key(name), dict.as_any())?;
            }
            None => {}
        }
    }
    Ok(())
}
