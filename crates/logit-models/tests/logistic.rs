//! `LogisticRegression` against statsmodels 0.15 `Logit` (coefficients, standard errors, z,
//! p-values, intervals, log-likelihoods, AIC, BIC) and scikit-learn's L2 fit, from
//! `tests/fixtures/statsmodels/logit.py`.

use logit_models::LogisticRegression;
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture() -> Result<Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(include_str!(
        "../../../tests/fixtures/statsmodels/logit.json"
    ))?)
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn matrix(v: &Value) -> (Vec<f64>, usize, usize) {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .map(|a| a.iter().map(floats).collect())
        .unwrap_or_default();
    let cols = rows.first().map_or(0, Vec::len);
    (rows.concat(), rows.len(), cols)
}

fn close(what: &str, got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= rel * w.abs().max(1e-300),
            "{what}: {g} vs {w}"
        );
    }
}

#[test]
fn the_fit_and_its_inference_are_statsmodels_logit() -> TestResult {
    let f = fixture()?;
    for case in f["designs"].as_array().ok_or("designs")? {
        let name = case["name"].as_str().unwrap_or("?");
        let (x, rows, cols) = matrix(&case["x"]);
        let fit = LogisticRegression::default().fit(&x, rows, cols, &floats(&case["y"]))?;
        assert!(fit.converged, "{name}");
        close(name, &fit.coef, &floats(&case["coef"]), 1e-6);
        close(name, &fit.std_err(), &floats(&case["std_err"]), 1e-6);
        close(name, &fit.z(), &floats(&case["z"]), 1e-6);
        close(name, &fit.p_values(), &floats(&case["p_value"]), 1e-5);
        let (lo, hi): (Vec<f64>, Vec<f64>) = fit.conf_int().into_iter().unzip();
        close(name, &lo, &floats(&case["ci_low"]), 1e-6);
        close(name, &hi, &floats(&case["ci_high"]), 1e-6);
        let stats = [
            fit.log_likelihood,
            fit.ll_null,
            fit.pseudo_r2(),
            fit.aic(),
            fit.bic(),
        ];
        let want: Vec<f64> = ["llf", "llnull", "prsquared", "aic", "bic"]
            .iter()
            .filter_map(|k| case[*k].as_f64())
            .collect();
        close(name, &stats, &want, 1e-9);
    }
    Ok(())
}

#[test]
fn an_l2_penalty_is_scikit_learns_c() -> TestResult {
    let f = fixture()?;
    let l2 = &f["l2"];
    let (x, rows, cols) = matrix(&l2["x"]);
    let c = l2["c"].as_f64().ok_or("c")?;
    let fit = LogisticRegression {
        c: Some(c),
        ..Default::default()
    }
    .fit(&x, rows, cols, &floats(&l2["y"]))?;
    close("l2", &fit.coef, &floats(&l2["coef"]), 1e-6);
    Ok(())
}

#[test]
fn separation_and_collinearity_are_named_errors() -> TestResult {
    let x: Vec<f64> = (0..10).map(f64::from).collect();
    let y: Vec<f64> = x.iter().map(|&v| f64::from(u8::from(v > 4.5))).collect();
    let err = LogisticRegression::default()
        .fit(&x, 10, 1, &y)
        .err()
        .ok_or("separation")?;
    assert!(err.to_string().contains("perfect separation"), "{err}");
    // with a penalty the same data has a finite fit
    let fit = LogisticRegression {
        c: Some(1.0),
        ..Default::default()
    }
    .fit(&x, 10, 1, &y)?;
    assert!(fit.coef[1] > 0.0 && fit.coef[1].is_finite());
    // the second column is twice the first
    let noisy = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0];
    let x2: Vec<f64> = x.iter().flat_map(|&v| [v, 2.0 * v]).collect();
    let err = LogisticRegression::default()
        .fit(&x2, 10, 2, &noisy)
        .err()
        .ok_or("collinear")?;
    assert!(
        err.to_string().contains("'column 1' is one (collinear"),
        "{err}"
    );
    let err = LogisticRegression::default()
        .fit(&x, 10, 1, &[1.0; 10])
        .err()
        .ok_or("one class")?;
    assert!(err.to_string().contains("both classes"), "{err}");
    Ok(())
}
