//! CSV errors name file, line and column; splits, loaders, scaler and generators behave as
//! documented.

use std::io::Write;

use logit_core::Tensor;
use logit_data::*;

fn csv_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn csv_loads_features_and_labels() {
    let f = csv_file("a,b,y\n1,2,0\n3.5,-4,1\n");
    let d = load_csv(f.path(), "y").unwrap();
    assert_eq!(d.features.to_vec::<f32>(), vec![1.0, 2.0, 3.5, -4.0]);
    assert_eq!(d.labels.to_vec::<f32>(), vec![0.0, 1.0]);
    assert_eq!(d.feature_names, ["a", "b"]);
}

#[test]
fn csv_errors_name_file_line_and_column() {
    let cases = [
        (
            "a,b,y\n1,2,0\n3,,1\n",
            ":3:2:",
            "missing value in column 'b'",
        ),
        (
            "a,b,y\n1,x,0\n",
            ":2:2:",
            "expected a number in column 'b', got 'x'",
        ),
        ("a,b,y\n1,2,0\n1,2\n", ":3:3:", "expected 3 fields"),
        (
            "a,b,y\n1,2,0.5\n",
            ":2:3:",
            "expected a label 0 or 1 in column 'y', got '0.5'",
        ),
        ("a,b,z\n1,2,0\n", ":1:0:", "no column named 'y'"),
        ("a,b,y\n", ":2:0:", "no data rows"),
    ];
    for (text, at, msg) in cases {
        let f = csv_file(text);
        let e = load_csv(f.path(), "y").unwrap_err().to_string();
        assert!(e.starts_with(&f.path().display().to_string()), "{e}");
        assert!(e.contains(at) && e.contains(msg), "{text:?}: {e}");
    }
    assert!(load_csv("/no/such/file.csv", "y")
        .unwrap_err()
        .to_string()
        .contains("/no/such/file.csv"));
}

#[test]
fn bundled_real_data_loads() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    let pima = load_csv(format!("{root}/pima_diabetes.csv"), "test").unwrap();
    assert_eq!(
        (pima.features.shape(), pima.labels.sum().item().unwrap()),
        (&[768usize, 8][..], 268.0)
    );
    let bc = load_csv(format!("{root}/breast_cancer.csv"), "malignant").unwrap();
    assert_eq!(
        (bc.features.shape(), bc.labels.sum().item().unwrap()),
        (&[569usize, 30][..], 212.0)
    );
}

#[test]
fn split_is_seeded_and_stratified() {
    let (x, y) = synthetic::fraud(synthetic::FraudConfig {
        n: 1000,
        ..Default::default()
    })
    .unwrap();
    let a = train_test_split(&x, &y, 0.25, 3, true).unwrap();
    let b = train_test_split(&x, &y, 0.25, 3, true).unwrap();
    assert_eq!(a.x_test.to_vec::<f32>(), b.x_test.to_vec::<f32>());
    assert_eq!((a.y_train.shape()[0], a.y_test.shape()[0]), (750, 250));
    assert_eq!(a.y_test.sum().item().unwrap(), 5.0); // 2% of 250
    assert!(train_test_split(&x, &y, 1.5, 0, false).is_err());
    assert!(train_test_split(&x, &Tensor::zeros(&[3, 1]), 0.5, 0, false).is_err());
}

#[test]
fn loader_covers_every_row_once_per_epoch() {
    let x = Tensor::arange(0.0, 10.0, 1.0)
        .unwrap()
        .reshape([10, 1])
        .unwrap();
    let mut l = DataLoader::new(&x, &x, 3).unwrap().shuffle(1);
    let mut seen: Vec<f32> = l
        .iter()
        .flat_map(|b| b.unwrap().0.to_vec::<f32>())
        .collect();
    let first = seen.clone();
    seen.sort_by(f32::total_cmp);
    assert_eq!(seen, (0..10).map(|i| i as f32).collect::<Vec<_>>());
    let second: Vec<f32> = l
        .iter()
        .flat_map(|b| b.unwrap().0.to_vec::<f32>())
        .collect();
    assert_ne!(first, second, "a new order each epoch");
    let mut d = DataLoader::new(&x, &x, 3).unwrap().drop_last(true);
    assert_eq!((d.len(), d.iter().count()), (3, 3));
    assert!(DataLoader::new(&x, &x, 0).is_err());
}

#[test]
fn scaler_uses_training_statistics() {
    let train = Tensor::new([[1.0, 5.0], [3.0, 5.0]]).unwrap();
    let s = StandardScaler::fit(&train).unwrap();
    assert_eq!(
        (s.mean.clone(), s.scale.clone()),
        (vec![2.0, 5.0], vec![1.0, 1.0])
    );
    let t = s.transform(&Tensor::new([[4.0, 6.0]]).unwrap()).unwrap();
    assert_eq!(t.to_vec::<f32>(), vec![2.0, 1.0]);
    assert!(s.transform(&Tensor::zeros(&[1, 3])).is_err());
}

#[test]
fn generators_follow_their_documented_distributions() {
    let (x, y) = synthetic::diabetes(20000, 1).unwrap();
    let cols = x.mean_dim(0, false).unwrap().to_vec::<f64>();
    let want = [0.5, 0.45, 0.5, 0.45, 0.5, 0.5, 0.5, 0.5];
    cols.iter()
        .zip(want)
        .for_each(|(m, w)| assert!((m - w).abs() < 0.01, "{cols:?}"));
    // E[p] = 0.3 + 0.4·0.45 + 0.3·0.45 = 0.615 (the clip barely matters)
    assert!((y.mean().item().unwrap() - 0.615).abs() < 0.02);
    let (cx, cy) = synthetic::churn(64, 10, 0).unwrap();
    assert_eq!(
        (cx.shape(), cy.shape()),
        (&[64usize, 10][..], &[64usize, 1][..])
    );
    let (_, fy) = synthetic::fraud(synthetic::FraudConfig {
        n: 5000,
        fraud_rate: 0.02,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(fy.sum().item().unwrap(), 100.0);
    let (ix, iy) = synthetic::image_batch(4, 3, 8, 8, 0).unwrap();
    assert_eq!(
        (ix.shape(), iy.shape()),
        (&[4usize, 3, 8, 8][..], &[4usize, 1][..])
    );
}
