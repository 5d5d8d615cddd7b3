//! File helpers shared by every crate that reads or saves something.

use std::io::Write;
use std::path::Path;

use crate::{Error, Result};

/// Reads a whole file.
///
/// # Errors
/// [`Error::Io`] naming the path when it cannot be read.
pub fn read(path: impl AsRef<Path>) -> Result<Vec<u8>> {
    let path = path.as_ref();
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Writes `bytes` to `path` atomically: into a temporary file in the same folder, flushed to
/// disk, then renamed over `path`. A crash or kill mid-way leaves the old file intact and no
/// partial file under the final name.
///
/// # Errors
/// [`Error::Io`] naming the path when the folder is missing or not writable.
pub fn atomic_write(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = path.as_ref();
    atomic_with(path, |tmp| {
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(tmp)?;
            f.write_all(bytes)?;
            f.sync_all()
        };
        write().map_err(|e| Error::io(path, e))
    })
}

/// Produces `path` atomically with a writer that needs a file name (a streamed CSV, a plotting
/// backend): `write` fills a temporary sibling of `path`, which is renamed over `path` only
/// when `write` succeeds and removed otherwise. The one temp-then-rename of the project.
///
/// ```
/// let out = std::env::temp_dir().join(format!("logit-doc-{}.csv", std::process::id()));
/// logit_core::io::atomic_with(&out, |tmp| {
///     std::fs::write(tmp, "a,b\n").map_err(|e| logit_core::Error::io(tmp, e))
/// })?;
/// assert_eq!(std::fs::read_to_string(&out)?, "a,b\n");
/// # std::fs::remove_file(&out)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// What `write` returns, or [`Error::Io`] naming `path` when it is not a file path or the
/// rename fails.
pub fn atomic_with<T>(path: &Path, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid("atomic_write", "a file path", path.display().to_string()))?;
    // the extension is kept because some writers pick the format by it (plotters' PNG encoder)
    let ext = path
        .extension()
        .map_or(String::new(), |e| format!(".{}", e.to_string_lossy()));
    let tmp = dir.join(format!(
        ".{}.tmp-{}{ext}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = write(&tmp).and_then(|v| {
        std::fs::rename(&tmp, path)
            .map(|()| v)
            .map_err(|e| Error::io(path, e))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("logit-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.bin");
        super::atomic_write(&p, b"old").unwrap();
        super::atomic_write(&p, b"new").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let e = super::atomic_write(dir.join("missing/x.bin"), b"x").unwrap_err();
        assert!(e.to_string().contains("missing/x.bin"), "{e}");
        let failed: crate::Result<()> = super::atomic_with(&p, |tmp| {
            std::fs::write(tmp, b"half").unwrap();
            Err(crate::Error::invalid("writer", "success", "a failure"))
        });
        assert!(failed.is_err());
        assert_eq!(
            std::fs::read(&p).unwrap(),
            b"new",
            "a failed write keeps the old file"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
