//! The Local Context state store: a persistent hash map (`rpds`) so that a snapshot and a
//! restore are O(1) and share structure with the live store.
//!
//! Values follow value semantics (docs/context.md): exact `dict`, `list`, `tuple`, `set` and
//! `bytearray` values go through the copier the store was built with on the way in and again on
//! the way out; every other object is stored as it is (the copier would return it unchanged).
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::boundary::guard;
use pyo3::types::{PyList, PyString, PyTuple};
use rpds::HashTrieMapSync;

mod copy;
mod snapshot;

type Map = HashTrieMapSync<Box<str>, Entry>;

/// The one error type of the state store.
enum StateError {
    KeyNotStr,
    Missing(Py<PyString>),
    ForeignSnapshot,
}

impl From<StateError> for PyErr {
    fn from(e: StateError) -> PyErr {
        match e {
            StateError::KeyNotStr => PyTypeError::new_err("state keys must be str"),
            StateError::Missing(k) => PyKeyError::new_err(k),
            StateError::ForeignSnapshot => {
                PyTypeError::new_err("restore() takes a snapshot made by the same kind of store")
            }
        }
    }
}

/// One stored value: its insertion sequence (for key order), the store that wrote it, the key
/// object, and whether reading it must go through the copier.
///
/// Entries are shared, unchanged, between a store, its snapshots and the stores restored from
/// them, so each is shown to the garbage collector by its writer only (`owner`): visited once
/// per reference it holds, never twice.
struct Entry {
    seq: u64,
    owner: u64,
    copy: bool,
    key: Py<PyString>,
    value: Py<PyAny>,
}

fn key_str<'a>(key: &'a Bound<'_, PyAny>) -> Result<(&'a Bound<'a, PyString>, &'a str), PyErr> {
    let s = key.cast::<PyString>().map_err(|_| StateError::KeyNotStr)?;
    Ok((s, s.to_str()?))
}

fn read(py: Python<'_>, copier: &Py<PyAny>, e: &Entry) -> PyResult<Py<PyAny>> {
    if e.copy {
        Ok(copier.call1(py, (e.value.bind(py),))?)
    } else {
        Ok(e.value.clone_ref(py))
    }
}

fn get_of(
    py: Python<'_>,
    copier: &Py<PyAny>,
    map: &Map,
    key: &Bound<'_, PyAny>,
    default: Option<Py<PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (_, k) = key_str(key)?;
    match map.get(k) {
        Some(e) => read(py, copier, e),
        None => Ok(default.unwrap_or_else(|| py.None())),
    }
}

fn contains_of(map: &Map, key: &Bound<'_, PyAny>) -> PyResult<bool> {
    let (_, k) = key_str(key)?;
    Ok(map.contains_key(k))
}

fn ordered(map: &Map) -> Vec<&Entry> {
    let mut v: Vec<&Entry> = map.values().collect();
    v.sort_unstable_by_key(|e| e.seq);
    v
}

fn keys_of<'py>(py: Python<'py>, map: &Map) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, ordered(map).into_iter().map(|e| e.key.bind(py)))
}

fn items_of<'py>(py: Python<'py>, copier: &Py<PyAny>, map: &Map) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for e in ordered(map) {
        out.append(PyTuple::new(
            py,
            [e.key.clone_ref(py).into_any(), read(py, copier, e)?],
        )?)?;
    }
    Ok(out)
}

/// The mutable, per-request store behind `lctx.state`.
#[pyclass(module = "gati._native", name = "StateStore")]
pub struct StateStore {
    map: Map,
    next_seq: u64,
    copier: Py<PyAny>,
    /// Unique per store: the `owner` of the entries it writes.
    id: u64,
}

/// An immutable view of a store at one moment; shares structure with the store. It shows
/// nothing to the garbage collector: its entries are the store's, visited there (see `Entry`).
#[pyclass(module = "gati._native", name = "StateSnapshot", frozen, freelist = 64)]
pub struct StateSnapshot {
    map: Map,
    next_seq: u64,
    copier: Py<PyAny>,
}

