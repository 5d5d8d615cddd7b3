//! [`Prepared`]: the encoding and scaler fitted on the training rows, and the table's three
//! parts through them, as the tensors every candidate fits on.

use logit_core::{Result, Tensor};
use logit_data::{fit_encoding, ColumnSpec, Encoding, StandardScaler, Table};

use crate::options::TabularOptions;
use crate::parts::Parts;

/// Standardised features and labels of one part.
#[derive(Clone)]
pub(crate) struct PartData {
    pub x: Tensor,
    pub y: Tensor,
}

/// The encoding and scaler fitted on the training rows, and the three parts through them.
pub(crate) struct Prepared {
    pub encoding: Encoding,
    pub scaler: StandardScaler,
    pub note: Option<String>,
    pub train: PartData,
    pub val: Option<PartData>,
    pub test: Option<PartData>,
}

impl Prepared {
    pub(crate) fn new(
        table: &Table,
        target: &str,
        o: &TabularOptions,
        parts: &Parts,
    ) -> Result<Prepared> {
        let (encoding, note) = fit_encoding(
            table,
            target,
            o.positive.as_deref(),
            &o.drop,
            o.impute,
            &parts.train,
        )?;
        // every level of a text column gets a feature: an unpenalised logistic regression
        // leaves each column's reference level out itself (`Design`)
        let (x, y) = encoding.transform(table, &parts.train)?;
        let scaler = keep_one_hot(StandardScaler::fit(&x)?, &encoding);
        let prepare = |rows: &[usize]| -> Result<Option<PartData>> {
            if rows.is_empty() {
                return Ok(None);
            }
            let (x, y) = encoding.transform(table, rows)?;
            Ok(Some(PartData {
                x: scaler.transform(&x)?,
                y,
            }))
        };
        let train = PartData {
            x: scaler.transform(&x)?,
            y,
        };
        // the unscaled copy goes before the other parts are made
        drop(x);
        let (val, test) = (prepare(&parts.validation)?, prepare(&parts.test)?);
        Ok(Prepared {
            encoding,
            scaler,
            note,
            train,
            val,
            test,
        })
    }
}

/// `scaler` with the one-hot features left as 0/1 (mean 0, scale 1), as scikit-learn's usual
/// `ColumnTransformer` scales the numbers only: a level's coefficient then reads as a
/// difference from the reference, and an L2 penalty treats every level alike.
pub(crate) fn keep_one_hot(mut scaler: StandardScaler, encoding: &Encoding) -> StandardScaler {
    let mut j = 0;
    for c in &encoding.columns {
        if matches!(c, ColumnSpec::Categorical { .. }) {
            for k in j..j + c.width() {
                scaler.mean[k] = 0.0;
                scaler.scale[k] = 1.0;
            }
        }
        j += c.width();
    }
    scaler
}

/// The parts that exist, as one.
pub(crate) fn concat(parts: [Option<PartData>; 3]) -> Result<PartData> {
    let parts: Vec<PartData> = parts.into_iter().flatten().collect();
    let xs: Vec<Tensor> = parts.iter().map(|p| p.x.clone()).collect();
    let ys: Vec<Tensor> = parts.iter().map(|p| p.y.clone()).collect();
    drop(parts);
    Ok(PartData {
        x: Tensor::cat(&xs, 0)?,
        y: Tensor::cat(&ys, 0)?,
    })
}
