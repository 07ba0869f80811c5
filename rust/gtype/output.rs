//! Building the output of a validated value: `Validator.convert` and `Validator.dump`
//! (docs/gtype.md §9; the pure twin is `gati/_pure/output.py`).
//!
//! Each mode compiles the plan once more into a tree of `Shape`s that holds only what changes a
//! value: `dump` drops the keys an `extra="ignore"` object does not declare; `convert` also
//! calls each node's `convert` and fills missing optional properties from their `default`.
//! A subtree that changes nothing compiles to `None` and its value passes through; a container
//! whose children all come back unchanged is returned itself. Validation has already run, so
//! the walk only builds; a converter raising `ValueError`/`AssertionError` is one `custom` error.
use std::cell::RefCell;

use pyo3::call::PyCallArgs;
use pyo3::exceptions::{PyAssertionError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFrozenSet, PyInt, PyList, PyString, PyType};
use pyo3::{PyTraverseError, PyVisit};

use super::errors::{self, Code, Errors, Msgs, Path};
use super::node::{validate as validate_node, Compiler, Ctx, Node};
use super::trials::Trials;
use super::{array, guard, plan, types};

/// A node's converter and the messages its `custom` error takes.
struct Conv {
    f: Py<PyAny>,
    how: How,
    msgs: Msgs,
}

/// How a converter is applied; the two shortcuts give what calling `f` would.
enum How {
    Call,
    /// `uuid.UUID`: a canonical 8-4-4-4-12 text is parsed here (about 1 µs less a value).
    Uuid,
    /// A dataclass the planner allowed to skip `__init__` (`instance_dict`): a bare instance
    /// given the fields as its `__dict__`, as pydantic-core builds dataclasses.
    InstanceDict,
}

struct Prop {
    name: Py<PyString>,
    shape: Option<Shape>,
    /// The schema `default` filled in when the property is missing (convert mode only).
    default: Option<Py<PyAny>>,
}

enum Extra {
    Drop,
    Keep(Option<Box<Shape>>),
}

enum Kind {
    Scalar,
    Object {
        props: Vec<Prop>,
        names: Py<PyFrozenSet>,
        extra: Extra,
    },
    Array(Option<Box<Shape>>),
    Tuple {
        items: Vec<Option<Shape>>,
        rest: Option<Box<Shape>>,
    },
    Record(Box<Shape>),
    /// Each member's validator (to find the one validation picked) and its shape.
    Union {
        members: Vec<(Node, Option<Shape>)>,
        tagged: bool,
    },
    Ref(usize),
}

struct Shape {
    nullable: bool,
    conv: Option<Conv>,
    kind: Kind,
}

