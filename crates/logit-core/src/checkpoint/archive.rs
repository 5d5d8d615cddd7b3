//! The zip container of `torch.save` (the default since PyTorch 1.6): `NAME/data.pkl`, one
//! uncompressed record `NAME/data/KEY` per storage, and small version records.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::rc::Rc;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::globals::{StorageKind, StorageRef};
use super::pickle::pickle;
use super::unpickle::unpickle;
use super::value::Value;
use crate::{DType, Error, Result, Storage};

fn format_err(what: &str, message: impl Into<String>) -> Error {
    Error::Format {
        path: what.to_string(),
        message: message.into(),
    }
}

/// Reads one whole record, refusing compressed ones (torch.save never compresses, so a
/// compressed record could only be a zip bomb) and sizes larger than the archive.
fn read_record(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    what: &str,
    limit: u64,
) -> Result<Vec<u8>> {
    let mut f = zip.by_name(name).map_err(|e| match e {
        zip::result::ZipError::UnsupportedArchive(_) => format_err(
            what,
            format!("{name}: an uncompressed record as torch.save writes, got {e}"),
        ),
        _ => format_err(what, format!("expected a record {name}, {e}")),
    })?;
    if f.compression() != CompressionMethod::Stored {
        return Err(format_err(
            what,
            format!(
                "{name}: an uncompressed record as torch.save writes, got {:?}",
                f.compression()
            ),
        ));
    }
    if f.size() > limit {
        return Err(format_err(
            what,
            format!(
                "{name}: declares {} bytes, more than the {limit}-byte archive",
                f.size()
            ),
        ));
    }
    let mut buf = Vec::with_capacity(f.size() as usize);
    f.read_to_end(&mut buf)
        .map_err(|e| format_err(what, format!("{name}: {e}")))?;
    Ok(buf)
}

/// Decodes a storage record of `numel` elements of `kind`.
fn decode(bytes: &[u8], kind: StorageKind, numel: usize, what: &str, key: &str) -> Result<Storage> {
    let want = numel.checked_mul(kind.item_size());
    if want != Some(bytes.len()) {
        return Err(format_err(
            what,
            format!(
                "storage {key}: {numel} elements of {} ({} bytes), got a {}-byte record",
                kind.torch_name(),
                want.map_or("too many".to_string(), |w| w.to_string()),
                bytes.len()
            ),
        ));
    }
    fn le<const N: usize>(b: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
        b.chunks_exact(N)
            .map(|c| c.try_into().expect("exact chunk"))
    }
    let same = |dtype| Storage::from_le_bytes(dtype, bytes).expect("the length was checked");
    Ok(match kind {
        StorageKind::Float => same(DType::F32),
        StorageKind::Double => same(DType::F64),
        StorageKind::Long => same(DType::I64),
        StorageKind::Bool => same(DType::Bool),
        StorageKind::Half => Storage::F32(
            le::<2>(bytes)
                .map(|b| half::f16::from_le_bytes(b).to_f32())
                .collect(),
        ),
        StorageKind::BFloat16 => Storage::F32(
            le::<2>(bytes)
                .map(|b| half::bf16::from_le_bytes(b).to_f32())
                .collect(),
        ),
        StorageKind::Int => Storage::I64(
            le::<4>(bytes)
                .map(|b| i32::from_le_bytes(b).into())
                .collect(),
        ),
        StorageKind::Short => Storage::I64(
            le::<2>(bytes)
                .map(|b| i16::from_le_bytes(b).into())
                .collect(),
        ),
        StorageKind::Char => Storage::I64(bytes.iter().map(|&b| (b as i8).into()).collect()),
        StorageKind::Byte => Storage::I64(bytes.iter().map(|&b| b.into()).collect()),
    })
}

