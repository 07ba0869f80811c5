//! `gati.Snapshot`: a request's state, phase, hook position and trace at one moment, taken in
//! one native call (`take_snapshot`) so that `lctx.snapshot()` is O(1) whatever the state's
//! size (the map is shared with the store, as `StateSnapshot` shares it).
//!
//! `gati.context.snapshot` installs on this class, once at import, the views that build Python
//! values (`state`, `outstanding`, `events`) and the JSON form, written once for both backends;
//! the time is read here, not by a separate `time.time_ns()` call.
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};

use super::{Map, StateSnapshot, StateStore, NEXT_STORE};
use crate::boundary::guard;
use std::sync::atomic::Ordering;

/// An immutable record of a Local Context. Like `StateSnapshot`, it shows the garbage collector
/// none of the state's entries (their writer does); it shows every other object it holds.
#[pyclass(module = "gati", name = "Snapshot", subclass)]
pub struct SnapshotRecord {
    map: Map,
    next_seq: u64,
    copier: Py<PyAny>,
    request_id: Py<PyAny>,
    taken_at: TakenAt,
    phase: Py<PyAny>,
    hook_index: Py<PyAny>,
    handler_version: Py<PyAny>,
    tracked: Py<PyAny>,
    trace: Py<PyAny>,
}

/// When the snapshot was taken: the clock's reading, made a Python int only when read (saves
/// an int's allocation and release per snapshot, 150 of 2,600 instructions), or the value
/// `Snapshot.from_json` gave.
enum TakenAt {
    Clock(u64),
    Given(Py<PyAny>),
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The record of `store` with the request's other fields, the clock read now unless given.
#[allow(clippy::too_many_arguments)]
fn record(
    py: Python<'_>,
    store: &Bound<'_, PyAny>,
    request_id: Py<PyAny>,
    phase: Py<PyAny>,
    hook_index: Py<PyAny>,
    handler_version: Py<PyAny>,
    tracked: Py<PyAny>,
    trace: Py<PyAny>,
    taken_at: Option<Py<PyAny>>,
) -> PyResult<SnapshotRecord> {
    let store = store.cast::<StateStore>().map_err(|_| {
        PyTypeError::new_err("a snapshot is taken of a state store of the same backend")
    })?;
    let store = store.try_borrow()?;
    let taken_at = taken_at.map_or_else(|| TakenAt::Clock(now_ns()), TakenAt::Given);
    Ok(SnapshotRecord {
        map: store.map.clone(),
        next_seq: store.next_seq,
        copier: store.copier.clone_ref(py),
        request_id,
        taken_at,
        phase,
        hook_index,
        handler_version,
        tracked,
        trace,
    })
}

/// `lctx.snapshot()`'s one call: `Snapshot(store, ...)` as a function call, which takes its
/// arguments as they are (a type call packs them into a tuple first: 1,420 -> 1,180
/// instructions).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn take_snapshot(
    py: Python<'_>,
    store: &Bound<'_, PyAny>,
    request_id: Py<PyAny>,
    phase: Py<PyAny>,
    hook_index: Py<PyAny>,
    handler_version: Py<PyAny>,
    tracked: Py<PyAny>,
    trace: Py<PyAny>,
) -> PyResult<SnapshotRecord> {
    guard(|| {
        record(
            py,
            store,
            request_id,
            phase,
            hook_index,
            handler_version,
            tracked,
            trace,
            None,
        )
    })
}

#[pymethods]
impl SnapshotRecord {
    #[new]
    #[pyo3(signature = (store, request_id, phase, hook_index, handler_version, tracked, trace, taken_at=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        store: &Bound<'_, PyAny>,
        request_id: Py<PyAny>,
        phase: Py<PyAny>,
        hook_index: Py<PyAny>,
        handler_version: Py<PyAny>,
        tracked: Py<PyAny>,
        trace: Py<PyAny>,
        taken_at: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        guard(|| {
            record(
                py,
                store,
                request_id,
                phase,
                hook_index,
                handler_version,
                tracked,
                trace,
                taken_at,
            )
        })
    }

    #[getter]
    fn request_id(&self, py: Python<'_>) -> Py<PyAny> {
        self.request_id.clone_ref(py)
    }

    #[getter]
    fn taken_at(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        guard(|| match &self.taken_at {
            TakenAt::Clock(ns) => Ok(ns.into_pyobject(py)?.into_any().unbind()),
            TakenAt::Given(t) => Ok(t.clone_ref(py)),
        })
    }

    #[getter]
    fn phase(&self, py: Python<'_>) -> Py<PyAny> {
        self.phase.clone_ref(py)
    }

    #[getter]
    fn hook_index(&self, py: Python<'_>) -> Py<PyAny> {
        self.hook_index.clone_ref(py)
    }

    #[getter]
    fn handler_version(&self, py: Python<'_>) -> Py<PyAny> {
        self.handler_version.clone_ref(py)
    }

    /// The outstanding tasks as given: `(name, status)` pairs.
    #[getter]
    fn tracked(&self, py: Python<'_>) -> Py<PyAny> {
        self.tracked.clone_ref(py)
    }

    /// The trace's records as given (the views copy them).
    #[getter]
    fn trace(&self, py: Python<'_>) -> Py<PyAny> {
        self.trace.clone_ref(py)
    }

    /// The state as a `StateSnapshot` (O(1): it shares the map).
    #[getter]
    fn state_store_snapshot(&self, py: Python<'_>) -> PyResult<StateSnapshot> {
        guard(|| {
            Ok(StateSnapshot {
                map: self.map.clone(),
                next_seq: self.next_seq,
                copier: self.copier.clone_ref(py),
            })
        })
    }

    /// A new store holding this state (O(1)): what `LocalContext.restore` starts from.
    fn new_store(&self, py: Python<'_>) -> PyResult<StateStore> {
        guard(|| {
            Ok(StateStore {
                map: self.map.clone(),
                next_seq: self.next_seq,
                copier: self.copier.clone_ref(py),
                id: NEXT_STORE.fetch_add(1, Ordering::Relaxed),
            })
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let TakenAt::Given(t) = &self.taken_at {
            visit.call(t)?;
        }
        for field in [
            &self.copier,
            &self.request_id,
            &self.phase,
            &self.hook_index,
            &self.handler_version,
            &self.tracked,
            &self.trace,
        ] {
            visit.call(field)?;
        }
        Ok(())
    }

    /// Drops the trace and the task records, the fields through which a cycle can pass (the
    /// others hold strings, ints and the module-level copier).
    fn __clear__(&mut self) {
        self.map = Map::new_sync();
        Python::attach(|py| {
            self.tracked = py.None();
            self.trace = py.None();
        });
    }
}
