//! `string`: code-point lengths, an unanchored pattern search, and a format scanner.
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use super::errors::{Code, Path};
use super::formats::Format;
use super::node::{Ctx, Node};
use super::{plan, types};

pub struct Pattern {
    /// Set when the plan says `pattern_engine == "rust"`.
    rust: Option<regex::Regex>,
    /// The compiled Python pattern's `search`, used for the `python` engine and for strings
    /// that cannot be encoded as UTF-8 (lone surrogates).
    search: Py<PyAny>,
}

pub struct StringNode {
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<Pattern>,
    format: Option<Format>,
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

pub fn compile(d: &Bound<'_, PyDict>) -> PyResult<StringNode> {
    let py = d.py();
    let pattern = match plan::string(d, "pattern")? {
        Some(p) => {
            let compiled = py.import("re")?.call_method1("compile", (p.as_str(),))?;
            let rust = if plan::string(d, "pattern_engine")?.as_deref() == Some("rust") {
                let translated = rust_syntax(&p);
                Some(
                    regex::Regex::new(&translated)
                        .map_err(|e| PyValueError::new_err(e.to_string()))?,
                )
            } else {
                None
            };
            Some(Pattern {
                rust,
                search: compiled.getattr("search")?.unbind(),
            })
        }
        None => None,
    };
    let format = match plan::string(d, "format")? {
        Some(f) => Some(
            Format::parse(&f)
                .ok_or_else(|| PyValueError::new_err(format!("unknown format {f:?}")))?,
        ),
        None => None,
    };
    Ok(StringNode {
        min_length: plan::opt_usize(d, "min_length")?,
        max_length: plan::opt_usize(d, "max_length")?,
        pattern,
        format,
    })
}

/// Whether `text` meets every constraint, checked on the Rust text; `None` when the pattern
/// needs Python's `re`.
pub fn check_text(k: &StringNode, text: &str) -> Option<bool> {
    if k.pattern.as_ref().is_some_and(|p| p.rust.is_none()) {
        return None;
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
    let pattern_ok = match k.pattern.as_ref().and_then(|p| p.rust.as_ref()) {
        Some(re) => re.is_match(text),
        None => true,
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
        let n = s.len()?;
        if k.min_length.is_some_and(|m| n < m) {
            ctx.err(node, Code::StringMinLength, path, value)?;
        }
        if k.max_length.is_some_and(|m| n > m) {
            ctx.err(node, Code::StringMaxLength, path, value)?;
        }
    }
    if k.pattern.is_none() && k.format.is_none() {
        return Ok(());
    }
    let utf8 = s.to_str().ok();
    if let Some(p) = &k.pattern {
        let found = match (&p.rust, utf8) {
            (Some(re), Some(text)) => re.is_match(text),
            _ => !p.search.bind(ctx.py).call1((value,))?.is_none(),
        };
        if !found {
            ctx.err(node, Code::StringPattern, path, value)?;
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
