//! Any bytes given to the safetensors loader: an error or a state dict, never a panic or a
//! huge allocation; a parsed dict loads into a model or is refused with an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logit_models::DiabetesPredictor;
use logit_nn::{serialize::from_safetensors_bytes, Module};

fuzz_target!(|data: &[u8]| {
    if let Ok(sd) = from_safetensors_bytes(data, "fuzz") {
        let model = DiabetesPredictor::new(8).unwrap();
        let _ = model.load_state_dict(&sd);
    }
});
