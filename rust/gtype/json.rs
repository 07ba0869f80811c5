//! A JSON (RFC 8259) reader that builds the Python value straight from the bytes.
//!
//! It is iterative (an explicit stack, bounded by `max_depth`), so no input can overflow the
//! native stack; integers of up to 4,300 digits stay exact (the Python int is built from the digits).
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, MutexGuard, TryLockError};

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use pyo3::IntoPyObjectExt;

use super::pause::Pause;

pub enum Failure {
    /// Malformed input: the byte offset and a short detail.
    Invalid(usize, String),
    /// Arrays/objects nested deeper than `max_depth`.
    TooDeep,
    Py(PyErr),
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Py(e)
    }
}

/// Integer literals longer than this are refused: converting more digits to a Python int takes
/// quadratic time (Python's own default limit; the pure twin has the same).
const MAX_INT_DIGITS: usize = 4300;

/// 1-based line and column (in code points) of byte offset `pos`.
#[allow(clippy::naive_bytecount)] // the error path only: no dependency for it
pub fn line_col(src: &[u8], pos: usize) -> (usize, usize) {
    let prefix = &src[..pos.min(src.len())];
    let line_start = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = prefix[line_start..]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count()
        + 1;
    (line, column)
}

/// FNV-1a: object keys are short, so a simple hash beats `SipHash` here.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// The schema's property names as interned Python strings: an object key that is one of them
/// is reused instead of built, and later dict lookups by those names hit on identity.
#[derive(Default)]
pub struct KeyCache {
    map: HashMap<Box<[u8]>, Py<PyString>, BuildHasherDefault<Fnv>>,
}

impl KeyCache {
    pub fn insert(&mut self, key: &Bound<'_, PyString>) -> PyResult<()> {
        let text = key.to_str()?;
        self.map
            .entry(text.as_bytes().into())
            .or_insert_with(|| key.clone().unbind());
        Ok(())
    }
}

/// Short string values seen recently, reused instead of built again (as JSON documents of one
/// API repeat the same strings: roles, countries, tags). Strings are immutable, so sharing them
/// is invisible to users.
#[derive(Default)]
pub struct StringCache {
    slots: Mutex<Slots>,
}

pub type Slots = Vec<Option<(Box<[u8]>, Py<PyString>)>>;

const SLOTS: usize = 4096;
const MAX_CACHED: usize = 64;

impl StringCache {
    /// The slots for one document; `None` when another read holds them (a re-entrant call
    /// from a custom validator, or another thread), which then reads without the cache.
    pub fn lock(&self) -> Option<MutexGuard<'_, Slots>> {
        let mut guard = match self.slots.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        if guard.is_empty() {
            guard.resize_with(SLOTS, || None);
        }
        Some(guard)
    }
}

/// Up to sixteen bytes as two words, read whole (overlapping when shorter than sixteen): two
/// byte strings of one length are equal exactly when their words are. `None` when longer.
#[inline]
fn words(b: &[u8]) -> Option<(u64, u64)> {
    let n = b.len();
    if n >= 8 {
        let (head, tail) = (b.first_chunk::<8>()?, b.last_chunk::<8>()?);
        return (n <= 16).then(|| (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)));
    }
    if n >= 4 {
        let (head, tail) = (b.first_chunk::<4>()?, b.last_chunk::<4>()?);
        return Some((
            u64::from(u32::from_le_bytes(*head)),
            u64::from(u32::from_le_bytes(*tail)),
        ));
    }
    // Bytes 0, n/2 and n-1 are every byte of a text shorter than four.
    Some(match b {
        [] => (0, 0),
        [first, ..] => (
            u64::from(*first) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
            0,
        ),
    })
}

/// Whether two byte strings are equal: keys and cached strings are short, where a call to
/// `memcmp` costs more than comparing two words.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && match (words(a), words(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        }
}

/// An object key and its colon as compact JSON writes them when the name needs no escape
/// (`"name":`), with that text's words (see `words`) worked out once: the keys of a document
/// usually come as the schema lists them, so each entry's start is first compared whole with
/// the expected one, before any general string read (which also allows whitespace).
pub struct RawKey {
    quoted: Box<[u8]>,
    words: Option<(u64, u64)>,
}

