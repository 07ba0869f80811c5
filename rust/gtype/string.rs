//! `string`: code-point lengths, an unanchored pattern search, and a format scanner.
use pyo3::exceptions::{PyTimeoutError, PyUnicodeEncodeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::Input;

use super::errors::{Code, Path};
use super::formats::Format;
use super::node::{Ctx, Node};
use super::{plan, types};

/// The engine the plan chose (python/gati/gtype/_regex.py): Rust's `regex` for the `rust`
/// subset; for `re2` and `backtracking`, the `search` of the pattern compiled by the Python
/// module the pure backend uses too (google-re2; `regex`, called with the plan's timeout).
pub enum Pattern {
    Rust(Box<RustPattern>),
    Python {
        search: Py<PyAny>,
        timeout: Option<f64>,
    },
}

/// A pattern of the `rust` subset: a fully built DFA when one fits in `DFA_LIMIT` bytes (a
/// search is then a walk over the bytes, with none of the general engine's set-up, which cost
/// more than the walk on the short texts fields hold), else `regex`'s own engine.
pub struct RustPattern {
    dfa: Option<dense::DFA<Vec<u32>>>,
    regex: regex::Regex,
}

/// The most memory one pattern's DFA may take (its construction stops there).
const DFA_LIMIT: usize = 256 * 1024;

impl RustPattern {
    fn new(pattern: &str) -> PyResult<Self> {
        let syntax = rust_syntax(pattern);
        let regex = regex::Regex::new(&syntax).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .start_kind(StartKind::Unanchored)
                    .dfa_size_limit(Some(DFA_LIMIT))
                    .determinize_size_limit(Some(DFA_LIMIT)),
            )
            .build(&syntax)
            .ok();
        Ok(RustPattern { dfa, regex })
    }

    /// Whether the pattern occurs anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let found = self.dfa.as_ref().and_then(|dfa| walk(dfa, text));
        found.unwrap_or_else(|| self.regex.is_match(text))
    }
}

/// Whether `dfa` matches anywhere in `text`, walking its states byte by byte (a search's
/// set-up cost more than the walk on the short texts fields hold); `None` when the DFA
/// gives up (a quit byte), for the general engine to decide.
fn walk(dfa: &dense::DFA<Vec<u32>>, text: &str) -> Option<bool> {
    let mut state = dfa.start_state_forward(&Input::new(text)).ok()?;
    for &b in text.as_bytes() {
        state = dfa.next_state(state, b);
        if dfa.is_special_state(state) {
            // A match state is entered one byte after the match ends: some match exists.
            if dfa.is_match_state(state) {
                return Some(true);
            }
            if dfa.is_dead_state(state) {
                return Some(false);
            }
            if dfa.is_quit_state(state) {
                return None;
            }
        }
    }
    Some(dfa.is_match_state(dfa.next_eoi_state(state)))
}

/// What a pattern search found.
enum Found {
    Yes,
    No,
    TimedOut,
}

pub struct StringNode {
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<Pattern>,
    format: Option<Format>,
    /// What `check_text` has to do, worked out once.
    text_check: TextCheck,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TextCheck {
    /// No constraint: every text is valid.
    None,
    /// Constraints Rust checks.
    Rust,
    /// A pattern for Python's engines: the text cannot decide.
    Python,
}

/// The planner's `rust` subset allows `$` only as the last character, where Python's `$` also
/// matches before one final newline: in Rust syntax that is `\n?\z`.
fn rust_syntax(pattern: &str) -> String {
    let body = pattern.strip_suffix('$').unwrap_or(pattern);
    let escapes = body.bytes().rev().take_while(|&b| b == b'\\').count();
    if body.len() == pattern.len() || escapes % 2 == 1 {
        pattern.to_owned()
    } else {
        format!("{body}\\n?\\z")
    }
}

fn compile_pattern(d: &Bound<'_, PyDict>, pattern: &str) -> PyResult<Pattern> {
    let py = d.py();
    Ok(match plan::string(d, "pattern_engine")?.as_deref() {
        Some("rust") => Pattern::Rust(Box::new(RustPattern::new(pattern)?)),
        Some("re2") => {
            let re2 = py.import("re2")?;
            let options = re2.getattr("Options")?.call0()?;
            options.setattr("log_errors", false)?;
            let source = plan::string(d, "pattern_re2")?.unwrap_or_else(|| pattern.to_owned());
            let compiled = re2.call_method1("compile", (source, options))?;
            Pattern::Python {
                search: compiled.getattr("search")?.unbind(),
                timeout: None,
            }
        }
        Some("backtracking") => {
            let compiled = py.import("regex")?.call_method1("compile", (pattern,))?;
            Pattern::Python {
                search: compiled.getattr("search")?.unbind(),
                timeout: plan::get(d, "pattern_timeout")?
                    .map(|t| t.extract::<f64>())
                    .transpose()?,
            }
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown pattern_engine {other:?}"
            )))
        }
    })
}

