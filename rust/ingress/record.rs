//! `read_ingress(scope)`: the scope's headers, client and query read in one call into an
//! `Ingress` record (pure twin: `gati._pure.ingress.read_ingress` and its `Ingress`). The
//! record's fields are plain attributes the rarer-header pass (`gati.http.ingress`) fills in.
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::exceptions::PyKeyError;
use pyo3::gc::{PyTraverseError, PyVisit};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyFrozenSet, PyList, PyString, PyTuple};

use super::{latin1, scan_headers, RARE_SLOTS};
use crate::boundary::guard;

/// One empty `frozenset` for every record without flags (`CPython` has no shared empty one).
static NO_FLAGS: PyOnceLock<Py<PyFrozenSet>> = PyOnceLock::new();

fn no_flags(py: Python<'_>) -> PyResult<Py<PyAny>> {
    let empty = NO_FLAGS.get_or_try_init(py, || PyFrozenSet::empty(py).map(Bound::unbind))?;
    Ok(empty.clone_ref(py).into_any())
}

/// What the request line and headers say (`read_ingress`); `rare` holds the raw values of the
/// rarer headers by slot when the rarer-header pass has work to do, else `None`.
#[pyclass(module = "gati._native", name = "Ingress")]
pub struct Ingress {
    #[pyo3(get, set)]
    request_id: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    version_requested: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    flags: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    trace_id: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    traceparent: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    client_ip: Option<Py<PyAny>>,
    /// The value set, or decoded from `user_agent_raw` on first read.
    user_agent: Option<Py<PyAny>>,
    /// The header's raw value until `user_agent` is first read or set.
    user_agent_raw: Option<Py<PyBytes>>,
    #[pyo3(get, set)]
    content_type: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    content_length: Option<i64>,
    #[pyo3(get)]
    rare: Option<Py<PyAny>>,
}

impl Ingress {
    fn blank(py: Python<'_>) -> PyResult<Self> {
        Ok(Self {
            request_id: Some(PyString::new(py, "").into_any().unbind()),
            version_requested: None,
            flags: Some(no_flags(py)?),
            trace_id: None,
            traceparent: None,
            client_ip: None,
            user_agent: None,
            user_agent_raw: None,
            content_type: None,
            content_length: None,
            rare: None,
        })
    }

    fn fields(&self) -> [&Option<Py<PyAny>>; 9] {
        [
            &self.request_id,
            &self.version_requested,
            &self.flags,
            &self.trace_id,
            &self.traceparent,
            &self.client_ip,
            &self.user_agent,
            &self.content_type,
            &self.rare,
        ]
    }
}

