//! Ctrl-C and waiting for another writer, as the library sees them.
//!
//! The front end calls [`request`] from its signal handler; an import
//! checks [`requested`] at every row and stops, keeping nothing, and a wait
//! for another process's write lock gives up. [`on_wait`] lets the front
//! end say once that a command is waiting for another import (the library
//! itself never prints).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static NOTICE: OnceLock<fn()> = OnceLock::new();
static NOTICED: AtomicBool = AtomicBool::new(false);

/// The user asked to stop (Ctrl-C).
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Has the user asked to stop?
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Call `notice` the first time this process waits for another one's
/// write lock.
pub fn on_wait(notice: fn()) {
    let _ = NOTICE.set(notice);
}

/// The store starts waiting for a lock.
pub(crate) fn waiting() {
    if !NOTICED.swap(true, Ordering::SeqCst)
        && let Some(notice) = NOTICE.get()
    {
        notice();
    }
}
