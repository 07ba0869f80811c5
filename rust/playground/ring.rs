//! `RingBuffer`: the Playground's recent records, bounded by count and by bytes (pure twin:
//! `gati._pure.ring.RingBuffer`; `gati.playground.buffer.RingBuffer` is a subclass).
//!
//! Adding a record past either bound evicts the oldest ones first; a record bigger than the
//! whole byte bound is never kept. The buffer numbers the records it keeps (1, 2, 3…: a
//! record's `id`), and a lookup by id is O(1). It is a record's `keep`: a `RecordCore` closing
//! hands itself to its buffer here, with no Python call, and `announce` (when set) is called
//! with each record kept.
use std::collections::VecDeque;

use pyo3::exceptions::PyValueError;
use pyo3::gc::{PyTraverseError, PyVisit};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PyString};

use super::RecordCore;
use crate::boundary::guard;

/// The newest records within `max_records` and `max_bytes`.
#[pyclass(module = "gati._native", name = "RingBuffer", subclass)]
pub struct RingBuffer {
    max_records: u64,
    max_bytes: i64,
    /// The bounds as given (a bound past 64 bits is held saturated).
    given: (Py<PyAny>, Py<PyAny>),
    #[pyo3(get)]
    bytes: i64,
    /// The records numbered `first` up to `next - 1`, oldest first.
    held: VecDeque<Py<PyAny>>,
    first: u64,
    next: u64,
    /// Called with each record kept (the live feed, while a page listens), or None.
    #[pyo3(get, set)]
    announce: Option<Py<PyAny>>,
}

/// A positive int bound, saturated to `i64::MAX`; `ValueError` with `what` otherwise.
fn positive(value: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if value.is_exact_instance_of::<PyInt>() {
        let n = value.extract::<i128>().unwrap_or(i128::MAX);
        if n >= 1 {
            return Ok(i64::try_from(n).unwrap_or(i64::MAX));
        }
    }
    Err(PyValueError::new_err(format!(
        "{what}, not {}",
        value.repr()?
    )))
}

/// An int as `i128`, saturated at either end: past every bound the buffer holds, as Python
/// compares a bigger int.
fn saturated(value: &Bound<'_, PyAny>) -> PyResult<i128> {
    match value.extract::<i128>() {
        Ok(n) => Ok(n),
        Err(_) if value.is_instance_of::<PyInt>() => {
            Ok(if value.gt(0)? { i128::MAX } else { i128::MIN })
        }
        Err(err) => Err(err),
    }
}

/// `item.size`: a record's own, else the attribute's (an int, saturated).
fn size_of(item: &Bound<'_, PyAny>) -> PyResult<i128> {
    match item.cast::<RecordCore>() {
        Ok(record) => Ok(i128::from(record.try_borrow()?.size)),
        Err(_) => saturated(&item.getattr(intern!(item.py(), "size"))?),
    }
}

impl RingBuffer {
    /// Keep `item` (its id set), evicting the oldest as needed; false (and no id) if it
    /// alone is bigger than the byte bound. Then `announce(item)`, when set.
    pub(super) fn push(ring: &Bound<'_, RingBuffer>, item: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = ring.py();
        let size = size_of(item)?;
        if size < 0 {
            return Err(PyValueError::new_err(
                "a record's size must not be negative",
            ));
        }
        let (max_bytes, id) = {
            let me = ring.try_borrow()?;
            (me.max_bytes, me.next)
        };
        let size = match i64::try_from(size) {
            Ok(size) if size <= max_bytes => size,
            _ => return Ok(false),
        };
        let limit = max_bytes - size;
        match item.cast::<RecordCore>() {
            Ok(record) => record.try_borrow_mut()?.id = id,
            Err(_) => item.setattr(intern!(py, "id"), id)?,
        }
        let mut evicted = Vec::new(); // freed once the buffer is consistent again
        let announce = {
            let mut me = ring.try_borrow_mut()?;
            let mut held = me.bytes;
            while me.next - me.first >= me.max_records || held > limit {
                let Some(old) = me.held.pop_front() else {
                    break;
                };
                let freed = size_of(old.bind(py))?;
                held = held.saturating_sub(i64::try_from(freed).unwrap_or(i64::MAX));
                me.first += 1;
                evicted.push(old);
            }
            me.held.push_back(item.clone().unbind());
            me.next += 1;
            me.bytes = held.saturating_add(size);
            me.announce.as_ref().map(|a| a.clone_ref(py))
        };
        drop(evicted);
        if let Some(announce) = announce {
            announce.bind(py).call1((item,))?;
        }
        Ok(true)
    }

