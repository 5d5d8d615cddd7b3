//! `logit convert` and `logit inspect` on files written by PyTorch (the root package's
//! tests/fixtures/pytorch/pth, made by checkpoints.py).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use logit_core::checkpoint;
use logit_core::Result;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/pytorch/pth")
        .join(name)
}

fn logit(args: &[&std::ffi::OsStr]) -> std::io::Result<Output> {
    Command::new(env!("CARGO_BIN_EXE_logit"))
        .args(args)
        .output()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[test]
fn a_pytorch_checkpoint_converts_to_safetensors_with_dotted_keys() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| logit_core::Error::io("tempdir", e))?;
    let out = dir.path().join("ckpt.safetensors");
    let input = fixture("adam_checkpoint.pth");
    let o = logit(&["convert".as_ref(), input.as_os_str(), out.as_os_str()])
        .map_err(|e| logit_core::Error::io("logit", e))?;
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("left out") && err.contains("epoch"), "{err}");
    let sd = logit_nn::load_safetensors(&out)?;
    let original = checkpoint::load(&input)?;
    let tensors = original.named_tensors();
    assert_eq!(sd.len(), tensors.len());
    for (k, t) in &tensors {
        let got = sd.get(k).unwrap_or_else(|| panic!("{k} missing"));
        assert_eq!(got.to_vec_f64(), t.to_vec_f64(), "{k}");
    }
    assert!(sd.get("model.layer1.weight").is_some());
    assert!(sd.get("optimizer.state.0.exp_avg").is_some());
    Ok(())
}

#[test]
fn safetensors_and_pth_convert_both_ways() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| logit_core::Error::io("tempdir", e))?;
    let (st, back) = (dir.path().join("m.safetensors"), dir.path().join("m.pth"));
    let input = fixture("diabetes_predictor.pth");
    for (from, to) in [
        (input.as_path(), st.as_path()),
        (st.as_path(), back.as_path()),
    ] {
        let o = logit(&["convert".as_ref(), from.as_os_str(), to.as_os_str()])
            .map_err(|e| logit_core::Error::io("logit", e))?;
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("wrote 6 tensors"),
            "{}",
            text(&o.stderr)
        );
    }
    let (a, b) = (
        logit_nn::load_state_dict_file(&input)?,
        logit_nn::load_state_dict_file(&back)?,
    );
    fn sorted(mut k: Vec<&str>) -> Vec<&str> {
        k.sort();
        k
    }
    assert_eq!(sorted(a.keys()), sorted(b.keys()));
    for (k, t) in a.iter() {
        assert_eq!(
            b.get(k).map(|x| x.to_vec_f64()),
            Some(t.to_vec_f64()),
            "{k}"
        );
    }
    Ok(())
}

#[test]
fn inspect_lists_names_stored_dtypes_shapes_and_other_entries() -> Result<()> {
    let ckpt = fixture("adam_checkpoint.pth");
    let o = logit(&["inspect".as_ref(), ckpt.as_os_str()])
        .map_err(|e| logit_core::Error::io("logit", e))?;
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let line = out
        .lines()
        .find(|l| l.starts_with("model.layer1.weight "))
        .expect("listed");
    assert!(
        line.contains("torch.float32") && line.contains("[12, 8]") && line.ends_with("96"),
        "{line}"
    );
    assert!(out.lines().any(|l| l == "epoch = 3"), "{out}");
    assert!(
        out.contains("optimizer.param_groups.0.betas = (0.9, 0.999)"),
        "{out}"
    );
    let half = fixture("dtypes.pth");
    let o = logit(&["inspect".as_ref(), half.as_os_str()])
        .map_err(|e| logit_core::Error::io("logit", e))?;
    assert!(
        text(&o.stdout).contains("torch.bfloat16"),
        "{}",
        text(&o.stdout)
    );
    Ok(())
}

#[test]
fn mistakes_end_with_one_clear_line() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| logit_core::Error::io("tempdir", e))?;
    let csv = dir.path().join("data.csv");
    std::fs::write(&csv, "a,b\n1,2\n").map_err(|e| logit_core::Error::io(&csv, e))?;
    let legacy = fixture("legacy.pth");
    let (txt, xpth) = (dir.path().join("out.txt"), dir.path().join("x.pth"));
    let cases: Vec<(Vec<&std::ffi::OsStr>, &str)> = vec![
        (
            vec!["inspect".as_ref(), csv.as_os_str()],
            "a torch.save zip archive",
        ),
        (
            vec!["inspect".as_ref(), legacy.as_os_str()],
            "legacy format",
        ),
        (
            vec!["convert".as_ref(), legacy.as_os_str(), txt.as_os_str()],
            ".safetensors, .pth or .pt",
        ),
        (
            vec!["convert".as_ref(), csv.as_os_str(), xpth.as_os_str()],
            "a torch.save zip archive",
        ),
    ];
    for (args, expect) in cases {
        let o = logit(&args).map_err(|e| logit_core::Error::io("logit", e))?;
        let err = text(&o.stderr);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: ") && err.contains(expect),
            "{args:?}: {err}"
        );
    }
    assert!(!xpth.exists(), "no partial file");
    Ok(())
}
