//! Which of PyTorch's CPU builds logit's random streams follow. PyTorch compiles its random
//! kernels once per CPU capability and picks one at start-up: the AVX2 build fuses
//! multiply-adds and fills `f32` normals with the Cephes `log`/`sincos` of `avx_mathfun.h`; the
//! AVX-512 build fuses too but fills them with libm's `logf`/`cosf`/`sinf`; the DEFAULT build
//! fuses nothing. The streams agree bit for bit except in the last bits those differences touch
//! (`f32` `randn` of 16 or more elements, `uniform_` of a range other than `[0, 1)`, `normal_`
//! with a mean or std). `torch.backends.cpu.get_cpu_capability()` says which one a PyTorch
//! process runs; `ATEN_CPU_CAPABILITY=avx2` (or `default`) makes PyTorch pick another.

use std::sync::atomic::{AtomicU8, Ordering};

/// A PyTorch CPU build whose random streams logit reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuCapability {
    /// `"DEFAULT"`: no fused multiply-adds, libm's single-precision functions.
    Default,
    /// `"AVX2"` (logit's default): fused multiply-adds, Cephes `log`/`sincos` for `f32`
    /// normals. Checked bit for bit against PyTorch 2.15 on an AVX2 CPU.
    Avx2,
    /// `"AVX512"`: fused multiply-adds, libm's single-precision functions. Derived from
    /// PyTorch's sources (the AVX2 normal kernel is compiled only into the AVX2 build); not yet
    /// checked against PyTorch on an AVX-512 CPU.
    Avx512,
}

static CAPABILITY: AtomicU8 = AtomicU8::new(CpuCapability::Avx2 as u8);

/// Chooses the PyTorch build whose streams every later random call reproduces. It changes no
/// draw count, only how draws become floats, and is the same on every machine logit runs on.
///
/// ```
/// use logit_core::random::{cpu_capability, set_cpu_capability, CpuCapability};
/// assert_eq!(cpu_capability(), CpuCapability::Avx2);
/// set_cpu_capability(CpuCapability::Default); // like ATEN_CPU_CAPABILITY=default
/// set_cpu_capability(CpuCapability::Avx2);
/// ```
pub fn set_cpu_capability(capability: CpuCapability) {
    CAPABILITY.store(capability as u8, Ordering::Relaxed);
}

/// The PyTorch build logit's random streams follow now.
pub fn cpu_capability() -> CpuCapability {
    match CAPABILITY.load(Ordering::Relaxed) {
        x if x == CpuCapability::Default as u8 => CpuCapability::Default,
        x if x == CpuCapability::Avx512 as u8 => CpuCapability::Avx512,
        _ => CpuCapability::Avx2,
    }
}

impl CpuCapability {
    /// Whether that build's compiler fuses `a * b + c` into one multiply-add.
    pub(crate) fn fuses(self) -> bool {
        self != CpuCapability::Default
    }
}

/// `a·b + c` as a build computes it: fused where its compiler contracts, two roundings where not.
#[inline(always)]
pub(crate) fn madd_f32(fused: bool, a: f32, b: f32, c: f32) -> f32 {
    if fused {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// The `f64` twin of [`madd_f32`].
#[inline(always)]
pub(crate) fn madd_f64(fused: bool, a: f64, b: f64, c: f64) -> f64 {
    if fused {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}
