//! Parquet input: a pandas/pyarrow file (`tests/fixtures/parquet/make.py`) reads into the same
//! table, encoding and features as its CSV twin; bad bytes are one clear error.
#![cfg(feature = "parquet")]

use std::path::Path;

use logit_data::{fit_encoding, is_parquet, Table};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/parquet")
        .join(name)
}

#[test]
fn a_parquet_file_reads_as_its_csv_twin() -> TestResult {
    let (pq, csv) = (fixture("churn.parquet"), fixture("churn.csv"));
    assert!(is_parquet(&pq)? && !is_parquet(&csv)?);
    let (a, b) = (Table::open(&pq)?, Table::open(&csv)?);
    assert_eq!(a.headers, b.headers);
    assert_eq!(a.len(), 120);
    assert_eq!(a.len(), b.len());
    for c in 0..a.headers.len() {
        for i in 0..a.len() {
            let (x, y) = (a.cell(i, c), b.cell(i, c));
            // pandas writes booleans as True/False in a CSV, Parquet stores them typed
            assert_eq!(x.to_lowercase(), y.to_lowercase(), "row {i}, column {c}");
        }
    }
    assert!(
        a.columns[0].is_missing(0) && a.columns[2].is_missing(0),
        "nulls are missing"
    );
    let rows: Vec<usize> = (0..a.len()).collect();
    let (ea, _) = fit_encoding(&a, "churn", None, &[], true, &rows)?;
    let (eb, _) = fit_encoding(&b, "churn", None, &[], true, &rows)?;
    assert_eq!(ea, eb);
    let ((xa, ya), (xb, yb)) = (ea.transform(&a, &rows)?, eb.transform(&b, &rows)?);
    assert_eq!(xa.to_vec::<f32>(), xb.to_vec::<f32>());
    assert_eq!(ya.to_vec::<f32>(), yb.to_vec::<f32>());
    Ok(())
}

#[test]
fn bytes_that_are_not_parquet_are_one_clear_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let p = dir.path().join("broken.parquet");
    std::fs::write(&p, b"PAR1 this is not a parquet file")?;
    let err = Table::open(&p).err().ok_or("an error")?.to_string();
    assert!(
        err.contains("broken.parquet") && err.contains("not a readable Parquet file"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let err = Table::from_parquet(Vec::new(), "empty.parquet".as_ref())
        .err()
        .ok_or("empty")?;
    assert!(err.to_string().contains("empty.parquet"), "{err}");
    Ok(())
}

#[test]
fn a_timestamp_column_reads_as_text_and_is_dropped_by_name() -> TestResult {
    let t = Table::open(&fixture("with_dates.parquet"))?;
    assert_eq!(t.headers, ["x", "when", "y"]);
    assert!(t.cell(0, 1).starts_with("2026-01-01"), "{}", t.cell(0, 1));
    let rows: Vec<usize> = (0..t.len()).collect();
    let err = fit_encoding(&t, "y", None, &[], true, &rows)
        .err()
        .ok_or("kept")?
        .to_string();
    assert!(
        err.contains("column 'when'") && err.contains("--drop 'when'"),
        "{err}"
    );
    let (e, _) = fit_encoding(&t, "y", None, &["when".into()], true, &rows)?;
    assert_eq!(e.width(), 1);
    Ok(())
}
