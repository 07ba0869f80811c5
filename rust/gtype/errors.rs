//! The one error-collection type: error dicts are built only when something fails.
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};

/// Declares `Code` with one variant per `Variant = "name"` line, `Code::ALL` in that order,
/// and `as_str`: the table is written once (the tests compare it with the Python list and the
/// docs table).
macro_rules! codes {
    ($($variant:ident = $name:literal,)*) => {
        /// Every error code of docs/gtype.md §6.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

codes! {
    StringType = "string_type",
    NumberType = "number_type",
    IntegerType = "integer_type",
    BooleanType = "boolean_type",
    NullType = "null_type",
    ObjectType = "object_type",
    ArrayType = "array_type",
    TupleType = "tuple_type",
    RecordType = "record_type",
    LiteralError = "literal_error",
    EnumError = "enum_error",
    NumberFinite = "number_finite",
    NumberMin = "number_min",
    NumberMax = "number_max",
    NumberExclusiveMin = "number_exclusive_min",
    NumberExclusiveMax = "number_exclusive_max",
    NumberMultipleOf = "number_multiple_of",
    StringMinLength = "string_min_length",
    StringMaxLength = "string_max_length",
    StringPattern = "string_pattern",
    StringPatternTimeout = "string_pattern_timeout",
    StringFormat = "string_format",
    ArrayMinItems = "array_min_items",
    ArrayMaxItems = "array_max_items",
    ArrayUniqueItems = "array_unique_items",
    TupleLength = "tuple_length",
    KeyType = "key_type",
    ObjectMissing = "object_missing",
    ObjectExtra = "object_extra",
    UnionMismatch = "union_mismatch",
    UnionTagMissing = "union_tag_missing",
    UnionTagInvalid = "union_tag_invalid",
    Custom = "custom",
    DepthExceeded = "depth_exceeded",
    RecursionLoop = "recursion_loop",
    TooManyErrors = "too_many_errors",
    JsonInvalid = "json_invalid",
}

impl Code {
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// The planned `[expected, message]` strings of one node (or of the plan, for global codes).
pub struct Msgs {
    /// Per code, a ready error dict (path `()`, actual `None`) that errors are copied from.
    entries: Vec<(Code, Py<PyDict>)>,
}

impl Msgs {
    pub fn from_plan(obj: Option<Bound<'_, PyAny>>) -> PyResult<Msgs> {
        let mut entries = Vec::new();
        if let Some(obj) = obj.filter(|o| !o.is_none()) {
            let dict = obj.cast::<PyDict>()?;
            for (k, v) in dict.iter() {
                let name = k.cast::<PyString>()?.to_cow()?.into_owned();
                let code = Code::parse(&name)
                    .ok_or_else(|| PyKeyError::new_err(format!("unknown error code {name:?}")))?;
                let pair = v
                    .cast::<PyList>()
                    .map(PyListMethods::to_tuple)
                    .or_else(|_| {
                        v.cast::<PyTuple>().cloned().map_err(|_| {
                            PyTypeError::new_err("msgs entries are [expected, message]")
                        })
                    })?;
                let expected = pair.get_item(0)?.cast_into::<PyString>()?;
                let message = pair.get_item(1)?.cast_into::<PyString>()?;
                let py = dict.py();
                let k = keys(py);
                let template = PyDict::new(py);
                template.set_item(k.path.bind(py), PyTuple::empty(py))?;
                template.set_item(k.code.bind(py), code_string(py, code))?;
                template.set_item(k.expected.bind(py), expected)?;
                template.set_item(k.actual.bind(py), py.None())?;
                template.set_item(k.message.bind(py), message)?;
                entries.push((code, template.unbind()));
            }
        }
        Ok(Msgs { entries })
    }

    /// A fresh error dict for `code`, copied from its template.
    fn fresh<'py>(&self, py: Python<'py>, code: Code) -> PyResult<Bound<'py, PyDict>> {
        self.entries
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, t)| t.bind(py).copy())
            .transpose()?
            .ok_or_else(|| {
                PyKeyError::new_err(format!("the plan has no message for {}", code.as_str()))
            })
    }
}

/// One step of an error path: a key or an index. Paths live on the stack and are turned into
/// tuples only when an error is recorded.
pub enum Seg<'a, 'py> {
    Key(&'a Bound<'py, PyAny>),
    Idx(usize),
}

pub struct Path<'a, 'py> {
    parent: Option<&'a Path<'a, 'py>>,
    seg: Option<Seg<'a, 'py>>,
}

impl<'a, 'py> Path<'a, 'py> {
    pub fn root() -> Path<'a, 'py> {
        Path {
            parent: None,
            seg: None,
        }
    }

