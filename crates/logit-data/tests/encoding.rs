//! The tabular encoder and the stratified split against scikit-learn 1.9
//! (`tests/fixtures/sklearn/encoding.py`): `train_test_split(stratify=...)` indices,
//! `SimpleImputer` medians and modes, `OneHotEncoder(handle_unknown="ignore")` features.

use logit_data::{fit_encoding, split_indices, ColumnSpec, Encoding, Table};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture() -> Result<Value, Box<dyn std::error::Error>> {
    let text = include_str!("../../../tests/fixtures/sklearn/encoding.json");
    Ok(serde_json::from_str(text)?)
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_u64)
                .map(|i| i as usize)
                .collect()
        })
        .unwrap_or_default()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

#[test]
fn stratified_splits_are_scikit_learns_indices() -> TestResult {
    let f = fixture()?;
    let cases = f["splits"].as_array().ok_or("splits")?;
    assert!(cases.len() >= 5);
    for case in cases {
        let labels = floats(&case["labels"]);
        let test_size = case["test_size"].as_f64().ok_or("test_size")?;
        let seed = case["seed"].as_u64().ok_or("seed")?;
        let s = split_indices(labels.len(), test_size, seed, Some(&labels))?;
        assert_eq!(s.train, usizes(&case["train"]), "train, n {}", labels.len());
        assert_eq!(s.test, usizes(&case["test"]), "test, n {}", labels.len());
    }
    Ok(())
}

fn fitted() -> Result<(Table, Encoding, Value), Box<dyn std::error::Error>> {
    let f = fixture()?;
    let e = f["encoding"].clone();
    let csv = e["csv"].as_str().ok_or("csv")?;
    let table = Table::read(csv.as_bytes(), "churn.csv".as_ref())?;
    let (encoding, note) = fit_encoding(&table, "churn", None, &[], true, &usizes(&e["train"]))?;
    assert_eq!(
        note.as_deref(),
        Some("positive class: 'yes' (the rarer label; choose with --positive)")
    );
    Ok((table, encoding, e))
}

#[test]
fn imputation_is_simple_imputers_on_the_training_rows() -> TestResult {
    let (_, encoding, e) = fitted()?;
    let medians = floats(&e["medians"]);
    let mut got_medians = Vec::new();
    for c in &encoding.columns {
        match c {
            ColumnSpec::Numeric { median, .. } => got_medians.push(*median),
            ColumnSpec::Categorical {
                categories, mode, ..
            } => {
                assert_eq!(mode, e["mode"].as_str().ok_or("mode")?);
                let want: Vec<&str> = e["categories"]
                    .as_array()
                    .ok_or("categories")?
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                assert_eq!(categories, &want);
            }
        }
    }
    assert_eq!(got_medians.len(), medians.len());
    for (g, w) in got_medians.iter().zip(&medians) {
        assert!((g - w).abs() <= 1e-12 * w.abs(), "median {g} vs {w}");
    }
    Ok(())
}

#[test]
fn held_out_rows_encode_as_the_scikit_learn_pipeline() -> TestResult {
    let (table, encoding, e) = fitted()?;
    let (x, y) = encoding.transform(&table, &usizes(&e["test"]))?;
    let want: Vec<Vec<f64>> = e["features"]
        .as_array()
        .ok_or("features")?
        .iter()
        .map(floats)
        .collect();
    assert_eq!(x.shape(), &[want.len(), want[0].len()]);
    let got = x.to_vec_f64();
    for (i, row) in want.iter().enumerate() {
        for (j, w) in row.iter().enumerate() {
            let g = got[i * row.len() + j];
            assert!(
                (g - w).abs() <= 1e-6 * w.abs().max(1.0),
                "row {i} col {j}: {g} vs {w}"
            );
        }
    }
    assert_eq!(y.to_vec_f64(), floats(&e["labels"]));
    // streaming the whole file in chunks gives the same rows as transforming the table
    let all: Vec<usize> = (0..table.len()).collect();
    let (x_all, _) = encoding.transform(&table, &all)?;
    let csv = e["csv"].as_str().ok_or("csv")?;
    let mut streamed = Vec::new();
    for chunk in encoding.stream(csv.as_bytes(), "churn.csv".as_ref(), 7)? {
        streamed.extend(chunk?.features);
    }
    assert_eq!(streamed, x_all.to_vec::<f32>());
    Ok(())
}

#[test]
fn an_encoding_survives_serde_and_unknown_categories_encode_as_zeros() -> TestResult {
    let (_, encoding, _) = fitted()?;
    let back: Encoding = serde_json::from_str(&serde_json::to_string(&encoding)?)?;
    assert_eq!(back, encoding);
    let csv = "age,plan,income\n30,gold,1000\n";
    let mut chunks = encoding.stream(csv.as_bytes(), "new.csv".as_ref(), 10)?;
    let chunk = chunks.next().ok_or("a chunk")??;
    assert!(!encoding.columns.is_empty() && chunk.labels.is_empty());
    assert_eq!(
        chunk.features[1..chunk.features.len() - 1]
            .iter()
            .sum::<f32>(),
        0.0
    );
    // a bad cell is reported with its line and column, and ends the stream
    let bad = "age,plan,income\n30,pro,1000\nold,pro,5\n";
    let mut s = encoding.stream(bad.as_bytes(), "bad.csv".as_ref(), 1)?;
    assert!(s.next().ok_or("first")?.is_ok());
    let err = s
        .next()
        .ok_or("second")?
        .err()
        .ok_or("an error")?
        .to_string();
    assert!(
        err.contains("bad.csv:3:1") && err.contains("'old'"),
        "{err}"
    );
    assert!(s.next().is_none());
    Ok(())
}
