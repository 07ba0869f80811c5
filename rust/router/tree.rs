//! The route tree: one node per path segment, static children before typed parameters.
//!
//! Matching is a depth-first search that tries, at every segment, the static child, then the
//! typed parameters in a fixed order (`int`, `float`, `uuid`, `str`), then a trailing `path`
//! catch-all. Static therefore beats parameters whatever the registration order, and a path
//! that fails deeper under a static child falls back to the parameters. Recursion depth is
//! bounded by the depth of the tree (the longest registered pattern), never by the input.
use std::collections::HashMap;
use std::fmt;

/// A parameter's type, in the order matching tries them (`gati._tables.PARAM_KINDS`;
/// `tests/test_tables.py` holds this side to that table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Uuid,
    Str,
    Path,
}

impl Kind {
    pub fn parse(name: &str) -> Result<Self, RouteError> {
        match name {
            "int" => Ok(Self::Int),
            "float" => Ok(Self::Float),
            "uuid" => Ok(Self::Uuid),
            "str" => Ok(Self::Str),
            "path" => Ok(Self::Path),
            other => Err(RouteError::UnknownKind(other.to_owned())),
        }
    }

    /// Whether a raw segment is acceptable for this kind (the value is converted later).
    pub fn accepts(self, raw: &str) -> bool {
        match self {
            Self::Int => is_int(raw),
            Self::Float => is_float(raw),
            Self::Uuid => is_uuid(raw),
            Self::Str => !raw.is_empty(),
            Self::Path => true,
        }
    }
}

/// JSON's integer grammar (RFC 8259 §6): `-?(0|[1-9][0-9]*)`, ASCII digits only.
fn json_integer(raw: &str) -> bool {
    match raw.strip_prefix('-').unwrap_or(raw).as_bytes() {
        [b'0'] => true,
        [] | [b'0', ..] => false,
        digits => digits.iter().all(u8::is_ascii_digit),
    }
}

fn ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A JSON integer whose value fits a signed 64-bit integer.
fn is_int(raw: &str) -> bool {
    json_integer(raw) && raw.parse::<i64>().is_ok()
}

/// A JSON number (integer part, optional `.digits`, optional exponent) whose value is finite:
/// a segment too large for a double (`inf`) does not match, like any other non-number.
fn is_float(raw: &str) -> bool {
    let (mantissa, exponent) = match raw.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (raw, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let signed = |e: &str| ascii_digits(e.strip_prefix(['+', '-']).unwrap_or(e));
    json_integer(whole)
        && fraction.is_none_or(ascii_digits)
        && exponent.is_none_or(signed)
        && raw.parse::<f64>().is_ok_and(f64::is_finite)
}

fn is_uuid(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// One segment of a registered pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Static(String),
    Param(Kind, String),
}

/// Why a pattern cannot be registered.
#[derive(Debug, PartialEq, Eq)]
pub enum RouteError {
    UnknownKind(String),
    PathNotLast,
    Duplicate(usize),
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownKind(k) => write!(
                f,
                "unknown parameter type {k:?} (expected int, float, uuid, str or path)"
            ),
            Self::PathNotLast => write!(f, "a 'path' parameter must be the last segment"),
            Self::Duplicate(i) => write!(f, "pattern conflicts with route #{i}"),
        }
    }
}

/// A registered pattern: its index and its parameters, in path order.
#[derive(Debug)]
pub struct Endpoint {
    pub index: usize,
    pub params: Vec<(Kind, String)>,
}

#[derive(Default, Debug)]
struct Node {
    statics: HashMap<String, Node>,
    /// Children for `int`, `float`, `uuid`, `str`, in that order.
    params: [Option<Box<Node>>; 4],
    endpoint: Option<Endpoint>,
    catch_all: Option<Endpoint>,
}

const PARAM_ORDER: [Kind; 4] = [Kind::Int, Kind::Float, Kind::Uuid, Kind::Str];

fn slot(kind: Kind) -> usize {
    match kind {
        Kind::Int => 0,
        Kind::Float => 1,
        Kind::Uuid => 2,
        Kind::Str | Kind::Path => 3,
    }
}

/// Put the next index's endpoint in an empty `place`; a taken place is a duplicate pattern.
fn claim(
    place: &mut Option<Endpoint>,
    len: &mut usize,
    params: Vec<(Kind, String)>,
) -> Result<usize, RouteError> {
    if let Some(existing) = place {
        return Err(RouteError::Duplicate(existing.index));
    }
    *place = Some(Endpoint {
        index: *len,
        params,
    });
    *len += 1;
    Ok(*len - 1)
}

/// The route tree; patterns get consecutive indexes from 0.
#[derive(Default, Debug)]
pub struct Tree {
    root: Node,
    len: usize,
}

impl Tree {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Add a pattern and return its index.
    pub fn insert(&mut self, segments: Vec<Segment>) -> Result<usize, RouteError> {
        let count = segments.len();
        let mut node = &mut self.root;
        let mut params = Vec::new();
        for (i, segment) in segments.into_iter().enumerate() {
            match segment {
                Segment::Static(text) => node = node.statics.entry(text).or_default(),
                Segment::Param(Kind::Path, name) => {
                    if i + 1 != count {
                        return Err(RouteError::PathNotLast);
                    }
                    params.push((Kind::Path, name));
                    return claim(&mut node.catch_all, &mut self.len, params);
                }
                Segment::Param(kind, name) => {
                    params.push((kind, name));
                    node = node.params[slot(kind)].get_or_insert_with(Box::default);
                }
            }
        }
        claim(&mut node.endpoint, &mut self.len, params)
    }