impl RawKey {
    /// `None` when `name` holds `"`, `\\` or a control character (its token has escapes).
    pub fn new(name: &str) -> Option<Self> {
        if name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
            return None;
        }
        let quoted: Box<[u8]> = [&b"\""[..], name.as_bytes(), b"\":"].concat().into();
        let words = words(&quoted);
        Some(RawKey { quoted, words })
    }

    /// Whether `b` (as long as the token) is this token.
    #[inline]
    fn is(&self, b: &[u8]) -> bool {
        match self.words {
            Some(w) => words(b) == Some(w),
            None => b == &*self.quoted,
        }
    }
}

/// The string cache's slot for `bytes`: a multiplicative hash of whole words, for a longer
/// text its first, middle and last eight bytes (FNV-1a's byte at a time, then a hash of every
/// word, cost more than the strings they saved; texts that agree on those bytes only share a
/// slot, each hit is still compared whole).
fn slot_of(bytes: &[u8]) -> usize {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let n = bytes.len();
    let mut h = n as u64;
    match words(bytes) {
        Some((x, y)) => h = (h ^ x ^ y.rotate_left(29)).wrapping_mul(K),
        None => {
            let word = |at: usize| {
                bytes
                    .get(at..at + 8)
                    .and_then(|w| <[u8; 8]>::try_from(w).ok())
                    .map_or(0, u64::from_le_bytes)
            };
            let (head, middle, tail) = (word(0), word(n / 2 - 4), word(n - 8));
            h = (h ^ head ^ middle.rotate_left(17) ^ tail.rotate_left(29)).wrapping_mul(K);
        }
    }
    #[allow(clippy::cast_possible_truncation)] // the top 12 bits
    let slot = (h >> 52) as usize;
    slot % SLOTS
}

/// The offset of the first `"`, `\\` or control character in `bytes` (with `ASCII`, also of
/// the first byte that is not ASCII): eight bytes per step, then one table lookup per byte for
/// the tail. (memchr2 followed by a second scan for control characters cost ~25% of the direct
/// pass's instructions on a document tree; this, ~5%.)
fn string_stop<const ASCII: bool>(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight);
        let quote = x ^ (ONES * u64::from(b'"'));
        let slash = x ^ (ONES * u64::from(b'\\'));
        // A byte's high bit is set where it is zero (quote, slash) or below 0x20 (x itself),
        // or (`ASCII`) where it is set in x; only the lowest flag is exact, which is the one
        // taken.
        let beyond = if ASCII { x } else { 0 };
        let flags = (quote.wrapping_sub(ONES) & !quote
            | slash.wrapping_sub(ONES) & !slash
            | x.wrapping_sub(ONES * 0x20) & !x
            | beyond)
            & HIGH;
        if flags != 0 {
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let table = if ASCII { &ASCII_STOP } else { &STRING_STOP };
    let tail = words.remainder();
    tail.iter()
        .position(|&b| table[usize::from(b)])
        .map(|i| at + i)
}

/// The powers of ten a double holds exactly, for `num_token`'s short decimals.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The bytes that end a run of plain string content: `"`, `\\` and the control characters.
static STRING_STOP: [bool; 256] = stop_table(false);

/// The same, and every byte that is not ASCII.
static ASCII_STOP: [bool; 256] = stop_table(true);

const fn stop_table(ascii: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b < 0x20 || b == b'"' as usize || b == b'\\' as usize || (ascii && b >= 0x80);
        b += 1;
    }
    table
}

enum Frame<'py> {
    Array(Bound<'py, PyList>),
    Object(Bound<'py, PyDict>, Bound<'py, PyString>),
}

pub struct Reader<'s, 'py> {
    pub py: Python<'py>,
    keys: &'s KeyCache,
    values: Option<&'s mut Slots>,
    /// The document; only its string tokens may hold bytes that are not ASCII, and each is
    /// checked to be UTF-8 as it is read.
    src: &'s [u8],
    pos: usize,
    /// Lets other threads take the GIL now and then while a large document is read.
    pause: Pause,
}

type Res<T> = Result<T, Failure>;

