//! `response_messages`: the two ASGI messages of a `Response` (`http.response.start` with its
//! header list, then `http.response.body`), read, rendered and built in one call. Pure twin:
//! `gati._pure.messages.response_messages`.
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::boundary::guard;
use crate::ingress::pair;

/// Header names and the JSON content-type pair, made once (bytes and tuples are immutable).
static CONTENT_LENGTH: PyOnceLock<Py<PyBytes>> = PyOnceLock::new();
static REQUEST_ID: PyOnceLock<Py<PyBytes>> = PyOnceLock::new();
static CONTENT_TYPE: PyOnceLock<Py<PyBytes>> = PyOnceLock::new();
static JSON_TYPE: PyOnceLock<Py<PyTuple>> = PyOnceLock::new();
static EMPTY: PyOnceLock<Py<PyBytes>> = PyOnceLock::new();
/// `orjson.dumps`, which renders a JSON body exactly as `Response.render` does.
static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `(b"content-length", b"<n>")` for every body shorter than `CACHED_LENGTHS`, made once:
/// formatting the length and making the pair cost more than an index.
static LENGTHS: PyOnceLock<Vec<Py<PyTuple>>> = PyOnceLock::new();
const CACHED_LENGTHS: usize = 4096;
/// The two messages with their keys in place: a copy of a small dict is one clone of its
/// table, cheaper than inserting into new ones.
static START: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static BODY: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

const JSON_MEDIA: &[u8] = b"application/json";

fn constant<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyBytes>>,
    value: &[u8],
) -> Bound<'py, PyBytes> {
    cell.get_or_init(py, || PyBytes::new(py, value).unbind())
        .bind(py)
        .clone()
}

/// What `extra` declares of what the body otherwise decides: whether it sets a
/// `Content-Type` (which wins over the media type) and a `Content-Length`. A length must be
/// `n`, the body's (it is then sent once); another is a `ValueError`, never two lengths on
/// the wire. Every pair must unpack as a (name, value) pair, as in the pure twin's loop.
fn declared(extra: &Bound<'_, PyList>, n: usize) -> PyResult<(bool, bool)> {
    let (mut typed, mut sized) = (false, false);
    let mut digits = [0u8; 20];
    let length = decimal(n, &mut digits);
    for item in extra.iter() {
        let (name, value) = pair(&item)?;
        let Ok(name) = name.cast::<PyBytes>() else {
            continue;
        };
        match name.as_bytes() {
            b"content-type" => typed = true,
            b"content-length" => {
                let fits = value
                    .cast::<PyBytes>()
                    .is_ok_and(|v| trim_spaces(v.as_bytes()) == length);
                if !fits {
                    return Err(PyValueError::new_err(format!(
                        "res sets Content-Length {}, but the body is {n} bytes",
                        value.repr()?,
                    )));
                }
                sized = true;
            }
            _ => {}
        }
    }
    Ok((typed, sized))
}

/// `value` without the spaces and tabs around it (optional whitespace around a field value).
fn trim_spaces(value: &[u8]) -> &[u8] {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !blank(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

/// `n` in decimal ASCII (a body length), without a formatting allocation.
fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b"0123456789"[n % 10];
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

/// A fresh copy of the message template `{"type": kind, ..., last: None}`.
fn template<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyDict>>,
    kind: &str,
    last: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let made = cell.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
        let d = PyDict::new(py);
        d.set_item(intern!(py, "type"), PyString::intern(py, kind))?;
        if kind == "http.response.start" {
            d.set_item(intern!(py, "status"), py.None())?;
        }
        d.set_item(PyString::intern(py, last), py.None())?;
        Ok(d.unbind())
    })?;
    made.bind(py).copy()
}

/// The content-length pair of an `n`-byte body.
fn length_pair(py: Python<'_>, n: usize) -> PyResult<Bound<'_, PyTuple>> {
    let mut digits = [0u8; 20];
    if n >= CACHED_LENGTHS {
        let name = constant(py, &CONTENT_LENGTH, b"content-length");
        let value = PyBytes::new(py, decimal(n, &mut digits));
        return PyTuple::new(py, [name, value]);
    }
    let made = LENGTHS.get_or_try_init(py, || -> PyResult<Vec<Py<PyTuple>>> {
        let name = constant(py, &CONTENT_LENGTH, b"content-length");
        (0..CACHED_LENGTHS)
            .map(|i| {
                let value = PyBytes::new(py, decimal(i, &mut digits));
                PyTuple::new(py, [name.clone(), value]).map(Bound::unbind)
            })
            .collect()
    })?;
    Ok(made[n].bind(py).clone())
}

/// `res.render()`: the body and its media type. A JSON value (`_body` is `None`) goes
/// through `orjson.dumps` here; a value orjson refuses is left to `render`, which tries the
/// encodings beyond plain JSON and raises what it raises.
pub(crate) fn render<'py>(
    py: Python<'py>,
    res: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let body = res.getattr(intern!(py, "_body"))?;
    let media = res.getattr(intern!(py, "_media_type"))?;
    if !body.is_none() {
        return Ok((body, media));
    }
    let dumps = DUMPS.get_or_try_init(py, || {
        py.import("orjson")?.getattr("dumps").map(Bound::unbind)
    })?;
    match dumps
        .bind(py)
        .call1((res.getattr(intern!(py, "_payload"))?,))
    {
        Ok(body) => Ok((body, media)),
        Err(_) => res.call_method0(intern!(py, "render"))?.extract(),
    }
}

