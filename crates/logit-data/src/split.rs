//! [`split_indices`] and [`train_test_split`]: a seeded, optionally stratified split of rows.

use logit_core::{Error, Result, Tensor};

use crate::RandomState;

/// The four parts of a split, named as scikit-learn's `X_train, X_test, y_train, y_test`.
#[derive(Debug, Clone)]
pub struct Split {
    /// Training features.
    pub x_train: Tensor,
    /// Test features.
    pub x_test: Tensor,
    /// Training labels.
    pub y_train: Tensor,
    /// Test labels.
    pub y_test: Tensor,
}

fn rows(t: &Tensor, idx: &[usize]) -> Result<Tensor> {
    let i: Vec<i64> = idx.iter().map(|&i| i as i64).collect();
    let n = i.len();
    t.index_select(0, &Tensor::from_vec(i, &[n])?)
}

/// Which rows go where: the row indices of each part, from [`split_indices`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSplit {
    /// Training rows.
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

/// The rows of a seeded split of `n` rows with `test_size` held out (as scikit-learn:
/// `ceil(test_size·n)` test rows), for data that is not a tensor yet (a table's rows, file
/// offsets). Without `strata` the rows are the ones scikit-learn's
/// `train_test_split(..., random_state=seed)` picks (NumPy's permutation); with one label per
/// row, each label value keeps its share in both parts.
///
/// ```
/// use logit_data::split_indices;
/// let strata = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
/// let s = split_indices(8, 0.25, 0, Some(&strata))?;
/// assert_eq!((s.train.len(), s.test.len()), (6, 2));
/// assert_eq!(s.test.iter().filter(|&&i| strata[i] == 1.0).count(), 1);
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// When `strata` has another length, `test_size` is outside `(0, 1)`, either part would be
/// empty, or the seed does not fit NumPy's 32 bits.
pub fn split_indices(
    n: usize,
    test_size: f64,
    seed: u64,
    strata: Option<&[f64]>,
) -> Result<IndexSplit> {
    if let Some(s) = strata.filter(|s| s.len() != n) {
        return Err(Error::invalid(
            "train_test_split",
            format!("labels with {n} rows, as the features"),
            format!("{} labels", s.len()),
        ));
    }
    if !(test_size > 0.0 && test_size < 1.0) {
        return Err(Error::invalid(
            "train_test_split",
            "test_size in (0, 1)",
            test_size.to_string(),
        ));
    }
    let n_test = (test_size * n as f64).ceil() as usize;
    if n_test == 0 || n_test >= n {
        return Err(Error::invalid(
            "train_test_split",
            "at least one row in each part",
            format!("{n} rows with test_size {test_size}"),
        ));
    }
    let seed = u32::try_from(seed).map_err(|_| {
        Error::invalid(
            "train_test_split",
            "a seed below 2^32, as NumPy's",
            seed.to_string(),
        )
    })?;
    let mut g = RandomState::new(seed);
    let (train, test) = match strata {
        Some(labels) => stratified(labels, n - n_test, n_test, &mut g),
        None => {
            // scikit-learn's ShuffleSplit: one permutation, the test rows first
            let idx = g.permutation(n);
            (idx[n_test..].to_vec(), idx[..n_test].to_vec())
        }
    };
    Ok(IndexSplit { train, test })
}