impl Shape {
    /// Visits every converter and default below this shape (for `Validator.__traverse__`).
    fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(conv) = &self.conv {
            visit.call(&conv.f)?;
        }
        match &self.kind {
            Kind::Scalar | Kind::Ref(_) => {}
            Kind::Object { props, extra, .. } => {
                for p in props {
                    if let Some(d) = &p.default {
                        visit.call(d)?;
                    }
                    if let Some(s) = &p.shape {
                        s.traverse(visit)?;
                    }
                }
                if let Extra::Keep(Some(s)) = extra {
                    s.traverse(visit)?;
                }
            }
            Kind::Array(item) => {
                if let Some(s) = item {
                    s.traverse(visit)?;
                }
            }
            Kind::Tuple { items, rest } => {
                for s in items.iter().flatten().chain(rest.as_deref()) {
                    s.traverse(visit)?;
                }
            }
            Kind::Record(values) => values.traverse(visit)?,
            Kind::Union { members, .. } => {
                for (node, shape) in members {
                    node.traverse(visit)?;
                    if let Some(s) = shape {
                        s.traverse(visit)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// One mode's compiled shapes: the root and one per definition (in the validator's order).
pub struct Output {
    root: Option<Shape>,
    defs: Vec<Option<Shape>>,
    deepcopy: Py<PyAny>,
    uuid: Uuid,
}

/// What building a `uuid.UUID` without calling it takes (read once per validator).
struct Uuid {
    class: Py<PyAny>,
    /// `int.from_bytes` (big-endian by default): the cheapest 128-bit `int` the limited API
    /// makes (`int(digits, 16)` and joining two 64-bit halves both cost more).
    int_from_bytes: Py<PyAny>,
    int: Member,
    is_safe: Member,
    safe_unknown: Py<PyAny>,
}

impl Uuid {
    fn new(class: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = class.py();
        Ok(Uuid {
            class: class.clone().unbind(),
            int_from_bytes: py.get_type::<PyInt>().getattr("from_bytes")?.unbind(),
            int: Member::of(class, "int")?,
            is_safe: Member::of(class, "is_safe")?,
            safe_unknown: py
                .import("uuid")?
                .getattr("SafeUUID")?
                .getattr("unknown")?
                .unbind(),
        })
    }

    /// `UUID(int=…)` of the 16 bytes: a bare instance given its two slots, as `UUID.__init__`
    /// sets them.
    fn build<'py>(&self, py: Python<'py>, bytes: &[u8; 16]) -> PyResult<Bound<'py, PyAny>> {
        let bytes = PyBytes::new(py, bytes);
        // SAFETY: a live callable and argument, the list NULL-terminated; the call returns a
        // new reference or NULL with an error set (and, unlike `call1`, builds no tuple).
        let int = unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                pyo3::ffi::PyObject_CallFunctionObjArgs(
                    self.int_from_bytes.as_ptr(),
                    bytes.as_ptr(),
                    std::ptr::null_mut::<pyo3::ffi::PyObject>(),
                ),
            )?
        };
        let instance = bare(self.class.bind(py))?;
        self.int.set(&instance, &int)?;
        self.is_safe.set(&instance, self.safe_unknown.bind(py))?;
        Ok(instance)
    }
}

/// A slot of a class with `__slots__`, set as `object.__setattr__` sets it (past the class's
/// own `__setattr__`, which `UUID`'s refuses) without looking the name up each time: the
/// member descriptor and its setter, read once.
struct Member {
    descriptor: Py<PyAny>,
    set: pyo3::ffi::descrsetfunc,
}

impl Member {
    fn of(class: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        let descriptor = class.getattr("__dict__")?.get_item(name)?;
        // SAFETY: PyType_GetSlot reads a slot of a live type (any type, since Python 3.10)
        // and gives NULL when the type has none.
        let set = unsafe {
            pyo3::ffi::PyType_GetSlot(
                descriptor.get_type().as_type_ptr(),
                pyo3::ffi::Py_tp_descr_set,
            )
        };
        if set.is_null() {
            return Err(PyTypeError::new_err(format!(
                "{name} is not a settable slot"
            )));
        }
        Ok(Member {
            descriptor: descriptor.unbind(),
            // SAFETY: a non-NULL tp_descr_set slot holds a descrsetfunc.
            set: unsafe {
                std::mem::transmute::<*mut std::ffi::c_void, pyo3::ffi::descrsetfunc>(set)
            },
        })
    }

    fn set(&self, instance: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        // SAFETY: the descriptor's own setter, given it and two live, GIL-held references;
        // it checks the instance's type and returns a status.
        let status =
            unsafe { (self.set)(self.descriptor.as_ptr(), instance.as_ptr(), value.as_ptr()) };
        if status == 0 {
            Ok(())
        } else {
            Err(PyErr::fetch(instance.py()))
        }
    }
}

struct Builder<'a> {
    cx: &'a Compiler,
    converting: bool,
    uuid: Py<PyAny>,
}

