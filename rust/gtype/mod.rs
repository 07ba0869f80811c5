//! The native `GType` validator: `Validator(plan, schema=None)` (docs/gtype.md §4–§7).
use std::collections::HashMap;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyMemoryView, PyString};
use pyo3::{PyTraverseError, PyVisit};

mod array;
mod custom;
mod direct;
mod errors;
mod formats;
mod gc;
mod guard;
mod intersection;
mod json;
mod literal;
mod node;
mod number;
mod object;
mod output;
mod pause;
mod plan;
mod record;
mod reference;
mod scalar;
mod string;
mod trials;
mod tuple;
mod types;
mod union;
mod unique;

use crate::boundary::guard;
use errors::{Code, Errors, Msgs, Path};
use node::{Compiler, Ctx, Node};

/// Not `frozen`: the collector's `__clear__` needs the tree mutably (validation only reads it).
#[pyclass(module = "gati._native")]
pub struct Validator {
    root: Node,
    defs: Vec<Node>,
    global: Msgs,
    max_errors: usize,
    max_depth: usize,
    keys: json::KeyCache,
    strings: json::StringCache,
    schema: Py<PyAny>,
    /// What `convert` and `dump` build from a validated value (`output.rs`).
    converting: output::Output,
    dumping: output::Output,
}

impl Validator {
    fn build(plan: &Bound<'_, PyDict>, schema: Py<PyAny>) -> PyResult<Self> {
        let mut names = HashMap::new();
        let definitions = match plan::get(plan, "definitions")? {
            Some(d) => d.cast_into::<PyDict>()?,
            None => PyDict::new(plan.py()),
        };
        for (i, (name, _)) in definitions.iter().enumerate() {
            names.insert(name.extract::<String>()?, i);
        }
        let cx = Compiler {
            names,
            keys: std::cell::RefCell::default(),
        };
        let defs = definitions
            .iter()
            .map(|(_, d)| cx.node(&d))
            .collect::<PyResult<_>>()?;
        let root = cx.node(&plan::req(plan, "root")?)?;
        let converting = output::Output::compile(&cx, plan, true)?;
        let dumping = output::Output::compile(&cx, plan, false)?;
        Ok(Validator {
            converting,
            dumping,
            root,
            defs,
            keys: cx.keys.into_inner(),
            strings: json::StringCache::default(),
            global: Msgs::from_plan(plan::get(plan, "msgs")?)?,
            max_errors: plan::opt_usize(plan, "max_errors")?.unwrap_or(100),
            max_depth: plan::opt_usize(plan, "max_depth")?.unwrap_or(256),
            schema,
        })
    }

