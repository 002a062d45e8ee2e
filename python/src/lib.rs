//! `kolsim._native`: the kolsim library as a Python extension module (PyO3). The Python package
//! `kolsim` (python/kolsim) wraps it: DataFrames, networkx graphs, progress bars.
//!
//! Every job runs on a worker thread with the GIL released; the calling thread polls it every
//! 50 ms, reports progress, and checks for Ctrl-C (then it sets the job's cancellation flag and
//! raises `KeyboardInterrupt` at once). A panic on the worker becomes a `RuntimeError`; nothing
//! here unwraps.

mod jobs;
mod network;
mod scenario;

use kolsim::Error;
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::exceptions::{PyFileExistsError, PyKeyboardInterrupt, PyOSError, PyRuntimeError};
use pyo3::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

create_exception!(
    kolsim,
    ScenarioError,
    PyValueError,
    "A scenario is invalid: the message names the file, line, column and key, as `kolsim` does."
);
create_exception!(
    kolsim,
    InputError,
    PyValueError,
    "An input (edge list, node file, observed launch, or a network given in memory) is invalid."
);

/// The Python exception for a kolsim error.
pub(crate) fn to_py(e: Error) -> PyErr {
    let text = e.to_string();
    match e {
        Error::Scenario(_) => ScenarioError::new_err(text),
        Error::Input(_) => InputError::new_err(text),
        Error::Usage(_) => PyValueError::new_err(text),
        Error::OutputExists(_) => PyFileExistsError::new_err(text),
        Error::Io { .. } => PyOSError::new_err(text),
        Error::Cancelled => PyKeyboardInterrupt::new_err("kolsim: cancelled"),
        Error::Other(_) => PyRuntimeError::new_err(text),
    }
}

/// What a job shares with the thread that waits for it.
#[derive(Default)]
pub(crate) struct Ctl {
    /// Work items done.
    pub done: AtomicU64,
    /// Work items in all (0: unknown).
    pub total: AtomicU64,
    /// Set on Ctrl-C.
    pub cancel: AtomicBool,
}

impl Ctl {
    /// A progress callback for [`kolsim::api::Options`].
    pub fn tick(&self, done: u64, total: u64) {
        self.done.fetch_max(done, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }
}

/// The message of a panic payload.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs `work` on a worker thread inside a pool of `threads` threads (0: all cores) with the
/// GIL released. `progress(done, total)` is called on this thread (GIL held) as work items
/// finish; Ctrl-C cancels the job and raises `KeyboardInterrupt` within about 50 ms (a job
/// without cancellation points finishes in the background, its result dropped).
pub(crate) fn blocking<T, F>(
    py: Python<'_>,
    threads: usize,
    progress: Option<&Bound<'_, PyAny>>,
    work: F,
) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Ctl) -> Result<T, Error> + Send + 'static,
{
    let ctl = Arc::new(Ctl::default());
    let (tx, rx) = std::sync::mpsc::channel();
    let worker_ctl = Arc::clone(&ctl);
    std::thread::Builder::new()
        .name("kolsim".into())
        .stack_size(8 << 20)
        .spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
                pool.install(|| work(&worker_ctl))
            }));
            let _ = tx.send(out);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a worker thread: {e}")))?;
    // A `Receiver` is not `Sync`: the lock lets the GIL-free closure borrow it.
    let rx = std::sync::Mutex::new(rx);
    let mut shown = (0, 0);
    loop {
        let got = py.detach(|| {
            let rx = rx.lock().unwrap_or_else(|p| p.into_inner());
            rx.recv_timeout(Duration::from_millis(50))
        });
        let now = (
            ctl.done.load(Ordering::Relaxed),
            ctl.total.load(Ordering::Relaxed),
        );
        if let Some(cb) = progress
            && now != shown
        {
            shown = now;
            cb.call1(now)?;
        }
        match got {
            Ok(Ok(res)) => return res.map_err(to_py),
            Ok(Err(p)) => {
                return Err(PyRuntimeError::new_err(format!(
                    "kolsim internal error (please report it): {}",
                    panic_text(p.as_ref())
                )));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if let Err(e) = py.check_signals() {
                    ctl.cancel.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "kolsim internal error: the worker thread ended without a result",
                ));
            }
        }
    }
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<scenario::NativeScenario>()?;
    m.add_class::<jobs::NativeRun>()?;
    m.add_class::<jobs::NativeFit>()?;
    m.add_function(wrap_pyfunction!(network::register_network, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::run, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::fit, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::select_seeds, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::models, m)?)?;
    Ok(())
}
