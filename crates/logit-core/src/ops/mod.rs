//! Differentiable ops. Each file holds one family: the forward as `impl Tensor` methods and,
//! directly below, the `Backward` structs with their formulas.

mod batch_norm;
mod binary;
mod cat;
mod compare;
mod conv;
mod conv_fused;
mod dropout;
mod fastmath;
mod gemm;
mod im2col;
mod index;
mod linear;
mod matmul;
mod pool;
mod reduce;
pub(crate) mod sgemm;
mod sigmoid;
mod small_gemm;
mod softmax;
mod unary;
mod view;

pub use batch_norm::BatchNormOptions;
pub use binary::BinaryOp;
pub use conv::Conv2dOptions;
pub use conv_fused::{ConvEpilogue, EvalBatchNorm};
pub use fastmath::{
    exp_f32, exp_f32_slice, exp_neg_f32, log1p_unit_f32, sigmoid_f32, sigmoid_f32_slice,
};
pub use reduce::{chunked_sum, fast_sum};
pub use sigmoid::{sigmoid_scalar, sigmoid_slice};
pub use view::IntoShape;

use crate::{Error, Result, Storage, Tensor};
use std::sync::Arc;

/// The two operands of a binary op as storages of one float dtype: equal float dtypes pass
/// through, an integer or bool operand takes the other's float dtype (so a mask can multiply a
/// float tensor), two non-float operands become the default dtype, and `f32` with `f64` is an
/// error rather than a silent promotion.
pub(crate) fn promote(
    op: &'static str,
    a: &Tensor,
    b: &Tensor,
) -> Result<(Arc<Storage>, Arc<Storage>)> {
    let (sa, sb) = (a.storage(), b.storage());
    let (da, db) = (sa.dtype(), sb.dtype());
    if da == db && da.is_float() {
        return Ok((sa, sb));
    }
    match (da.is_float(), db.is_float()) {
        (true, true) => Err(Error::DTypeMismatch {
            op,
            expected: da,
            got: db,
        }),
        (true, false) => Ok((sa, Arc::new(sb.to_dtype(da)))),
        (false, true) => Ok((Arc::new(sa.to_dtype(db)), sb)),
        (false, false) => {
            let d = crate::default_dtype();
            Ok((Arc::new(sa.to_dtype(d)), Arc::new(sb.to_dtype(d))))
        }
    }
}
