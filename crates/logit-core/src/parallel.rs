//! The thread count every parallel kernel uses, like `torch.set_num_threads`.
//!
//! Work is always cut into the same pieces whatever the thread count (rows of a GEMM, fixed-size
//! chunks of an elementwise op), so results are bit-identical with 1 or N threads.

use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use rayon::{ThreadPool, ThreadPoolBuilder};

static THREADS: AtomicUsize = AtomicUsize::new(0);
static POOL: RwLock<Option<Arc<ThreadPool>>> = RwLock::new(None);

/// Elementwise ops split into chunks of this many elements when they run in parallel.
pub const CHUNK: usize = 1 << 15;

/// Below this many elements an elementwise op stays on one thread: waking the pool costs more
/// than the work (measured on the fraud model's 4096×64 activations).
pub const PARALLEL_MIN: usize = 1 << 19;

/// Sets the number of threads parallel kernels use (1 = everything on the calling thread),
/// like `torch.set_num_threads(n)`. `0` means one per available core, the default.
pub fn set_num_threads(n: usize) {
    let n = if n == 0 { default_threads() } else { n };
    THREADS.store(n, Ordering::Relaxed);
    // the calling thread works too (see `run`), so the pool holds the other n − 1
    let pool = (n > 1).then(|| {
        Arc::new(
            ThreadPoolBuilder::new()
                .num_threads(n - 1)
                .thread_name(|i| format!("logit-{}", i + 1))
                .build()
                .expect("a thread pool"),
        )
    });
    *POOL.write().unwrap_or_else(|e| e.into_inner()) = pool;
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The number of threads parallel kernels use, like `torch.get_num_threads()`.
pub fn get_num_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            set_num_threads(0);
            THREADS.load(Ordering::Relaxed)
        }
        n => n,
    }
}

/// Runs `f(i)` for `i in 0..n`, on the pool when there is more than one thread.
pub(crate) fn for_each(n: usize, f: impl Fn(usize) + Sync + Send) {
    match pool() {
        Some(pool) if n > 1 => run(&pool, n, f),
        _ => (0..n).for_each(f),
    }
}

/// `f(i)` for every `i in 0..n`, each index taken once by whichever thread asks next: the
/// calling thread and the pool's threads. The caller works instead of sleeping while the pool
/// does everything, so the first pieces run where the inputs are still in cache, as do the
/// serial ops between parallel ones.
fn run(pool: &ThreadPool, n: usize, f: impl Fn(usize) + Sync + Send) {
    let next = AtomicUsize::new(0);
    let work = || {
        let _nested = Nested::enter();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            f(i);
        }
    };
    let helpers = pool.current_num_threads().min(n.saturating_sub(1));
    pool.in_place_scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|_| work());
        }
        work();
    });
}