fn invalid<T>(pos: usize, detail: &str) -> Res<T> {
    Err(Failure::Invalid(pos, detail.to_owned()))
}

/// Parses `src` into a Python value.
pub fn parse<'py>(
    py: Python<'py>,
    src: &[u8],
    max_depth: usize,
    keys: &KeyCache,
    values: Option<&mut Slots>,
) -> Res<Bound<'py, PyAny>> {
    let mut reader = Reader::new(py, src, keys, values)?;
    let value = reader.value(max_depth)?;
    reader.finish()?;
    Ok(value)
}

/// A number token: machine-sized when it fits, else its text.
pub enum Num<'s> {
    Int(i64),
    Big(&'s str),
    Float(f64),
}

impl<'s, 'py> Reader<'s, 'py> {
    /// A reader over `src`, which must be UTF-8: the whole document is checked first, so
    /// that text which is not is reported where it starts being so.
    pub fn new(
        py: Python<'py>,
        src: &'s [u8],
        keys: &'s KeyCache,
        values: Option<&'s mut Slots>,
    ) -> Res<Self> {
        match std::str::from_utf8(src) {
            Ok(_) => Ok(Reader::checking_strings(py, src, keys, values)),
            Err(e) => invalid(e.valid_up_to(), "invalid UTF-8"),
        }
    }

    /// A reader over `src` that checks UTF-8 only in the string tokens it reads, where JSON
    /// can hold bytes that are not ASCII (anywhere else they are malformed anyway): for the
    /// one pass, which reads every byte of a document it accepts and gives way to the exact
    /// path (and its error) at any problem.
    pub fn checking_strings(
        py: Python<'py>,
        src: &'s [u8],
        keys: &'s KeyCache,
        values: Option<&'s mut Slots>,
    ) -> Self {
        Reader {
            py,
            keys,
            values,
            src,
            pos: 0,
            pause: Pause::default(),
        }
    }

