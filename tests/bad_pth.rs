//! Hostile and damaged `.pth` files: each one a clear `Err` naming what was expected, never a
//! panic, a hang or an allocation far beyond the file's size. The archives are built here, by
//! hand, byte for byte.

use std::io::Write;

use logit::core::checkpoint::{self, Value};
use logit::core::{Error, Result, Tensor};

/// A zip archive of stored records, as torch.save lays them out.
fn archive(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in records {
        w.start_file(format!("archive/{name}"), opts)
            .expect("in memory");
        w.write_all(data).expect("in memory");
    }
    w.finish().expect("in memory").into_inner()
}

fn int(out: &mut Vec<u8>, i: u64) {
    out.push(0x8a);
    out.push(8);
    out.extend_from_slice(&i.to_le_bytes());
}

fn tuple(out: &mut Vec<u8>, items: &[u64]) {
    out.push(b'(');
    for &i in items {
        int(out, i);
    }
    out.push(b't');
}

/// `{"w": _rebuild_tensor_v2(storage("0", FloatStorage, numel), offset, size, stride)}`.
fn tensor_pickle(numel: u64, offset: u64, size: &[u64], stride: &[u64]) -> Vec<u8> {
    let mut p = b"\x80\x02}(X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu".to_vec();
    int(&mut p, numel);
    p.extend_from_slice(b"tQ");
    int(&mut p, offset);
    tuple(&mut p, size);
    tuple(&mut p, stride);
    p.extend_from_slice(b"\x89}tRu.");
    p
}

fn expect_err(bytes: &[u8], needle: &str) {
    match checkpoint::from_bytes(bytes, "bad.pth") {
        Ok(v) => panic!("expected an error about {needle:?}, got {v}"),
        Err(e) => {
            let msg = e.to_string();
            assert!(matches!(e, Error::Format { .. }), "{e:?}");
            assert!(msg.starts_with("bad.pth: "), "{msg}");
            assert!(msg.contains(needle), "expected {needle:?} in: {msg}");
        }
    }
}

fn floats(n: usize) -> Vec<u8> {
    (0..n).flat_map(|i| (i as f32).to_le_bytes()).collect()
}

#[test]
fn a_valid_hand_built_archive_parses() -> Result<()> {
    let data = floats(6);
    let v = checkpoint::from_bytes(
        &archive(&[
            ("data.pkl", &tensor_pickle(6, 1, &[2, 2], &[1, 2])),
            ("data/0", &data),
        ]),
        "good.pth",
    )?;
    // elements 1 + i + 2j of 0..6, read as a transposed 2x2 view
    assert_eq!(
        v.get("w")?.as_tensor()?.to_vec_f64(),
        vec![1.0, 3.0, 2.0, 4.0]
    );
    Ok(())
}

#[test]
fn views_and_storages_that_do_not_fit_are_refused() {
    let (data, one) = (floats(6), floats(1));
    let cases: Vec<(Vec<u8>, &[u8], &str)> = vec![
        (
            tensor_pickle(6, 5, &[2], &[1]),
            &data,
            "a view inside its storage of 6 elements",
        ),
        (
            tensor_pickle(6, 0, &[3, 3], &[3, 1]),
            &data,
            "reaching element 8",
        ),
        (
            tensor_pickle(6, 0, &[1 << 40, 1 << 40], &[0, 0]),
            &data,
            "fits in memory",
        ),
        (
            tensor_pickle(6, 0, &[3, 2], &[u64::MAX / 2, 2]),
            &data,
            "overflows",
        ),
        (
            tensor_pickle(1 << 60, 0, &[2], &[1]),
            &data,
            "elements of torch.float32",
        ),
        (
            tensor_pickle(8, 0, &[2], &[1]),
            &data,
            "got a 24-byte record",
        ),
        (
            tensor_pickle(6, 0, &[2, 3], &[3]),
            &data,
            "as many strides as sizes",
        ),
        (
            tensor_pickle(1, 0, &[1 << 27], &[0]),
            &one,
            "copy out more than",
        ),
    ];
    for (pkl, storage, needle) in cases {
        expect_err(&archive(&[("data.pkl", &pkl), ("data/0", storage)]), needle);
    }
}

#[test]
fn a_missing_storage_record_is_named() {
    expect_err(
        &archive(&[("data.pkl", &tensor_pickle(6, 0, &[6], &[1]))]),
        "expected a record archive/data/0",
    );
}