/// scikit-learn's `StratifiedShuffleSplit` draw, step for step on the same `RandomState`
/// stream, so the indices equal `train_test_split(..., stratify=y)`'s.
fn stratified(
    labels: &[f64],
    n_train: usize,
    n_test: usize,
    g: &mut RandomState,
) -> (Vec<usize>, Vec<usize>) {
    // the distinct labels, sorted; found without sorting a copy of every label
    let mut classes: Vec<f64> = Vec::new();
    for &l in labels {
        if let Err(at) = classes.binary_search_by(|c| c.total_cmp(&l)) {
            classes.insert(at, l);
            if classes.len() > 256 {
                // many strata: sorting a copy is cheaper than inserting one by one
                classes = labels.to_vec();
                classes.sort_by(f64::total_cmp);
                classes.dedup();
                break;
            }
        }
    }
    let counts: Vec<usize> = classes
        .iter()
        .map(|c| labels.iter().filter(|&&l| l == *c).count())
        .collect();
    // sized exactly: a million rows' members are not grown by doubling
    let members: Vec<Vec<usize>> = classes
        .iter()
        .zip(&counts)
        .map(|(c, &k)| {
            let mut m = Vec::with_capacity(k);
            m.extend((0..labels.len()).filter(|&i| labels[i] == *c));
            m
        })
        .collect();
    let n_i = approximate_mode(&counts, n_train, g);
    let left: Vec<usize> = counts.iter().zip(&n_i).map(|(c, n)| c - n).collect();
    let t_i = approximate_mode(&left, n_test, g);
    let (mut train, mut test) = (Vec::with_capacity(n_train), Vec::with_capacity(n_test));
    for (k, idx) in members.iter().enumerate() {
        let perm = g.permutation(idx.len());
        train.extend(perm[..n_i[k]].iter().map(|&p| idx[p]));
        test.extend(perm[n_i[k]..n_i[k] + t_i[k]].iter().map(|&p| idx[p]));
    }
    g.shuffle(&mut train);
    g.shuffle(&mut test);
    (train, test)
}

/// scikit-learn's `_approximate_mode`: `draws` spread over classes in proportion to `counts`,
/// the floors first, then one more to the largest remainders (ties drawn at random).
fn approximate_mode(counts: &[usize], draws: usize, g: &mut RandomState) -> Vec<usize> {
    let total: usize = counts.iter().sum();
    let exact: Vec<f64> = counts
        .iter()
        .map(|&c| c as f64 * draws as f64 / total.max(1) as f64)
        .collect();
    let mut out: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut need = draws.saturating_sub(out.iter().sum());
    let remainder: Vec<f64> = exact.iter().zip(&out).map(|(e, &f)| e - f as f64).collect();
    let mut values = remainder.clone();
    values.sort_by(|a, b| b.total_cmp(a));
    values.dedup();
    for v in values {
        if need == 0 {
            break;
        }
        let tied: Vec<usize> = (0..counts.len()).filter(|&i| remainder[i] == v).collect();
        let now = tied.len().min(need);
        // NumPy's choice without replacement: the first `now` of a permutation
        for &p in &g.permutation(tied.len())[..now] {
            out[tied[p]] += 1;
        }
        need -= now;
    }
    out
}

/// Shuffles the rows of `x` and `y` with `seed` and holds out `test_size` of them, the rows
/// [`split_indices`] picks (scikit-learn's without `stratify`; each label value keeping its
/// share with it).
///
/// ```
/// use logit_core::Tensor;
/// use logit_data::train_test_split;
/// let x = Tensor::arange(0.0, 20.0, 1.0)?.reshape([10, 2])?;
/// let y = Tensor::new([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0])?.reshape([10, 1])?;
/// let s = train_test_split(&x, &y, 0.2, 42, true)?;
/// assert_eq!((s.x_train.shape()[0], s.x_test.shape()[0]), (8, 2));
/// assert_eq!(s.y_test.sum().item()?, 1.0); // one of each class
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// When `x` and `y` have different row counts, or as [`split_indices`].
pub fn train_test_split(
    x: &Tensor,
    y: &Tensor,
    test_size: f64,
    seed: u64,
    stratify: bool,
) -> Result<Split> {
    let n = x.shape().first().copied().unwrap_or(0);
    if y.shape().first() != Some(&n) {
        return Err(Error::invalid(
            "train_test_split",
            format!("labels with {n} rows, as the features"),
            format!("shape {:?}", y.shape()),
        ));
    }
    let labels = stratify.then(|| y.to_vec_f64());
    let IndexSplit { train, test } = split_indices(n, test_size, seed, labels.as_deref())?;
    Ok(Split {
        x_train: rows(x, &train)?,
        x_test: rows(x, &test)?,
        y_train: rows(y, &train)?,
        y_test: rows(y, &test)?,
    })
}
