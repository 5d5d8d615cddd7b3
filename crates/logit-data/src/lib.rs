//! # logit-data
//!
//! Data for binary classifiers: the tutorial's seeded synthetic generators, CSV loading with
//! precise errors, splits, batching, standardisation, scikit-learn's metrics, calibration
//! curves and calibrators, and decision-threshold rules.
//!
//! ```
//! use logit_data::{metrics, synthetic, train_test_split, DataLoader, StandardScaler};
//! let (x, y) = synthetic::diabetes(500, 42)?;
//! let split = train_test_split(&x, &y, 0.2, 42, true)?;
//! let scaler = StandardScaler::fit(&split.x_train)?;
//! let x_train = scaler.transform(&split.x_train)?;
//! let mut loader = DataLoader::new(&x_train, &split.y_train, 32)?.shuffle(0);
//! assert_eq!(loader.iter().count(), 13);
//! assert_eq!(metrics::accuracy(&[0.9, 0.2], &[1.0, 0.0], 0.5)?, 1.0);
//! # Ok::<(), logit_core::Error>(())
//! ```

mod calibration;
mod csv;
mod encoding;
mod fit_encoding;
#[cfg(feature = "images")]
mod images;
mod imputer;
mod loader;
pub mod metrics;
#[cfg(feature = "parquet")]
mod parquet;
mod random_state;
mod reader;
mod scaler;
mod split;
mod stream;
pub mod synthetic;
mod table;
mod threshold;

pub use crate::csv::{load_csv, read_csv, CsvData};
pub use calibration::{calibration_curve, CalibrationCurve, Calibrator};
pub use encoding::{ColumnSpec, Encoding, MAX_CATEGORIES};
pub use fit_encoding::fit_encoding;
#[cfg(feature = "images")]
pub use images::{load_image, ImageFolder, IMAGENET_MEAN, IMAGENET_STD};
pub use imputer::MedianImputer;
pub use loader::DataLoader;
#[cfg(feature = "parquet")]
pub use parquet::is_parquet;
pub use random_state::RandomState;
pub use reader::{
    csv_reader, headers, is_missing, next_row, quote, read_record, CsvFormat, Sniffed, MISSING,
};
pub use scaler::StandardScaler;
pub use split::{split_indices, train_test_split, IndexSplit, Split};
pub use stream::{EncodedChunk, EncodedStream};
pub use table::{Column, Table, MISSING_CODE};
pub use threshold::ThresholdRule;
