//! `gati._native`: module registration only; every concept lives in its own folder.
use pyo3::prelude::*;

mod boundary;
mod gtype;
mod hooks;
mod ingress;
mod playground;
mod response;
mod router;
mod state;
mod watchdog;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    boundary::register(m)?;
    gtype::register(m)?;
    state::register(m)?;
    hooks::register(m)?;
    router::register(m)?;
    ingress::register(m)?;
    response::register(m)?;
    playground::register(m)?;
    watchdog::register(m)?;
    Ok(())
}