    /// The record numbered `id`, if still held.
    fn at(&self, py: Python<'_>, id: u64) -> Option<Py<PyAny>> {
        let index = usize::try_from(id.checked_sub(self.first)?).ok()?;
        self.held.get(index).map(|r| r.clone_ref(py))
    }
}

#[pymethods]
impl RingBuffer {
    #[new]
    fn new(max_records: &Bound<'_, PyAny>, max_bytes: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| {
            let records = positive(max_records, "the buffer keeps at least 1 record")?;
            let bytes = positive(max_bytes, "the buffer's byte bound must be a positive int")?;
            Ok(RingBuffer {
                max_records: u64::try_from(records).unwrap_or(u64::MAX),
                max_bytes: bytes,
                given: (max_records.clone().unbind(), max_bytes.clone().unbind()),
                bytes: 0,
                held: VecDeque::new(),
                first: 1,
                next: 1,
                announce: None,
            })
        })
    }

    #[getter]
    fn max_records(&self, py: Python<'_>) -> Py<PyAny> {
        self.given.0.clone_ref(py)
    }

    #[getter]
    fn max_bytes(&self, py: Python<'_>) -> Py<PyAny> {
        self.given.1.clone_ref(py)
    }

    /// Keep `record`, numbered (`record.id`), evicting the oldest as needed; False (and no
    /// id) if it alone is bigger than the byte bound.
    fn add(slf: &Bound<'_, Self>, record: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(|| RingBuffer::push(slf, record))
    }

    /// `add`: the buffer is a record's `keep`.
    fn __call__(slf: &Bound<'_, Self>, record: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(|| RingBuffer::push(slf, record))
    }

    /// The record with `record_id` (its number, or the number as text), or None when
    /// unknown or evicted.
    fn get(&self, py: Python<'_>, record_id: &Bound<'_, PyAny>) -> PyResult<Option<Py<PyAny>>> {
        guard(|| {
            let id = if record_id.is_exact_instance_of::<PyInt>() {
                record_id.extract::<u64>().ok()
            } else if let Ok(text) = record_id.cast::<PyString>() {
                let decimal = text.call_method0(intern!(py, "isdecimal"))?.is_truthy()?;
                if !(decimal && text.len()? < 20) {
                    return Ok(None);
                }
                py.get_type::<PyInt>().call1((text,))?.extract::<u64>().ok()
            } else {
                None
            };
            Ok(id.and_then(|id| self.at(py, id)))
        })
    }

    /// Up to `limit` records, newest first.
    fn newest<'py>(
        &self,
        py: Python<'py>,
        limit: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        guard(|| {
            let take = usize::try_from(saturated(limit)?.max(0)).unwrap_or(usize::MAX);
            PyList::new(py, self.held.iter().rev().take(take).map(|r| r.bind(py)))
        })
    }

    fn __len__(&self) -> usize {
        self.held.len()
    }

    /// The records, oldest first.
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            PyList::new(py, self.held.iter().map(|r| r.bind(py)))?
                .as_any()
                .try_iter()
                .map(Bound::into_any)
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for record in &self.held {
            visit.call(record)?;
        }
        if let Some(announce) = &self.announce {
            visit.call(announce)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.held.clear();
        self.first = self.next;
        self.bytes = 0;
        self.announce = None;
    }
}