impl Builder<'_> {
    fn shapes(&self, list: &Bound<'_, PyAny>) -> PyResult<Vec<Option<Shape>>> {
        list.try_iter()?.map(|n| self.shape(&n?)).collect()
    }

    fn boxed(&self, n: Option<Bound<'_, PyAny>>) -> PyResult<Option<Box<Shape>>> {
        Ok(match n {
            Some(n) => self.shape(&n)?.map(Box::new),
            None => None,
        })
    }

    fn shape(&self, obj: &Bound<'_, PyAny>) -> PyResult<Option<Shape>> {
        let d = obj.cast::<PyDict>()?;
        let ty = plan::string(d, "type")?.unwrap_or_default();
        let conv = match plan::get(d, "convert")?.filter(|_| self.converting) {
            Some(f) => {
                let how = if f.is(self.uuid.bind(d.py())) {
                    How::Uuid
                } else if plan::flag(d, "instance_dict")? {
                    How::InstanceDict
                } else {
                    How::Call
                };
                Some(Conv {
                    f: f.unbind(),
                    how,
                    msgs: Msgs::from_plan(plan::get(d, "msgs")?)?,
                })
            }
            None => None,
        };
        let kind = match ty.as_str() {
            "object" => self.object(d)?,
            "array" => Kind::Array(self.boxed(plan::get(d, "items")?)?),
            "tuple" => {
                let items = self.shapes(&plan::req(d, "items")?)?;
                let rest = self.boxed(plan::get(d, "rest")?)?;
                if conv.is_none() && rest.is_none() && items.iter().all(Option::is_none) {
                    Kind::Scalar
                } else {
                    Kind::Tuple { items, rest }
                }
            }
            "record" => match self.shape(&plan::req(d, "values")?)? {
                Some(values) => Kind::Record(Box::new(values)),
                None => Kind::Scalar,
            },
            "union" => {
                let mut members = Vec::new();
                for m in plan::req(d, "members")?.try_iter()? {
                    let m = m?;
                    members.push((self.cx.node(&m)?, self.shape(&m)?));
                }
                if members.iter().all(|(_, s)| s.is_none()) {
                    Kind::Scalar
                } else {
                    let tagged = plan::get(d, "discriminator")?.is_some();
                    Kind::Union { members, tagged }
                }
            }
            "intersection" => {
                let members = plan::req(d, "members")?;
                if members.len()? != 1 {
                    return Ok(None);
                }
                return self.shape(&members.get_item(0)?);
            }
            "ref" => {
                let name = plan::string(d, "name")?.unwrap_or_default();
                match self.cx.names.get(&name) {
                    Some(i) => Kind::Ref(*i),
                    None => return Ok(None),
                }
            }
            _ => Kind::Scalar,
        };
        let passes = match &kind {
            Kind::Scalar | Kind::Array(None) => true,
            Kind::Object { props, extra, .. } => {
                matches!(extra, Extra::Keep(None))
                    && props
                        .iter()
                        .all(|p| p.shape.is_none() && p.default.is_none())
            }
            _ => false,
        };
        if passes && conv.is_none() {
            return Ok(None);
        }
        Ok(Some(Shape {
            nullable: plan::flag(d, "nullable")?,
            conv,
            kind,
        }))
    }

    fn object(&self, d: &Bound<'_, PyDict>) -> PyResult<Kind> {
        let py = d.py();
        let mut props = Vec::new();
        for entry in plan::req(d, "properties")?.try_iter()? {
            let entry = entry?;
            let name = entry.get_item(0)?.cast_into::<PyString>()?;
            let name = PyString::intern(py, &name.to_cow()?);
            let child = entry.get_item(2)?;
            let required = entry.get_item(1)?.is_truthy()?;
            let default = match child.cast::<PyDict>()?.get_item("default")? {
                Some(v) if self.converting && !required => Some(v.unbind()),
                _ => None,
            };
            props.push(Prop {
                name: name.unbind(),
                shape: self.shape(&child)?,
                default,
            });
        }
        let extra = match plan::get(d, "extra")? {
            Some(e) if e.is_instance_of::<PyDict>() => Extra::Keep(self.boxed(Some(e))?),
            Some(e) if e.extract::<String>().ok().as_deref() == Some("forbid") => Extra::Keep(None),
            _ => Extra::Drop,
        };
        let names = PyFrozenSet::new(py, props.iter().map(|p| p.name.bind(py)))?.unbind();
        Ok(Kind::Object {
            props,
            names,
            extra,
        })
    }
}

impl Output {
    /// Compiles the plan for `convert` (`converting`) or `dump`.
    pub fn compile(cx: &Compiler, plan: &Bound<'_, PyDict>, converting: bool) -> PyResult<Self> {
        let py = plan.py();
        let uuid = py.import("uuid")?.getattr("UUID")?;
        let b = Builder {
            cx,
            converting,
            uuid: uuid.clone().unbind(),
        };
        let mut defs = Vec::new();
        if let Some(definitions) = plan::get(plan, "definitions")? {
            for (_, node) in definitions.cast::<PyDict>()?.iter() {
                defs.push(b.shape(&node)?);
            }
        }
        Ok(Output {
            root: b.shape(&plan::req(plan, "root")?)?,
            defs,
            deepcopy: py.import("copy")?.getattr("deepcopy")?.unbind(),
            uuid: Uuid::new(&uuid)?,
        })
    }

