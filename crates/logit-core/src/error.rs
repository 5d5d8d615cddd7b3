//! The one error type of logit: every fallible API in every crate returns [`Result`].

use std::path::PathBuf;

use crate::DType;

/// Everything that can go wrong in logit, with what was expected and what came.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // === shapes and dims ===
    /// Two shapes that an op cannot combine.
    #[error("{op}: shapes {lhs:?} and {rhs:?} are not compatible")]
    ShapeMismatch {
        /// The op that was called.
        op: &'static str,
        /// Shape of the first operand.
        lhs: Vec<usize>,
        /// Shape of the second operand.
        rhs: Vec<usize>,
    },
    /// A dim outside `-rank..rank`.
    #[error(
        "{op}: dim {dim} is out of range for a tensor of rank {rank} (expected -{rank}..{rank})"
    )]
    DimOutOfRange {
        /// The op that was called.
        op: &'static str,
        /// The dim that was given.
        dim: isize,
        /// The rank of the tensor.
        rank: usize,
    },
    // === dtypes ===
    /// An operand of the wrong element type.
    #[error("{op}: expected dtype {expected:?}, got {got:?}")]
    DTypeMismatch {
        /// The op that was called.
        op: &'static str,
        /// The dtype the op needs.
        expected: DType,
        /// The dtype it got.
        got: DType,
    },
    // === autograd ===
    /// `backward()` on a tensor with more than one element and no explicit gradient.
    #[error("backward: grad can be implicitly created only for scalar outputs, got shape {shape:?}; use backward_with(grad)")]
    NonScalarBackward {
        /// Shape of the tensor `backward` was called on.
        shape: Vec<usize>,
    },
    /// `backward()` on a tensor that does not require grad.
    #[error("backward: the tensor does not require grad and has no grad_fn (was it made under no_grad, or from leaves without requires_grad?)")]
    NoGradFn,
    /// `backward()` reached an op whose graph an earlier backward already used and freed.
    #[error("backward: trying to backward through the graph a second time ({op} was used by an earlier backward, which freed it); pass retain_graph: true to the first backward (Tensor::backward_with_options) if you need to backward twice")]
    GraphFreed {
        /// The first freed op met (`grad_fn` name).
        op: &'static str,
    },
    /// Anomaly mode saw a NaN or an infinity.
    #[error("anomaly: {op} produced a non-finite value ({phase} pass)")]
    NonFinite {
        /// PyTorch-style name of the op, e.g. `LogBackward0` or `log`.
        op: String,
        /// `forward` or `backward`.
        phase: &'static str,
    },
    // === user input: arguments, data, files ===
    /// A layer got inputs with another number of features (the last dim of a Linear's input)
    /// than it was built for: the most common mistake with a trained model and new data.
    #[error("{layer}: expected {expected} input features, got {got} (input shape {shape:?})")]
    FeatureCount {
        /// The layer, as it prints (`Linear(8 -> 12)`).
        layer: String,
        /// The features it was built for.
        expected: usize,
        /// The features that came (0 for a 0-dim input).
        got: usize,
        /// The input's shape.
        shape: Vec<usize>,
    },
    /// A loss got a target whose shape differs from its input's.
    #[error(
        "{loss}: expected a target of the input's shape {input:?}, got target shape {target:?}"
    )]
    TargetShape {
        /// The loss function (`binary_cross_entropy`).
        loss: String,
        /// The input's shape.
        input: Vec<usize>,
        /// The target's shape.
        target: Vec<usize>,
    },
    /// A hyperparameter out of its range (a negative learning rate, a beta of 1).
    #[error("{owner}: expected {name} {expected}, got {got}")]
    Hyperparameter {
        /// What takes it (`SGD`, `StepLR`).
        owner: String,
        /// Its name as PyTorch spells it (`lr`, `momentum`).
        name: String,
        /// The range it must be in.
        expected: String,
        /// What came, in PyTorch's wording where it has one.
        got: String,
    },
    /// An argument or a piece of data that is not what the API takes.
    #[error("{what}: expected {expected}, got {got}")]
    Invalid {
        /// What was being checked (usually the op or the type and the argument).
        what: String,
        /// What was expected.
        expected: String,
        /// What came.
        got: String,
    },
    /// A state dict that does not fit the module.
    #[error("error(s) in loading state_dict: missing keys {missing:?}, unexpected keys {unexpected:?}, size mismatch {mismatched:?}")]
    StateDict {
        /// Keys the module has that the state dict lacks.
        missing: Vec<String>,
        /// Keys in the state dict that the module does not have.
        unexpected: Vec<String>,
        /// `key: expected [..], got [..]` for each wrongly shaped entry.
        mismatched: Vec<String>,
    },
    /// A file whose contents could not be parsed.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// A file (or the bytes of one) that is not in the format it claims, or is damaged: a
    /// truncated archive, an unknown pickle global, a storage that is missing or too small.
    #[error("{path}: {message}")]
    Format {
        /// The file, or what the bytes came from.
        path: String,
        /// What was expected and what was found.
        message: String,
    },
    /// An I/O error on a named file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with logit's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(
        what: impl Into<String>,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Self {
        Error::Invalid {
            what: what.into(),
            expected: expected.into(),
            got: got.into(),
        }
    }

    /// Shorthand for [`Error::Hyperparameter`]: `owner`'s `name` is not in `expected`.
    pub fn hyperparameter(
        owner: impl Into<String>,
        name: impl Into<String>,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Self {
        Error::Hyperparameter {
            owner: owner.into(),
            name: name.into(),
            expected: expected.into(),
            got: got.into(),
        }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
