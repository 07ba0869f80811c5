//! The recursion guard's stack measure: how far down this thread's stack validation may go.
//!
//! Validation recursion is bounded by `max_depth` and a frame cap, but the stack a thread has
//! varies (8 MiB for Linux's main thread, often less for others), so the guard also compares
//! the stack pointer with the thread's real stack bounds and stops well before the end.
use std::cell::Cell;

/// Room left for Python code that validation calls (custom validators, `re`) and for the
/// error path, below the point where validation stops descending: a quarter of the stack, at
/// most this much.
const MARGIN: usize = 256 * 1024;

thread_local! {
    static LOW: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The lowest stack address validation may reach on this thread (0 when unknown).
pub fn stack_floor() -> usize {
    LOW.with(|low| match low.get() {
        Some(v) => v,
        None => {
            let v = stack_bottom().map_or(0, |(bottom, size)| bottom + MARGIN.min(size / 4));
            low.set(Some(v));
            v
        }
    })
}

/// The address of something on the current stack frame.
#[inline(always)] // must read the caller's frame, never a frame of its own
#[allow(clippy::inline_always)]
pub fn stack_here() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

#[cfg(target_os = "linux")]
fn stack_bottom() -> Option<(usize, usize)> {
    use std::mem::MaybeUninit;
    let mut attr = MaybeUninit::<libc::pthread_attr_t>::uninit();
    // SAFETY: pthread_getattr_np initialises `attr` for the calling thread when it returns 0;
    // it is read only then, and destroyed once.
    unsafe {
        if libc::pthread_getattr_np(libc::pthread_self(), attr.as_mut_ptr()) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(attr.as_ptr(), &raw mut addr, &raw mut size);
        libc::pthread_attr_destroy(attr.as_mut_ptr());
        (rc == 0 && !addr.is_null()).then_some((addr as usize, size))
    }
}

#[cfg(not(target_os = "linux"))]
fn stack_bottom() -> Option<(usize, usize)> {
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_floor_is_below_the_current_frame() {
        let floor = super::stack_floor();
        assert!(floor == 0 || floor < super::stack_here());
    }
}