    /// Find the endpoint for `path` and the raw parameter values, in path order.
    pub fn lookup<'t, 'p>(&'t self, path: &'p str) -> Option<(&'t Endpoint, Vec<&'p str>)> {
        let rest = path.strip_prefix('/')?;
        let mut bounds = Vec::new();
        let mut start = 1;
        for part in rest.split('/') {
            bounds.push((start, start + part.len()));
            start += part.len() + 1;
        }
        let mut values = Vec::new();
        let found = walk(&self.root, path, &bounds, 0, &mut values)?;
        Some((found, values))
    }
}

fn walk<'t, 'p>(
    node: &'t Node,
    path: &'p str,
    bounds: &[(usize, usize)],
    i: usize,
    values: &mut Vec<&'p str>,
) -> Option<&'t Endpoint> {
    let Some(&(start, end)) = bounds.get(i) else {
        return node.endpoint.as_ref();
    };
    let seg = path.get(start..end)?;
    if let Some(child) = node.statics.get(seg) {
        if let Some(found) = walk(child, path, bounds, i + 1, values) {
            return Some(found);
        }
    }
    for kind in PARAM_ORDER {
        if let Some(child) = &node.params[slot(kind)] {
            if kind.accepts(seg) {
                values.push(seg);
                if let Some(found) = walk(child, path, bounds, i + 1, values) {
                    return Some(found);
                }
                values.pop();
            }
        }
    }
    let catch_all = node.catch_all.as_ref()?;
    values.push(path.get(start..)?);
    Some(catch_all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(s: &str) -> Segment {
        match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(p) => {
                let (name, kind) = p.split_once(':').unwrap_or((p, "str"));
                Segment::Param(Kind::parse(kind).unwrap(), name.to_owned())
            }
            None => Segment::Static(s.to_owned()),
        }
    }

    fn pattern(p: &str) -> Vec<Segment> {
        p[1..].split('/').map(seg).collect()
    }

    #[test]
    fn static_beats_param_in_any_order() {
        let mut t = Tree::default();
        assert_eq!(t.insert(pattern("/users/{id:int}")), Ok(0));
        assert_eq!(t.insert(pattern("/users/me")), Ok(1));
        assert_eq!(t.lookup("/users/me").unwrap().0.index, 1);
        let (ep, vals) = t.lookup("/users/42").unwrap();
        assert_eq!((ep.index, vals), (0, vec!["42"]));
        assert!(t.lookup("/users/abc").is_none());
        assert!(t.lookup("/users/").is_none());
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn backtracks_from_static_to_param() {
        let mut t = Tree::default();
        t.insert(pattern("/a/b/c")).unwrap();
        t.insert(pattern("/a/{x}/d")).unwrap();
        let (ep, vals) = t.lookup("/a/b/d").unwrap();
        assert_eq!((ep.index, vals), (1, vec!["b"]));
    }

    #[test]
    fn typed_order_and_catch_all() {
        let mut t = Tree::default();
        t.insert(pattern("/v/{s}")).unwrap();
        t.insert(pattern("/v/{f:float}")).unwrap();
        t.insert(pattern("/v/{i:int}")).unwrap();
        t.insert(pattern("/files/{rest:path}")).unwrap();
        assert_eq!(t.lookup("/v/1").unwrap().0.index, 2);
        assert_eq!(t.lookup("/v/1.5").unwrap().0.index, 1);
        assert_eq!(t.lookup("/v/x").unwrap().0.index, 0);
        assert_eq!(t.lookup("/files/a/b/").unwrap().1, vec!["a/b/"]);
        assert_eq!(t.lookup("/files/").unwrap().1, vec![""]);
        assert!(t.lookup("/files").is_none());
        assert!(t.lookup("files").is_none());
    }

    #[test]
    fn rejects_bad_patterns() {
        let mut t = Tree::default();
        assert_eq!(
            Kind::parse("date"),
            Err(RouteError::UnknownKind("date".into()))
        );
        assert_eq!(
            t.insert(pattern("/{p:path}/x")),
            Err(RouteError::PathNotLast)
        );
        t.insert(pattern("/u/{id}")).unwrap();
        assert_eq!(
            t.insert(pattern("/u/{name}")),
            Err(RouteError::Duplicate(0))
        );
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn segment_checks() {
        assert!(is_int("42") && is_int("-1") && is_int("0") && !is_int("99999999999999999999"));
        assert!(!is_int("0042") && !is_int("-") && !is_int("+1") && !is_int("-01"));
        assert!(is_float("1") && is_float("1.25") && !is_float("1.") && !is_float(".5"));
        assert!(is_float("-0.5") && is_float("1.5e3") && is_float("2E-2") && !is_float("1e"));
        assert!(!is_float("007.5") && !is_float("1e+") && !is_float("1.5e3.0"));
        assert!(!is_float(&"9".repeat(400)) && !is_int(&"9".repeat(4301)));
        assert!(is_uuid("12345678-1234-1234-1234-1234567890AB") && !is_uuid("1234"));
    }
}
