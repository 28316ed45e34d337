//! Progress of a running solve and Ctrl-C. On a terminal, one live line (indicatif) with the
//! elapsed time and, where the solver reports them, the incumbent, the bound and the gap; off
//! a terminal, at most one line every 10 s on stderr. The first Ctrl-C during a solve asks
//! the solver to stop with its best plan (through the solve's [`SolveControl`]); a Ctrl-C at
//! any other moment, or a second one, exits at once with code 130.

use archc::backends::dp::DpProgressSnapshot;
use archc::backends::milp::{SolveControl, SolveProgress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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
        self.show(describe(p));
    }

    /// Show how far a DP solve is: the stages of backward induction done, and the plans.
    pub fn update_dp(&mut self, p: DpProgressSnapshot) {
        self.show(describe_dp(p));
    }

    fn show(&mut self, details: String) {
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

/// `  stage 120 of 4,000 (3%)  plans 0 of 100`, or nothing before the work is known.
fn describe_dp(p: DpProgressSnapshot) -> String {
    if p.stages_total == 0 {
        return String::new();
    }
    format!(
        "  stage {} of {} ({})  plans {} of {}",
        archc::units::format_number(p.stages_done as f64),
        archc::units::format_number(p.stages_total as f64),
        archc::units::format_percent(p.fraction()),
        archc::units::format_number(p.plans_done as f64),
        archc::units::format_number(p.plans_total as f64),
    )
}

static PRESSES: AtomicUsize = AtomicUsize::new(0);
/// The control of the solve running now, if any: the one a Ctrl-C stops.
static SOLVING: Mutex<Option<Arc<SolveControl>>> = Mutex::new(None);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Install the Ctrl-C handler (once per process).
pub fn install_interrupt_handler() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let installed = ctrlc::set_handler(|| {
        let presses = PRESSES.fetch_add(1, Ordering::SeqCst) + 1;
        // ctrlc runs this on a thread of its own, not in the signal handler: it may lock.
        let solving = SOLVING.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let (1, Some(control)) = (presses, solving) {
            control.request_stop();
            eprintln!("\ninterrupted: stopping the solver (Ctrl-C again to quit at once)");
        } else {
            std::process::exit(crate::exit::INTERRUPTED);
        }
    });
    if let Err(e) = installed {
        eprintln!("warning: Ctrl-C cannot be handled: {e}");
    }
}

/// Mark the solve phase with the solve's control (`None` when it ends): while it lasts,
/// the first Ctrl-C stops that solve instead of exiting.
pub fn set_solving(solving: Option<&Arc<SolveControl>>) {
    *SOLVING.lock().unwrap_or_else(|e| e.into_inner()) = solving.cloned();
}

/// Whether Ctrl-C was pressed during this run.
pub fn interrupted() -> bool {
    PRESSES.load(Ordering::SeqCst) > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dp_progress_reads_stages_and_plans() {
        let p = DpProgressSnapshot {
            plans_total: 100,
            plans_done: 25,
            stages_total: 4000,
            stages_done: 1200,
        };
        assert_eq!(
            describe_dp(p),
            "  stage 1,200 of 4,000 (30%)  plans 25 of 100"
        );
        assert_eq!(describe_dp(DpProgressSnapshot::default()), "");
    }

    #[test]
    fn milp_progress_shows_what_is_known() {
        let p = SolveProgress {
            incumbent: Some(12.0),
            bound: Some(10.0),
            gap: Some(1.0 / 6.0),
        };
        assert_eq!(describe(p), "  incumbent 12  bound 10  gap 16.7%");
        assert_eq!(describe(SolveProgress::default()), "");
    }
}
