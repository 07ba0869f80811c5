//! The one panic boundary: every Python entry point of the extension runs its body through
//! [`guard`], so a Rust panic reaches Python as a `RuntimeError` (an `Exception`), never as
//! the `PanicException` of `pyo3` (a `BaseException` that `except Exception` would let through).
//!
//! With the `test-panic` feature (debug test builds only, never the wheel) the module also
//! exports `_panic_next()`: the next entry point to run panics inside its guard, which lets the
//! tests prove, module by module, that each entry point has one.
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

#[cfg(feature = "test-panic")]
static PANIC_NEXT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Runs `f`, turning a Rust panic into a Python `RuntimeError`.
pub fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    let run = || {
        #[cfg(feature = "test-panic")]
        if PANIC_NEXT.swap(false, std::sync::atomic::Ordering::SeqCst) {
            panic!("deliberate panic for the test suite");
        }
        f()
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(PyRuntimeError::new_err(format!(
                "internal error in gati._native: {detail}"
            )))
        }
    }
}

/// Makes the next guarded entry point panic (test builds only).
#[cfg(feature = "test-panic")]
#[pyfunction]
fn _panic_next() {
    PANIC_NEXT.store(true, std::sync::atomic::Ordering::SeqCst);
}

#[allow(clippy::unnecessary_wraps)] // the signature every module's `register` has
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(feature = "test-panic")]
    m.add_function(wrap_pyfunction!(_panic_next, m)?)?;
    let _ = m;
    Ok(())
}
