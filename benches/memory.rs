//! Peak memory of one ResNet-18 training step (batch 8, 3×224×224, f32: forward,
//! CrossEntropyLoss, backward, SGD step), as the rise of the process's peak resident set above
//! its size once the model and the batch exist. `benches/pytorch/memory.py` measures PyTorch
//! the same way; `benches/memory.sh` runs both. Linux only (reads /proc/self/status and resets
//! the peak through /proc/self/clear_refs). Prints one JSON line.

use logit::core::{manual_seed, Tensor};
use logit::losses::CrossEntropyLoss;
use logit::models::ResNet;
use logit::nn::Module;
use logit::optim::{Optimizer, SGDConfig, SGD};

/// `VmRSS` and `VmHWM` of this process, in KiB.
fn rss_and_peak() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() -> logit::Result<()> {
    let threads: usize = std::env::args()
        .skip_while(|a| a != "--threads")
        .nth(1)
        .and_then(|t| t.parse().ok())
        .unwrap_or(1);
    logit::set_num_threads(threads);
    manual_seed(0);
    let model = ResNet::resnet18(1000)?;
    model.train();
    let x = Tensor::randn(&[8, 3, 224, 224]);
    let y = Tensor::randint(0, 1000, &[8])?;
    let mut opt = SGD::new(
        model.parameters(),
        SGDConfig {
            lr: 0.01,
            momentum: 0.9,
            ..Default::default()
        },
    )?;
    let criterion = CrossEntropyLoss::new();
    let (base, _) = rss_and_peak();
    // the peak so far is the model's construction; count from here
    std::fs::write("/proc/self/clear_refs", "5").expect("resetting the peak RSS");
    for _ in 0..2 {
        opt.zero_grad();
        let loss = criterion.forward(&model.forward(&x)?, &y)?;
        loss.backward()?;
        opt.step()?;
    }
    let (_, peak) = rss_and_peak();
    println!(
        "{{\"system\":\"logit\",\"workload\":\"resnet18_train_step_b8_peak_rss\",\"threads\":{threads},\"baseline_mib\":{:.1},\"step_peak_above_baseline_mib\":{:.1}}}",
        base as f64 / 1024.0,
        peak.saturating_sub(base) as f64 / 1024.0
    );
    Ok(())
}