    /// The output of `value`, which the validator (with `defs` and `global`) has accepted.
    pub fn build<'py>(
        &self,
        value: Bound<'py, PyAny>,
        defs: &[Node],
        global: &Msgs,
        max_depth: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(root) = &self.root else {
            return Ok(value);
        };
        let run = Run {
            out: self,
            defs,
            global,
            max_depth,
            floor: guard::stack_floor(),
            trials: RefCell::default(),
        };
        run.build(root, &value, 0, &Path::root())
    }
}

struct Run<'a, 'py> {
    out: &'a Output,
    defs: &'a [Node],
    global: &'a Msgs,
    max_depth: usize,
    floor: usize,
    /// Plain unions' answers, kept for the whole build (the unions a build meets decide the
    /// same containers at the same depths as the trials before them).
    trials: RefCell<Trials<'py>>,
}

/// `object.__new__(cls)` without the call: what it does for a class whose `__new__` is
/// `object.__new__` and that is not abstract (the planner checks dataclasses for both; `UUID`
/// is such a class).
fn bare<'py>(cls: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let ty = cls.cast::<PyType>()?;
    // SAFETY: `ty` is a live type object; PyType_GenericAlloc returns a new reference to a
    // zeroed, GC-tracked instance (holding a reference to a heap type) or NULL with an error set.
    unsafe {
        Bound::from_owned_ptr_or_err(
            cls.py(),
            pyo3::ffi::PyType_GenericAlloc(ty.as_type_ptr(), 0),
        )
    }
}

/// Where the 32 hex digits of an `8-4-4-4-12` text are.
const UUID_DIGITS: [usize; 32] = {
    let mut at = [0; 32];
    let (mut i, mut n) = (0, 0);
    while i < 36 {
        if !matches!(i, 8 | 13 | 18 | 23) {
            at[n] = i;
            n += 1;
        }
        i += 1;
    }
    at
};

/// Each byte's value as a hex digit (either case); 16 or more for any other byte.
const HEX: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut b = 0u8;
    while b < 10 {
        table[(b'0' + b) as usize] = b;
        b += 1;
    }
    b = 0;
    while b < 6 {
        table[(b'a' + b) as usize] = 10 + b;
        table[(b'A' + b) as usize] = 10 + b;
        b += 1;
    }
    table
};

/// An object's changed entries (key, new value) in the order found; the first few are held
/// inline, so the usual object (a converted field or two) allocates nothing for them.
#[derive(Default)]
struct Changes<'py> {
    inline: [Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>; 4],
    count: usize,
    more: Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>,
}

