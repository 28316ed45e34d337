//! Stopping a solve worker on `$/cancelRequest`. HiGHS is stopped mid-solve through the
//! request's own [`SolveControl`] (each worker's solve carries one in its options, as the
//! CLI's solve does for its Ctrl-C): cancelling one solve never stops another running at
//! the same time, and the cancelled worker ends within the solver's next callback. microlp
//! and CBC have no way to be interrupted: a cancelled worker with one of them is detached
//! (its answer is dropped) and its thread gets the lowest CPU priority, so that it yields
//! the core to the next solve and to the message loop; it ends at its time limit. A second
//! solve never waits for it.

use archc::backends::milp::{choose_solver, interruptible, SolveControl};
use archc::solve::SolverKind;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// What cancelling did to the worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopping {
    /// The running solver was asked to stop (HiGHS), or no solver was running yet: the
    /// worker ends shortly.
    Stopped,
    /// The solver cannot be interrupted: the worker runs on at the lowest priority until
    /// the solver ends or reaches its time limit.
    Detached(SolverKind),
}

/// The cancellation state of one solve worker, shared by the loop and the worker.
#[derive(Debug, Default)]
pub struct Cancel {
    requested: AtomicBool,
    /// The control of the worker's solve (its `SolveOptions::control`).
    control: Arc<SolveControl>,
    /// The worker's interruptible solver is running.
    controlling: AtomicBool,
    /// The worker's solver cannot be interrupted and is running.
    uninterruptible: Mutex<Option<SolverKind>>,
    /// The worker thread's kernel id (Linux), 0 until known.
    thread: AtomicI64,
}

impl Cancel {
    /// The control the worker's solve must carry in its options, so that a cancel stops it.
    pub fn control(&self) -> Arc<SolveControl> {
        Arc::clone(&self.control)
    }

    /// Whether the request was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Called on the worker thread when it starts, so that [`Cancel::cancel`] can lower
    /// its priority.
    pub fn register_thread(&self) {
        self.thread.store(current_thread_id(), Ordering::SeqCst);
    }

    /// Cancel (called by the loop): stop the solver if it can be stopped, else lower the
    /// worker's priority.
    pub fn cancel(&self) -> Stopping {
        self.requested.store(true, Ordering::SeqCst);
        // Stopped before it starts, a solve ends at its solver's first callback.
        self.control.request_stop();
        if self.controlling.load(Ordering::SeqCst) {
            return Stopping::Stopped;
        }
        let running = *self
            .uninterruptible
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match running {
            Some(kind) => {
                lower_priority(self.thread.load(Ordering::SeqCst));
                Stopping::Detached(kind)
            }
            None => Stopping::Stopped,
        }
    }

    /// Run a solve with `solver` (`None`: the best one built in) on the worker thread; the
    /// solve's options carry [`Cancel::control`]. `None` when the request was cancelled
    /// before the solver started.
    pub fn run_solver<T>(&self, solver: Option<SolverKind>, f: impl FnOnce() -> T) -> Option<T> {
        let kind = choose_solver(solver).ok();
        if !kind.is_some_and(interruptible) {
            self.set_uninterruptible(kind);
            if self.is_cancelled() {
                self.set_uninterruptible(None);
                return None;
            }
            let out = f();
            self.set_uninterruptible(None);
            return Some(out);
        }
        if self.is_cancelled() {
            return None;
        }
        // A cancel from here on has requested the stop on `control` before `f` reads it,
        // or sees `controlling`: either way the solver stops.
        self.controlling.store(true, Ordering::SeqCst);
        let out = f();
        self.controlling.store(false, Ordering::SeqCst);
        Some(out)
    }

    fn set_uninterruptible(&self, kind: Option<SolverKind>) {
        // A solver that could not be chosen fails at once: nothing to detach.
        *self
            .uninterruptible
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = kind;
    }
}

/// The kernel id of the calling thread (0 where there is none to give).
fn current_thread_id() -> i64 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions.
        i64::from(unsafe { libc::gettid() })
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// Give a thread the lowest CPU priority (nice 19). On Linux a thread id names one thread
/// for `setpriority`; elsewhere this does nothing.
fn lower_priority(thread: i64) {
    #[cfg(target_os = "linux")]
    if let Ok(id) = libc::id_t::try_from(thread) {
        if id != 0 {
            // SAFETY: setpriority only reads its arguments; an id that is gone is an error
            // return, not undefined behaviour.
            let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, id, 19) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = thread;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solve_cancelled_before_it_starts_does_not_run() {
        let cancel = Cancel::default();
        assert_eq!(cancel.cancel(), Stopping::Stopped);
        let mut ran = false;
        assert!(cancel.run_solver(None, || ran = true).is_none());
        assert!(!ran);
    }

    #[test]
    fn a_running_microlp_solve_is_detached_at_low_priority() {
        if !SolverKind::Microlp.is_enabled() {
            return;
        }
        let cancel = std::sync::Arc::new(Cancel::default());
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let worker = {
            let cancel = cancel.clone();
            std::thread::spawn(move || {
                cancel.register_thread();
                cancel.run_solver(Some(SolverKind::Microlp), || {
                    let _ = started_tx.send(());
                    let _ = go_rx.recv();
                    nice_of_this_thread()
                })
            })
        };
        started_rx.recv().expect("the solver started");
        assert_eq!(cancel.cancel(), Stopping::Detached(SolverKind::Microlp));
        go_tx.send(()).expect("the worker waits");
        let nice = worker.join().expect("the worker ends").expect("it ran");
        if cfg!(target_os = "linux") {
            assert_eq!(nice, 19);
        }
    }

    fn nice_of_this_thread() -> i32 {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: as in `lower_priority`; 0 names the calling thread.
            unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
        }
        #[cfg(not(target_os = "linux"))]
        0
    }
}
