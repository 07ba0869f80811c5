//! The hook planner: orders a route's global and route hooks once, at start-up (DESIGN §6).
//!
//! Before hooks run global → route, higher priority first within a level, registration order
//! breaking ties; after and catch hooks run in the exact reverse of that order.
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PySequence};
use std::collections::HashSet;

/// The one error type of the planner.
enum PlanError {
    BadKind(String),
    BadLevel(String),
    Duplicate {
        kind: String,
        level: String,
        id: String,
    },
    NotHook,
}

impl From<PlanError> for PyErr {
    fn from(e: PlanError) -> PyErr {
        match e {
            PlanError::BadKind(k) => PyValueError::new_err(format!(
                "hook kind must be 'before', 'after' or 'catch', not {k:?}"
            )),
            PlanError::BadLevel(l) => PyValueError::new_err(format!(
                "a route plan takes 'global' and 'route' hooks, not {l:?}"
            )),
            PlanError::Duplicate { kind, level, id } => PyValueError::new_err(format!(
                "duplicate {level} {kind} hook id {id:?}: give one of them another id="
            )),
            PlanError::NotHook => PyTypeError::new_err("plan_hooks() takes a sequence of Hook"),
        }
    }
}

struct Item {
    index: usize,
    kind: u8,
    level: u8,
    priority: i64,
}

/// Kind and level codes: the positions in `gati._tables.HOOK_KINDS` and `PLAN_LEVELS`
/// (`tests/test_tables.py` holds this side to that table).
fn kind_code(kind: &str) -> Result<u8, PlanError> {
    match kind {
        "before" => Ok(0),
        "after" => Ok(1),
        "catch" => Ok(2),
        other => Err(PlanError::BadKind(other.to_owned())),
    }
}

fn level_code(level: &str) -> Result<u8, PlanError> {
    match level {
        "global" => Ok(0),
        "route" => Ok(1),
        other => Err(PlanError::BadLevel(other.to_owned())),
    }
}

fn read_item(index: usize, hook: &Bound<'_, PyAny>) -> PyResult<(Item, String)> {
    let attr = |name: &str| {
        hook.getattr(name)
            .map_err(|_| PyErr::from(PlanError::NotHook))
    };
    let kind: String = attr("kind")?.extract()?;
    let level: String = attr("level")?.extract()?;
    let priority: i64 = attr("priority")?.extract()?;
    let id: String = attr("id")?.extract()?;
    let item = Item {
        index,
        kind: kind_code(&kind)?,
        level: level_code(&level)?,
        priority,
    };
    Ok((item, id))
}

/// Orders `hooks` (global and route level, in registration order) and returns the indexes of
/// the before, after and catch chains in the order they must run.
#[pyfunction]
#[pyo3(name = "plan_hooks")]
fn py_plan_hooks<'py>(
    py: Python<'py>,
    hooks: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>, Bound<'py, PyList>)> {
    crate::boundary::guard(|| plan_hooks(py, hooks))
}

fn plan_hooks<'py>(
    py: Python<'py>,
    hooks: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>, Bound<'py, PyList>)> {
    let seq = hooks.cast::<PySequence>().map_err(|_| PlanError::NotHook)?;
    let mut items = Vec::with_capacity(seq.len()?);
    let mut seen: HashSet<(u8, u8, String)> = HashSet::new();
    for (index, hook) in seq.try_iter()?.enumerate() {
        let (item, id) = read_item(index, &hook?)?;
        if !seen.insert((item.kind, item.level, id.clone())) {
            let h = hook_names(item.kind, item.level);
            return Err(PlanError::Duplicate {
                kind: h.0.into(),
                level: h.1.into(),
                id,
            }
            .into());
        }
        items.push(item);
    }
    let [before, after, catch] = order(items);
    Ok((
        PyList::new(py, before)?,
        PyList::new(py, after)?,
        PyList::new(py, catch)?,
    ))
}

/// The before, after and catch chains as indexes: level, then priority (high first), then
/// registration order; after and catch reversed.
fn order(mut items: Vec<Item>) -> [Vec<usize>; 3] {
    // Stable: equal (level, priority) keep registration order.
    items.sort_by_key(|it| (it.level, std::cmp::Reverse(it.priority)));
    let chain = |kind: u8, reverse: bool| -> Vec<usize> {
        let mut idx: Vec<usize> = items
            .iter()
            .filter(|it| it.kind == kind)
            .map(|it| it.index)
            .collect();
        if reverse {
            idx.reverse();
        }
        idx
    };
    [chain(0, false), chain(1, true), chain(2, true)]
}

fn hook_names(kind: u8, level: u8) -> (&'static str, &'static str) {
    let k = ["before", "after", "catch"][usize::from(kind.min(2))];
    let l = ["global", "route"][usize::from(level.min(1))];
    (k, l)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_plan_hooks, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{order, Item};

    fn item(index: usize, kind: u8, level: u8, priority: i64) -> Item {
        Item {
            index,
            kind,
            level,
            priority,
        }
    }

    #[test]
    fn before_runs_global_then_route_by_priority_then_registration() {
        let items = vec![
            item(0, 0, 1, 0),
            item(1, 0, 0, 0),
            item(2, 0, 0, 5),
            item(3, 0, 1, 9),
            item(4, 0, 0, 0),
        ];
        assert_eq!(order(items)[0], vec![2, 1, 4, 3, 0]);
    }

    #[test]
    fn after_and_catch_are_the_exact_reverse() {
        let items = vec![
            item(0, 1, 0, 0),
            item(1, 1, 1, 0),
            item(2, 1, 0, 3),
            item(3, 2, 0, 0),
            item(4, 2, 1, 1),
            item(5, 2, 1, 2),
        ];
        let [before, after, catch] = order(items);
        assert!(before.is_empty());
        assert_eq!(after, vec![1, 0, 2]);
        assert_eq!(catch, vec![4, 5, 3]);
    }
}
