//! Progress of a running solve and Ctrl-C. On a terminal, one live line (indicatif) with the
//! elapsed time and, where the solver reports them, the incumbent, the bound and the gap; off
//! a terminal, at most one line every 10 s on stderr. The first Ctrl-C during a solve asks
//! the solver to stop with its best plan ([`archc::backends::milp::CONTROL`]); a Ctrl-C at
//! any other moment, or a second one, exits at once with code 130.

use archc::backends::milp::{SolveProgress, CONTROL};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Lines off a terminal come at most this often.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// The progress display of one solve.
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    start: Instant,
    next_line: Duration,
}

impl Progress {
    /// A display on stderr; `enabled` false shows nothing.
    pub fn new(enabled: bool) -> Progress {
        use std::io::IsTerminal;
        let terminal = enabled && std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{spinner} solving… {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            plain: enabled && !terminal,
            start: Instant::now(),
            next_line: PLAIN_EVERY,
        }
    }

    /// Show what the solver has found so far.
    pub fn update(&mut self, p: SolveProgress) {
        let details = describe(p);
        if let Some(bar) = &self.bar {
            bar.set_message(details);
        } else if self.plain {
            let elapsed = self.start.elapsed();
            if elapsed >= self.next_line {
                eprintln!("solving… {} s elapsed{details}", elapsed.as_secs());
                self.next_line = elapsed + PLAIN_EVERY;
            }
        }
    }

    /// A line of its own on stderr, above the live line when there is one.
    pub fn note(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Remove the live line.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `  incumbent 12  bound 10  gap 16.67%`, with what is known.
fn describe(p: SolveProgress) -> String {
    let mut s = String::new();
    if let Some(v) = p.incumbent {
        s.push_str(&format!("  incumbent {}", archc::units::format_number(v)));
    }
    if let Some(v) = p.bound {
        s.push_str(&format!("  bound {}", archc::units::format_number(v)));
    }
    if let Some(g) = p.gap {
        s.push_str(&format!("  gap {}", archc::units::format_percent(g)));
    }
    s
}

static PRESSES: AtomicUsize = AtomicUsize::new(0);
static SOLVING: AtomicBool = AtomicBool::new(false);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Install the Ctrl-C handler (once per process).
pub fn install_interrupt_handler() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let installed = ctrlc::set_handler(|| {
        let presses = PRESSES.fetch_add(1, Ordering::SeqCst) + 1;
        if presses == 1 && SOLVING.load(Ordering::SeqCst) {
            CONTROL.request_stop();
            eprintln!("\ninterrupted: stopping the solver (Ctrl-C again to quit at once)");
        } else {
            std::process::exit(crate::exit::INTERRUPTED);
        }
    });
    if let Err(e) = installed {
        eprintln!("warning: Ctrl-C cannot be handled: {e}");
    }
}

/// Mark the solve phase: while it lasts, the first Ctrl-C stops the solver instead of
/// exiting.
pub fn set_solving(solving: bool) {
    SOLVING.store(solving, Ordering::SeqCst);
}

/// Whether Ctrl-C was pressed during this run.
pub fn interrupted() -> bool {
    PRESSES.load(Ordering::SeqCst) > 0
}
