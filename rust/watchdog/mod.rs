//! `Watchdog`: one shared timer per event loop that cancels tasks past their deadline (pure
//! twin: `gati._pure.watchdog.Watchdog`).
//!
//! A request arms and disarms it with one call each. Arming finds the running task in
//! asyncio's own table and reads the default loop's clock here: in Python those were a dict
//! lookup, a clock call and a float sum per request, about 2,000 instructions of GET /hello's.
//! The one timer stays armed at the earliest deadline it knows; it fires `_fire`, which
//! cancels the tasks past theirs and marks them expired.
use pyo3::exceptions::{PyKeyError, PyRuntimeError};
use pyo3::gc::{PyTraverseError, PyVisit};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PySet};

use crate::boundary::guard;

/// Deadlines per task, and the loop's one timer.
#[pyclass(module = "gati._native", name = "Watchdog")]
pub struct Watchdog {
    /// The loop (None only once the collector cleared the watchdog).
    event_loop: Option<Py<PyAny>>,
    /// asyncio's running task by loop (`asyncio.tasks._current_tasks`).
    running: Option<Py<PyDict>>,
    /// The loop's own `time`, for a loop whose clock is not the default loop's
    /// `time.monotonic()`; None: that clock, read here.
    clock: Option<Py<PyAny>>,
    #[pyo3(get)]
    deadlines: Py<PyDict>,
    #[pyo3(get)]
    expired: Py<PySet>,
    timer: Option<Py<PyAny>>,
    #[pyo3(get)]
    armed_at: f64,
}

/// `time.monotonic()`: `CLOCK_MONOTONIC` in seconds, computed as `CPython` does (nanoseconds
/// as a double, divided by 1e9).
#[cfg(target_os = "linux")]
fn monotonic() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill; CLOCK_MONOTONIC always exists on
    // Linux, so the call cannot fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &raw mut now) };
    // the fields are i32 on 32-bit targets; as CPython's _PyTime_AsSecondsDouble, a double
    #[allow(clippy::useless_conversion, clippy::cast_precision_loss)]
    let ns = (i64::from(now.tv_sec) * 1_000_000_000 + i64::from(now.tv_nsec)) as f64;
    ns / 1e9
}

impl Watchdog {
    fn event_loop<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.event_loop
            .as_ref()
            .map(|l| l.bind(py).clone())
            .ok_or_else(|| PyRuntimeError::new_err("the watchdog was cleared"))
    }

    fn now(&self, py: Python<'_>) -> PyResult<f64> {
        match &self.clock {
            Some(clock) => clock.bind(py).call0()?.extract(),
            #[cfg(target_os = "linux")]
            None => Ok(monotonic()),
            // off Linux the clock is always given; None there means cleared
            #[cfg(not(target_os = "linux"))]
            None => Err(PyRuntimeError::new_err("the watchdog was cleared")),
        }
    }
}

/// `deadlines[task] = now + timeout`; the timer moved earlier when that deadline is.
fn arm_task(slf: &Bound<'_, Watchdog>, task: &Bound<'_, PyAny>, timeout: f64) -> PyResult<()> {
    let py = slf.py();
    let (when, sooner) = {
        let this = slf.borrow();
        let when = this.now(py)? + timeout;
        this.deadlines.bind(py).set_item(task, when)?;
        (when, when < this.armed_at)
    };
    if sooner {
        schedule(slf, when)?;
    }
    Ok(())
}

/// Keep the one timer armed at `when`.
fn schedule(slf: &Bound<'_, Watchdog>, when: f64) -> PyResult<()> {
    let py = slf.py();
    let (old, event_loop) = {
        let mut this = slf.borrow_mut();
        (this.timer.take(), this.event_loop(py)?)
    };
    if let Some(old) = old {
        old.bind(py).call_method0(intern!(py, "cancel"))?;
    }
    let fire = slf.getattr(intern!(py, "_fire"))?;
    let timer = event_loop.call_method1(intern!(py, "call_at"), (when, fire))?;
    let mut this = slf.borrow_mut();
    this.timer = Some(timer.unbind());
    this.armed_at = when;
    Ok(())
}