/// The record prefix (`NAME/`) of the archive's `data.pkl`, refusing TorchScript archives.
fn prefix(zip: &ZipArchive<Cursor<&[u8]>>, what: &str) -> Result<String> {
    let names: Vec<&str> = zip.file_names().collect();
    if names.iter().any(|n| n.ends_with("/constants.pkl"))
        && names.iter().any(|n| n.contains("/code/"))
    {
        return Err(format_err(
            what,
            "a torch.save archive, got a TorchScript archive (torch.jit.save); save the \
             model's state_dict() with torch.save instead",
        ));
    }
    let pkl = names
        .iter()
        .filter(|n| n.ends_with("data.pkl"))
        .min_by_key(|n| n.len())
        .ok_or_else(|| {
            format_err(
                what,
                "a torch.save archive with a data.pkl record, found none",
            )
        })?;
    Ok(pkl[..pkl.len() - "data.pkl".len()].to_string())
}

/// Parses the bytes of a `torch.save` zip archive.
pub(crate) fn read(bytes: &[u8], what: &str) -> Result<(Value, HashMap<u64, StorageKind>)> {
    let limit = bytes.len() as u64;
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format_err(what, format!("a zip archive as torch.save writes, {e}")))?;
    let prefix = prefix(&zip, what)?;
    if zip.index_for_name(&format!("{prefix}byteorder")).is_some() {
        let order = read_record(&mut zip, &format!("{prefix}byteorder"), what, limit)?;
        if order != b"little" {
            return Err(format_err(
                what,
                format!(
                    "little-endian storages, got byteorder {:?}",
                    String::from_utf8_lossy(&order)
                ),
            ));
        }
    }
    let pkl = read_record(&mut zip, &format!("{prefix}data.pkl"), what, limit)?;
    let mut cache: HashMap<String, Rc<StorageRef>> = HashMap::new();
    // records that together hold more bytes than the archive overlap: a zip bomb
    let mut read_total = pkl.len() as u64;
    let mut loader = |key: &str, kind: StorageKind, numel: usize| -> Result<Rc<StorageRef>> {
        if let Some(s) = cache.get(key) {
            if s.kind != kind || s.data.len() != numel {
                return Err(format_err(
                    what,
                    format!("storage {key} is declared twice with different types or sizes"),
                ));
            }
            return Ok(s.clone());
        }
        let name = format!("{prefix}data/{key}");
        let raw = read_record(&mut zip, &name, what, limit)?;
        read_total += raw.len() as u64;
        if read_total > limit {
            return Err(format_err(
                what,
                format!("records that fit in the {limit}-byte archive, but they overlap ({name})"),
            ));
        }
        let s = Rc::new(StorageRef {
            data: decode(&raw, kind, numel, what, key)?,
            kind,
        });
        cache.insert(key.to_string(), s.clone());
        Ok(s)
    };
    unpickle(&pkl, what, bytes.len(), &mut loader)
}

/// The bytes of a `torch.save` archive holding `v`, with records under `name/`. The output
/// depends only on `v` and `name` (fixed timestamps, no random serialization id), so the same
/// checkpoint always gives the same bytes.
pub(crate) fn write(v: &Value, name: &str) -> Result<Vec<u8>> {
    let (pkl, records) = pickle(v);
    let zerr = |e: zip::result::ZipError| format_err(name, format!("writing the archive: {e}"));
    let ioerr = |e: std::io::Error| format_err(name, format!("writing the archive: {e}"));
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = |len: usize| {
        SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(DateTime::default())
            .with_alignment(64)
            .large_file(len as u64 >= u64::from(u32::MAX))
    };
    let put = |w: &mut ZipWriter<Cursor<Vec<u8>>>, rec: &str, data: &[u8]| -> Result<()> {
        w.start_file(format!("{name}/{rec}"), opts(data.len()))
            .map_err(zerr)?;
        w.write_all(data).map_err(ioerr)
    };
    put(&mut w, "data.pkl", &pkl)?;
    put(&mut w, ".format_version", b"1")?;
    put(&mut w, ".storage_alignment", b"64")?;
    put(&mut w, "byteorder", b"little")?;
    for r in &records {
        put(&mut w, &format!("data/{}", r.key), &r.bytes)?;
    }
    put(&mut w, "version", b"3\n")?;
    Ok(w.finish().map_err(zerr)?.into_inner())
}
