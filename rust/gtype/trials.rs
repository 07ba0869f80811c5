//! What one validation call remembers of its plain unions' member trials.
//!
//! Without it each level of a recursive union tries every member on the whole subtree below,
//! and every member meets the nested unions again: `union(array(ref N, max_items=1),
//! array(ref N, min_items=1), integer)` on 16 nested lists took 2^16 trials. With it, a
//! union decides a container at a depth once per call.
//!
//! Keyed by (union node, container address, depth): for a value that holds no cycle nothing
//! else changes the answer (the refs being entered hold its ancestors, which it cannot reach).
//! An answer is not kept when finding it met a recursion loop or a call/stack guard, which
//! depend on where the value was reached. Each keyed value is held until the call ends, so no
//! address is reused meanwhile; the table lives and dies with the call's `Ctx`. The pure twin
//! is `_Call` in `gati/_pure/gtype.py`.
use std::collections::HashMap;

use pyo3::prelude::*;

type Key = (usize, usize, usize);

#[derive(Default)]
pub struct Trials<'py> {
    /// Whether some member accepted the value, with the value itself (held alive).
    outcomes: HashMap<Key, (Bound<'py, PyAny>, bool)>,
    /// Recursion loops met and guards tripped so far in the call.
    pub detours: usize,
}

impl<'py> Trials<'py> {
    pub fn key<T>(union: &T, value: &Bound<'py, PyAny>, depth: usize) -> Key {
        (
            std::ptr::from_ref(union) as usize,
            value.as_ptr() as usize,
            depth,
        )
    }

    /// The answer found earlier in this call, if any.
    pub fn decided(&self, key: &Key) -> Option<bool> {
        self.outcomes.get(key).map(|(_, matched)| *matched)
    }

    /// Keeps `matched` for `key` unless a detour was taken since `detours` was read.
    pub fn keep(&mut self, key: Key, value: &Bound<'py, PyAny>, detours: usize, matched: bool) {
        if self.detours == detours {
            self.outcomes.insert(key, (value.clone(), matched));
        }
    }
}
