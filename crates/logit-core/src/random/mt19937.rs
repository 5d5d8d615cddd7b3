//! The 32-bit Mersenne Twister (MT19937), the engine behind both `torch.manual_seed` and NumPy's
//! legacy `np.random.seed`. Both seed it the same way (Knuth's linear recurrence from the low 32
//! bits of the seed), so one engine serves [`Generator`](super::Generator) and
//! `logit_data::RandomState`.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER: u32 = 0x8000_0000;
const LOWER: u32 = 0x7fff_ffff;

/// An MT19937 engine with PyTorch's bookkeeping (`left` counts down to the next twist, `next`
/// indexes the state), so its state converts to and from `torch.get_rng_state()` bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Mt19937 {
    seed: u64,
    state: [u32; N],
    left: u32,
    next: u32,
}

impl std::fmt::Debug for Mt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mt19937")
            .field("seed", &self.seed)
            .field("left", &self.left)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Mt19937 {
    /// An engine seeded like `std::mt19937(seed & 0xffffffff)`; the full `seed` is kept for
    /// [`Mt19937::seed`], as PyTorch's `initial_seed()` reports it.
    pub fn new(seed: u64) -> Mt19937 {
        let mut state = [0u32; N];
        state[0] = seed as u32;
        for j in 1..N {
            let prev = state[j - 1];
            state[j] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(j as u32);
        }
        Mt19937 {
            seed,
            state,
            left: 1,
            next: 0,
        }
    }

    /// The seed this engine was created with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The next 32 random bits.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        self.left -= 1;
        if self.left == 0 {
            self.twist();
        }
        let mut y = self.state[self.next as usize];
        self.next += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// Fills `out` with consecutive draws: the same values as calling [`Mt19937::next_u32`]
    /// `out.len()` times, with the twist hoisted out of the per-element loop.
    pub fn fill_u32(&mut self, out: &mut [u32]) {
        let mut i = 0;
        while i < out.len() {
            if self.left == 1 {
                out[i] = self.next_u32();
                i += 1;
                continue;
            }
            // `left - 1` values remain before the next twist
            let take = ((self.left - 1) as usize).min(out.len() - i);
            let start = self.next as usize;
            for (o, &s) in out[i..i + take]
                .iter_mut()
                .zip(&self.state[start..start + take])
            {
                let mut y = s;
                y ^= y >> 11;
                y ^= (y << 7) & 0x9d2c_5680;
                y ^= (y << 15) & 0xefc6_0000;
                *o = y ^ (y >> 18);
            }
            self.left -= take as u32;
            self.next += take as u32;
            i += take;
        }
    }

    fn twist(&mut self) {
        let s = &mut self.state;
        let mix = |a: u32, b: u32| {
            let y = (a & UPPER) | (b & LOWER);
            (y >> 1) ^ if b & 1 == 1 { MATRIX_A } else { 0 }
        };
        for k in 0..N - M {
            s[k] = s[k + M] ^ mix(s[k], s[k + 1]);
        }
        for k in N - M..N - 1 {
            s[k] = s[k + M - N] ^ mix(s[k], s[k + 1]);
        }
        s[N - 1] = s[M - 1] ^ mix(s[N - 1], s[0]);
        self.left = N as u32;
        self.next = 0;
    }

    /// The raw parts `(seed, left, next, state)`, for serialising the state.
    pub(crate) fn parts(&self) -> (u64, u32, u32, &[u32; N]) {
        (self.seed, self.left, self.next, &self.state)
    }

    /// An engine from raw parts, or `None` when they cannot come from a real engine.
    pub(crate) fn from_parts(seed: u64, left: u32, next: u32, state: [u32; N]) -> Option<Mt19937> {
        let valid = (1..=N as u32).contains(&left) && next as usize + left as usize <= N + 1;
        valid.then_some(Mt19937 {
            seed,
            state,
            left,
            next,
        })
    }
}

/// The state length, in 32-bit words.
pub(crate) const STATE_WORDS: usize = N;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_mt19937() {
        // std::mt19937 with the default seed 5489: its 10000th output is 4123659995 (C++11 §26.5.5)
        let mut e = Mt19937::new(5489);
        let mut last = 0;
        for _ in 0..10_000 {
            last = e.next_u32();
        }
        assert_eq!(last, 4_123_659_995);
    }

    #[test]
    fn fill_equals_single_draws() {
        let mut a = Mt19937::new(42);
        let mut b = a.clone();
        let mut out = vec![0u32; 2000];
        a.fill_u32(&mut out[..7]);
        a.fill_u32(&mut out[7..]);
        let single: Vec<u32> = (0..2000).map(|_| b.next_u32()).collect();
        assert_eq!(out, single);
        assert!(a == b);
    }
}
