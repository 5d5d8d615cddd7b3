//! Any text given as `model.json`: an error, or a config whose model builds and scales a row
//! without panicking or allocating without bound.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use logit_cli::config::ModelConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(c) = ModelConfig::from_json(text, Path::new("model.json")) {
        let model = c.build_model().expect("a validated config builds");
        let width = c.encoding.width();
        let x = c.scale(&vec![0.0; width], 1).expect("one row of the right width");
        let _ = logit_nn::Module::forward(&model, &x);
        let _ = c.calibration.transform(&[0.0, 1.0]);
    }
});
