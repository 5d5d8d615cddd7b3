//! Any bytes given to the `.pth` reader: an error or a checkpoint, never a panic, a leak or an
//! allocation far beyond the input; what parses goes through the state-dict loader, the
//! summary that `logit inspect` prints, and the writer, whose output must parse again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logit_core::checkpoint;
use logit_models::DiabetesPredictor;
use logit_nn::{state_dict_from_bytes, Module};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = checkpoint::from_bytes(data, "fuzz") {
        let _ = checkpoint::summary(data, "fuzz");
        let _ = v.to_string();
        let bytes = checkpoint::to_bytes(&v, "archive").expect("writing in memory");
        checkpoint::from_bytes(&bytes, "rewritten").expect("logit's own output parses");
    }
    if let Ok(sd) = state_dict_from_bytes(data, "fuzz") {
        let model = DiabetesPredictor::new(8).unwrap();
        let _ = model.load_state_dict(&sd);
    }
});