    /// The text of `src[from..to]`, a run of string content or number.
    fn utf8(&self, from: usize, to: usize) -> Res<&'s str> {
        let src: &'s [u8] = self.src;
        std::str::from_utf8(src.get(from..to).unwrap_or_default())
            .or_else(|e| invalid(from + e.valid_up_to(), "invalid UTF-8"))
    }

    /// Counts one value read (see `Pause`).
    pub fn step(&mut self) {
        self.pause.step(self.py);
    }

    pub fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.src.get(self.pos) {
            self.pos += 1;
        }
    }

    pub fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    /// When the next bytes are exactly `key` and its colon, consumes them.
    #[inline]
    pub fn raw_key(&mut self, key: &RawKey) -> bool {
        let end = self.pos + key.quoted.len();
        let hit = self.src.get(self.pos..end).is_some_and(|b| key.is(b));
        if hit {
            self.pos = end;
        }
        hit
    }

    /// Consumes the byte under the cursor (one the caller has just peeked).
    pub fn bump(&mut self) {
        self.pos += 1;
    }

    /// The cursor's byte offset, to come back to with `rewind`.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Moves the cursor back to an offset `pos` returned earlier.
    pub fn rewind(&mut self, to: usize) {
        self.pos = to;
    }

    /// Steps over one value without building it. Lenient: it only finds where the value ends
    /// (strings, brackets), so a caller that needs the value reads it again, strictly.
    pub fn skip(&mut self) -> Res<()> {
        let mut open = 0usize;
        loop {
            self.ws();
            match self.peek() {
                None => return invalid(self.pos, "unexpected end of input"),
                Some(b'"') => self.skip_string()?,
                Some(b'{' | b'[') => {
                    open += 1;
                    self.pos += 1;
                    continue;
                }
                Some(b'}' | b']') if open > 0 => {
                    open -= 1;
                    self.pos += 1;
                }
                Some(b',' | b':') if open > 0 => {
                    self.pos += 1;
                    continue;
                }
                Some(b'}' | b']' | b',' | b':') => return invalid(self.pos, "expected a value"),
                Some(_) => {
                    let start = self.pos;
                    while let Some(b) = self.peek() {
                        if b"{}[]\",: \t\r\n".contains(&b) {
                            break;
                        }
                        self.pos += 1;
                    }
                    if self.pos == start {
                        return invalid(self.pos, "expected a value");
                    }
                }
            }
            if open == 0 {
                return Ok(());
            }
        }
    }

    fn skip_string(&mut self) -> Res<()> {
        let start = self.pos;
        self.pos += 1;
        loop {
            let rest = &self.src[self.pos..];
            let Some(i) = memchr::memchr2(b'"', b'\\', rest) else {
                return invalid(start, "unterminated string");
            };
            let quote = rest[i] == b'"';
            // An escape steps over the byte after its backslash (if the input has one).
            self.pos = (self.pos + i + if quote { 1 } else { 2 }).min(self.src.len());
            if quote {
                return Ok(());
            }
        }
    }

    /// Skips whitespace and consumes `byte` if it comes next.
    pub fn eat(&mut self, byte: u8) -> bool {
        self.ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// After the document: only whitespace may follow.
    pub fn finish(&mut self) -> Res<()> {
        self.ws();
        if self.pos == self.src.len() {
            Ok(())
        } else {
            invalid(self.pos, "extra data after the document")
        }
    }

    /// One value of any shape, with at most `max_depth` nested arrays/objects.
    pub fn value(&mut self, max_depth: usize) -> Res<Bound<'py, PyAny>> {
        let py = self.py;
        let mut stack: Vec<Frame<'py>> = Vec::new();
        'value: loop {
            self.step();
            self.ws();
            let mut value: Bound<'py, PyAny> = match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if stack.len() >= max_depth {
                        return Err(Failure::TooDeep);
                    }
                    self.pos += 1;
                    self.ws();
                    if open == b'{' {
                        if self.peek() == Some(b'}') {
                            self.pos += 1;
                            PyDict::new(py).into_any()
                        } else {
                            let key = self.key()?;
                            stack.push(Frame::Object(PyDict::new(py), key));
                            continue 'value;
                        }
                    } else if self.peek() == Some(b']') {
                        self.pos += 1;
                        PyList::empty(py).into_any()
                    } else {
                        stack.push(Frame::Array(PyList::empty(py)));
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let text = self.str_token()?;
                    self.py_string(&text, false).into_any()
                }
                Some(b't') => self.word("true", PyBool::new(py, true).to_owned().into_any())?,
                Some(b'f') => self.word("false", PyBool::new(py, false).to_owned().into_any())?,
                Some(b'n') => self.word("null", py.None().into_bound(py))?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(_) => return invalid(self.pos, "expected a value"),
                None => return invalid(self.pos, "unexpected end of input"),
            };
            loop {
                match stack.last_mut() {
                    None => return Ok(value),
                    Some(Frame::Array(list)) => {
                        list.append(value)?;
                        self.ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                continue 'value;
                            }
                            Some(b']') => self.pos += 1,
                            _ => return invalid(self.pos, "expected ',' or ']'"),
                        }
                    }
                    Some(Frame::Object(dict, key)) => {
                        dict.set_item(&*key, value)?;
                        self.ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.ws();
                                *key = self.key()?;
                                continue 'value;
                            }
                            Some(b'}') => self.pos += 1,
                            _ => return invalid(self.pos, "expected ',' or '}'"),
                        }
                    }
                }
                value = match stack.pop() {
                    Some(Frame::Array(list)) => list.into_any(),
                    Some(Frame::Object(dict, _)) => dict.into_any(),
                    None => unreachable_frame()?,
                };
            }
        }
    }

    pub fn word(&mut self, word: &str, value: Bound<'py, PyAny>) -> Res<Bound<'py, PyAny>> {
        if self.src[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            invalid(self.pos, "expected a value")
        }
    }

    /// An object key and its `:`.
    pub fn key(&mut self) -> Res<Bound<'py, PyString>> {
        if self.peek() != Some(b'"') {
            return invalid(self.pos, "expected a property name in double quotes");
        }
        let text = self.str_token()?;
        let key = self.py_string(&text, true);
        self.ws();
        if self.peek() != Some(b':') {
            return invalid(self.pos, "expected ':'");
        }
        self.pos += 1;
        Ok(key)
    }

    fn hex4(&self, at: usize) -> Res<u32> {
        let digits = self
            .src
            .get(at..at + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit));
        match digits {
            Some(d) => Ok(d
                .iter()
                .fold(0, |n, &c| n * 16 + (c as char).to_digit(16).unwrap_or(0))),
            None => invalid(at, "invalid \\u escape"),
        }
    }

    /// The Python string for `text`; an object `key` may come from the cache. (The cache
    /// hit is written inline where strings are read; building one is out of line.)
    #[inline(always)]
    #[allow(clippy::inline_always)] // measured: a call per string cost more than the lookup
    pub fn py_string(&mut self, text: &str, key: bool) -> Bound<'py, PyString> {
        if key {
            if let Some(name) = self.schema_key(text) {
                return name;
            }
        }
        let slots = self.values.as_deref().filter(|_| text.len() <= MAX_CACHED);
        if let Some((bytes, s)) = slots.and_then(|slots| slots[slot_of(text.as_bytes())].as_ref()) {
            if same(bytes, text.as_bytes()) {
                return s.bind(self.py).clone();
            }
        }
        self.new_string(text)
    }

    /// The schema's property name `text`, if it is one.
    #[inline(never)]
    fn schema_key(&self, text: &str) -> Option<Bound<'py, PyString>> {
        let name = self.keys.map.get(text.as_bytes())?;
        Some(name.bind(self.py).clone())
    }

    /// A new Python string for `text`, kept in the cache when short enough.
    #[inline(never)]
    fn new_string(&mut self, text: &str) -> Bound<'py, PyString> {
        let s = PyString::new(self.py, text);
        if let Some(slots) = self.values.as_deref_mut() {
            if text.len() <= MAX_CACHED {
                slots[slot_of(text.as_bytes())] =
                    Some((text.as_bytes().into(), s.clone().unbind()));
            }
        }
        s
    }

    /// A string token starting at its opening quote, unescaped (the plain case is written
    /// inline where strings are read).
    #[inline(always)]
    #[allow(clippy::inline_always)] // measured: a call per string cost more than the scan
    pub fn str_token(&mut self) -> Res<Cow<'s, str>> {
        // Most strings have no escape: their text is borrowed as it is, without setting up
        // the unescaping below (a third of this function's instructions on typical bodies).
        let start = self.pos + 1;
        let src: &'s [u8] = self.src;
        let rest = src.get(start..).unwrap_or_default();
        if let Some(i) = string_stop::<true>(rest).filter(|&i| rest[i] == b'"') {
            self.pos = start + i + 1;
            // SAFETY: `string_stop::<true>` stops at the first byte that is not ASCII, so the
            // `i` bytes before it are ASCII, which is UTF-8.
            return Ok(Cow::Borrowed(unsafe {
                std::str::from_utf8_unchecked(&rest[..i])
            }));
        }
        self.escaped_token()
    }

    /// A string token holding an escape or text that is not ASCII (or malformed), unescaped.
    #[cold]
    #[inline(never)]
    fn escaped_token(&mut self) -> Res<Cow<'s, str>> {
        self.pos += 1;
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut chunk = start;
        loop {
            let rest = &self.src[self.pos..];
            let Some(i) = string_stop::<false>(rest) else {
                return invalid(start - 1, "unterminated string");
            };
            if rest[i] < 0x20 {
                return invalid(self.pos + i, "control character in string");
            }
            self.pos += i;
            match rest[i] {
                b'"' => {
                    let tail = self.utf8(chunk, self.pos)?;
                    self.pos += 1;
                    return Ok(match owned {
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(tail),
                    });
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(self.utf8(chunk, self.pos)?);
                    let esc_at = self.pos;
                    let c = match self.src.get(self.pos + 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hi = self.hex4(self.pos + 2)?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                let lo_at = self.pos + 6;
                                let lo = if self.src.get(lo_at..lo_at + 2) == Some(b"\\u") {
                                    self.hex4(lo_at + 2)?
                                } else {
                                    0
                                };
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return invalid(esc_at, "lone surrogate in \\u escape");
                                }
                                self.pos += 6;
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            self.pos += 4;
                            match char::from_u32(code) {
                                Some(c) => c,
                                None => return invalid(esc_at, "lone surrogate in \\u escape"),
                            }
                        }
                        _ => return invalid(esc_at, "invalid escape"),
                    };
                    s.push(c);
                    self.pos += 2;
                    chunk = self.pos;
                }
                _ => {}
            }
        }
    }

    /// Steps over ASCII digits, adding each to `mantissa` (which wraps when there are more
    /// than fit: callers use it only for short runs); how many there were.
    fn digits(&mut self, mantissa: &mut u64) -> usize {
        let start = self.pos;
        while let Some(&d @ b'0'..=b'9') = self.src.get(self.pos) {
            *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number token starting at its first character. Short integers and short decimals
    /// are worked out from the digits as they are read (for a decimal of at most 15
    /// significant digits and no exponent, mantissa / 10^fraction digits is one exact
    /// division, so correctly rounded like a full parse); anything longer is parsed from
    /// the text.
    pub fn num_token(&mut self) -> Res<Num<'s>> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let mut mantissa = 0u64;
        let int_digits = match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                1
            }
            Some(b'1'..=b'9') => self.digits(&mut mantissa),
            _ => return invalid(self.pos, "invalid number"),
        };
        let mut frac_digits = None;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let n = self.digits(&mut mantissa);
            if n == 0 {
                return invalid(self.pos, "invalid number");
            }
            frac_digits = Some(n);
        }
        let mut exponent = false;
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            exponent = true;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits(&mut 0) == 0 {
                return invalid(self.pos, "invalid number");
            }
        }
        if exponent || frac_digits.is_some() {
            if let Some(frac) = frac_digits.filter(|&f| !exponent && int_digits + f <= 15) {
                #[allow(clippy::cast_precision_loss)] // below 10^15 < 2^53: exact
                let value = mantissa as f64 / POW10[frac];
                return Ok(Num::Float(if negative { -value } else { value }));
            }
            return match self.utf8(start, self.pos)?.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(Num::Float(f)),
                _ => invalid(start, "number out of range"),
            };
        }
        if int_digits <= 18 {
            #[allow(clippy::cast_possible_wrap)] // below 10^18 < 2^63
            let value = mantissa as i64;
            return Ok(Num::Int(if negative { -value } else { value }));
        }
        if int_digits > MAX_INT_DIGITS {
            return invalid(start, "integer of more than 4300 digits");
        }
        let text = self.utf8(start, self.pos)?;
        Ok(Num::Big(text))
    }

    /// The Python int or float of a number token.
    pub fn py_number(&self, num: &Num<'_>) -> Res<Bound<'py, PyAny>> {
        match *num {
            Num::Int(i) => Ok(i.into_bound_py_any(self.py)?),
            Num::Float(f) => Ok(PyFloat::new(self.py, f).into_any()),
            Num::Big(text) => match self.py.get_type::<PyInt>().call1((text,)) {
                Ok(big) => Ok(big),
                // Past Python's int/str digit limit: build the int 18 digits at a time.
                Err(_) => Ok(self.huge_int(text)?),
            },
        }
    }

    fn huge_int(&self, text: &str) -> PyResult<Bound<'py, PyAny>> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text),
        };
        let step = 10i64.pow(18).into_bound_py_any(self.py)?;
        let mut acc = 0i64.into_bound_py_any(self.py)?;
        let head = digits.len() % 18;
        let chunks = std::iter::once(&digits[..head]).chain(
            digits.as_bytes()[head..]
                .chunks(18)
                .map(|c| std::str::from_utf8(c).unwrap_or("0")),
        );
        for chunk in chunks.filter(|c| !c.is_empty()) {
            let n: i64 = chunk.parse().unwrap_or(0);
            acc = acc.mul(&step)?.add(n)?;
        }
        if negative {
            acc = acc.neg()?;
        }
        Ok(acc)
    }

    fn number(&mut self) -> Res<Bound<'py, PyAny>> {
        let num = self.num_token()?;
        self.py_number(&num)
    }
}

