//! Ingress: one pass over an ASGI header list (`scan_headers`) and process-unique request ids
//! (`new_request_id`). Pure twins: `gati._pure.ingress.scan_headers` and
//! `gati.context.ids` (prefix + counter in hex). `record` reads a whole scope into an `Ingress`.
mod record;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::boundary::guard;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

/// Header slots: the numbers of `gati._tables.HEADER_SLOTS` (`tests/test_tables.py` holds this
/// side to that table).
const RARE_SLOTS: usize = 10;
const MAX_ID: usize = 128;
/// The prefix (12 hex digits and `-`) and at most 16 hex digits of the counter.
const ID_BUF: usize = 13 + 16;

static COUNTER: AtomicU64 = AtomicU64::new(0);
/// The prefix's 48 random bits, with bit 48 set once chosen (0 means "not chosen yet");
/// chosen again, with the counter restarted, in a forked child (`_reseed_request_ids`).
static PREFIX_BITS: AtomicU64 = AtomicU64::new(0);
const CHOSEN: u64 = 1 << 48;
const HEX: &[u8; 16] = b"0123456789abcdef";

/// 48 random bits: `RandomState` is seeded from the OS per process; the pid tells a forked
/// child (which inherits its parent's seed) from its parent.
fn random_bits() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    (h.finish() & 0xffff_ffff_ffff) | CHOSEN
}

/// The prefix: 12 hex digits and `-`.
fn prefix() -> [u8; 13] {
    let mut bits = PREFIX_BITS.load(Ordering::Relaxed);
    if bits == 0 {
        let fresh = random_bits();
        bits = match PREFIX_BITS.compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => fresh,
            Err(current) => current,
        };
    }
    let mut out = [b'-'; 13];
    for (i, o) in out[..12].iter_mut().enumerate() {
        *o = HEX[((bits >> (4 * (11 - i))) & 0xf) as usize];
    }
    out
}

/// A new prefix and a restarted counter: called in a forked child (`os.register_at_fork`), so
/// workers forked from one parent never hand out the same ids.
#[pyfunction]
fn _reseed_request_ids() -> PyResult<()> {
    guard(|| {
        reseed();
        Ok(())
    })
}

fn reseed() {
    PREFIX_BITS.store(random_bits(), Ordering::Relaxed);
    COUNTER.store(0, Ordering::Relaxed);
}

/// `prefix` then `n` in lowercase hex, written into `buf`; returns the length used. A stack
/// buffer instead of two `format!` strings: 86 -> 54 ns per id.
fn write_id(prefix: &[u8], n: u64, buf: &mut [u8; ID_BUF]) -> usize {
    let digits = (64 - n.leading_zeros()).div_ceil(4).max(1) as usize;
    let end = prefix.len() + digits;
    buf[..prefix.len()].copy_from_slice(prefix);
    for (i, out) in buf[prefix.len()..end].iter_mut().enumerate() {
        *out = HEX[((n >> (4 * (digits - 1 - i))) & 0xf) as usize];
    }
    end
}

