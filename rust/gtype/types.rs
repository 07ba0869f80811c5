//! Type tests with the exact type first: a pointer comparison settles the common case before
//! the subclass test (a function call under the stable ABI).
use pyo3::prelude::*;
use pyo3::PyTypeInfo;

/// `isinstance(value, T)`.
#[inline]
pub fn is<T: PyTypeInfo>(value: &Bound<'_, PyAny>) -> bool {
    value.is_exact_instance_of::<T>() || value.is_instance_of::<T>()
}

/// `value` as a `T` (or a subclass of it).
#[inline]
pub fn cast<'a, 'py, T: PyTypeInfo>(value: &'a Bound<'py, PyAny>) -> Option<&'a Bound<'py, T>> {
    match value.cast_exact::<T>() {
        Ok(v) => Some(v),
        Err(_) => value.cast::<T>().ok(),
    }
}
