//! The thread count every parallel kernel uses, like `torch.set_num_threads`.
//!
//! Work is always cut into the same pieces whatever the thread count (rows of a GEMM, fixed-size
//! chunks of an elementwise op), so results are bit-identical with 1 or N threads.

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
    let pool = (n > 1).then(|| {
        Arc::new(
            ThreadPoolBuilder::new()
                .num_threads(n)
                .thread_name(|i| format!("logit-{i}"))
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
    if n > 1 && get_num_threads() > 1 {
        let pool = POOL.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(pool) = pool {
            pool.install(|| {
                use rayon::prelude::*;
                (0..n).into_par_iter().for_each(f);
            });
            return;
        }
    }
    (0..n).for_each(f);
}

/// Applies `f(out_chunk, start)` over `out` in chunks of [`CHUNK`] elements, in parallel when
/// `out` is large and more than one thread is set.
pub(crate) fn chunks_mut<T: Send>(out: &mut [T], f: impl Fn(&mut [T], usize) + Sync + Send) {
    if out.len() < PARALLEL_MIN || get_num_threads() == 1 {
        f(out, 0);
        return;
    }
    let ptr = SendPtr(out.as_mut_ptr());
    let len = out.len();
    for_each(len.div_ceil(CHUNK), |c| {
        let start = c * CHUNK;
        let n = CHUNK.min(len - start);
        // SAFETY: chunks are disjoint ranges of `out`, which outlives the call.
        let chunk = unsafe { std::slice::from_raw_parts_mut(ptr.get().add(start), n) };
        f(chunk, start);
    });
}

/// A raw pointer that may cross threads; callers guarantee disjoint access.
pub(crate) struct SendPtr<T>(pub *mut T);
impl<T> Clone for SendPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SendPtr<T> {}
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}
impl<T> SendPtr<T> {
    /// The pointer (a method, so closures capture the whole `Send` wrapper).
    pub(crate) fn get(self) -> *mut T {
        self.0
    }
}

/// A vector of `n` elements whose every element `fill` writes, without zero-filling first:
/// a fresh 4 MB output costs its page faults once, not a memset on top.
fn filled<U: Send + Copy + Default>(
    n: usize,
    fill: impl Fn(&mut [U], usize) + Sync + Send,
) -> Vec<U> {
    if n * std::mem::size_of::<U>() >= 1 << 20 {
        tune_allocator();
    }
    let mut out: Vec<U> = Vec::with_capacity(n);
    {
        let spare = &mut out.spare_capacity_mut()[..n];
        // SAFETY: `U` is a plain number type (Copy, any bit pattern valid once written); the
        // callers' kernels write every element of the slice they get before anything reads it.
        let slice = unsafe { std::slice::from_raw_parts_mut(spare.as_mut_ptr() as *mut U, n) };
        chunks_mut(slice, fill);
    }
    // SAFETY: all `n` elements were written above.
    unsafe { out.set_len(n) };
    out
}

/// `out = f(x)` chunk by chunk into a new vector (in parallel for large inputs); `f` must
/// write every element of its output chunk.
pub(crate) fn map<T: Sync, U: Send + Copy + Default>(
    x: &[T],
    f: impl Fn(&[T], &mut [U]) + Sync + Send,
) -> Vec<U> {
    filled(x.len(), |chunk, start| {
        f(&x[start..start + chunk.len()], chunk)
    })
}

/// `out = f(a, b)` over two equally long inputs, chunk by chunk (in parallel when large);
/// `f` must write every element of its output chunk.
pub(crate) fn map2<T: Sync, U: Send + Copy + Default>(
    a: &[T],
    b: &[T],
    f: impl Fn(&[T], &[T], &mut [U]) + Sync + Send,
) -> Vec<U> {
    filled(a.len(), |chunk, start| {
        let r = start..start + chunk.len();
        f(&a[r.clone()], &b[r], chunk)
    })
}

/// `out = f(a, b, c)` over three equally long inputs, chunk by chunk (in parallel when
/// large); `f` must write every element of its output chunk.
pub(crate) fn map3<T: Sync, U: Send + Copy + Default>(
    a: &[T],
    b: &[T],
    c: &[T],
    f: impl Fn(&[T], &[T], &[T], &mut [U]) + Sync + Send,
) -> Vec<U> {
    filled(a.len(), |chunk, start| {
        let r = start..start + chunk.len();
        f(&a[r.clone()], &b[r.clone()], &c[r], chunk)
    })
}

/// Keeps large tensor buffers in the heap between ops, as a caching allocator would.
///
/// glibc serves big allocations with `mmap` and returns freed memory to the system, so every
/// fresh multi-megabyte output can cost one page fault per 4 KB page — more than the sigmoid
/// that fills it, and erratically (the thresholds move at run time). On the first large
/// buffer, logit raises the mmap threshold to 32 MB and the trim threshold to 512 MB with
/// `mallopt`, once per process. Set `LOGIT_MALLOC_TUNING=0` to leave the allocator alone.
pub fn tune_allocator() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var("LOGIT_MALLOC_TUNING").is_ok_and(|v| v == "0") {
            return;
        }
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            extern "C" {
                fn mallopt(
                    param: std::os::raw::c_int,
                    value: std::os::raw::c_int,
                ) -> std::os::raw::c_int;
            }
            const M_TRIM_THRESHOLD: std::os::raw::c_int = -1;
            const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
            // SAFETY: mallopt only changes glibc's allocation policy; both values are in range.
            unsafe {
                mallopt(M_MMAP_THRESHOLD, 32 << 20);
                mallopt(M_TRIM_THRESHOLD, 512 << 20);
            }
        }
    });
}

/// `n` copies of `value` (written in parallel for large `n`).
pub(crate) fn splat<U: Send + Sync + Copy + Default>(n: usize, value: U) -> Vec<U> {
    filled(n, |chunk, _| chunk.fill(value))
}

/// Two outputs from two equally long inputs, chunk by chunk (in parallel for large inputs):
/// `f(a, b, out1, out2)` must write every element of both output chunks. Fused kernels that
/// produce a value and a derivative per element (the binary losses) use it.
pub fn map2_pair<T: Sync + Send + Copy + Default>(
    a: &[T],
    b: &[T],
    f: impl Fn(&[T], &[T], &mut [T], &mut [T]) + Sync + Send,
) -> (Vec<T>, Vec<T>) {
    assert_eq!(a.len(), b.len(), "map2_pair: inputs of different lengths");
    let mut second: Vec<T> = Vec::with_capacity(a.len());
    let ptr = SendPtr(second.spare_capacity_mut().as_mut_ptr() as *mut T);
    let first = filled(a.len(), |chunk, start| {
        let r = start..start + chunk.len();
        // SAFETY: the chunks of `first` and `second` are the same disjoint ranges; `second`
        // has capacity for every index and outlives the call.
        let out2 = unsafe { std::slice::from_raw_parts_mut(ptr.get().add(start), chunk.len()) };
        f(&a[r.clone()], &b[r], chunk, out2)
    });
    // SAFETY: `f` wrote every element of every chunk of `second`.
    unsafe { second.set_len(a.len()) };
    (first, second)
}
