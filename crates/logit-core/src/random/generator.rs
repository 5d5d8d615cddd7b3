//! [`Generator`]: PyTorch's CPU generator (an MT19937 engine plus the cached second Box–Muller
//! sample), the global one behind [`manual_seed`], and its state as `torch.get_rng_state()` bytes.

use std::sync::Mutex;

use super::mt19937::{Mt19937, STATE_WORDS};
use crate::{Error, Result};

/// The seed of the global generator before any [`manual_seed`]. PyTorch seeds its default
/// generator from the operating system; logit uses PyTorch's documented fallback seed so a
/// program that never seeds is still reproducible.
pub const DEFAULT_SEED: u64 = 67_280_421_310_721;

/// A random stream that draws exactly what PyTorch's CPU generator draws, like
/// `torch.Generator().manual_seed(seed)`.
///
/// ```
/// use logit_core::{Generator, Tensor};
/// let mut g = Generator::new(42);
/// let a = Tensor::rand_with(&[3], &mut g);
/// g.manual_seed(42);
/// assert_eq!(a.to_vec::<f32>(), Tensor::rand_with(&[3], &mut g).to_vec::<f32>());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    engine: Mt19937,
    next_float_normal: Option<f32>,
    next_double_normal: Option<f64>,
}

impl Default for Generator {
    fn default() -> Self {
        Generator::new(DEFAULT_SEED)
    }
}

impl Generator {
    /// A generator seeded with `seed` (`torch.Generator().manual_seed(seed)`).
    pub fn new(seed: u64) -> Generator {
        Generator {
            engine: Mt19937::new(seed),
            next_float_normal: None,
            next_double_normal: None,
        }
    }

    /// Re-seeds this generator and forgets the cached normal sample, like
    /// `generator.manual_seed(seed)`.
    pub fn manual_seed(&mut self, seed: u64) -> &mut Generator {
        *self = Generator::new(seed);
        self
    }

    /// The seed this generator was last seeded with, like `generator.initial_seed()`.
    pub fn initial_seed(&self) -> u64 {
        self.engine.seed()
    }

    /// 32 random bits (PyTorch's `random()`).
    #[inline]
    pub fn random_u32(&mut self) -> u32 {
        self.engine.next_u32()
    }

    /// 64 random bits from two draws, the first one high (PyTorch's `random64()`).
    #[inline]
    pub fn random_u64(&mut self) -> u64 {
        let hi = self.engine.next_u32() as u64;
        let lo = self.engine.next_u32() as u64;
        (hi << 32) | lo
    }

    /// Fills `out` with consecutive 32-bit draws.
    pub fn fill_u32(&mut self, out: &mut [u32]) {
        self.engine.fill_u32(out);
    }

    pub(crate) fn take_double_normal(&mut self) -> Option<f64> {
        self.next_double_normal.take()
    }

    pub(crate) fn set_double_normal(&mut self, v: f64) {
        self.next_double_normal = Some(v);
    }

    /// The state as the 5056 bytes `torch.get_rng_state()` returns (little-endian x86-64
    /// layout of PyTorch's `CPUGeneratorImplState`), so a state saved by PyTorch restores here
    /// and the other way round.
    pub fn get_state(&self) -> Vec<u8> {
        let (seed, left, next, state) = self.engine.parts();
        let mut b = Vec::with_capacity(STATE_BYTES);
        b.extend_from_slice(&seed.to_le_bytes());
        b.extend_from_slice(&(left as i32).to_le_bytes());
        b.extend_from_slice(&1i32.to_le_bytes()); // seeded
        b.extend_from_slice(&(next as u64).to_le_bytes());
        for &w in state {
            b.extend_from_slice(&(w as u64).to_le_bytes());
        }
        b.extend_from_slice(&0f64.to_le_bytes()); // normal_x, unused since PyTorch 1.5
        b.extend_from_slice(&self.next_double_normal.unwrap_or(0.0).to_le_bytes());
        b.extend_from_slice(&0f64.to_le_bytes()); // normal_rho, unused
        b.extend_from_slice(&(self.next_double_normal.is_some() as i32).to_le_bytes());
        b.extend_from_slice(&[0; 4]); // padding
        b.extend_from_slice(&self.next_float_normal.unwrap_or(0.0).to_le_bytes());
        b.push(self.next_float_normal.is_some() as u8);
        b.resize(STATE_BYTES, 0);
        b
    }

