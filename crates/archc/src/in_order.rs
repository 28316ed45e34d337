//! Work cut into chunks, made on worker threads and taken back in the chunks' order on the
//! calling thread: the MPS writer's sections (formatted in pieces, written in order) and the
//! instantiation's large constraints and sums (made in chunks, appended in order).

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel};

/// Cut `range` into consecutive chunks of `size` (the last may be shorter; `size` at least 1).
pub(crate) fn chunks(range: Range<usize>, size: usize) -> Vec<Range<usize>> {
    let size = size.max(1);
    let end = range.end;
    range
        .step_by(size)
        .map(|a| a..(a + size).min(end))
        .collect()
}

/// Make `chunks` on `workers` threads, worker `w` taking chunks `w`, `w + workers`, …:
/// each worker gets its own maker from `make` and fills a buffer of its own per chunk, and
/// `take` gets the buffers here in the chunks' order. `take` returning false stops the
/// making. Each worker holds at most `ahead` (at least one) made chunks that `take` has not
/// had yet, and the buffers taken go back to their worker for reuse, so a few chunks are
/// held at any time: more room ahead lets the workers go on while `take` is slow for a
/// moment, at the cost of the buffers held. With one worker (or one
/// chunk) everything is done on this thread. A worker that panics stops the taking, and the
/// panic is passed on.
pub(crate) fn in_order<B, M, F>(
    workers: usize,
    ahead: usize,
    chunks: &[Range<usize>],
    make: M,
    mut take: impl FnMut(&Range<usize>, &mut B) -> bool,
) where
    B: Default + Send,
    M: Fn() -> F + Sync,
    F: FnMut(Range<usize>, &mut B),
{
    let workers = workers.clamp(1, chunks.len().max(1));
    if workers == 1 {
        let mut maker = make();
        let mut out = B::default();
        for r in chunks {
            maker(r.clone(), &mut out);
            if !take(r, &mut out) {
                return;
            }
        }
        return;
    }
    let halt = AtomicBool::new(false);
    let (halt, make) = (&halt, &make);
    std::thread::scope(|scope| {
        let mut made = Vec::with_capacity(workers);
        let mut returns = Vec::with_capacity(workers);
        for w in 0..workers {
            let (tx, rx) = sync_channel::<B>(ahead.max(1));
            let (back, spare) = channel::<B>();
            made.push(rx);
            returns.push(back);
            scope.spawn(move || {
                let mut maker = make();
                for r in chunks.iter().skip(w).step_by(workers) {
                    if halt.load(Ordering::Relaxed) {
                        return;
                    }
                    let mut out = spare.try_recv().unwrap_or_default();
                    maker(r.clone(), &mut out);
                    // The taking stopped: nothing more is wanted.
                    if tx.send(out).is_err() {
                        return;
                    }
                }
            });
        }
        for (i, r) in chunks.iter().enumerate() {
            let Ok(mut out) = made[i % workers].recv() else {
                halt.store(true, Ordering::Relaxed);
                return;
            };
            if !take(r, &mut out) {
                halt.store(true, Ordering::Relaxed);
                return;
            }
            // A worker that has finished does not need it back.
            let _ = returns[i % workers].send(out);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_taken_in_order_and_the_taking_can_stop() {
        assert_eq!(chunks(3..10, 3), [3..6, 6..9, 9..10]);
        assert_eq!(chunks(0..0, 3), Vec::<Range<usize>>::new());
        let pieces = chunks(0..1000, 7);
        for workers in [1, 2, 3] {
            let mut seen = Vec::new();
            let make = || {
                |r: Range<usize>, out: &mut Vec<usize>| {
                    out.clear();
                    out.extend(r);
                }
            };
            in_order(workers, 1, &pieces, make, |_, out: &mut Vec<usize>| {
                seen.extend_from_slice(out);
                seen.len() < 500
            });
            // Stopped after the chunk that reached 500: every number before, in order.
            assert_eq!(seen, (0..504).collect::<Vec<_>>(), "{workers} workers");
        }
    }
}