    fn run<'py>(&self, value: &Bound<'py, PyAny>, fast: bool) -> PyResult<Errors<'py>> {
        let py = value.py();
        let mut ctx = Ctx::new(
            py,
            &self.defs,
            &self.global,
            self.max_errors,
            self.max_depth,
            fast,
        );
        node::validate(&mut ctx, &self.root, value, &Path::root())?;
        Ok(ctx.errors)
    }

    fn check<'py>(&self, value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = value.py();
        let errors = self.run(&value, false)?;
        if errors.list.is_empty() {
            Ok(value)
        } else {
            Err(errors::validation_error(py, errors.into_list(py)?)?)
        }
    }

    fn output<'py>(
        &self,
        out: &output::Output,
        value: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        out.build(value, &self.defs, &self.global, self.max_depth)
    }

    /// Reads and validates `data` (bytes, bytearray, memoryview or str).
    fn parse_json<'py>(&self, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = data.py();
        let bytes: Bound<'py, PyBytes> = if let Ok(b) = data.cast::<PyBytes>() {
            b.clone()
        } else if let Ok(s) = data.cast::<PyString>() {
            match s.to_str() {
                Ok(text) => return self.json_checked(py, text.as_bytes()),
                Err(_) => s
                    .call_method1("encode", ("utf-8", "surrogatepass"))?
                    .cast_into()?,
            }
        } else if data.is_instance_of::<PyByteArray>() || data.is_instance_of::<PyMemoryView>() {
            py.get_type::<PyBytes>().call1((data,))?.cast_into()?
        } else {
            let name = data.get_type().name()?;
            return Err(PyTypeError::new_err(format!(
                "validate_json takes bytes, bytearray, memoryview or str, not {name}"
            )));
        };
        self.json_checked(py, bytes.as_bytes())
    }

    /// The one-pass read-and-check; `None` when the exact path must run.
    fn direct<'py>(&self, py: Python<'py>, src: &[u8]) -> PyResult<Option<Bound<'py, PyAny>>> {
        let mut slots = self.strings.lock();
        let reader = json::Reader::checking_strings(py, src, &self.keys, slots.as_deref_mut());
        match direct::Direct::new(reader, src.len(), &self.defs, &self.global, self.max_depth)
            .document(&self.root)
        {
            Ok(value) => Ok(Some(value)),
            Err(direct::Stop::Redo | direct::Stop::Bail) => Ok(None),
            Err(direct::Stop::Py(e)) => Err(e),
        }
    }

    /// Reads and validates JSON: the one-pass check first, the exact path when it fails.
    fn json_checked<'py>(&self, py: Python<'py>, src: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        match self.direct(py, src)? {
            Some(value) => Ok(value),
            None => self.check(self.parse_bytes(py, src)?),
        }
    }

    fn parse_bytes<'py>(&self, py: Python<'py>, src: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        let mut slots = self.strings.lock();
        let errors = match json::parse(py, src, self.max_depth, &self.keys, slots.as_deref_mut()) {
            Ok(value) => return Ok(value),
            Err(json::Failure::Py(e)) => return Err(e),
            Err(json::Failure::Invalid(pos, detail)) => {
                let (line, column) = json::line_col(src, pos);
                errors::json_invalid(py, &self.global, &detail, line, column)?
            }
            Err(json::Failure::TooDeep) => {
                let mut errs = Errors::new(self.max_errors, false);
                let none = py.None().into_bound(py);
                errs.add(
                    &self.global,
                    &self.global,
                    Code::DepthExceeded,
                    &Path::root(),
                    &none,
                )?;
                errs.into_list(py)?
            }
        };
        Err(errors::validation_error(py, errors)?)
    }
}

#[pymethods]
impl Validator {
    #[new]
    #[pyo3(signature = (plan, schema = None))]
    fn new(py: Python<'_>, plan: &Bound<'_, PyDict>, schema: Option<Py<PyAny>>) -> PyResult<Self> {
        guard(|| Validator::build(plan, schema.unwrap_or_else(|| py.None())))
    }

    /// Returns `obj` itself when valid, else raises `gati.ValidationError` with every error.
    fn validate<'py>(&self, obj: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| self.check(obj))
    }

    /// Parses JSON (bytes, bytearray, memoryview or str) and validates the parsed value.
    fn validate_json<'py>(&self, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| self.parse_json(data))
    }

    /// Validates `obj`, then builds Python objects per the schema (docs/gtype.md §9).
    fn convert<'py>(&self, obj: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| self.output(&self.converting, self.check(obj)?))
    }

    /// Parses and validates JSON, then builds Python objects per the schema.
    fn convert_json<'py>(&self, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| self.output(&self.converting, self.parse_json(data)?))
    }

    /// Validates `obj` and returns it as its schema lets it out: undeclared keys dropped.
    fn dump<'py>(&self, obj: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| self.output(&self.dumping, self.check(obj)?))
    }

    /// Whether `obj` is valid; stops at the first error and builds no error objects.
    fn is_valid(&self, obj: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(|| Ok(self.run(obj, true)?.count == 0))
    }

    /// Custom validators, enum classes, converters, defaults and the schema can refer back to
    /// the validator: the collector sees them, and `__clear__` drops them.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.schema)?;
        self.root.traverse(&visit)?;
        for def in &self.defs {
            def.traverse(&visit)?;
        }
        self.converting.traverse(&visit)?;
        self.dumping.traverse(&visit)?;
        Ok(())
    }

    fn __clear__(&mut self) {
        self.root.clear();
        self.defs.iter_mut().for_each(Node::clear);
        self.converting.clear();
        self.dumping.clear();
        #[allow(clippy::redundant_closure_for_method_calls)] // `Python::None` is not general enough
        let none = Python::attach(|py| py.None());
        self.schema = none;
    }

    #[getter]
    fn schema(&self, py: Python<'_>) -> Py<PyAny> {
        self.schema.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let schema = self.schema.bind(py).repr()?;
        Ok(format!("<gati native Validator for {schema}>"))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Validator>()?;
    let codes = Code::ALL.iter().map(|c| c.as_str());
    m.add("ERROR_CODES", pyo3::types::PyTuple::new(m.py(), codes)?)?;
    Ok(())
}
