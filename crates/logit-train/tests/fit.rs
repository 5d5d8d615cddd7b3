//! `Fit`: early stopping restores the best epoch's weights, a history resumes with its epoch
//! numbers, checkpoints are written, callbacks can stop a run, bad losses are named.

use logit_core::checkpoint;
use logit_core::{manual_seed, Result, Tensor};
use logit_data::DataLoader;
use logit_losses::BCEWithLogitsLoss;
use logit_nn::{Linear, Module};
use logit_optim::SGD;
use logit_train::{Callback, Checkpoint, Control, EpochLog, Fit, History};

fn bce(out: &Tensor, y: &Tensor) -> Result<Tensor> {
    BCEWithLogitsLoss::new().forward(out, y)
}

/// Training labels follow the first feature, validation labels the opposite: every epoch of
/// training makes the validation loss worse after the first.
fn data() -> Result<(Tensor, Tensor, Tensor, Tensor)> {
    manual_seed(3);
    let x = Tensor::randn(&[128, 2]);
    let y = x.narrow(1, 0, 1)?.gt_scalar(0.0).float();
    let y_val = 1.0 - &y;
    Ok((x.clone(), y, x, y_val))
}

/// Copies every parameter's values after each epoch.
#[derive(Default)]
struct Snapshots(Vec<Vec<Vec<f64>>>);

impl Callback for Snapshots {
    fn on_epoch_end(
        &mut self,
        _: &EpochLog,
        model: &dyn Module,
        _: &dyn logit_optim::Optimizer,
    ) -> Result<Control> {
        self.0
            .push(model.parameters().iter().map(|p| p.to_vec_f64()).collect());
        Ok(Control::Continue)
    }
}

#[test]
fn early_stopping_restores_the_best_epochs_weights() -> Result<()> {
    let (x, y, x_val, y_val) = data()?;
    let model = Linear::new(2, 1)?;
    let mut opt = SGD::new(model.parameters(), 0.5)?;
    let mut loader = DataLoader::new(&x, &y, 32)?;
    let mut snaps = Snapshots::default();
    let history = Fit::new(&model, &mut opt, bce)
        .epochs(50)
        .validation(&x_val, &y_val)
        .early_stopping(3)
        .callback(&mut snaps)
        .run(&mut loader)?;
    let best = history.best_epoch.expect("a best epoch");
    let val = history.val_losses();
    let argmin = (0..val.len())
        .min_by(|&a, &b| val[a].total_cmp(&val[b]))
        .unwrap()
        + 1;
    assert_eq!(best, argmin);
    assert!(history.stopped_early);
    assert_eq!(
        history.len(),
        best + 3,
        "stopped `patience` epochs after the best"
    );
    let now: Vec<Vec<f64>> = model.parameters().iter().map(|p| p.to_vec_f64()).collect();
    assert_eq!(
        now,
        snaps.0[best - 1],
        "the model holds epoch {best}'s weights"
    );
    assert_ne!(now, snaps.0[history.len() - 1], "not the last epoch's");
    Ok(())
}

#[test]
fn a_resumed_history_continues_its_epoch_numbers() -> Result<()> {
    let (x, y, _, _) = data()?;
    let model = Linear::new(2, 1)?;
    let mut opt = SGD::new(model.parameters(), 0.1)?;
    let mut loader = DataLoader::new(&x, &y, 32)?;
    let first = Fit::new(&model, &mut opt, bce)
        .epochs(3)
        .metric("accuracy", |out, y| {
            let p = out.sigmoid().gt_scalar(0.5).float();
            p.eq(y)?.float().mean().item()
        })
        .validation(&x, &y)
        .run(&mut loader)?;
    assert_eq!(first.metric("accuracy").len(), 3);
    let text = serde_json::to_string(&first).unwrap();
    let restored: History = serde_json::from_str(&text).unwrap();
    assert_eq!(restored, first);
    let resumed = Fit::new(&model, &mut opt, bce)
        .epochs(2)
        .history(restored)
        .run(&mut loader)?;
    let epochs: Vec<usize> = resumed.epochs.iter().map(|e| e.epoch).collect();
    assert_eq!(epochs, [1, 2, 3, 4, 5]);
    assert!(
        resumed.epochs[4].val_loss.is_none(),
        "no validation in the second run"
    );
    assert!(resumed.train_losses()[4] < resumed.train_losses()[0]);
    Ok(())
}

#[test]
fn checkpoints_and_callbacks_that_stop() -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ckpt.pth");
    let (x, y, _, _) = data()?;
    let model = Linear::new(2, 1)?;
    let mut opt = SGD::new(model.parameters(), 0.1)?;
    let mut loader = DataLoader::new(&x, &y, 32)?;
    let mut ckpt = Checkpoint::new(&path, 2);
    let mut seen = Vec::new();
    let mut log = |l: &EpochLog| seen.push(l.epoch);
    struct StopAt(usize);
    impl Callback for StopAt {
        fn on_epoch_end(
            &mut self,
            l: &EpochLog,
            _: &dyn Module,
            _: &dyn logit_optim::Optimizer,
        ) -> Result<Control> {
            Ok(if l.epoch == self.0 {
                Control::Stop
            } else {
                Control::Continue
            })
        }
    }
    let mut stop = StopAt(5);
    let history = Fit::new(&model, &mut opt, bce)
        .epochs(20)
        .callback(&mut ckpt)
        .callback(&mut log)
        .callback(&mut stop)
        .run(&mut loader)?;
    assert_eq!(history.len(), 5);
    assert_eq!(seen, [1, 2, 3, 4, 5]);
    let saved = checkpoint::load(&path)?;
    assert_eq!(saved.get("epoch")?.as_i64()?, 4);
    assert!(saved.get("model")?.get("weight").is_ok());
    Ok(())
}

#[test]
fn a_loss_that_is_not_finite_names_its_epoch() -> Result<()> {
    let (x, y, _, _) = data()?;
    let model = Linear::new(2, 1)?;
    let mut opt = SGD::new(model.parameters(), 1e30)?;
    let mut loader = DataLoader::new(&x.mul_scalar(1e30), &y, 32)?;
    let e = Fit::new(&model, &mut opt, |out: &Tensor, y: &Tensor| {
        Ok(out.sub(y)?.pow(2.0).mean())
    })
    .epochs(5)
    .run(&mut loader)
    .unwrap_err()
    .to_string();
    assert!(e.contains("training loss (epoch"), "{e}");
    Ok(())
}
