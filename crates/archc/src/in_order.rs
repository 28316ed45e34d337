//! Work cut into chunks, made on worker threads and taken back in the chunks' order on the
//! calling thread: the MPS writer's sections (formatted in pieces, written in order) and the
//! instantiation's large constraints and sums (made in chunks, appended in order).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Cut `range` into consecutive chunks of `size` (the last may be shorter; `size` at least 1).
pub(crate) fn chunks(range: Range<usize>, size: usize) -> Vec<Range<usize>> {
    let size = size.max(1);
    let end = range.end;
    range
        .step_by(size)
        .map(|a| a..(a + size).min(end))
        .collect()
}

/// Make `chunks` on `workers` threads, this one among them, and give them to `take` here,
/// in the chunks' order.
///
/// Each worker gets its own maker from `make` and fills a buffer per chunk. A worker takes
/// the next chunk not yet claimed by any worker, so a worker slowed for a moment (by another
/// process) does not hold the others back. This thread takes each chunk as soon as it is
/// made, and makes the next unclaimed chunk itself while the one it takes next is not made
/// yet: `workers` threads keep `workers` cores busy, with no thread that only waits or
/// only takes.
///
/// At most `workers * (ahead + 1)` chunks (`ahead` at least one) are claimed but not yet
/// taken: more room lets the workers go on while `take` is slow for a moment, at the cost of
/// the buffers held. Buffers taken are reused for later chunks. `take` returning false stops
/// the making. With one worker (or one chunk) everything is done on this thread. A worker
/// (or `take`) that panics stops the others, and the panic is passed on.
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
    let window = workers * (ahead.max(1) + 1);
    let board = Board {
        state: Mutex::new(State {
            made: (0..window).map(|_| None).collect(),
            taken: 0,
            spare: Vec::new(),
            halt: false,
        }),
        made: Condvar::new(),
        room: Condvar::new(),
        next: AtomicUsize::new(0),
        window,
    };
    let (board, make) = (&board, &make);
    std::thread::scope(|scope| {
        // This thread is one of the workers: it makes chunks while the one it takes next
        // is not made yet.
        for _ in 1..workers {
            scope.spawn(move || {
                let _watch = Watch(board);
                let mut maker = make();
                loop {
                    let k = board.next.fetch_add(1, Ordering::Relaxed);
                    let Some(r) = chunks.get(k) else {
                        return;
                    };
                    let Some(mut out) = board.room_for(k) else {
                        return;
                    };
                    maker(r.clone(), &mut out);
                    if !board.put(k, out) {
                        return;
                    }
                }
            });
        }
        // A `take` that panics stops the workers too, or the scope would wait for them.
        let _watch = Watch(board);
        let mut maker = None;
        let mut i = 0;
        let mut s = board.lock();
        while let Some(r) = chunks.get(i) {
            if s.halt {
                return;
            }
            if let Some(mut out) = s.made[i % window].take() {
                drop(s);
                let go = take(r, &mut out);
                board.taken(i, out, go);
                if !go {
                    return;
                }
                i += 1;
                s = board.lock();
                continue;
            }
            // Chunk `i` is not made yet: this thread makes the next chunk nobody has
            // claimed, when there is one within the window, instead of waiting.
            let k = board.next.load(Ordering::Relaxed);
            if k < chunks.len()
                && k < i + window
                && (board.next)
                    .compare_exchange(k, k + 1, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                let mut out = s.spare.pop().unwrap_or_default();
                drop(s);
                maker.get_or_insert_with(make)(chunks[k].clone(), &mut out);
                s = board.lock();
                s.made[k % window] = Some(out);
                continue;
            }
            s = board.made.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    });
}

/// What the workers and the taking thread share: the chunks made and not yet taken, in a
/// ring of `window` slots (chunk `k` in slot `k % window`).
struct Board<B> {
    state: Mutex<State<B>>,
    /// Signalled when the chunk the taking thread waits for is made, or a worker panicked.
    made: Condvar,
    /// Signalled when a chunk is taken (room in the window), or the making stops.
    room: Condvar,
    /// The next chunk no worker has claimed yet.
    next: AtomicUsize,
    window: usize,
}

struct State<B> {
    made: Vec<Option<B>>,
    /// Chunks before this one have been taken.
    taken: usize,
    /// Buffers taken, to reuse.
    spare: Vec<B>,
    /// The taking stopped, or a worker panicked: nothing more is made or taken.
    halt: bool,
}

