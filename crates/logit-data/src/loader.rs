//! [`DataLoader`]: mini-batches over `(features, labels)`, optionally shuffled each epoch.

use logit_core::random::{random_i64, with_generator};
use logit_core::{Error, Generator, Result, Tensor};

/// Batches of rows of a tensor data set, like `DataLoader(TensorDataset(x, y), batch_size,
/// shuffle)`. Each call to [`DataLoader::iter`] is one epoch and draws from the random stream
/// exactly what PyTorch's single-process DataLoader draws: a base seed per epoch (even without
/// shuffling), then `RandomSampler`'s order, `randperm(n)` from a generator seeded from the
/// global stream ([`DataLoader::shuffle_global`], `shuffle=True`) or from the loader's own
/// generator ([`DataLoader::shuffle`], `shuffle=True, generator=g`).
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
    shuffle: bool,
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
            shuffle: false,
            generator: None,
        })
    }

    /// Batches of features and labels held in ndarray arrays (any layout, copied once), like a
    /// `DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size)`.
    ///
    /// ```
    /// use logit_data::DataLoader;
    /// let x = ndarray::Array2::<f32>::zeros((10, 3));
    /// let y = ndarray::Array2::<f32>::ones((10, 1));
    /// let mut loader = DataLoader::from_arrays(x.view(), y.view(), 4)?;
    /// let sizes: Vec<usize> = loader.iter().map(|b| b.map(|(xb, _)| xb.shape()[0])).collect::<Result<_, _>>()?;
    /// assert_eq!(sizes, vec![4, 4, 2]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`DataLoader::new`].
    pub fn from_arrays<T, U, D, E>(
        x: ndarray::ArrayView<'_, T, D>,
        y: ndarray::ArrayView<'_, U, E>,
        batch_size: usize,
    ) -> Result<DataLoader>
    where
        T: logit_core::Element,
        U: logit_core::Element,
        D: ndarray::Dimension,
        E: ndarray::Dimension,
    {
        DataLoader::new(
            &Tensor::from_array_view(x)?,
            &Tensor::from_array_view(y)?,
            batch_size,
        )
    }

    /// Shuffles every epoch with the loader's own generator seeded by `seed`, like
    /// `DataLoader(..., shuffle=True, generator=torch.Generator().manual_seed(seed))`.
    pub fn shuffle(mut self, seed: u64) -> DataLoader {
        self.shuffle = true;
        self.generator = Some(Generator::new(seed));
        self
    }

    /// Shuffles every epoch from the global generator, like `DataLoader(..., shuffle=True)`
    /// after `torch.manual_seed`.
    pub fn shuffle_global(mut self) -> DataLoader {
        self.shuffle = true;
        self.generator = None;
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

    /// The draws of one epoch: `_BaseDataLoaderIter`'s base seed, then the sampler's
    /// permutation and the second `randperm` that `RandomSampler` draws when it is exhausted.
    fn epoch_order(&mut self, n: usize) -> Option<Vec<i64>> {
        let (shuffle, own) = (self.shuffle, self.generator.is_some());
        with_generator(self.generator.as_mut(), |g| {
            random_i64(g); // the base seed for worker processes, drawn even when unused
            if !shuffle {
                return None;
            }
            let mut sampler = (!own).then(|| Generator::new(random_i64(g) as u64));
            let g = sampler.as_mut().unwrap_or(g);
            let order = Tensor::randperm(n, Some(g)).to_vec::<i64>();
            Tensor::randperm(n, Some(g));
            Some(order)
        })
    }

    /// One epoch of `(x_batch, y_batch)`.
    pub fn iter(&mut self) -> impl Iterator<Item = Result<(Tensor, Tensor)>> + '_ {
        let n = self.num_rows();
        let order = self.epoch_order(n);
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
