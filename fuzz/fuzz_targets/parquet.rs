//! Any bytes given to the Parquet reader: an error, or a table whose every cell reads back and
//! which the encoder refuses with an error or encodes into features of the right shape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logit_data::{fit_encoding, Table};

fuzz_target!(|data: &[u8]| {
    // the reader turns the parquet crate's panics on corrupt pages into errors; libFuzzer's
    // hook would abort before that, so it is silenced here (a panic that escapes still
    // aborts through fuzz_target!'s own catch)
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Ok(t) = Table::from_parquet(data.to_vec(), "fuzz.parquet".as_ref()) else { return };
    for c in 0..t.headers.len() {
        for i in 0..t.len() {
            let _ = t.cell(i, c);
        }
    }
    let Some(target) = t.headers.last().cloned() else { return };
    let rows: Vec<usize> = (0..t.len()).collect();
    if let Ok((e, _)) = fit_encoding(&t, &target, None, &[], true, &rows) {
        if let Ok(x) = e.features(&t, &rows) {
            assert_eq!(x.shape(), &[rows.len(), e.width()]);
        }
    }
});
