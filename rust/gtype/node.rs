//! The compiled node tree, the validation context, and the dispatch over kinds.
use std::cell::RefCell;
use std::collections::HashMap;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::errors::{Code, Errors, Msgs, Path};
use super::guard;
use super::json::KeyCache;
use super::pause::Pause;
use super::trials::Trials;
use super::{
    array, custom, intersection, literal, number, object, plan, record, reference, scalar, string,
    tuple, union,
};

/// Validation calls nested deeper than this, or reaching the thread's stack floor (see `guard`),
/// report `depth_exceeded` whatever `max_depth` says: no schema or input exhausts the stack.
const MAX_FRAMES: usize = 4096;

pub struct Node {
    pub nullable: bool,
    pub validators: Vec<Py<PyAny>>,
    pub msgs: Msgs,
    pub kind: Kind,
}

pub enum Kind {
    String(string::StringNode),
    Number(number::NumberNode),
    Scalar(scalar::Scalar),
    Literal(literal::LiteralNode),
    Object(object::ObjectNode),
    Array(array::ArrayNode),
    Tuple(tuple::TupleNode),
    Record(record::RecordNode),
    Union(union::UnionNode),
    Intersection(intersection::IntersectionNode),
    Ref(usize),
}

/// Compile-time state: definition names resolved to indexes, and the object keys seen.
pub struct Compiler {
    pub names: HashMap<String, usize>,
    pub keys: RefCell<KeyCache>,
}

impl Compiler {
    pub fn node(&self, obj: &Bound<'_, PyAny>) -> PyResult<Node> {
        let d = obj.cast::<PyDict>()?;
        let ty = plan::string(d, "type")?.unwrap_or_default();
        let kind = match ty.as_str() {
            "string" => Kind::String(string::compile(d)?),
            "number" | "integer" => Kind::Number(number::compile(d, ty == "integer")?),
            "boolean" | "null" | "any" => Kind::Scalar(scalar::compile(&ty)),
            "literal" | "enum" => Kind::Literal(literal::compile(d, ty == "enum")?),
            "object" => Kind::Object(object::compile(self, d)?),
            "array" => Kind::Array(array::compile(self, d)?),
            "tuple" => Kind::Tuple(tuple::compile(self, d)?),
            "record" => Kind::Record(record::compile(self, d)?),
            "union" => Kind::Union(union::compile(self, d)?),
            "intersection" => Kind::Intersection(intersection::compile(self, d)?),
            "ref" => Kind::Ref(reference::compile(self, d)?),
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown node type {other:?}"
                )))
            }
        };
        let validators = match plan::get(d, "validators")? {
            Some(v) => v.cast::<PyList>()?.iter().map(Bound::unbind).collect(),
            None => Vec::new(),
        };
        Ok(Node {
            nullable: plan::flag(d, "nullable")?,
            validators,
            msgs: Msgs::from_plan(plan::get(d, "msgs")?)?,
            kind,
        })
    }

    pub fn nodes(&self, list: &Bound<'_, PyAny>) -> PyResult<Vec<Node>> {
        list.try_iter()?.map(|n| self.node(&n?)).collect()
    }
}

/// Everything one validation run carries: the errors, the depth, the refs being entered.
pub struct Ctx<'a, 'py> {
    pub py: Python<'py>,
    pub defs: &'a [Node],
    pub global: &'a Msgs,
    pub errors: Errors<'py>,
    pub depth: usize,
    pub max_depth: usize,
    frames: usize,
    /// Validation stops descending below this stack address (see `guard`).
    stack_floor: usize,
    /// (definition index, container address) pairs currently being validated through a ref.
    pub active: Vec<(usize, usize)>,
    /// Lets other threads take the GIL now and then during a long validation.
    pause: Pause,
    /// Plain unions' answers so far in this call (see `trials`).
    pub trials: Trials<'py>,
}

impl<'a, 'py> Ctx<'a, 'py> {
    pub fn new(
        py: Python<'py>,
        defs: &'a [Node],
        global: &'a Msgs,
        max_errors: usize,
        max_depth: usize,
        fast: bool,
    ) -> Self {
        Ctx {
            py,
            defs,
            global,
            errors: Errors::new(max_errors, fast),
            depth: 0,
            max_depth,
            frames: 0,
            stack_floor: guard::stack_floor(),
            active: Vec::new(),
            pause: Pause::default(),
            trials: Trials::default(),
        }
    }

    pub fn err(
        &mut self,
        node: &Node,
        code: Code,
        path: &Path<'_, 'py>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<()> {
        self.errors.add(&node.msgs, self.global, code, path, value)
    }

    pub fn global_err(
        &mut self,
        code: Code,
        path: &Path<'_, 'py>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<()> {
        self.errors.add(self.global, self.global, code, path, value)
    }

    /// Runs `f` one container level deeper; at the depth limit it records `depth_exceeded`
    /// instead, so every container checks and restores the depth the same way.
    #[inline]
    pub fn nested(
        &mut self,
        path: &Path<'_, 'py>,
        value: &Bound<'py, PyAny>,
        f: impl FnOnce(&mut Self) -> PyResult<()>,
    ) -> PyResult<()> {
        if self.depth >= self.max_depth {
            return self.global_err(Code::DepthExceeded, path, value);
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    pub fn stopped(&self) -> bool {
        self.errors.stopped
    }
}

/// Validates `value` against `node` at `path`, recording every error in `ctx`.
pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    if ctx.errors.stopped || (node.nullable && value.is_none()) {
        return Ok(());
    }
    if ctx.frames >= MAX_FRAMES || guard::stack_here() < ctx.stack_floor {
        ctx.trials.detours += 1;
        return ctx.global_err(Code::DepthExceeded, path, value);
    }
    ctx.pause.step(ctx.py);
    let before = ctx.errors.count;
    ctx.frames += 1;
    let result = match &node.kind {
        Kind::String(k) => string::validate(ctx, node, k, value, path),
        Kind::Number(k) => number::validate(ctx, node, k, value, path),
        Kind::Scalar(k) => scalar::validate(ctx, node, *k, value, path),
        Kind::Literal(k) => literal::validate(ctx, node, k, value, path),
        Kind::Object(k) => object::validate(ctx, node, k, value, path),
        Kind::Array(k) => array::validate(ctx, node, k, value, path),
        Kind::Tuple(k) => tuple::validate(ctx, node, k, value, path),
        Kind::Record(k) => record::validate(ctx, node, k, value, path),
        Kind::Union(k) => union::validate(ctx, node, k, value, path),
        Kind::Intersection(k) => intersection::validate(ctx, k, value, path),
        Kind::Ref(i) => reference::validate(ctx, *i, value, path),
    };
    ctx.frames -= 1;
    result?;
    if !node.validators.is_empty() && ctx.errors.count == before && !ctx.errors.stopped {
        custom::run(ctx, node, value, path)?;
    }
    Ok(())
}
