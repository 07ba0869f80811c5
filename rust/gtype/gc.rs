//! Garbage-collector support for `Validator`: the Python objects a compiled tree holds that
//! can lead back to the validator (custom validators, enum classes), visited for the cycle
//! collector and dropped when it clears the validator. Plan constants (messages, bounds,
//! literal values, patterns) cannot: they are strings, numbers and compiled patterns the
//! planner made.
use pyo3::{PyTraverseError, PyVisit};

use super::node::{Kind, Node};
use super::object::Extra;

impl Node {
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        for f in &self.validators {
            visit.call(f)?;
        }
        match &self.kind {
            Kind::Literal(k) => {
                if let Some(cls) = &k.enum_class {
                    visit.call(cls)?;
                }
            }
            Kind::Object(k) => {
                for p in &k.properties {
                    p.node.traverse(visit)?;
                }
                if let Extra::Schema(x) = &k.extra {
                    x.traverse(visit)?;
                }
            }
            Kind::Array(k) => k.items.traverse(visit)?,
            Kind::Record(k) => k.values.traverse(visit)?,
            Kind::Tuple(k) => {
                for n in k.items.iter().chain(k.rest.as_deref()) {
                    n.traverse(visit)?;
                }
            }
            Kind::Union(k) => {
                for n in &k.members {
                    n.traverse(visit)?;
                }
            }
            Kind::Intersection(k) => {
                for n in &k.members {
                    n.traverse(visit)?;
                }
            }
            Kind::String(_) | Kind::Number(_) | Kind::Scalar(_) | Kind::Ref(_) => {}
        }
        Ok(())
    }

    /// Drops what `traverse` visits, breaking any cycle through this tree (the collector's
    /// `__clear__`; the validator is garbage then, so what it would validate no longer matters).
    pub fn clear(&mut self) {
        self.validators.clear();
        match &mut self.kind {
            Kind::Literal(k) => k.enum_class = None,
            Kind::Object(k) => {
                for p in &mut k.properties {
                    p.node.clear();
                }
                if let Extra::Schema(x) = &mut k.extra {
                    x.clear();
                }
            }
            Kind::Array(k) => k.items.clear(),
            Kind::Record(k) => k.values.clear(),
            Kind::Tuple(k) => {
                for n in k.items.iter_mut().chain(k.rest.as_deref_mut()) {
                    n.clear();
                }
            }
            Kind::Union(k) => k.members.iter_mut().for_each(Node::clear),
            Kind::Intersection(k) => k.members.iter_mut().for_each(Node::clear),
            Kind::String(_) | Kind::Number(_) | Kind::Scalar(_) | Kind::Ref(_) => {}
        }
    }
}