#[test]
fn globals_outside_the_allowlist_are_named_and_nothing_runs() {
    let cases: [(&[u8], &str); 4] = [
        (
            b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.",
            "the global os.system is not allowed",
        ),
        (b"\x80\x02cbuiltins\neval\n.", "builtins.eval"),
        (
            b"\x80\x02ctorch.nn.modules.linear\nLinear\n)\x81.",
            "torch.nn.modules.linear.Linear",
        ),
        (
            b"\x80\x04\x8c\x08builtins\x8c\x04exec\x93.",
            "builtins.exec",
        ),
    ];
    for (pkl, needle) in cases {
        expect_err(&archive(&[("data.pkl", pkl)]), needle);
    }
}

#[test]
fn opcodes_that_build_objects_or_misuse_the_stack_are_refused() {
    let cases: [(&[u8], &str); 9] = [
        (b"\x80\x02(ios\nsystem\n.", "builds an arbitrary object"),
        (b"\x80\x02}(o.", "builds an arbitrary object"),
        (
            b"\x80\x02h\x05.",
            "memo entry 5 is read before it is written",
        ),
        (b"\x80\x02a.", "the stack is empty"),
        (b"\x80\x02K\x01t.", "needs a MARK"),
        (b"\x80\x02X\xff\xff\xff\xff", "more bytes"),
        (b"\x80\x02\x8b\x00\x00\x01\x00", "at most 8 bytes"),
        (b"\x80\x02]q\x00h\x00a.", "nested more than 256 levels"),
        (b"\x80\x02\xfe.", "unknown pickle opcode 0xfe"),
    ];
    for (pkl, needle) in cases {
        expect_err(&archive(&[("data.pkl", pkl)]), needle);
    }
}

#[test]
fn a_pickle_that_expands_exponentially_is_refused() {
    // t = (); 40 times: t = (t, t) -- 2^40 objects if expanded into a tree
    let mut p = b"\x80\x02)q\x00".to_vec();
    for _ in 0..40 {
        p.extend_from_slice(b"h\x00h\x00\x86q\x00");
    }
    p.push(b'.');
    expect_err(
        &archive(&[("data.pkl", &p)]),
        "far more objects than its size allows",
    );
}

#[test]
fn damaged_archives_are_refused() {
    let good = checkpoint::to_bytes(&Value::dict([("w", Tensor::ones(&[64]).into())]), "archive")
        .expect("in memory");
    for cut in (0..good.len()).step_by(41) {
        assert!(
            checkpoint::from_bytes(&good[..cut], "cut.pth").is_err(),
            "cut at {cut}"
        );
    }
    // a flipped byte inside the tensor data fails the CRC check
    let at = good
        .windows(4)
        .position(|w| w == 1f32.to_le_bytes())
        .expect("data");
    let mut bad = good.clone();
    bad[at] ^= 0x40;
    assert!(checkpoint::from_bytes(&bad, "crc.pth").is_err());
    // a record marked deflated (a zip bomb's method) is refused before anything is inflated
    let mut deflated = good.clone();
    let mut i = 0;
    while let Some(p) = deflated[i..]
        .windows(4)
        .position(|w| w == b"PK\x03\x04" || w == b"PK\x01\x02")
    {
        let at = i + p;
        let method = at + if deflated[at + 2] == 3 { 8 } else { 10 };
        deflated[method] = 8;
        i = at + 4;
    }
    expect_err(&deflated, "an uncompressed record as torch.save writes");
    expect_err(
        b"PK\x03\x04 not really a zip",
        "a zip archive as torch.save writes",
    );
    expect_err(b"hello", "a torch.save zip archive (starting with PK");
}

#[test]
fn other_zip_files_are_told_apart() {
    expect_err(
        &archive(&[("weights.bin", b"x")]),
        "with a data.pkl record, found none",
    );
    expect_err(
        &archive(&[
            ("constants.pkl", b"."),
            ("code/__torch__.py", b""),
            ("data.pkl", b"."),
        ]),
        "TorchScript archive",
    );
    expect_err(
        &archive(&[("byteorder", b"big"), ("data.pkl", b"\x80\x02N.")]),
        "little-endian storages, got byteorder \"big\"",
    );
}
