//! `RecordCore`: the Playground's record of one request, made in one call and closed in one
//! call (pure twin: `gati._pure.record.RecordCore`; the views over it are Python's
//! `gati.playground.record.Record`, a subclass).
//!
//! Made at the request's start, it takes references (the scope's headers and query, the
//! context's routing facts (`LocalContext._routing`: no `Meta` is made for it), the request's
//! `Ingress`, the live context and response) and an empty event list
//! whose own `append` the orchestrator calls per event. `end` closes it once the response is
//! settled: the response taken as the client gets it (encoded once, and sent as recorded),
//! its size counted, the live references dropped, and the record handed to `keep`. A failure
//! while closing is logged and never fails the request.
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::exceptions::{PyException, PyRuntimeError, PyValueError};
use pyo3::gc::{PyTraverseError, PyVisit};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

mod ring;

use ring::RingBuffer;

use crate::boundary::guard;
use crate::response::render;

// What a record costs beyond its bytes (the object, its lists, an event, a snapshot): a
// deliberate over-estimate, so the byte bound holds for records of empty requests too.
const OVERHEAD: i64 = 512;
const PER_HEADER: i64 = 64;
const PER_EVENT: i64 = 160;
const PER_SNAPSHOT: i64 = 96;
/// How deep a state value is walked; deeper values count as their `repr`.
const DEEPEST: u32 = 8;

/// Where `LocalContext._routing` holds the request id and the path.
const ROUTING_REQUEST_ID: usize = 0;
const ROUTING_PATH: usize = 2;

static LOG: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// One recorded request: what came in, its events, and (once closed) what went out.
#[pyclass(module = "gati._native", name = "RecordCore", subclass)]
pub struct RecordCore {
    #[pyo3(get)]
    events: Option<Py<PyList>>,
    #[pyo3(get)]
    routing: Option<Py<PyTuple>>,
    #[pyo3(get)]
    info: Option<Py<PyAny>>,
    lctx: Option<Py<PyAny>>,
    res: Option<Py<PyAny>>,
    keep: Option<Py<PyAny>>,
    #[pyo3(get)]
    opened_at: f64,
    #[pyo3(get)]
    request_headers: Option<Py<PyAny>>,
    #[pyo3(get)]
    query_raw: Option<Py<PyAny>>,
    #[pyo3(get)]
    replay_of: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    request_body: Option<Py<PyAny>>,
    #[pyo3(get, set)]
    request_dropped: Option<Py<PyAny>>,
    #[pyo3(get)]
    status: Option<Py<PyAny>>,
    #[pyo3(get)]
    response_body: Option<Py<PyAny>>,
    #[pyo3(get)]
    response_media_raw: Option<Py<PyAny>>,
    #[pyo3(get)]
    sent_headers: Option<Py<PyAny>>,
    #[pyo3(get)]
    size: i64,
    /// The record's number, set by the buffer keeping it (0 until then).
    #[pyo3(get, set)]
    id: u64,
}

/// What `end` takes from the response.
struct Sent<'py> {
    status: Bound<'py, PyAny>,
    body: Bound<'py, PyAny>,
    media: Bound<'py, PyAny>,
    headers: Bound<'py, PyAny>,
}

/// `time.time()`: the wall clock in seconds.
fn wall_clock() -> f64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

fn cleared() -> PyErr {
    PyRuntimeError::new_err("the record was cleared")
}

fn bound<'py, T>(py: Python<'py>, field: Option<&Py<T>>) -> PyResult<Bound<'py, T>> {
    field.map(|v| v.bind(py).clone()).ok_or_else(cleared)
}

/// `a, b = value`: a pair out of a 2-tuple or any iterable of two.
fn pair<'py>(value: &Bound<'py, PyAny>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    if let Ok(t) = value.cast::<PyTuple>() {
        if t.len() == 2 {
            return Ok((t.get_item(0)?, t.get_item(1)?));
        }
    }
    let mut items = value.try_iter()?;
    let mut next = || items.next().transpose();
    match (next()?, next()?) {
        (Some(a), Some(b)) if next()?.is_none() => Ok((a, b)),
        _ => Err(PyValueError::new_err(
            "expected a pair (2 values to unpack)",
        )),
    }
}