    pub fn key(&'a self, key: &'a Bound<'py, PyAny>) -> Path<'a, 'py> {
        Path {
            parent: Some(self),
            seg: Some(Seg::Key(key)),
        }
    }

    pub fn idx(&'a self, i: usize) -> Path<'a, 'py> {
        Path {
            parent: Some(self),
            seg: Some(Seg::Idx(i)),
        }
    }

    pub fn to_tuple(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let mut parts: Vec<Bound<'py, PyAny>> = Vec::new();
        let mut cur = Some(self);
        while let Some(p) = cur {
            match &p.seg {
                Some(Seg::Key(k)) => parts.push((*k).clone()),
                Some(Seg::Idx(i)) => parts.push(i.into_pyobject(py)?.into_any()),
                None => {}
            }
            cur = p.parent;
        }
        parts.reverse();
        PyTuple::new(py, parts)
    }
}

struct Keys {
    path: Py<PyString>,
    code: Py<PyString>,
    expected: Py<PyString>,
    actual: Py<PyString>,
    message: Py<PyString>,
    members: Py<PyString>,
    line: Py<PyString>,
    column: Py<PyString>,
}

static KEYS: PyOnceLock<Keys> = PyOnceLock::new();
static CODE_STRINGS: PyOnceLock<Vec<Py<PyString>>> = PyOnceLock::new();

/// The interned Python string of `code`.
fn code_string(py: Python<'_>, code: Code) -> &Bound<'_, PyString> {
    let all = CODE_STRINGS.get_or_init(py, || {
        Code::ALL
            .iter()
            .map(|c| PyString::intern(py, c.as_str()).unbind())
            .collect()
    });
    all[code as usize].bind(py)
}

fn keys(py: Python<'_>) -> &Keys {
    KEYS.get_or_init(py, || {
        let k = |s: &str| PyString::intern(py, s).unbind();
        Keys {
            path: k("path"),
            code: k("code"),
            expected: k("expected"),
            actual: k("actual"),
            message: k("message"),
            members: k("members"),
            line: k("line"),
            column: k("column"),
        }
    })
}

/// What the error dict's `actual` holds (docs/gtype.md §6): JSON scalars as plain
/// `None`/`bool`/`float`/`int`/`str` (subclasses converted), anything else `"<typename>"`.
fn actual<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    if value.is_none() || value.is_instance_of::<pyo3::types::PyBool>() {
        return Ok(value.clone());
    }
    if value.is_instance_of::<pyo3::types::PyFloat>() {
        if value.is_exact_instance_of::<pyo3::types::PyFloat>() {
            return Ok(value.clone());
        }
        return Ok(pyo3::types::PyFloat::new(py, value.extract::<f64>()?).into_any());
    }
    if value.is_instance_of::<pyo3::types::PyInt>() {
        if let Ok(i) = value.extract::<i64>() {
            return Ok(i.into_pyobject(py)?.into_any());
        }
        if let Ok(u) = value.extract::<u64>() {
            return Ok(u.into_pyobject(py)?.into_any());
        }
    } else if let Ok(s) = value.cast::<PyString>() {
        return plain_str(s);
    }
    let name = value.get_type().name()?;
    Ok(PyString::new(py, &format!("<{name}>")).into_any())
}

/// The value as `str.__str__` gives it (a plain `str`, lone surrogates kept), cut to 80 code
/// points with `…` appended when longer.
fn plain_str<'py>(s: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyAny>> {
    let py = s.py();
    let plain = if s.is_exact_instance_of::<PyString>() {
        s.clone()
    } else {
        py.get_type::<PyString>()
            .getattr("__str__")?
            .call1((s,))?
            .cast_into::<PyString>()?
    };
    if plain.len()? <= 80 {
        return Ok(plain.into_any());
    }
    plain
        .get_item(pyo3::types::PySlice::new(py, 0, 80, 1))?
        .add("…")
}

/// Collects errors up to `max_errors`; in `fast` mode (`is_valid`) it only records that one happened.
#[allow(clippy::struct_field_names)] // `max_errors` is the option's name in the API
pub struct Errors<'py> {
    pub list: Vec<Bound<'py, PyAny>>,
    pub count: usize,
    pub stopped: bool,
    pub fast: bool,
    /// Collecting one member's errors for a `union_mismatch`: a union failing inside reports
    /// its own `union_mismatch` without `members` (docs/gtype.md §5).
    pub in_member: bool,
    pub max_errors: usize,
}

impl<'py> Errors<'py> {
    pub fn new(max_errors: usize, fast: bool) -> Self {
        Errors {
            list: Vec::new(),
            count: 0,
            stopped: false,
            fast,
            in_member: false,
            max_errors,
        }
    }

    /// A collector for one union member's error list.
    pub fn member_list(max_errors: usize) -> Self {
        Errors {
            in_member: true,
            ..Errors::new(max_errors, false)
        }
    }

