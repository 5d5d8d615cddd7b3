//! Any bytes given to the tabular pipeline's reader: an error, or a table whose every column
//! has a cell per row, which the encoder either refuses with an error or turns into features
//! and labels of the right shapes — never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logit_data::{fit_encoding, Table};

fuzz_target!(|data: &[u8]| {
    let Ok(t) = Table::read(data, "fuzz.csv".as_ref()) else { return };
    for c in 0..t.headers.len() {
        for i in 0..t.len() {
            let _ = t.cell(i, c);
        }
    }
    let Some(target) = t.headers.last().cloned() else { return };
    let rows: Vec<usize> = (0..t.len()).collect();
    if let Ok((e, _)) = fit_encoding(&t, &target, None, &[], true, &rows) {
        if let Ok((x, y)) = e.transform(&t, &rows) {
            assert_eq!(x.shape(), &[rows.len(), e.width()]);
            assert_eq!(y.shape(), &[rows.len(), 1]);
        }
        let _ = e.with_reference_levels().transform(&t, &rows);
    }
});