impl<'py> Changes<'py> {
    fn push(&mut self, key: Bound<'py, PyAny>, value: Bound<'py, PyAny>) {
        match self.inline.get_mut(self.count) {
            Some(slot) => *slot = Some((key, value)),
            None => self.more.push((key, value)),
        }
        self.count += 1;
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn into_iter(self) -> impl Iterator<Item = (Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        self.inline.into_iter().flatten().chain(self.more)
    }
}

/// `instance.__dict__ = fields` for a bare instance of a class whose `__dict__` is the one
/// `object` gives (what `object.__setattr__(instance, "__dict__", fields)` ends in, without
/// looking the descriptor up).
fn set_dict(instance: &Bound<'_, PyAny>, fields: &Bound<'_, PyDict>) -> PyResult<()> {
    // SAFETY: two live, GIL-held references; the call takes its own reference to `fields`
    // and returns a status.
    let status = unsafe {
        pyo3::ffi::PyObject_GenericSetDict(instance.as_ptr(), fields.as_ptr(), std::ptr::null_mut())
    };
    if status == 0 {
        Ok(())
    } else {
        Err(PyErr::fetch(instance.py()))
    }
}

/// An object's declared properties read in schema order. While the dict's entries come in
/// that order (the usual case: senders write a model's fields as declared) each is taken as
/// it comes, without a hash lookup; from the first entry that is not the next property on,
/// every property is looked up. Either way a property reads what `dict.get(name)` gives at
/// that moment, so the walk is the pure twin's even when a converter changes the dict.
struct Fields<'a, 'py> {
    dict: &'a Bound<'py, PyDict>,
    /// The position of the next entry while the entries are in schema order.
    at: Option<pyo3::ffi::Py_ssize_t>,
}

impl<'py> Fields<'_, 'py> {
    fn get(&mut self, name: &Bound<'py, PyString>) -> PyResult<Option<Bound<'py, PyAny>>> {
        if let Some(at) = &mut self.at {
            let py = name.py();
            let (mut key, mut value) = (std::ptr::null_mut(), std::ptr::null_mut());
            // SAFETY: `dict` is a live dict; PyDict_Next bounds-checks `at` against the current
            // entries and lends the key and value, which are used (or owned) at once.
            unsafe {
                if pyo3::ffi::PyDict_Next(self.dict.as_ptr(), at, &raw mut key, &raw mut value) != 0
                {
                    let key = Borrowed::from_ptr(py, key);
                    if key.is(name) || (key.is_exact_instance_of::<PyString>() && key.eq(name)?) {
                        return Ok(Some(Borrowed::from_ptr(py, value).to_owned()));
                    }
                }
            }
            self.at = None;
        }
        self.dict.get_item(name)
    }
}

/// The 16 bytes (big-endian) an `8-4-4-4-12` hex-digit text (either case) spells; `None` for
/// any other text.
fn uuid_bytes(text: &[u8]) -> Option<[u8; 16]> {
    let text: &[u8; 36] = text.try_into().ok()?;
    if text[8] != b'-' || text[13] != b'-' || text[18] != b'-' || text[23] != b'-' {
        return None;
    }
    let (mut out, mut bad) = ([0u8; 16], 0u8);
    for (byte, pair) in out.iter_mut().zip(UUID_DIGITS.chunks_exact(2)) {
        let (high, low) = (
            HEX[usize::from(text[pair[0]])],
            HEX[usize::from(text[pair[1]])],
        );
        bad |= high | low;
        *byte = high << 4 | low;
    }
    (bad < 16).then_some(out)
}

/// An array's items as validation read them: as stored, a copy of a list (converters may
/// change the list meanwhile), whatever a subclass overrides (docs/gtype.md §5).
fn stored_items<'py>(v: &Bound<'py, PyAny>) -> PyResult<Bound<'py, pyo3::types::PyIterator>> {
    match array::stored(v, true)? {
        Some(items) => items.try_iter(),
        None => v.try_iter(),
    }
}

/// `isinstance(exc, (ValueError, AssertionError))`: what converters refuse a value with.
fn refused(py: Python<'_>, e: &PyErr) -> bool {
    e.is_instance_of::<PyValueError>(py) || e.is_instance_of::<PyAssertionError>(py)
}