#[pymethods]
impl Ingress {
    /// A record with nothing read: an empty id, no flags, every other field `None`.
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        guard(|| Self::blank(py))
    }

    /// A copy with the same field values (`copy.copy(info)`, as for the pure twin).
    fn __copy__(&self, py: Python<'_>) -> PyResult<Self> {
        guard(|| {
            let clone = |field: &Option<Py<PyAny>>| field.as_ref().map(|v| v.clone_ref(py));
            Ok(Self {
                request_id: clone(&self.request_id),
                version_requested: clone(&self.version_requested),
                flags: clone(&self.flags),
                trace_id: clone(&self.trace_id),
                traceparent: clone(&self.traceparent),
                client_ip: clone(&self.client_ip),
                user_agent: clone(&self.user_agent),
                user_agent_raw: self.user_agent_raw.as_ref().map(|v| v.clone_ref(py)),
                content_type: clone(&self.content_type),
                content_length: self.content_length,
                rare: clone(&self.rare),
            })
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for field in self.fields().into_iter().flatten() {
            visit.call(field)?;
        }
        if let Some(raw) = &self.user_agent_raw {
            visit.call(raw)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        for field in [
            &mut self.request_id,
            &mut self.version_requested,
            &mut self.flags,
            &mut self.trace_id,
            &mut self.traceparent,
            &mut self.client_ip,
            &mut self.user_agent,
            &mut self.content_type,
            &mut self.rare,
        ] {
            *field = None;
        }
        self.user_agent_raw = None;
    }

    /// The `User-Agent` header as text (latin-1), or `None`.
    #[getter]
    fn user_agent(&mut self, py: Python<'_>) -> Option<Py<PyAny>> {
        if let Some(raw) = self.user_agent_raw.take() {
            self.user_agent = Some(latin1(py, raw.bind(py).as_bytes()).into_any().unbind());
        }
        self.user_agent.as_ref().map(|v| v.clone_ref(py))
    }

    #[setter]
    fn set_user_agent(&mut self, value: Option<Py<PyAny>>) {
        self.user_agent_raw = None;
        self.user_agent = value;
    }
}

/// The first item of the scope's `client` pair (`None` when it is missing or empty).
fn client_ip<'py>(scope: &Bound<'py, PyDict>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(client) = scope.get_item(intern!(scope.py(), "client"))? else {
        return Ok(None);
    };
    if client.is_none() {
        return Ok(None);
    }
    if let Ok(pair) = client.cast::<PyTuple>() {
        return if pair.is_empty() {
            Ok(None)
        } else {
            pair.get_item(0).map(Some)
        };
    }
    if !client.is_truthy()? {
        return Ok(None);
    }
    client.get_item(0).map(Some)
}

/// Whether the query string asks for a version (`version=` anywhere in it, as the pure twin).
fn asks_version(scope: &Bound<'_, PyDict>) -> PyResult<bool> {
    let Some(query) = scope.get_item(intern!(scope.py(), "query_string"))? else {
        return Ok(false);
    };
    if let Ok(raw) = query.cast::<PyBytes>() {
        return Ok(raw.as_bytes().windows(8).any(|w| w == b"version="));
    }
    if !query.is_truthy()? {
        return Ok(false);
    }
    query.contains(PyBytes::new(query.py(), b"version="))
}

/// Read an ASGI `http` or `websocket` scope (a dict) into an `Ingress` record.
#[pyfunction]
#[pyo3(name = "read_ingress")]
fn py_read_ingress(py: Python<'_>, scope: &Bound<'_, PyDict>) -> PyResult<Ingress> {
    guard(|| read_ingress(py, scope))
}

fn read_ingress(py: Python<'_>, scope: &Bound<'_, PyDict>) -> PyResult<Ingress> {
    let headers = scope
        .get_item(intern!(py, "headers"))?
        .ok_or_else(|| PyKeyError::new_err("headers"))?;
    let (request_id, user_agent, content_type, content_length, rare) = scan_headers(py, &headers)?;
    let mut info = Ingress::blank(py)?;
    info.request_id = Some(request_id.into_any().unbind());
    info.user_agent_raw = user_agent.map(Bound::unbind);
    info.content_type = content_type.map(Bound::unbind);
    info.content_length = content_length;
    info.client_ip = client_ip(scope)?.map(Bound::unbind);
    info.rare = match rare {
        Some(list) => Some(list.into_any().unbind()),
        None if asks_version(scope)? => Some(
            PyList::new(py, (0..RARE_SLOTS).map(|_| py.None()))?
                .into_any()
                .unbind(),
        ),
        None => None,
    };
    Ok(info)
}

/// What `read_ingress_head` hands back: the record, then the fields every request reads.
type Head<'py> = (
    Bound<'py, Ingress>,
    Option<Py<PyAny>>,
    Option<i64>,
    Option<Py<PyAny>>,
    Option<Py<PyAny>>,
    Option<Py<PyAny>>,
    Bound<'py, PyBytes>,
    f64,
);

/// `read_ingress`, and with the record the fields the app reads of every request:
/// `(info, request_id, content_length, flags, trace_id, rare, request_id_bytes, started_at)`
/// — the id's ASCII bytes for the `X-Request-ID` header and the wall-clock time
/// (`time.time()`) of the request's start. Each getter of the record costs about 300
/// instructions under abi3; one tuple carries the fields for less, and the two extras cost
/// less here than the Python calls that made them (`str.encode`, `time.time()`).
#[pyfunction]
#[pyo3(name = "read_ingress_head")]
fn py_read_ingress_head<'py>(py: Python<'py>, scope: &Bound<'py, PyDict>) -> PyResult<Head<'py>> {
    guard(|| {
        let started_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let info = read_ingress(py, scope)?;
        let clone = |field: &Option<Py<PyAny>>| field.as_ref().map(|v| v.clone_ref(py));
        let (request_id, flags, trace_id) = (
            clone(&info.request_id),
            clone(&info.flags),
            clone(&info.trace_id),
        );
        let id_bytes = match &request_id {
            Some(id) => PyBytes::new(py, id.bind(py).cast::<PyString>()?.to_str()?.as_bytes()),
            None => PyBytes::new(py, b""),
        };
        let (length, rare) = (info.content_length, clone(&info.rare));
        Ok((
            Bound::new(py, info)?,
            request_id,
            length,
            flags,
            trace_id,
            rare,
            id_bytes,
            started_at,
        ))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Ingress>()?;
    m.add_function(wrap_pyfunction!(py_read_ingress, m)?)?;
    m.add_function(wrap_pyfunction!(py_read_ingress_head, m)?)
}