    /// Records one error with the planned message of `code` in `msgs`.
    pub fn add(
        &mut self,
        msgs: &Msgs,
        global: &Msgs,
        code: Code,
        path: &Path<'_, 'py>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<()> {
        self.add_full(msgs, global, code, path, value, None, None)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_full(
        &mut self,
        msgs: &Msgs,
        global: &Msgs,
        code: Code,
        path: &Path<'_, 'py>,
        value: &Bound<'py, PyAny>,
        message: Option<Bound<'py, PyString>>,
        members: Option<Bound<'py, PyAny>>,
    ) -> PyResult<()> {
        if self.stopped {
            return Ok(());
        }
        if self.fast {
            self.count += 1;
            self.stopped = true;
            return Ok(());
        }
        let py = value.py();
        if self.count >= self.max_errors {
            let none = py.None().into_bound(py);
            let e = build(global, Code::TooManyErrors, &Path::root(), &none, None)?;
            self.list.push(e.into_any());
            self.stopped = true;
            return Ok(());
        }
        let e = build(msgs, code, path, value, message)?;
        if let Some(m) = members {
            e.set_item(keys(py).members.bind(py), m)?;
        }
        self.list.push(e.into_any());
        self.count += 1;
        Ok(())
    }

    pub fn into_list(self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.list)
    }
}

fn build<'py>(
    msgs: &Msgs,
    code: Code,
    path: &Path<'_, 'py>,
    value: &Bound<'py, PyAny>,
    message: Option<Bound<'py, PyString>>,
) -> PyResult<Bound<'py, PyDict>> {
    let py = value.py();
    let k = keys(py);
    let d = msgs.fresh(py, code)?;
    if path.seg.is_some() {
        d.set_item(k.path.bind(py), path.to_tuple(py)?)?;
    }
    if !value.is_none() {
        d.set_item(k.actual.bind(py), actual(value)?)?;
    }
    if let Some(message) = message {
        d.set_item(k.message.bind(py), message)?;
    }
    Ok(d)
}

/// The one `json_invalid` error list: `[{"path": (), "code": "json_invalid", ..., line, column}]`.
pub fn json_invalid<'py>(
    py: Python<'py>,
    global: &Msgs,
    detail: &str,
    line: usize,
    column: usize,
) -> PyResult<Bound<'py, PyList>> {
    let k = keys(py);
    let none = py.None().into_bound(py);
    let msg = PyString::new(py, &format!("Invalid JSON: {detail}"));
    let d = build(global, Code::JsonInvalid, &Path::root(), &none, Some(msg))?;
    d.set_item(k.line.bind(py), line)?;
    d.set_item(k.column.bind(py), column)?;
    PyList::new(py, [d])
}

/// `gati.errors.ValidationError`, imported once, with what building one quickly needs.
struct ErrorClass {
    cls: Py<PyType>,
    /// `BaseException.__new__`, which sets `args`.
    new: Py<PyAny>,
    slot: Py<PyString>,
    /// Whether `__new__` plus setting `_errors` makes the same exception as calling the class
    /// (checked once on a probe): it skips running `__init__` as Python code.
    direct: bool,
}

static VALIDATION_ERROR: PyOnceLock<ErrorClass> = PyOnceLock::new();

impl ErrorClass {
    fn load(py: Python<'_>) -> PyResult<ErrorClass> {
        let cls = py
            .import("gati.errors")?
            .getattr("ValidationError")?
            .cast_into::<PyType>()?;
        let mut ec = ErrorClass {
            new: cls.getattr("__new__")?.unbind(),
            cls: cls.unbind(),
            slot: PyString::intern(py, "_errors").unbind(),
            direct: true,
        };
        let probe = PyList::empty(py);
        let fast = ec.build(py, &probe)?;
        let slow = ec.cls.bind(py).call1((&probe,))?;
        ec.direct = fast.call_method0("errors")?.is(&probe)
            && fast.getattr("args")?.eq(slow.getattr("args")?)?
            && fast.str()?.as_any().eq(slow.str()?)?;
        Ok(ec)
    }

    fn build<'py>(
        &self,
        py: Python<'py>,
        errors: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cls = self.cls.bind(py);
        if !self.direct {
            return cls.call1((errors,));
        }
        let exc = self.new.bind(py).call1((cls, errors))?;
        exc.setattr(self.slot.bind(py), errors)?;
        Ok(exc)
    }
}

/// `gati.errors.ValidationError(errors)`.
pub fn validation_error(py: Python<'_>, errors: Bound<'_, PyList>) -> PyResult<PyErr> {
    let ec = VALIDATION_ERROR.get_or_try_init(py, || ErrorClass::load(py))?;
    Ok(PyErr::from_value(ec.build(py, &errors)?))
}
