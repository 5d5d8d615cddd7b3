//! logit's cache of large float buffers, like PyTorch's caching allocator on a GPU: a buffer a
//! tensor frees is kept and handed to the next op that needs one of the same size, so a
//! training loop does not return multi-megabyte outputs to the system and fault them in
//! again on every step. It touches only logit's own buffers, never the process's allocator.
//!
//! ```
//! use logit_core::{memory, Tensor};
//! let x = Tensor::randn(&[512, 1024]);
//! drop(x.sigmoid());                     // 2 MB back to the cache, not to the system
//! let y = x.sigmoid();                   // reuses it
//! memory::empty_cache();                 // like torch.cuda.empty_cache()
//! assert_eq!(memory::cached_bytes(), 0);
//! # drop(y);
//! ```

use std::any::{Any, TypeId};
use std::collections::VecDeque;
use std::sync::Mutex;

/// Buffers below this size come and go through malloc's bins cheaply; above it glibc maps
/// fresh pages (its default mmap threshold).
const MIN_BYTES: usize = 128 << 10;

/// The default limit on what the cache keeps.
const DEFAULT_LIMIT: usize = 256 << 20;

/// At most this many buffers of one type and size: a size that is freed more often than asked
/// for (a buffer made outside the cache) cannot fill it.
const PER_SIZE: usize = 8;

/// One cached, empty `Vec<T>`, with what a lookup compares.
struct Buffer {
    elem: TypeId,
    capacity: usize,
    /// How many leading elements held values before the buffer was cleared.
    init: usize,
    bytes: usize,
    vec: Box<dyn Any + Send>,
}

struct Cache {
    /// Oldest first: the oldest go when the limit is reached.
    buffers: VecDeque<Buffer>,
    bytes: usize,
    limit: usize,
}

impl Cache {
    /// Removes the oldest buffers until at most `bytes` are held; the caller frees them after
    /// releasing the lock.
    fn shrink_to(&mut self, bytes: usize) -> Vec<Buffer> {
        let mut evicted = Vec::new();
        while self.bytes > bytes {
            let old = self.buffers.pop_front().expect("bytes > 0 means a buffer");
            self.bytes -= old.bytes;
            evicted.push(old);
        }
        evicted
    }
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    buffers: VecDeque::new(),
    bytes: 0,
    limit: DEFAULT_LIMIT,
});

fn cache() -> std::sync::MutexGuard<'static, Cache> {
    CACHE.lock().unwrap_or_else(|e| e.into_inner())
}

/// An empty vector with room for `n` elements: a cached buffer of exactly that capacity when
/// there is one (an op in a loop asks for the same sizes every step), else a new allocation.
/// Kernels outside logit-core (the fused losses) allocate their outputs with it too.
pub fn with_capacity<T: Send + 'static>(n: usize) -> Vec<T> {
    take(n).map_or_else(|| Vec::with_capacity(n), |(v, _)| v)
}

/// A cached empty buffer of capacity `n` and how many of its elements held values, if the
/// cache has one.
fn take<T: Send + 'static>(n: usize) -> Option<(Vec<T>, usize)> {
    if n.saturating_mul(std::mem::size_of::<T>()) < MIN_BYTES {
        return None;
    }
    let hit = {
        let mut c = cache();
        let elem = TypeId::of::<T>();
        let i = c
            .buffers
            .iter()
            .rposition(|b| b.elem == elem && b.capacity == n);
        i.and_then(|i| c.buffers.remove(i))
            .inspect(|b| c.bytes -= b.bytes)
    }?;
    let init = hit.init;
    hit.vec.downcast::<Vec<T>>().ok().map(|v| (*v, init))
}

/// `n` floats of unspecified value (a cached buffer's old contents, else zeros) for an output
/// whose every element is written before it is read, such as a GEMM's with β = 0: it saves
/// [`full`]'s fill of the whole buffer.
pub(crate) fn scratch<T: crate::Float>(n: usize) -> Vec<T> {
    match take::<T>(n) {
        Some((mut v, init)) => {
            // SAFETY: the first `init` elements were written before the buffer was cleared,
            // and clearing a Vec of Copy floats leaves their bytes as they were.
            unsafe { v.set_len(init.min(n)) };
            v.resize(n, T::zero());
            v
        }
        // zeroed pages from the allocator, not a fill
        None => vec![T::zero(); n],
    }
}

/// `n` copies of `value` in a buffer from [`with_capacity`]: the zeroed output a kernel
/// accumulates into.
pub fn full<T: Copy + Send + Sync + 'static>(n: usize, value: T) -> Vec<T> {
    let mut v = with_capacity(n);
    if n < crate::parallel::PARALLEL_MIN {
        v.resize(n, value);
        return v;
    }
    // a large gradient buffer (a convolution's input gradient): filled, and its fresh pages
    // faulted in, by every thread
    let spare = &mut v.spare_capacity_mut()[..n];
    crate::parallel::for_each_chunk_mut(spare, 1 << 16, true, |_, part| {
        part.iter_mut().for_each(|x| {
            x.write(value);
        })
    });
    // SAFETY: the loop above wrote each of the first n elements.
    unsafe { v.set_len(n) };
    v
}

/// Takes a large buffer into the cache (dropping the oldest beyond the limit); small ones are
/// simply freed.
pub(crate) fn recycle<T: Send + 'static>(mut v: Vec<T>) {
    let bytes = v.capacity().saturating_mul(std::mem::size_of::<T>());
    if bytes < MIN_BYTES {
        return;
    }
    let init = v.len();
    v.clear();
    let buffer = Buffer {
        elem: TypeId::of::<T>(),
        capacity: v.capacity(),
        init,
        bytes,
        vec: Box::new(v),
    };
    let evicted = {
        let mut c = cache();
        let same = |b: &Buffer| b.elem == buffer.elem && b.capacity == buffer.capacity;
        if bytes > c.limit || c.buffers.iter().filter(|b| same(b)).count() >= PER_SIZE {
            return;
        }
        let room = c.limit - bytes;
        let evicted = c.shrink_to(room);
        c.bytes += bytes;
        c.buffers.push_back(buffer);
        evicted
    };
    // freed outside the lock
    drop(evicted);
}

/// Frees every cached buffer, like `torch.cuda.empty_cache()`.
pub fn empty_cache() {
    let buffers = {
        let mut c = cache();
        c.bytes = 0;
        std::mem::take(&mut c.buffers)
    };
    drop(buffers);
}

/// The bytes held by the cache now.
pub fn cached_bytes() -> usize {
    cache().bytes
}

/// Sets how many bytes the cache may hold (default 256 MiB); 0 turns it off. Cached buffers
/// beyond the new limit are freed.
pub fn set_cache_limit(bytes: usize) {
    let evicted = {
        let mut c = cache();
        c.limit = bytes;
        c.shrink_to(bytes)
    };
    drop(evicted);
}
