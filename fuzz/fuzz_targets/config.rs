//! Any text given as `model.json`: an error, or a config whose model builds and scales a row
//! without panicking or allocating without bound.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use logit_tabular::{ModelConfig, TabularModel};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(c) = ModelConfig::from_json(text, Path::new("model.json")) {
        let width = c.encoding.width();
        let model = TabularModel::new(c).expect("a validated config builds");
        let _ = model.predict(&vec![0.0; width], 1).expect("one row of the right width");
    }
});
