//! Any bytes given to the CSV loader: an error naming line and column, or a data set whose
//! shapes agree, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logit_data::read_csv;

fuzz_target!(|data: &[u8]| {
    for label in ["y", "test"] {
        if let Ok(d) = read_csv(data, "fuzz.csv", label) {
            let rows = d.labels.shape()[0];
            assert_eq!(d.features.shape()[0], rows);
            assert_eq!(d.features.shape()[1], d.feature_names.len());
            assert!(d.labels.to_vec::<f32>().iter().all(|&l| l == 0.0 || l == 1.0));
        }
    }
});