impl<B: Default> Board<B> {
    fn lock(&self) -> MutexGuard<'_, State<B>> {
        // Makers and takers run outside the lock, so a panic never leaves it poisoned
        // halfway through a change; a poisoned lock's state is still whole.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait until chunk `k` is within the window, and give a buffer to make it in; none when
    /// the making stopped.
    fn room_for(&self, k: usize) -> Option<B> {
        let mut s = self.lock();
        while !s.halt && k >= s.taken + self.window {
            s = self.room.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        (!s.halt).then(|| s.spare.pop().unwrap_or_default())
    }

    /// Chunk `k` is made; false when the making stopped.
    fn put(&self, k: usize, out: B) -> bool {
        let mut s = self.lock();
        if s.halt {
            return false;
        }
        s.made[k % self.window] = Some(out);
        if k == s.taken {
            self.made.notify_one();
        }
        true
    }

    /// Chunk `i` is taken: its buffer goes back for reuse, and the window moves on (or the
    /// making stops when `go` is false).
    fn taken(&self, i: usize, out: B, go: bool) {
        let mut s = self.lock();
        s.taken = i + 1;
        s.spare.push(out);
        s.halt |= !go;
        self.room.notify_all();
    }

    fn halt(&self) {
        self.lock().halt = true;
        self.made.notify_all();
        self.room.notify_all();
    }
}

/// Stops the making and the taking when the thread holding it panics: the taking thread
/// must not wait for a chunk that will never come, nor the workers for room that will never
/// be made (the scope then passes the panic on).
struct Watch<'b, B: Default>(&'b Board<B>);

impl<B: Default> Drop for Watch<'_, B> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.halt();
        }
    }
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

    #[test]
    fn at_most_the_window_is_made_and_not_taken() {
        use std::sync::atomic::AtomicIsize;
        let pieces = chunks(0..400, 1);
        for (workers, ahead) in [(2, 1), (3, 2), (4, 8)] {
            // Chunks claimed by a worker and not yet taken, and the most seen at once.
            let (out, most) = (AtomicIsize::new(0), AtomicIsize::new(0));
            let make = || {
                |r: Range<usize>, buf: &mut usize| {
                    let now = out.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    *buf = r.start;
                }
            };
            let mut seen = Vec::new();
            in_order(workers, ahead, &pieces, make, |_, buf: &mut usize| {
                // A slow taker, so that the workers run into the window.
                if buf.is_multiple_of(50) {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                seen.push(*buf);
                out.fetch_sub(1, Ordering::SeqCst);
                true
            });
            assert_eq!(seen, (0..400).collect::<Vec<_>>());
            let window = (workers * (ahead + 1)) as isize;
            let most = most.load(Ordering::SeqCst);
            assert!(most <= window, "{most} made ahead, window {window}");
            // The workers did run ahead while the taker slept.
            assert!(most > 1, "{most}");
        }
    }

    #[test]
    fn a_slow_chunk_does_not_hold_back_the_other_workers() {
        // Chunk 0 takes long: the other worker makes every later chunk the window allows
        // meanwhile, instead of waiting after its own share as with chunks dealt in turn.
        let pieces = chunks(0..100, 1);
        let made_while_slow = AtomicUsize::new(0);
        let slow_done = std::sync::atomic::AtomicBool::new(false);
        let make = || {
            |r: Range<usize>, buf: &mut usize| {
                if r.start == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    slow_done.store(true, Ordering::SeqCst);
                } else if !slow_done.load(Ordering::SeqCst) {
                    made_while_slow.fetch_add(1, Ordering::SeqCst);
                }
                *buf = r.start;
            }
        };
        let mut seen = Vec::new();
        in_order(2, 4, &pieces, make, |_, buf: &mut usize| {
            seen.push(*buf);
            true
        });
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
        // The window is 2 * (4 + 1) = 10 chunks, chunk 0 among them.
        assert_eq!(made_while_slow.load(Ordering::SeqCst), 9);
    }

    #[test]
    fn a_panic_in_a_worker_or_in_the_taking_is_passed_on() {
        let pieces = chunks(0..1000, 1);
        let worker = std::panic::catch_unwind(|| {
            let make = || {
                |r: Range<usize>, buf: &mut usize| {
                    assert!(r.start != 300, "chunk 300");
                    *buf = r.start;
                }
            };
            in_order(2, 1, &pieces, make, |_, _: &mut usize| true);
        });
        assert!(worker.is_err());
        let taking = std::panic::catch_unwind(|| {
            let make = || |r: Range<usize>, buf: &mut usize| *buf = r.start;
            in_order(3, 1, &pieces, make, |_, buf: &mut usize| {
                assert!(*buf != 10, "taken 10");
                true
            });
        });
        assert!(taking.is_err());
    }

    #[test]
    fn the_calling_thread_is_one_of_the_workers() {
        let pieces = chunks(0..60, 1);
        for workers in [2, 3] {
            let makers = Mutex::new(std::collections::HashSet::new());
            let make = || {
                makers.lock().unwrap().insert(std::thread::current().id());
                |r: Range<usize>, buf: &mut usize| {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    *buf = r.start;
                }
            };
            let mut seen = Vec::new();
            in_order(workers, 1, &pieces, make, |_, buf: &mut usize| {
                seen.push(*buf);
                true
            });
            assert_eq!(seen, (0..60).collect::<Vec<_>>());
            let makers = makers.into_inner().unwrap();
            assert!(makers.contains(&std::thread::current().id()));
            assert_eq!(makers.len(), workers, "threads that made chunks");
        }
    }
}