impl Pattern {
    fn search(&self, value: &Bound<'_, PyString>) -> PyResult<Found> {
        let py = value.py();
        let found = match self {
            // A string with a lone surrogate is not text a linear engine can read.
            Pattern::Rust(re) => value.to_str().is_ok_and(|text| re.is_match(text)),
            Pattern::Python { search, timeout } => {
                let kwargs = PyDict::new(py);
                if let Some(t) = timeout {
                    kwargs.set_item(intern!(py, "timeout"), t)?;
                }
                match search.bind(py).call((value,), Some(&kwargs)) {
                    Ok(m) => !m.is_none(),
                    Err(e) if e.is_instance_of::<PyTimeoutError>(py) => return Ok(Found::TimedOut),
                    Err(e) if e.is_instance_of::<PyUnicodeEncodeError>(py) => false,
                    Err(e) => return Err(e),
                }
            }
        };
        Ok(if found { Found::Yes } else { Found::No })
    }
}

pub fn compile(d: &Bound<'_, PyDict>) -> PyResult<StringNode> {
    let pattern = match plan::string(d, "pattern")? {
        Some(p) => Some(compile_pattern(d, &p)?),
        None => None,
    };
    let format = match plan::string(d, "format")? {
        Some(f) => Some(
            Format::parse(&f)
                .ok_or_else(|| PyValueError::new_err(format!("unknown format {f:?}")))?,
        ),
        None => None,
    };
    let min_length = plan::opt_usize(d, "min_length")?;
    let max_length = plan::opt_usize(d, "max_length")?;
    let text_check = match &pattern {
        Some(Pattern::Python { .. }) => TextCheck::Python,
        None if min_length.is_none() && max_length.is_none() && format.is_none() => TextCheck::None,
        _ => TextCheck::Rust,
    };
    Ok(StringNode {
        min_length,
        max_length,
        pattern,
        format,
        text_check,
    })
}

/// Whether `text` meets every constraint, checked on the Rust text; `None` when the pattern
/// needs Python's `re`.
pub fn check_text(k: &StringNode, text: &str) -> Option<bool> {
    match k.text_check {
        TextCheck::None => return Some(true),
        TextCheck::Python => return None,
        TextCheck::Rust => {}
    }
    if k.min_length.is_some() || k.max_length.is_some() {
        let n = if text.is_ascii() {
            text.len()
        } else {
            text.chars().count()
        };
        if k.min_length.is_some_and(|m| n < m) || k.max_length.is_some_and(|m| n > m) {
            return Some(false);
        }
    }
    let pattern_ok = match &k.pattern {
        Some(Pattern::Rust(re)) => re.is_match(text),
        _ => true,
    };
    Some(pattern_ok && k.format.is_none_or(|f| f.check(text)))
}

pub fn validate<'py>(
    ctx: &mut Ctx<'_, 'py>,
    node: &Node,
    k: &StringNode,
    value: &Bound<'py, PyAny>,
    path: &Path<'_, 'py>,
) -> PyResult<()> {
    let Some(s) = types::cast::<PyString>(value) else {
        return ctx.err(node, Code::StringType, path, value);
    };
    if k.min_length.is_some() || k.max_length.is_some() {
        // Only the length error for a string of the wrong length: the pattern never runs on
        // text longer than `max_length`.
        let n = s.len()?;
        if k.min_length.is_some_and(|m| n < m) {
            return ctx.err(node, Code::StringMinLength, path, value);
        }
        if k.max_length.is_some_and(|m| n > m) {
            return ctx.err(node, Code::StringMaxLength, path, value);
        }
    }
    if k.pattern.is_none() && k.format.is_none() {
        return Ok(());
    }
    let utf8 = s.to_str().ok();
    if let Some(p) = &k.pattern {
        match p.search(s)? {
            Found::Yes => {}
            Found::No => ctx.err(node, Code::StringPattern, path, value)?,
            Found::TimedOut => ctx.err(node, Code::StringPatternTimeout, path, value)?,
        }
    }
    if let Some(f) = k.format {
        if !utf8.is_some_and(|text| f.check(text)) {
            ctx.err(node, Code::StringFormat, path, value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::rust_syntax;

    #[test]
    fn final_dollar_means_what_python_means() {
        assert_eq!(rust_syntax("^a$"), "^a\\n?\\z");
        assert_eq!(rust_syntax("a\\$"), "a\\$");
        assert_eq!(rust_syntax("a\\\\$"), "a\\\\\\n?\\z");
        assert_eq!(rust_syntax("abc"), "abc");
        let re = regex::Regex::new(&rust_syntax("^[0-9]{5}$")).unwrap();
        assert!(re.is_match("12345") && re.is_match("12345\n") && !re.is_match("12345\n\n"));
    }
}