/// The completion loop only pops after pushing; this keeps that invariant panic-free.
fn unreachable_frame<T>() -> Res<T> {
    Err(Failure::Invalid(0, "internal reader state".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_py<F: for<'py> FnOnce(Python<'py>)>(f: F) {
        Python::initialize();
        Python::attach(f);
    }

    fn ok(py: Python<'_>, src: &str) -> String {
        match parse(py, src.as_bytes(), 256, &KeyCache::default(), None) {
            Ok(v) => v.repr().unwrap().to_string(),
            Err(Failure::Invalid(pos, d)) => panic!("{src}: invalid at {pos}: {d}"),
            Err(Failure::Py(e)) => panic!("{src}: failed: {e}"),
            Err(Failure::TooDeep) => panic!("{src}: too deep"),
        }
    }

    fn bad(py: Python<'_>, src: &[u8]) -> usize {
        match parse(py, src, 256, &KeyCache::default(), None) {
            Err(Failure::Invalid(pos, _)) => pos,
            _ => panic!("{src:?} should be invalid"),
        }
    }

    #[test]
    fn values() {
        with_py(|py| {
            assert_eq!(
                ok(
                    py,
                    r#" {"a": [1, -2.5, true, false, null], "b": "x\u00e9\n"} "#
                ),
                "{'a': [1, -2.5, True, False, None], 'b': 'xé\\n'}"
            );
            assert_eq!(
                ok(py, "123456789012345678901234567890"),
                "123456789012345678901234567890"
            );
            assert_eq!(ok(py, r#""\ud83d\ude00""#), "'😀'");
            assert_eq!(ok(py, r#"{"a": 1, "a": 2}"#), "{'a': 2}");
            assert_eq!(ok(py, "[]"), "[]");
        });
    }

    #[test]
    fn malformed() {
        with_py(|py| {
            for src in [
                "",
                "[",
                "[1,]",
                "{\"a\" 1}",
                "01",
                "1.",
                "1e",
                "NaN",
                "Infinity",
                "\"\\ud800\"",
                "\"\\udc00x\"",
                "1e400",
                "[1] x",
                "\"a\u{1}\"",
            ] {
                bad(py, src.as_bytes());
            }
            assert_eq!(bad(py, b"[\"\xff\"]"), 2);
            assert_eq!(line_col(b"[\n  x]", 4), (2, 3));
        });
    }

    #[test]
    fn string_stop_finds_the_first_special_byte() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut bytes: Vec<u8> = (0..len)
                        .map(|i| b"abcdefghijklmnopqrstuvwxyz"[i % 26])
                        .collect();
                    bytes[at] = special;
                    if at + 1 < len {
                        bytes[at + 1] = b'"';
                    }
                    assert_eq!(string_stop::<false>(&bytes), Some(at), "{bytes:?}");
                    assert_eq!(string_stop::<true>(&bytes), Some(at), "{bytes:?}");
                }
            }
            let plain: Vec<u8> = (0..len).map(|i| [b' ', b'~', 0x7f, 0xe9][i % 4]).collect();
            assert_eq!(string_stop::<false>(&plain), None);
            let first_high = plain.iter().position(|&b| b >= 0x80);
            assert_eq!(string_stop::<true>(&plain), first_high);
        }
    }

    #[test]
    fn same_compares_every_byte() {
        for len in 0..40 {
            let a: Vec<u8> = (0..len)
                .map(|i| b"abcdefghijklmnopqrstuvwxyz"[i % 26])
                .collect();
            assert!(same(&a, &a.clone()));
            for at in 0..len {
                let mut b = a.clone();
                b[at] ^= 1;
                assert!(!same(&a, &b), "{len} {at}");
            }
            assert!(!same(&a, &[a.as_slice(), b"\0"].concat()));
        }
        assert!(slot_of(b"some text") < SLOTS && slot_of(&[b'x'; 40]) < SLOTS);
    }

    #[test]
    fn depth_is_bounded() {
        with_py(|py| {
            let deep = "[".repeat(10_000) + &"]".repeat(10_000);
            assert!(matches!(
                parse(py, deep.as_bytes(), 256, &KeyCache::default(), None),
                Err(Failure::TooDeep)
            ));
            let fine = "[".repeat(256) + &"]".repeat(256);
            assert!(parse(py, fine.as_bytes(), 256, &KeyCache::default(), None).is_ok());
        });
    }
}
