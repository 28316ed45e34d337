//! Keeping solver libraries off stdout. HiGHS and CBC are C/C++ libraries that print their
//! logs on file descriptor 1, where the report (and JSON) goes. While a solve runs, fd 1 is
//! pointed elsewhere: at stderr (`--verbose`), at a log file (`--log FILE`), or at the null
//! device, and put back afterwards. Nothing else writes to stdout during a solve.
//!
//! Threads: the descriptor table is shared by the whole process, so while a guard lives a
//! write to fd 1 from any thread goes to the target. That is safe here because archc writes
//! its report only after the solve (progress and messages go to stderr), and because the
//! guard count and the saved descriptor sit behind one mutex: guards taken on several
//! threads share one redirect, set by the first guard and undone by the last. Rust's stdout buffer and C's stdio buffers are flushed at both ends,
//! so no byte written before the redirect lands in the target, nor a solver byte in stdout.

use std::path::Path;

/// Where the solver's console output goes while the guard lives.
pub enum Target<'a> {
    Stderr,
    File(&'a Path),
    Null,
}

/// While alive, fd 1 goes to the chosen target. Guards nest (and may overlap across
/// threads): only the outermost one moves fd 1, and the last one dropped puts it back.
pub struct StdoutRedirect {
    _private: (),
}

#[cfg(unix)]
mod imp {
    use super::Target;
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::sync::Mutex;

    /// How many guards are alive, and the saved fd 1 while any is.
    static STATE: Mutex<(usize, i32)> = Mutex::new((0, -1));

    fn flush_all() {
        let _ = std::io::stdout().flush();
        // SAFETY: fflush(NULL) flushes every C output stream; it takes no pointer we own.
        unsafe {
            libc::fflush(std::ptr::null_mut());
        }
    }

    pub fn begin(target: &Target<'_>) -> std::io::Result<()> {
        let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
        if state.0 > 0 {
            state.0 += 1;
            return Ok(());
        }
        let file = match target {
            Target::Stderr => None,
            Target::File(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)?,
            ),
            Target::Null => Some(std::fs::OpenOptions::new().write(true).open("/dev/null")?),
        };
        let to = file.as_ref().map_or(2, |f| f.as_raw_fd());
        flush_all();
        // SAFETY: plain descriptor calls on descriptors this process owns; errors are checked.
        unsafe {
            let saved = libc::dup(1);
            if saved < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::dup2(to, 1) < 0 {
                let e = std::io::Error::last_os_error();
                libc::close(saved);
                return Err(e);
            }
            *state = (1, saved);
        }
        // `file` closes here; fd 1 keeps its own reference to the open file.
        Ok(())
    }

    pub fn end(all: bool) {
        let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
        if state.0 == 0 {
            return;
        }
        state.0 = if all { 0 } else { state.0 - 1 };
        if state.0 == 0 {
            flush_all();
            // SAFETY: `saved` is the duplicate of the original fd 1 made in `begin`.
            unsafe {
                libc::dup2(state.1, 1);
                libc::close(state.1);
            }
            state.1 = -1;
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use super::Target;
    pub fn begin(_: &Target<'_>) -> std::io::Result<()> {
        Ok(())
    }
    pub fn end(_all: bool) {}
}

impl StdoutRedirect {
    /// Point fd 1 at `target` until the guard is dropped.
    pub fn begin(target: Target<'_>) -> std::io::Result<StdoutRedirect> {
        imp::begin(&target)?;
        Ok(StdoutRedirect { _private: () })
    }
}

impl Drop for StdoutRedirect {
    fn drop(&mut self) {
        imp::end(false);
    }
}

/// Put fd 1 back now, whatever guards are alive (before exiting from inside a solve).
pub fn restore() {
    imp::end(true);
}