impl<'py> Run<'_, 'py> {
    fn build(
        &self,
        shape: &Shape,
        v: &Bound<'py, PyAny>,
        depth: usize,
        path: &Path<'_, 'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if shape.nullable && v.is_none() {
            return Ok(v.clone());
        }
        if guard::stack_here() < self.floor {
            return Err(self.fail(self.global, Code::DepthExceeded, path, v, None)?);
        }
        let py = v.py();
        match &shape.kind {
            Kind::Scalar => match &shape.conv {
                Some(c) => match self.fast_uuid(c, v)? {
                    Some(u) => Ok(u),
                    None => self.call(c, path, v, (v,), None),
                },
                None => Ok(v.clone()),
            },
            Kind::Object {
                props,
                names,
                extra,
            } => self.object(shape, (props, names.bind(py)), extra, v, depth, path),
            Kind::Array(item) => {
                let mut out = Vec::new();
                let mut same = true;
                for (i, x) in stored_items(v)?.enumerate() {
                    let x = x?;
                    out.push(self.child(
                        item.as_deref(),
                        &x,
                        depth + 1,
                        &path.idx(i),
                        &mut same,
                    )?);
                }
                self.finish_items(shape, v, out, same, path)
            }
            Kind::Tuple { items, rest } => {
                let mut out = Vec::new();
                let mut same = true;
                for (i, x) in stored_items(v)?.enumerate() {
                    let s = items.get(i).map_or(rest.as_deref(), Option::as_ref);
                    out.push(self.child(s, &x?, depth + 1, &path.idx(i), &mut same)?);
                }
                self.finish_items(shape, v, out, same, path)
            }
            Kind::Record(values) => {
                let Some(dict) = types::cast::<PyDict>(v) else {
                    return Ok(v.clone());
                };
                let out = PyDict::new(py);
                let mut same = true;
                for (k, x) in dict.iter() {
                    let y = self.child(Some(values), &x, depth + 1, &path.key(&k), &mut same)?;
                    out.set_item(k, y)?;
                }
                let out = if same { v.clone() } else { out.into_any() };
                match &shape.conv {
                    Some(c) => self.call(c, path, v, (out,), None),
                    None => Ok(out),
                }
            }
            Kind::Union { members, tagged } => {
                let depth = depth + usize::from(*tagged);
                for (node, s) in members {
                    let mut ctx = Ctx::new(py, self.defs, self.global, 1, self.max_depth, true);
                    ctx.depth = depth;
                    // the nested unions' answers carry over from trial to trial and level to
                    // level: each decides a container once per build (see `trials`)
                    ctx.trials = self.trials.take();
                    let checked = validate_node(&mut ctx, node, v, path);
                    self.trials.replace(ctx.trials);
                    checked?;
                    if ctx.errors.count == 0 {
                        return match s {
                            Some(s) => self.build(s, v, depth, path),
                            None => Ok(v.clone()),
                        };
                    }
                }
                Ok(v.clone())
            }
            Kind::Ref(i) => match self.out.defs.get(*i).and_then(Option::as_ref) {
                Some(s) => self.build(s, v, depth, path),
                None => Ok(v.clone()),
            },
        }
    }

    /// One child's output; `same` turns false when it differs from the input.
    fn child(
        &self,
        shape: Option<&Shape>,
        x: &Bound<'py, PyAny>,
        depth: usize,
        path: &Path<'_, 'py>,
        same: &mut bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(shape) = shape else {
            return Ok(x.clone());
        };
        let y = self.build(shape, x, depth, path)?;
        *same = *same && y.is(x);
        Ok(y)
    }

    fn finish_items(
        &self,
        shape: &Shape,
        v: &Bound<'py, PyAny>,
        out: Vec<Bound<'py, PyAny>>,
        same: bool,
        path: &Path<'_, 'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = v.py();
        match &shape.conv {
            Some(c) => self.call(c, path, v, (PyList::new(py, out)?,), None),
            None if same => Ok(v.clone()),
            None => Ok(PyList::new(py, out)?.into_any()),
        }
    }

    fn object(
        &self,
        shape: &Shape,
        (props, names): (&[Prop], &Bound<'py, PyFrozenSet>),
        extra: &Extra,
        v: &Bound<'py, PyAny>,
        depth: usize,
        path: &Path<'_, 'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = v.py();
        let Some(dict) = types::cast::<PyDict>(v) else {
            return Ok(v.clone());
        };
        // The changes first; the output (a copy of the input with them applied) only when
        // there are some: a copy is a block copy, cheaper than inserting every key again.
        let mut changes = Changes::default();
        let mut found = 0;
        let mut fields = Fields { dict, at: Some(0) };
        for p in props {
            let name = p.name.bind(py);
            let x = fields.get(name)?;
            let name = name.as_any();
            match x {
                Some(x) => {
                    found += 1;
                    if let Some(s) = &p.shape {
                        let y = self.build(s, &x, depth + 1, &path.key(name))?;
                        if !y.is(&x) {
                            changes.push(name.clone(), y);
                        }
                    }
                }
                None => {
                    if let Some(default) = &p.default {
                        changes.push(name.clone(), self.fresh(default.bind(py))?);
                    }
                }
            }
        }
        let mut drop_extras = false;
        if found != dict.len() {
            match extra {
                Extra::Drop => drop_extras = true,
                Extra::Keep(Some(s)) => {
                    for (k, x) in dict.iter() {
                        if !names.contains(&k)? {
                            let y = self.build(s, &x, depth + 1, &path.key(&k))?;
                            if !y.is(&x) {
                                changes.push(k, y);
                            }
                        }
                    }
                }
                Extra::Keep(None) => {}
            }
        }
        if changes.is_empty() && !drop_extras && shape.conv.is_none() {
            return Ok(v.clone());
        }
        let out = dict.copy()?;
        if drop_extras {
            for (k, _) in dict.iter() {
                if !names.contains(&k)? {
                    out.del_item(k)?;
                }
            }
        }
        for (k, y) in changes.into_iter() {
            out.set_item(k, y)?;
        }
        match &shape.conv {
            Some(Conv {
                f,
                how: How::InstanceDict,
                ..
            }) => {
                let instance = bare(f.bind(py))?;
                set_dict(&instance, &out)?;
                Ok(instance)
            }
            Some(c) => self.call(c, path, v, (), Some(&out)),
            None => Ok(out.into_any()),
        }
    }

    /// A default as the output gets it: a fresh deep copy of a dict or list.
    fn fresh(&self, default: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        if types::is::<PyDict>(default) || types::is::<PyList>(default) {
            self.out.deepcopy.bind(default.py()).call1((default,))
        } else {
            Ok(default.clone())
        }
    }

    /// `uuid.UUID(v)` for a canonical UUID text, built without calling Python; `None` for
    /// any other converter or text (then `UUID` itself runs, with its own error message).
    fn fast_uuid(&self, c: &Conv, v: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
        if !matches!(c.how, How::Uuid) {
            return Ok(None);
        }
        let Some(text) = types::cast::<PyString>(v).and_then(|s| s.to_str().ok()) else {
            return Ok(None);
        };
        let Some(number) = uuid_bytes(text.as_bytes()) else {
            return Ok(None);
        };
        Ok(Some(self.out.uuid.build(v.py(), &number)?))
    }

    /// Calls a converter; a `ValueError` or `AssertionError` becomes a `custom` error.
    fn call(
        &self,
        c: &Conv,
        path: &Path<'_, 'py>,
        v: &Bound<'py, PyAny>,
        args: impl PyCallArgs<'py>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = v.py();
        match c.f.bind(py).call(args, kwargs) {
            Ok(out) => Ok(out),
            Err(e) if refused(py, &e) => {
                let message = e.value(py).str()?;
                Err(self.fail(&c.msgs, Code::Custom, path, v, Some(message))?)
            }
            Err(e) => Err(e),
        }
    }

    fn fail(
        &self,
        msgs: &Msgs,
        code: Code,
        path: &Path<'_, 'py>,
        v: &Bound<'py, PyAny>,
        message: Option<Bound<'py, PyString>>,
    ) -> PyResult<PyErr> {
        let py = v.py();
        let mut errs = Errors::new(1, false);
        errs.add_full(msgs, self.global, code, path, v, message, None)?;
        errors::validation_error(py, errs.into_list(py)?)
    }
}