/// `(start, body)` for the `Response` `res`: its status, rendered body and media type (or
/// `None`), its headers (a list of byte pairs) and the `request_id` echoed in `X-Request-ID`.
/// A status outside 200–599 is a `ValueError` (a 1xx status is never a response's); 204 and
/// 304 carry no body, length or type; a `Content-Type` among the headers wins over the media
/// type, a `Content-Length` among them must be the body's (see `declared`); a `HEAD` request
/// gets an empty body.
#[pyfunction]
#[pyo3(name = "response_messages")]
fn py_response_messages<'py>(
    py: Python<'py>,
    method: &Bound<'py, PyString>,
    res: &Bound<'py, PyAny>,
    request_id: &Bound<'py, PyBytes>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    guard(|| {
        let (body, media) = render(py, res)?;
        let body = body.cast_into::<PyBytes>()?;
        let media = if media.is_none() {
            None
        } else {
            Some(media.cast_into::<PyBytes>()?)
        };
        let status = res.getattr(intern!(py, "status_code"))?;
        let extra = res.getattr(intern!(py, "headers"))?;
        let extra = extra.cast::<PyList>().map_err(|_| {
            PyTypeError::new_err("res.headers must be a list of (name, value) pairs")
        })?;
        messages(
            py,
            method,
            &status,
            &body,
            media.as_ref(),
            extra,
            request_id,
        )
    })
}

/// The two messages of a rendered response (see `response_messages`).
fn messages<'py>(
    py: Python<'py>,
    method: &Bound<'py, PyString>,
    status: &Bound<'py, PyAny>,
    body: &Bound<'py, PyBytes>,
    media: Option<&Bound<'py, PyBytes>>,
    extra: &Bound<'py, PyList>,
    request_id: &Bound<'py, PyBytes>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    // what `res.status()` accepts; anything else set on `status_code` is refused here
    let code = status.extract::<i64>().unwrap_or(0);
    if !(200..=599).contains(&code) {
        return Err(PyValueError::new_err(format!(
            "invalid HTTP status {}",
            status.repr()?
        )));
    }
    let rid = PyTuple::new(
        py,
        [
            constant(py, &REQUEST_ID, b"x-request-id"),
            request_id.clone(),
        ],
    )?;
    let empty = constant(py, &EMPTY, b"");
    let (headers, body) = if code == 204 || code == 304 {
        let headers = PyList::new(py, [rid])?;
        for item in extra.iter() {
            headers.append(item)?;
        }
        (headers, empty.clone())
    } else {
        let n = body.as_bytes().len();
        let length = length_pair(py, n)?;
        let (typed, sized) = if extra.is_empty() {
            (false, false)
        } else {
            declared(extra, n)?
        };
        let headers = PyList::new(py, [length, rid])?;
        let media = if typed { None } else { media };
        if let Some(media) = media {
            if media.as_bytes() == JSON_MEDIA {
                let pair = JSON_TYPE.get_or_try_init(py, || {
                    PyTuple::new(
                        py,
                        [constant(py, &CONTENT_TYPE, b"content-type"), media.clone()],
                    )
                    .map(Bound::unbind)
                })?;
                headers.append(pair.bind(py))?;
            } else {
                let name = constant(py, &CONTENT_TYPE, b"content-type");
                headers.append(PyTuple::new(py, [name, media.clone()])?)?;
            }
        }
        for item in extra.iter() {
            if sized
                && pair(&item)?
                    .0
                    .cast::<PyBytes>()
                    .is_ok_and(|n| n.as_bytes() == b"content-length")
            {
                continue;
            }
            headers.append(item)?;
        }
        (headers, body.clone())
    };
    let start = template(py, &START, "http.response.start", "headers")?;
    start.set_item(intern!(py, "status"), status)?;
    start.set_item(intern!(py, "headers"), headers)?;
    let message = template(py, &BODY, "http.response.body", "body")?;
    let head = method.to_str().is_ok_and(|m| m == "HEAD");
    message.set_item(intern!(py, "body"), if head { empty } else { body })?;
    Ok((start, message))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_response_messages, m)?)
}

#[cfg(test)]
mod tests {
    use super::{decimal, trim_spaces};

    #[test]
    fn lengths_are_written_in_decimal() {
        let mut buf = [0u8; 20];
        for n in [0usize, 7, 10, 4095, 4096, 123_456_789, usize::MAX] {
            assert_eq!(decimal(n, &mut buf), n.to_string().as_bytes());
        }
    }

    #[test]
    fn only_spaces_and_tabs_around_a_value_are_trimmed() {
        assert_eq!(trim_spaces(b" \t17\t "), b"17");
        assert_eq!(trim_spaces(b"1 7"), b"1 7");
        assert_eq!(trim_spaces(b"\r17"), b"\r17");
        assert_eq!(trim_spaces(b"  "), b"");
        assert_eq!(trim_spaces(b""), b"");
    }
}