/// `*_, last = value`: an event's last field (its state snapshot).
fn last<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(t) = value.cast::<PyTuple>() {
        if !t.is_empty() {
            return t.get_item(t.len() - 1);
        }
    }
    let mut found = None;
    for item in value.try_iter()? {
        found = Some(item?);
    }
    found.ok_or_else(|| PyValueError::new_err("not enough values to unpack (expected at least 1)"))
}

/// `len(value)` as an `i64`.
fn length(value: &Bound<'_, PyAny>) -> PyResult<i64> {
    Ok(i64::try_from(value.len()?).unwrap_or(i64::MAX))
}

/// The bytes of a `(name, value)` tuple of two `bytes` (the usual header), else `None`.
fn bytes_pair(header: &Bound<'_, PyAny>) -> Option<i64> {
    let t = header.cast_exact::<PyTuple>().ok()?;
    if t.len() != 2 {
        return None;
    }
    let name = t.get_borrowed_item(0).ok()?;
    let value = t.get_borrowed_item(1).ok()?;
    let name = name.cast_exact::<PyBytes>().ok()?.as_bytes().len();
    let value = value.cast_exact::<PyBytes>().ok()?.as_bytes().len();
    i64::try_from(name + value).ok()
}

/// The names' and values' bytes of a headers list (a `list` read in place, else iterated).
fn header_bytes(headers: &Bound<'_, PyAny>) -> PyResult<i64> {
    let mut n: i64 = 0;
    let mut count = |header: Bound<'_, PyAny>| -> PyResult<()> {
        let held = match bytes_pair(&header) {
            Some(held) => held,
            None => {
                let (name, value) = pair(&header)?;
                length(&name)?.saturating_add(length(&value)?)
            }
        };
        n = n.saturating_add(held);
        Ok(())
    };
    if let Ok(list) = headers.cast_exact::<PyList>() {
        for header in list.iter() {
            count(header)?;
        }
    } else {
        for header in headers.try_iter()? {
            count(header?)?;
        }
    }
    Ok(n)
}

/// What the state snapshots in `events` hold, roughly.
fn state_bytes(events: &Bound<'_, PyList>) -> PyResult<i64> {
    let mut n: i64 = 0;
    for ev in events.iter() {
        let snap = last(&ev)?;
        if snap.is_none() {
            continue;
        }
        n = n.saturating_add(PER_SNAPSHOT);
        let items = snap.call_method0(intern!(snap.py(), "items"))?;
        for item in items.try_iter()? {
            let (key, value) = pair(&item?)?;
            n = n
                .saturating_add(length(&key)?)
                .saturating_add(estimate(&value, 0)?);
        }
    }
    Ok(n)
}

/// Roughly the bytes `value` holds (a bounded walk: deep values count as their repr).
fn estimate(value: &Bound<'_, PyAny>, depth: u32) -> PyResult<i64> {
    if value.is_exact_instance_of::<PyString>() || value.is_exact_instance_of::<PyBytes>() {
        return Ok(length(value)?.saturating_add(32));
    }
    let deeper = depth < DEEPEST;
    if deeper && (value.is_exact_instance_of::<PyList>() || value.is_exact_instance_of::<PyTuple>())
    {
        let mut n: i64 = 56;
        for item in value.try_iter()? {
            n = n.saturating_add(estimate(&item?, depth + 1)?);
        }
        return Ok(n);
    }
    if deeper {
        if let Ok(dict) = value.cast_exact::<PyDict>() {
            let mut n: i64 = 64;
            for item in dict.items().iter() {
                let (k, v) = pair(&item)?;
                n = n
                    .saturating_add(estimate(&k, depth + 1)?)
                    .saturating_add(estimate(&v, depth + 1)?);
            }
            return Ok(n);
        }
    }
    if value.is_exact_instance_of::<PyInt>()
        || value.is_exact_instance_of::<PyFloat>()
        || value.is_exact_instance_of::<PyBool>()
        || value.is_none()
    {
        return Ok(32);
    }
    Ok(length(value.repr()?.as_any())?.saturating_add(32))
}