static NEXT_STORE: AtomicU64 = AtomicU64::new(1);

#[pymethods]
impl StateStore {
    #[new]
    fn new(copier: Py<PyAny>) -> PyResult<Self> {
        guard(|| {
            Ok(StateStore {
                map: Map::new_sync(),
                next_seq: 0,
                copier,
                id: NEXT_STORE.fetch_add(1, Ordering::Relaxed),
            })
        })
    }

    #[pyo3(signature = (key, default=None))]
    fn get(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| get_of(py, &self.copier, &self.map, key, default))
    }

    fn set(&mut self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(|| self.put(key, value))
    }

    fn delete(&mut self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(|| {
            let (_, k) = key_str(key)?;
            Ok(self.map.remove_mut(k))
        })
    }

    fn clean(&mut self) -> PyResult<()> {
        guard(|| {
            self.map = Map::new_sync();
            Ok(())
        })
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard(|| keys_of(py, &self.map))
    }

    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard(|| items_of(py, &self.copier, &self.map))
    }

    fn snapshot(&self, py: Python<'_>) -> PyResult<StateSnapshot> {
        guard(|| {
            Ok(StateSnapshot {
                map: self.map.clone(),
                next_seq: self.next_seq,
                copier: self.copier.clone_ref(py),
            })
        })
    }

    fn restore(&mut self, snapshot: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(|| {
            let snap = snapshot
                .cast::<StateSnapshot>()
                .map_err(|_| StateError::ForeignSnapshot)?;
            let snap = snap.get();
            self.map = snap.map.clone();
            self.next_seq = snap.next_seq;
            Ok(())
        })
    }

    fn __len__(&self) -> PyResult<usize> {
        guard(|| Ok(self.map.size()))
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(|| contains_of(&self.map, key))
    }

    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        guard(|| {
            let (kobj, k) = key_str(key)?;
            match self.map.get(k) {
                Some(e) => read(py, &self.copier, e),
                None => Err(StateError::Missing(kobj.clone().unbind()).into()),
            }
        })
    }

    fn __setitem__(&mut self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(|| self.put(key, value))
    }

    fn __delitem__(&mut self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(|| {
            let (kobj, k) = key_str(key)?;
            if self.map.remove_mut(k) {
                Ok(())
            } else {
                Err(StateError::Missing(kobj.clone().unbind()).into())
            }
        })
    }

    /// Values may refer back to the request that stored them: the collector sees each entry
    /// this store wrote (see `Entry`) and the copier.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.copier)?;
        for e in self.map.values().filter(|e| e.owner == self.id) {
            visit.call(&e.key)?;
            visit.call(&e.value)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.map = Map::new_sync();
    }
}

impl StateStore {
    fn put(&mut self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = key.py();
        let (kobj, k) = key_str(key)?;
        let copy = copy::is_container(value);
        let stored = if copy {
            self.copier.call1(py, (value,))?
        } else {
            value.clone().unbind()
        };
        let seq = match self.map.get(k) {
            Some(e) => e.seq,
            None => {
                self.next_seq += 1;
                self.next_seq
            }
        };
        let entry = Entry {
            seq,
            owner: self.id,
            copy,
            key: kobj.clone().unbind(),
            value: stored,
        };
        self.map.insert_mut(k.into(), entry);
        Ok(())
    }
}

#[pymethods]
impl StateSnapshot {
    #[pyo3(signature = (key, default=None))]
    fn get(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| get_of(py, &self.copier, &self.map, key, default))
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard(|| keys_of(py, &self.map))
    }

    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard(|| items_of(py, &self.copier, &self.map))
    }

    fn __len__(&self) -> PyResult<usize> {
        guard(|| Ok(self.map.size()))
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(|| contains_of(&self.map, key))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<StateStore>()?;
    m.add_class::<StateSnapshot>()?;
    m.add_class::<snapshot::SnapshotRecord>()?;
    m.add_function(wrap_pyfunction!(snapshot::take_snapshot, m)?)?;
    m.add_function(wrap_pyfunction!(copy::copy_value, m)?)?;
    Ok(())
}