thread_local! {
    /// Set while this thread runs a piece of a parallel op.
    static IN_PIECE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the current thread as running a piece until dropped: parallel ops it starts (a GEMM
/// inside one image's task) run on it alone, like OpenMP's nested regions by default.
struct Nested(bool);

impl Nested {
    fn enter() -> Nested {
        Nested(IN_PIECE.with(|p| p.replace(true)))
    }
}

impl Drop for Nested {
    fn drop(&mut self) {
        IN_PIECE.with(|p| p.set(self.0));
    }
}

/// The threads an op started here may use: 1 inside a piece of another parallel op.
pub(crate) fn threads_here() -> usize {
    match IN_PIECE.with(|p| p.get()) {
        true => 1,
        false => get_num_threads(),
    }
}

/// The pool, when more than one thread is available here.
fn pool() -> Option<Arc<ThreadPool>> {
    if threads_here() > 1 {
        POOL.read().unwrap_or_else(|e| e.into_inner()).clone()
    } else {
        None
    }
}

/// Runs `f(i, chunk)` over consecutive `chunk`-element pieces of `out` (the last may be
/// shorter), on the pool when `parallel` (the caller's judgement that the work is worth
/// waking it) and more than one thread is set. Results never depend on the thread count
/// because the pieces are the same either way.
pub(crate) fn for_each_chunk_mut<T: Send>(
    out: &mut [T],
    chunk: usize,
    parallel: bool,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    let chunk = chunk.max(1);
    match pool().filter(|_| parallel) {
        Some(p) if out.len() > chunk => {
            let pieces = Pieces::new(out, chunk);
            // SAFETY: `run` hands out each index once, so the pieces are disjoint.
            run(&p, pieces.count, |i| f(i, unsafe { pieces.get(i) }));
        }
        _ => out.chunks_mut(chunk).enumerate().for_each(|(i, c)| f(i, c)),
    }
}

/// [`for_each_chunk_mut`] over two outputs cut into the same number of pieces
/// (`chunk_a` elements of `a` go with `chunk_b` elements of `b`).
pub(crate) fn for_each_chunk_mut2<A: Send, B: Send>(
    a: &mut [A],
    chunk_a: usize,
    b: &mut [B],
    chunk_b: usize,
    parallel: bool,
    f: impl Fn(usize, &mut [A], &mut [B]) + Sync + Send,
) {
    let (chunk_a, chunk_b) = (chunk_a.max(1), chunk_b.max(1));
    match pool().filter(|_| parallel) {
        Some(p) if a.len() > chunk_a => {
            let (pa, pb) = (Pieces::new(a, chunk_a), Pieces::new(b, chunk_b));
            let count = pa.count.min(pb.count);
            // SAFETY: as in `for_each_chunk_mut`, each index once.
            run(&p, count, |i| {
                f(i, unsafe { pa.get(i) }, unsafe { pb.get(i) })
            });
        }
        _ => a
            .chunks_mut(chunk_a)
            .zip(b.chunks_mut(chunk_b))
            .enumerate()
            .for_each(|(i, (x, y))| f(i, x, y)),
    }
}

/// A slice cut into `chunk`-element pieces (the last may be shorter) that threads take by index.
struct Pieces<T> {
    ptr: *mut T,
    len: usize,
    chunk: usize,
    count: usize,
}

// SAFETY: a piece is only reached through `get`, whose callers take each index once, so no
// two threads hold the same elements; T: Send lets them move to the thread that writes them.
unsafe impl<T: Send> Sync for Pieces<T> {}

impl<T> Pieces<T> {
    fn new(s: &mut [T], chunk: usize) -> Self {
        Pieces {
            ptr: s.as_mut_ptr(),
            len: s.len(),
            chunk,
            count: s.len().div_ceil(chunk),
        }
    }

    /// Piece `i`.
    ///
    /// # Safety
    /// No other reference to piece `i` may be alive, and the slice must outlive it.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self, i: usize) -> &mut [T] {
        let start = (i * self.chunk).min(self.len);
        let len = self.chunk.min(self.len - start);
        // SAFETY: start + len <= len of the slice; exclusivity is the caller's.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) }
    }
}

/// Applies `f(out_chunk, start)` over `out` in chunks of [`CHUNK`] elements, in parallel when
/// `out` is large and more than one thread is set.
pub(crate) fn chunks_mut<T: Send>(out: &mut [T], f: impl Fn(&mut [T], usize) + Sync + Send) {
    if out.len() < PARALLEL_MIN || get_num_threads() == 1 {
        f(out, 0);
        return;
    }
    for_each_chunk_mut(out, CHUNK, true, |c, chunk| f(chunk, c * CHUNK));
}

/// A vector of `n` elements whose every element `fill` writes, without zero-filling first:
/// the buffer comes from logit's cache (`memory.rs`) when one of this size was freed. `fill` gets the
/// output as `MaybeUninit` chunks and must write every element of each.
fn filled<U: Send + Copy + 'static>(
    n: usize,
    fill: impl Fn(&mut [MaybeUninit<U>], usize) + Sync + Send,
) -> Vec<U> {
    let mut out: Vec<U> = crate::memory::with_capacity(n);
    chunks_mut(&mut out.spare_capacity_mut()[..n], fill);
    // SAFETY: `fill` wrote every element of every chunk, i.e. all `n` (its contract, kept by
    // each kernel in this crate: they write `out[i]` for every `i` of the chunk).
    unsafe { out.set_len(n) };
    out
}

/// `out = f(x)` chunk by chunk into a new vector (in parallel for large inputs); `f` must
/// write every element of its output chunk.
pub(crate) fn map<T: Sync, U: Send + Copy + 'static>(
    x: &[T],
    f: impl Fn(&[T], &mut [MaybeUninit<U>]) + Sync + Send,
) -> Vec<U> {
    filled(x.len(), |chunk, start| {
        f(&x[start..start + chunk.len()], chunk)
    })
}

/// `out = f(a, b)` over two equally long inputs, chunk by chunk (in parallel when large);
/// `f` must write every element of its output chunk.
pub(crate) fn map2<T: Sync, U: Send + Copy + 'static>(
    a: &[T],
    b: &[T],
    f: impl Fn(&[T], &[T], &mut [MaybeUninit<U>]) + Sync + Send,
) -> Vec<U> {
    filled(a.len(), |chunk, start| {
        let r = start..start + chunk.len();
        f(&a[r.clone()], &b[r], chunk)
    })
}

/// `n` copies of `value` (written in parallel for large `n`).
pub(crate) fn splat<U: Send + Sync + Copy + 'static>(n: usize, value: U) -> Vec<U> {
    filled(n, |chunk, _| {
        for o in chunk {
            o.write(value);
        }
    })
}

/// Two outputs from two equally long inputs, chunk by chunk (in parallel for large inputs):
/// `f(a, b, out1, out2)` must write every element of both output chunks. Fused kernels that
/// produce a value and a derivative per element (the binary losses) use it.
pub fn map2_pair<T: Sync + Send + Copy>(
    a: &[T],
    b: &[T],
    f: impl Fn(&[T], &[T], &mut [MaybeUninit<T>], &mut [MaybeUninit<T>]) + Sync + Send,
) -> (Vec<T>, Vec<T>) {
    assert_eq!(a.len(), b.len(), "map2_pair: inputs of different lengths");
    let n = a.len();
    let (mut first, mut second): (Vec<T>, Vec<T>) = (Vec::with_capacity(n), Vec::with_capacity(n));
    {
        let (o1, o2) = (
            &mut first.spare_capacity_mut()[..n],
            &mut second.spare_capacity_mut()[..n],
        );
        let chunk = if n < PARALLEL_MIN { n } else { CHUNK };
        for_each_chunk_mut2(o1, chunk, o2, chunk, n >= PARALLEL_MIN, |c, x, y| {
            let r = c * chunk..c * chunk + x.len();
            f(&a[r.clone()], &b[r], x, y)
        });
    }
    // SAFETY: `f` wrote every element of every chunk of both outputs (its contract).
    unsafe {
        first.set_len(n);
        second.set_len(n);
    }
    (first, second)
}