/// A request id unique within this process: the random prefix, `-`, a counter in hex.
#[pyfunction]
#[pyo3(name = "new_request_id")]
fn py_new_request_id(py: Python<'_>) -> PyResult<Bound<'_, PyString>> {
    guard(|| Ok(new_request_id(py)))
}

fn new_request_id(py: Python<'_>) -> Bound<'_, PyString> {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
    let mut buf = [0u8; ID_BUF];
    let end = write_id(&prefix(), n, &mut buf);
    // Only ASCII hex digits and '-' were written, so the bytes are valid UTF-8.
    PyString::new(py, std::str::from_utf8(&buf[..end]).unwrap_or_default())
}

fn slot(name: &[u8]) -> Option<usize> {
    Some(match name {
        b"content-type" => 0,
        b"content-length" => 1,
        b"x-request-id" => 2,
        b"user-agent" => 3,
        b"gati-version" => 4,
        b"x-api-version" => 5,
        b"gati-flags" => 6,
        b"traceparent" => 7,
        b"forwarded" => 8,
        b"x-forwarded-for" => 9,
        _ => return None,
    })
}

fn id_ok(v: &[u8]) -> bool {
    !v.is_empty()
        && v.len() <= MAX_ID
        && v.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

pub(crate) fn latin1<'py>(py: Python<'py>, v: &[u8]) -> Bound<'py, PyString> {
    match std::str::from_utf8(v) {
        Ok(s) if v.is_ascii() => PyString::new(py, s),
        _ => PyString::new(py, &v.iter().map(|&b| b as char).collect::<String>()),
    }
}

/// A `Content-Length` past this (any number of digits) reads as this value: larger than any
/// body limit, so a 413, never a conversion of thousands of digits.
const MAX_CONTENT_LENGTH: i64 = i64::MAX;

/// ASCII digits → their value, saturated at `MAX_CONTENT_LENGTH`; anything else → -1 (the pure
/// twin's `content_length`).
fn content_length(raw: &[u8]) -> i64 {
    if raw.is_empty() || !raw.iter().all(u8::is_ascii_digit) {
        return -1;
    }
    let start = raw.iter().position(|&d| d != b'0').unwrap_or(raw.len());
    let digits = &raw[start..];
    if digits.len() > 19 {
        return MAX_CONTENT_LENGTH;
    }
    let n = digits
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    i64::try_from(n).unwrap_or(MAX_CONTENT_LENGTH)
}

/// A header as `(name, value)`: a 2-tuple, a 2-list or any iterable of exactly two items.
pub(crate) fn pair<'py>(
    item: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    if let Ok(t) = item.cast::<PyTuple>() {
        if t.len() == 2 {
            return Ok((t.get_item(0)?, t.get_item(1)?));
        }
    } else if let Ok(l) = item.cast::<PyList>() {
        if l.len() == 2 {
            return Ok((l.get_item(0)?, l.get_item(1)?));
        }
    } else {
        let mut it = item.try_iter()?;
        if let (Some(name), Some(value), None) = (it.next(), it.next(), it.next()) {
            return Ok((name?, value?));
        }
    }
    Err(PyValueError::new_err(
        "a header must be a (name, value) pair",
    ))
}

fn bytes<'a, 'py>(value: &'a Bound<'py, PyAny>) -> PyResult<&'a Bound<'py, PyBytes>> {
    value
        .cast::<PyBytes>()
        .map_err(|_| PyTypeError::new_err("header values must be bytes"))
}

/// One pass over `headers`: `(request_id, user_agent, content_type, content_length, rare)`.
/// A valid `X-Request-ID` is kept, else a new id is made; `rare` is None or the raw values of
/// the rarer headers by slot. Later headers win, as in the pure twin.
#[pyfunction]
#[pyo3(name = "scan_headers")]
fn py_scan_headers<'py>(py: Python<'py>, headers: &Bound<'py, PyAny>) -> Scanned<'py> {
    guard(|| {
        let (request_id, user_agent, content_type, length, rare) = scan_headers(py, headers)?;
        let user_agent = user_agent.map(|raw| latin1(py, raw.as_bytes()));
        Ok((request_id, user_agent, content_type, length, rare))
    })
}

/// `(request_id, user_agent, content_type, content_length, rare)`, the `User-Agent` as `Agent`.
type Scan<'py, Agent> = PyResult<(
    Bound<'py, PyString>,
    Option<Bound<'py, Agent>>,
    Option<Bound<'py, PyAny>>,
    Option<i64>,
    Option<Bound<'py, PyList>>,
)>;

/// What `scan_headers` hands back (see above).
type Scanned<'py> = Scan<'py, PyString>;

/// `scan_headers` with the `User-Agent` value still raw (checked to be bytes): the record
/// decodes it when it is read (most requests never read it; decoding costs ~500 instructions).
type RawScanned<'py> = Scan<'py, PyBytes>;