impl Output {
    /// Drops every shape (and with them the converters and defaults `traverse` visits).
    pub fn clear(&mut self) {
        self.root = None;
        self.defs.clear();
    }

    /// The converters and defaults of one output mode (dataclasses, user callables, default
    /// values can all lead back to the validator); names and module constants cannot.
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        for shape in self.root.iter().chain(self.defs.iter().flatten()) {
            shape.traverse(visit)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::uuid_bytes;

    #[test]
    fn canonical_uuid_text_gives_its_bytes() {
        let bytes = uuid_bytes(b"123e4567-E89B-12d3-a456-426614174000").unwrap();
        assert_eq!(
            bytes,
            0x123e_4567_e89b_12d3_a456_4266_1417_4000_u128.to_be_bytes()
        );
        let all = uuid_bytes(b"ffffffff-ffff-FFFF-ffff-ffffffffffff");
        assert_eq!(all, Some([0xff; 16]));
    }

    #[test]
    fn other_uuid_spellings_are_left_to_python() {
        for text in [
            &b"123e4567e89b12d3a456426614174000"[..],
            b"{123e4567-e89b-12d3-a456-42661417400}",
            b"123e4567-e89b-12d3-a456_426614174000",
            b"123e4567-e89b-12d3-a456-42661417400g",
            b"123e4567-e89b-12d3-a456-4266141740-0",
            b"123e4567-e89b-12d3-a456-42661417400\xff",
        ] {
            assert_eq!(uuid_bytes(text), None);
        }
    }
}