    /// Restores a state from [`Generator::get_state`] or `torch.get_rng_state()`.
    ///
    /// # Errors
    /// When `bytes` is not 5056 bytes long or does not describe a valid MT19937 state.
    pub fn set_state(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.len() != STATE_BYTES {
            return Err(Error::invalid(
                "Generator::set_state",
                format!("a {STATE_BYTES}-byte RNG state (torch.get_rng_state())"),
                format!("{} bytes", bytes.len()),
            ));
        }
        let u64_at = |o: usize| u64::from_le_bytes(bytes[o..o + 8].try_into().expect("8 bytes"));
        let i32_at = |o: usize| i32::from_le_bytes(bytes[o..o + 4].try_into().expect("4 bytes"));
        let mut state = [0u32; STATE_WORDS];
        for (k, w) in state.iter_mut().enumerate() {
            *w = u64_at(24 + 8 * k) as u32;
        }
        let words_end = 24 + 8 * STATE_WORDS;
        let engine = (i32_at(12) == 1)
            .then(|| {
                let left = u32::try_from(i32_at(8)).ok()?;
                let next = u32::try_from(u64_at(16)).ok()?;
                Mt19937::from_parts(u64_at(0), left, next, state)
            })
            .flatten()
            .ok_or_else(|| {
                Error::invalid(
                    "Generator::set_state",
                    "a valid MT19937 state",
                    "an unseeded or out-of-range engine state",
                )
            })?;
        let double_valid = i32_at(words_end + 24) != 0;
        let float_at = words_end + 32;
        let float_valid = bytes[float_at + 4] != 0;
        self.engine = engine;
        self.next_double_normal = double_valid.then(|| f64::from_bits(u64_at(words_end + 8)));
        self.next_float_normal = float_valid.then(|| {
            f32::from_le_bytes(bytes[float_at..float_at + 4].try_into().expect("4 bytes"))
        });
        Ok(())
    }
}

/// `sizeof(CPUGeneratorImplState)` on x86-64.
const STATE_BYTES: usize = 5056;

static GLOBAL: Mutex<Option<Generator>> = Mutex::new(None);

/// Seeds the global generator, like `torch.manual_seed(seed)`: every later random call without
/// an explicit generator draws what PyTorch draws after the same call.
///
/// ```
/// use logit_core::{manual_seed, Tensor};
/// manual_seed(0);
/// // torch.manual_seed(0); torch.rand(2) -> tensor([0.4963, 0.7682])
/// let r = Tensor::rand(&[2]).to_vec::<f32>();
/// assert_eq!(format!("{:.4} {:.4}", r[0], r[1]), "0.4963 0.7682");
/// ```
pub fn manual_seed(seed: u64) {
    with_global_rng(|g| {
        g.manual_seed(seed);
    });
}

/// The seed of the global generator, like `torch.initial_seed()`.
pub fn initial_seed() -> u64 {
    with_global_rng(|g| g.initial_seed())
}

/// The global generator's state, like `torch.get_rng_state()` (5056 bytes in PyTorch's layout).
pub fn get_rng_state() -> Vec<u8> {
    with_global_rng(|g| g.get_state())
}

/// Restores the global generator's state, like `torch.set_rng_state(state)`.
///
/// # Errors
/// When `state` is not a valid generator state.
pub fn set_rng_state(state: &[u8]) -> Result<()> {
    with_global_rng(|g| g.set_state(state))
}

/// Runs `f` and restores the global generator afterwards, like `with torch.random.fork_rng():`.
pub fn fork_rng<R>(f: impl FnOnce() -> R) -> R {
    let saved = with_global_rng(|g| g.clone());
    let out = f();
    with_global_rng(|g| *g = saved);
    out
}

/// Runs `f` with the global generator locked.
pub fn with_global_rng<R>(f: impl FnOnce(&mut Generator) -> R) -> R {
    let mut g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    f(g.get_or_insert_with(Generator::default))
}

/// Runs `f` with `g`, or with the global generator when `g` is `None` (PyTorch's
/// `generator=None`).
pub fn with_generator<R>(g: Option<&mut Generator>, f: impl FnOnce(&mut Generator) -> R) -> R {
    match g {
        Some(g) => f(g),
        None => with_global_rng(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_with_a_cached_normal() -> Result<()> {
        let mut g = Generator::new(3);
        g.random_u64();
        g.set_double_normal(0.25);
        let bytes = g.get_state();
        assert_eq!(bytes.len(), 5056);
        let mut h = Generator::new(0);
        h.set_state(&bytes)?;
        assert_eq!(g, h);
        assert_eq!(g.random_u32(), h.random_u32());
        assert!(h.set_state(&bytes[..100]).is_err());
        let mut bad = bytes.clone();
        bad[8..12].copy_from_slice(&0i32.to_le_bytes()); // left = 0
        assert!(h.set_state(&bad).is_err());
        Ok(())
    }
}