fn scan_headers<'py>(py: Python<'py>, headers: &Bound<'py, PyAny>) -> RawScanned<'py> {
    let mut request_id = None;
    let mut user_agent = None;
    let mut content_type = None;
    let mut length = None;
    let mut rare: Option<Bound<'py, PyList>> = None;
    let mut visit = |item: &Bound<'py, PyAny>| -> PyResult<()> {
        let (name, value) = pair(item)?;
        let Ok(name) = name.cast::<PyBytes>() else {
            return Ok(());
        };
        let Some(slot) = slot(name.as_bytes()) else {
            return Ok(());
        };
        match slot {
            0 => content_type = Some(value),
            1 => length = Some(content_length(bytes(&value)?.as_bytes())),
            2 => {
                let raw = bytes(&value)?.as_bytes();
                if id_ok(raw) {
                    request_id = Some(latin1(py, raw));
                }
            }
            3 => user_agent = Some(bytes(&value)?.clone()),
            _ => {
                let list = match &rare {
                    Some(list) => list,
                    None => rare.insert(PyList::new(py, (0..RARE_SLOTS).map(|_| py.None()))?),
                };
                list.set_item(slot, value)?;
            }
        }
        Ok(())
    };
    // ASGI servers hand over a list: walk it directly, without the iterator protocol.
    if let Ok(list) = headers.cast::<PyList>() {
        for item in list.iter() {
            visit(&item)?;
        }
    } else {
        for item in headers.try_iter()? {
            visit(&item?)?;
        }
    }
    let request_id = match request_id {
        Some(id) => id,
        None => new_request_id(py),
    };
    Ok((request_id, user_agent, content_type, length, rare))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_new_request_id, m)?)?;
    m.add_function(wrap_pyfunction!(_reseed_request_ids, m)?)?;
    m.add_function(wrap_pyfunction!(py_scan_headers, m)?)?;
    record::register(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_like_the_pure_regex() {
        assert!(id_ok(b"abc-1.X_y"));
        assert!(id_ok(&[b'a'; MAX_ID]));
        assert!(!id_ok(&[b'a'; MAX_ID + 1]));
        assert!(!id_ok(b""));
        assert!(!id_ok(b"a b"));
        assert!(!id_ok(b"abc\n"));
        assert!(!id_ok("é".as_bytes()));
    }

    #[test]
    fn content_length_saturates_and_refuses_non_digits() {
        assert_eq!(content_length(b"0"), 0);
        assert_eq!(content_length(b"00017"), 17);
        assert_eq!(content_length(b"9223372036854775807"), i64::MAX);
        assert_eq!(content_length(b"9223372036854775808"), MAX_CONTENT_LENGTH);
        assert_eq!(content_length(&[b'9'; 4301]), MAX_CONTENT_LENGTH);
        assert_eq!(content_length(b""), -1);
        assert_eq!(content_length(b"-1"), -1);
        assert_eq!(content_length(b" 5"), -1);
    }

    #[test]
    fn slots_match_exact_lowercase_names() {
        assert_eq!(slot(b"content-type"), Some(0));
        assert_eq!(slot(b"x-forwarded-for"), Some(9));
        assert_eq!(slot(b"Content-Type"), None);
        assert_eq!(slot(b"host"), None);
    }

    #[test]
    fn ids_are_the_prefix_then_the_counter_in_hex() {
        let mut buf = [0u8; ID_BUF];
        for n in [1, 9, 10, 15, 16, 255, 256, 0xdead_beef, u64::MAX] {
            let p = prefix();
            let end = write_id(&p, n, &mut buf);
            let expected = format!("{}{n:x}", std::str::from_utf8(&p).unwrap());
            assert_eq!(&buf[..end], expected.as_bytes());
        }
    }

    #[test]
    fn the_prefix_is_twelve_hex_digits_and_a_dash() {
        let p = prefix();
        assert!(p[..12].iter().all(u8::is_ascii_hexdigit) && p[12] == b'-');
        assert_eq!(p, prefix(), "stable until reseeded");
    }
}