#[pymethods]
impl Watchdog {
    /// The watchdog of `loop` (asyncio's event loop, or one with the same API).
    #[new]
    fn new(py: Python<'_>, event_loop: Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| {
            let asyncio = py.import("asyncio")?;
            let running = match py.import("asyncio.tasks")?.getattr("_current_tasks") {
                Ok(tasks) => tasks.cast_into::<PyDict>().ok(),
                Err(_) => None,
            }
            .map_or_else(|| PyDict::new(py).unbind(), Bound::unbind);
            let time = event_loop.get_type().getattr(intern!(py, "time")).ok();
            let base = asyncio.getattr("BaseEventLoop")?.getattr("time")?;
            let default = time.is_some_and(|t| t.is(&base));
            let clock = if default && cfg!(target_os = "linux") {
                None
            } else if default {
                Some(py.import("time")?.getattr("monotonic")?.unbind())
            } else {
                Some(event_loop.getattr(intern!(py, "time"))?.unbind())
            };
            Ok(Self {
                event_loop: Some(event_loop.unbind()),
                running: Some(running),
                clock,
                deadlines: PyDict::new(py).unbind(),
                expired: PySet::empty(py)?.unbind(),
                timer: None,
                armed_at: f64::INFINITY,
            })
        })
    }

    #[getter(r#loop)]
    fn get_loop(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        guard(|| self.event_loop(py).map(Bound::unbind))
    }

    /// Cancel `task` if it is still armed `timeout` seconds from now.
    fn arm(slf: &Bound<'_, Self>, task: &Bound<'_, PyAny>, timeout: f64) -> PyResult<()> {
        guard(|| arm_task(slf, task, timeout))
    }

    /// Arm the task running on the loop for `timeout` seconds and return it; None, arming
    /// nothing, when no task runs there (the caller is not inside one, or on another loop).
    fn arm_running(slf: &Bound<'_, Self>, timeout: f64) -> PyResult<Option<Py<PyAny>>> {
        guard(|| {
            let py = slf.py();
            let task = {
                let this = slf.borrow();
                match (&this.running, &this.event_loop) {
                    (Some(running), Some(event_loop)) => {
                        running.bind(py).get_item(event_loop.bind(py))?
                    }
                    _ => None,
                }
            };
            let Some(task) = task else {
                return Ok(None);
            };
            arm_task(slf, &task, timeout)?;
            Ok(Some(task.unbind()))
        })
    }

    /// Stop watching `task`; True if its deadline had passed (its cancel is undone).
    fn disarm(slf: &Bound<'_, Self>, task: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(|| {
            let py = slf.py();
            let (deadlines, expired) = {
                let this = slf.borrow();
                (
                    this.deadlines.bind(py).clone(),
                    this.expired.bind(py).clone(),
                )
            };
            // dict.pop(task, None): a task the timer already took (or never armed) is no error
            if let Err(err) = deadlines.del_item(task) {
                if !err.is_instance_of::<PyKeyError>(py) {
                    return Err(err);
                }
            }
            if expired.is_empty() || !expired.contains(task)? {
                return Ok(false);
            }
            expired.discard(task)?;
            task.call_method0(intern!(py, "uncancel"))?;
            Ok(true)
        })
    }

    /// Keep the one timer armed at `when` (earlier than any deadline it was armed for).
    #[pyo3(name = "schedule")]
    fn py_schedule(slf: &Bound<'_, Self>, when: f64) -> PyResult<()> {
        guard(|| schedule(slf, when))
    }

    /// The timer's callback: cancel every task past its deadline, re-arm for the next one.
    fn _fire(slf: &Bound<'_, Self>) -> PyResult<()> {
        guard(|| {
            let py = slf.py();
            let (deadlines, expired, event_loop) = {
                let mut this = slf.borrow_mut();
                this.timer = None;
                this.armed_at = f64::INFINITY;
                (
                    this.deadlines.bind(py).clone(),
                    this.expired.bind(py).clone(),
                    this.event_loop(py)?,
                )
            };
            let now: f64 = event_loop.call_method0(intern!(py, "time"))?.extract()?;
            let mut next = f64::INFINITY;
            for (task, when) in deadlines
                .items()
                .iter()
                .map(|item| item.extract())
                .collect::<PyResult<Vec<(Bound<'_, PyAny>, f64)>>>()?
            {
                if when <= now {
                    deadlines.del_item(&task)?;
                    if !task.call_method0(intern!(py, "done"))?.is_truthy()? {
                        expired.add(&task)?;
                        task.call_method0(intern!(py, "cancel"))?;
                    }
                } else if when < next {
                    next = when;
                }
            }
            if next < f64::INFINITY {
                schedule(slf, next)?;
            }
            Ok(())
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for field in [&self.event_loop, &self.clock, &self.timer]
            .into_iter()
            .flatten()
        {
            visit.call(field)?;
        }
        if let Some(running) = &self.running {
            visit.call(running)?;
        }
        visit.call(&self.deadlines)?;
        visit.call(&self.expired)
    }

    fn __clear__(&mut self) {
        self.event_loop = None;
        self.running = None;
        self.clock = None;
        self.timer = None;
        Python::attach(|py| {
            self.deadlines.bind(py).clear();
            self.expired.bind(py).clear();
        });
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Watchdog>()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::monotonic;

    #[test]
    fn the_clock_never_goes_back() {
        let mut last = monotonic();
        assert!(last > 0.0);
        for _ in 0..1000 {
            let now = monotonic();
            assert!(now >= last);
            last = now;
        }
    }
}
