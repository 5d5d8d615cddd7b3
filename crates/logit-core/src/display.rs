//! PyTorch-like printing: `tensor([[0.1000, 0.2000], …], requires_grad=True)`.

use std::fmt;

use crate::{DType, Tensor};

/// How many elements a dim shows before PyTorch's `...` summarisation kicks in.
const EDGE: usize = 3;
const THRESHOLD: usize = 1000;

fn format_floats(vals: &[f64]) -> Box<dyn Fn(f64) -> String> {
    let finite: Vec<f64> = vals.iter().copied().filter(|v| v.is_finite()).collect();
    let all_int = finite.iter().all(|v| v.fract() == 0.0);
    let max = finite.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let min = finite
        .iter()
        .filter(|v| **v != 0.0)
        .fold(f64::INFINITY, |m, v| m.min(v.abs()));
    let sci = !finite.is_empty()
        && (max >= 1e8 || (min.is_finite() && max / min > 1000.0) || (min < 1e-4 && !all_int));
    if all_int && !sci {
        Box::new(|v: f64| {
            if v.is_finite() {
                format!("{v:.0}.")
            } else {
                format!("{v}")
            }
        })
    } else if sci {
        Box::new(|v: f64| {
            if !v.is_finite() {
                return format!("{v}");
            }
            let s = format!("{v:.4e}");
            // Rust prints `1.0000e0`; PyTorch prints `1.0000e+00`.
            let (m, e) = s.split_once('e').expect("exponent");
            let e: i32 = e.parse().expect("int exponent");
            format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
        })
    } else {
        Box::new(|v: f64| {
            if v.is_finite() {
                format!("{v:.4}")
            } else {
                format!("{v}")
            }
        })
    }
}

fn write_dim(
    out: &mut String,
    vals: &[String],
    shape: &[usize],
    offset: usize,
    indent: usize,
    summarize: bool,
    width: usize,
) {
    if shape.is_empty() {
        out.push_str(&format!("{:>width$}", vals[offset]));
        return;
    }
    let n = shape[0];
    let stride: usize = shape[1..].iter().product();
    let idx: Vec<Option<usize>> = if summarize && n > 2 * EDGE {
        (0..EDGE)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((n - EDGE..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    };
    out.push('[');
    for (k, i) in idx.iter().enumerate() {
        if k > 0 {
            if shape.len() == 1 {
                out.push_str(", ");
            } else {
                out.push(',');
                out.push_str(&"\n".repeat(shape.len() - 1));
                out.push_str(&" ".repeat(indent + 1));
            }
        }
        match i {
            Some(i) => write_dim(
                out,
                vals,
                &shape[1..],
                offset + i * stride,
                indent + 1,
                summarize,
                width,
            ),
            None => out.push_str("..."),
        }
    }
    out.push(']');
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let storage = self.storage();
        let vals: Vec<f64> = (0..storage.len()).map(|i| storage.get_f64(i)).collect();
        let strs: Vec<String> = match storage.dtype() {
            DType::Bool => vals
                .iter()
                .map(|&v| {
                    if v != 0.0 {
                        "True".into()
                    } else {
                        "False".into()
                    }
                })
                .collect(),
            DType::I64 => vals.iter().map(|v| format!("{v}")).collect(),
            _ => {
                let fmt_one = format_floats(&vals);
                vals.iter().map(|&v| fmt_one(v)).collect()
            }
        };
        let width = strs.iter().map(|s| s.len()).max().unwrap_or(0);
        let mut body = String::new();
        write_dim(
            &mut body,
            &strs,
            self.shape(),
            0,
            7,
            vals.len() > THRESHOLD,
            width,
        );
        if self.numel() == 0 {
            body = format!("[], size={:?}", self.shape());
        }
        write!(f, "tensor({body}")?;
        if storage.dtype() == DType::F64 {
            write!(f, ", dtype=torch.float64")?;
        }
        if let Some(name) = self.grad_fn() {
            write!(f, ", grad_fn=<{name}>")?;
        } else if self.requires_grad() {
            write!(f, ", requires_grad=True")?;
        }
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn prints_like_pytorch() {
        let t = Tensor::new([[0.1, 0.25], [1.0, -2.5]]).unwrap();
        assert_eq!(
            t.to_string(),
            "tensor([[ 0.1000,  0.2500],\n        [ 1.0000, -2.5000]])"
        );
        assert_eq!(
            Tensor::new([1.0, 2.0]).unwrap().to_string(),
            "tensor([1., 2.])"
        );
        let w = Tensor::new([0.5]).unwrap().requires_grad_(true);
        assert_eq!(w.to_string(), "tensor([0.5000], requires_grad=True)");
        assert_eq!(w.sigmoid().grad_fn(), Some("SigmoidBackward0"));
        assert_eq!(
            Tensor::scalar(3.0).double().to_string(),
            "tensor(3., dtype=torch.float64)"
        );
        assert_eq!(
            Tensor::new([1e-5, 1.0]).unwrap().to_string(),
            "tensor([1.0000e-05, 1.0000e+00])"
        );
    }
}