/// The response as the client gets it: a gati response's body encoded once (and sent as
/// those very bytes), or a delegated ASGI response's status, body and headers.
fn sent<'py>(res: &Bound<'py, PyAny>) -> PyResult<Sent<'py>> {
    let py = res.py();
    let delegated = res.getattr(intern!(py, "asgi"))?;
    if !delegated.is_none() {
        let body = match delegated.getattr_opt(intern!(py, "body"))? {
            Some(body) if body.is_truthy()? => body,
            _ => PyBytes::new(py, b"").into_any(),
        };
        let headers = match delegated.getattr_opt(intern!(py, "raw_headers"))? {
            Some(raw) => raw.try_iter()?.collect::<PyResult<Vec<_>>>()?,
            None => Vec::new(),
        };
        return Ok(Sent {
            status: delegated.getattr(intern!(py, "status_code"))?,
            body,
            media: py.None().into_bound(py),
            headers: PyList::new(py, headers)?.into_any(),
        });
    }
    let status = res.getattr(intern!(py, "status_code"))?;
    let held = res.getattr(intern!(py, "_body"))?;
    let rendered = if held.is_none() {
        render(py, res)
    } else {
        Ok((held.clone(), res.getattr(intern!(py, "_media_type"))?))
    };
    let (body, media) = match rendered {
        Ok((body, media)) => {
            if !body.is(&held) {
                // a JSON value, encoded here once: the response sends these very bytes
                res.setattr(intern!(py, "_body"), &body)?;
                res.setattr(intern!(py, "_payload"), py.None())?;
            }
            (body, media)
        }
        // the app answers this one as a 500: nothing to show
        Err(e) if e.is_instance_of::<PyException>(py) => {
            (PyBytes::new(py, b"").into_any(), py.None().into_bound(py))
        }
        Err(e) => return Err(e),
    };
    Ok(Sent {
        status,
        body,
        media,
        headers: res.getattr(intern!(py, "headers"))?,
    })
}

/// Close `record` over `res`: what was sent, its size, then `keep(record)`.
fn close(record: &Bound<'_, RecordCore>, res: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = record.py();
    let sent = sent(res)?;
    let (events, routing, request_headers, query_raw, request_body, lctx, keep) = {
        let me = record.try_borrow()?;
        (
            bound(py, me.events.as_ref())?,
            bound(py, me.routing.as_ref())?,
            bound(py, me.request_headers.as_ref())?,
            bound(py, me.query_raw.as_ref())?,
            me.request_body.as_ref().map(|b| b.bind(py).clone()),
            bound(py, me.lctx.as_ref())?,
            bound(py, me.keep.as_ref())?,
        )
    };
    let headers_count = length(&request_headers)?.saturating_add(length(&sent.headers)?);
    let mut size = OVERHEAD
        .saturating_add(PER_EVENT.saturating_mul(length(events.as_any())?))
        .saturating_add(length(&sent.body)?)
        .saturating_add(length(&query_raw)?)
        .saturating_add(length(&routing.get_item(ROUTING_PATH)?)?)
        .saturating_add(PER_HEADER.saturating_mul(headers_count));
    if let Some(body) = request_body.filter(|b| !b.is_none()) {
        size = size.saturating_add(length(&body)?);
    }
    size = size
        .saturating_add(header_bytes(&request_headers)?)
        .saturating_add(header_bytes(&sent.headers)?);
    if !lctx.getattr(intern!(py, "state_if_made"))?.is_none() {
        // the request touched its state
        size = size.saturating_add(state_bytes(&events)?);
    }
    {
        let mut me = record.try_borrow_mut()?;
        me.status = Some(sent.status.unbind());
        me.response_body = Some(sent.body.unbind());
        me.response_media_raw = Some(sent.media.unbind());
        me.sent_headers = Some(sent.headers.unbind());
        me.size = size;
        me.lctx = None;
    }
    match keep.cast::<RingBuffer>() {
        Ok(ring) => RingBuffer::push(ring, record.as_any()).map(drop),
        Err(_) => keep.call1((record,)).map(drop),
    }
}

/// Log a failure to record (the request goes on).
fn log_failure(record: &Bound<'_, RecordCore>, err: &PyErr) -> PyResult<()> {
    let py = record.py();
    let log = LOG.get_or_try_init(py, || {
        py.import("logging")?
            .call_method1("getLogger", ("gati.playground",))
            .map(Bound::unbind)
    })?;
    let routing = bound(py, record.try_borrow()?.routing.as_ref())?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("exc_info", err.value(py))?;
    let args = (
        "recording request %s failed",
        routing.get_item(ROUTING_REQUEST_ID)?,
    );
    log.bind(py).call_method("error", args, Some(&kwargs))?;
    Ok(())
}

