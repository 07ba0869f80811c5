//! Long validations let other Python threads run: a body validated on a worker thread (see
//! `gati.http.route.OFFLOAD_BODY_BYTES`) must not keep the event loop's thread from the GIL
//! for the whole document. Every `EVERY` steps the GIL is released and taken again; a thread
//! waiting for it gets its turn then. Uncontended, that costs well under 0.1 ns a step.
use pyo3::Python;

const EVERY: u32 = 1024;

#[derive(Default)]
pub struct Pause {
    steps: u32,
}

impl Pause {
    /// Counts one step of work; every `EVERY` steps, lets waiting threads take the GIL.
    #[inline]
    pub fn step(&mut self, py: Python<'_>) {
        self.steps += 1;
        if self.steps >= EVERY {
            self.steps = 0;
            py.detach(|| ());
        }
    }
}
