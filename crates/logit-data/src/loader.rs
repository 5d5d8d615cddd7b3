//! [`DataLoader`]: mini-batches over `(features, labels)`, optionally shuffled each epoch.

use logit_core::{Error, Generator, Result, Tensor};
use rand::seq::SliceRandom;

/// Batches of rows of a tensor data set, like `DataLoader(TensorDataset(x, y), batch_size,
/// shuffle)`. Each call to [`DataLoader::iter`] is one epoch; with shuffling, every epoch
/// draws a new order from the loader's own seeded generator.
///
/// ```
/// use logit_core::Tensor;
/// use logit_data::DataLoader;
/// let x = Tensor::randn(&[10, 3]);
/// let y = Tensor::zeros(&[10, 1]);
/// let mut loader = DataLoader::new(&x, &y, 4)?.shuffle(7);
/// let sizes: Vec<usize> = loader.iter().map(|b| b.unwrap().0.shape()[0]).collect();
/// assert_eq!(sizes, vec![4, 4, 2]);
/// # Ok::<(), logit_core::Error>(())
/// ```
pub struct DataLoader {
    x: Tensor,
    y: Tensor,
    batch_size: usize,
    drop_last: bool,
    generator: Option<Generator>,
}

impl DataLoader {
    /// Batches in order (no shuffling), keeping a smaller last batch.
    ///
    /// # Errors
    /// When `batch_size` is 0 or `x` and `y` have different row counts.
    pub fn new(x: &Tensor, y: &Tensor, batch_size: usize) -> Result<DataLoader> {
        let n = x.shape().first().copied().unwrap_or(0);
        if y.shape().first() != Some(&n) {
            return Err(Error::invalid(
                "DataLoader",
                format!("labels with {n} rows, as the features"),
                format!("shape {:?}", y.shape()),
            ));
        }
        if batch_size == 0 {
            return Err(Error::invalid("DataLoader", "batch_size > 0", "0"));
        }
        Ok(DataLoader {
            x: x.detach(),
            y: y.detach(),
            batch_size,
            drop_last: false,
            generator: None,
        })
    }

    /// Shuffles every epoch with a generator seeded by `seed`.
    pub fn shuffle(mut self, seed: u64) -> DataLoader {
        self.generator = Some(Generator::new(seed));
        self
    }

    /// Drops a last batch smaller than `batch_size`.
    pub fn drop_last(mut self, drop_last: bool) -> DataLoader {
        self.drop_last = drop_last;
        self
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.x.shape()[0]
    }

    /// Number of batches per epoch, like `len(loader)`.
    pub fn len(&self) -> usize {
        let n = self.num_rows();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }

    /// True when an epoch has no batch.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One epoch of `(x_batch, y_batch)`.
    pub fn iter(&mut self) -> impl Iterator<Item = Result<(Tensor, Tensor)>> + '_ {
        let n = self.num_rows();
        let order: Option<Vec<i64>> = self.generator.as_mut().map(|g| {
            let mut idx: Vec<i64> = (0..n as i64).collect();
            idx.shuffle(g.rng());
            idx
        });
        let bs = self.batch_size;
        (0..self.len()).map(move |b| {
            let start = b * bs;
            let len = bs.min(n - start);
            match &order {
                None => Ok((self.x.narrow(0, start, len)?, self.y.narrow(0, start, len)?)),
                Some(order) => {
                    let idx = Tensor::from_slice(&order[start..start + len], &[len])?;
                    Ok((self.x.index_select(0, &idx)?, self.y.index_select(0, &idx)?))
                }
            }
        })
    }
}