#[pymethods]
impl RecordCore {
    /// A record of the request of ASGI `scope`, `info` its `Ingress`, `lctx` its Local
    /// Context and `res` its response, handed to `keep` once closed.
    #[new]
    fn new(
        scope: &Bound<'_, PyAny>,
        info: Py<PyAny>,
        lctx: &Bound<'_, PyAny>,
        res: Py<PyAny>,
        keep: Py<PyAny>,
    ) -> PyResult<Self> {
        guard(|| {
            let py = scope.py();
            let routing = lctx
                .getattr(intern!(py, "_routing"))?
                .cast_into::<PyTuple>()?;
            let request_headers = scope.get_item(intern!(py, "headers"))?;
            let query_key = intern!(py, "query_string");
            let replay_key = intern!(py, "gati.playground.replay_of");
            let (query_raw, replay_of) = if let Ok(d) = scope.cast::<PyDict>() {
                let query = d.get_item(query_key)?;
                let query = query.unwrap_or_else(|| PyBytes::new(py, b"").into_any());
                (query, d.get_item(replay_key)?)
            } else {
                let get = scope.getattr(intern!(py, "get"))?;
                let query = get.call1((query_key, PyBytes::new(py, b"")))?;
                let replay = get.call1((replay_key,))?;
                (query, Some(replay).filter(|r| !r.is_none()))
            };
            Ok(RecordCore {
                events: Some(PyList::empty(py).unbind()),
                routing: Some(routing.unbind()),
                info: Some(info),
                lctx: Some(lctx.clone().unbind()),
                res: Some(res),
                keep: Some(keep),
                opened_at: wall_clock(),
                request_headers: Some(request_headers.unbind()),
                query_raw: Some(query_raw.unbind()),
                replay_of: replay_of.map(Bound::unbind),
                request_body: None,
                request_dropped: Some(0_i32.into_pyobject(py)?.into_any().unbind()),
                status: None,
                response_body: None,
                response_media_raw: None,
                sent_headers: None,
                size: 0,
                id: 0,
            })
        })
    }

    /// The event list's own `append`: the orchestrator's per-event call is a C `list.append`.
    #[getter]
    fn append<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| bound(py, self.events.as_ref())?.getattr(intern!(py, "append")))
    }

    /// `request.end`: append `ev`, then (once) take the response as sent, count the record's
    /// size and hand it to `keep`. A failure while closing is logged, never raised (unless it
    /// is not an `Exception`).
    fn end(slf: &Bound<'_, Self>, ev: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(|| {
            let py = slf.py();
            let (events, res) = {
                let mut me = slf.try_borrow_mut()?;
                (bound(py, me.events.as_ref())?, me.res.take())
            };
            events.append(ev)?;
            let Some(res) = res else {
                return Ok(());
            };
            match guard(|| close(slf, res.bind(py))) {
                Ok(()) => Ok(()),
                Err(err) if err.is_instance_of::<PyException>(py) => log_failure(slf, &err),
                Err(err) => Err(err),
            }
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(events) = &self.events {
            visit.call(events)?;
        }
        if let Some(routing) = &self.routing {
            visit.call(routing)?;
        }
        for field in [
            &self.info,
            &self.lctx,
            &self.res,
            &self.keep,
            &self.request_headers,
            &self.query_raw,
            &self.replay_of,
            &self.request_body,
            &self.request_dropped,
            &self.status,
            &self.response_body,
            &self.response_media_raw,
            &self.sent_headers,
        ]
        .into_iter()
        .flatten()
        {
            visit.call(field)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.events = None;
        self.routing = None;
        for field in [
            &mut self.info,
            &mut self.lctx,
            &mut self.res,
            &mut self.keep,
            &mut self.request_headers,
            &mut self.query_raw,
            &mut self.replay_of,
            &mut self.request_body,
            &mut self.request_dropped,
            &mut self.status,
            &mut self.response_body,
            &mut self.response_media_raw,
            &mut self.sent_headers,
        ] {
            *field = None;
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RecordCore>()?;
    m.add_class::<RingBuffer>()
}
