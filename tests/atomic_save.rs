//! Saving is atomic: a process killed while it saves, over and over, never leaves a partial
//! file under the final name; what is there is always a complete, loadable model.
//!
//! The test re-runs its own binary as the saving child (selected by an environment variable).

use std::process::Command;
use std::time::{Duration, Instant};

use logit::models::FraudDetectionModel;
use logit::nn::{load_safetensors, Linear, ModuleIo};

const CHILD: &str = "LOGIT_ATOMIC_SAVE_CHILD";

/// A model big enough (about 16 MB) that a save takes a while.
fn big() -> Linear {
    Linear::new(2000, 2000).unwrap()
}

#[test]
fn saving_child() {
    let Ok(path) = std::env::var(CHILD) else {
        return;
    }; // only in the child process
    let m = big();
    loop {
        m.save(&path).unwrap();
    }
}

#[test]
fn killing_a_process_mid_save_leaves_the_old_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    // the "old" file: a complete model of the same shape
    big().save(&path).unwrap();
    let expected_len = std::fs::metadata(&path).unwrap().len();
    let mut killed_mid_write = 0;
    for round in 0..20 {
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "saving_child", "--nocapture", "--test-threads=1"])
            .env(CHILD, &path)
            .spawn()
            .unwrap();
        // wait until the child has completed a save (so it is in its save loop), then a
        // little more, to land somewhere inside a later save
        let start = Instant::now();
        while std::fs::metadata(&path).unwrap().modified().unwrap() == before
            && start.elapsed() < Duration::from_secs(30)
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(3 + 7 * round));
        child.kill().unwrap();
        child.wait().unwrap();
        // a temporary file left behind means the kill landed in the middle of a write
        let tmp = dir
            .path()
            .join(format!(".model.safetensors.tmp-{}.safetensors", child.id()));
        if tmp.exists() {
            killed_mid_write += 1;
            std::fs::remove_file(tmp).unwrap();
        }
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            expected_len,
            "round {round}: partial file"
        );
        let sd = load_safetensors(&path).unwrap();
        assert_eq!(sd.get("weight").unwrap().shape(), &[2000, 2000]);
        let target = big();
        target.load(&path).unwrap();
        if round >= 4 && killed_mid_write >= 2 {
            break;
        }
    }
    // at least one kill hit a write, or this test proved nothing
    assert!(
        killed_mid_write > 0,
        "no kill landed during a write; the test proved nothing"
    );
    // leftovers may only be temporary files, never under the final name
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            name == "model.safetensors" || name.starts_with(".model.safetensors.tmp-"),
            "{name}"
        );
    }
    // and a normal save still works over it
    let start = Instant::now();
    FraudDetectionModel::new(4)
        .unwrap()
        .save(dir.path().join("fraud.safetensors"))
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
}
