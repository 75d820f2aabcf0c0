//! Writing a file so that it appears whole or not at all.
//!
//! The data goes to a temporary file in the same folder, is flushed to
//! disk, and is then renamed over the final name; the folder is flushed too
//! so the rename itself survives a crash. A crash at any point leaves at
//! most a stray temporary file, never a half-written final file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Temporary files start with this, so readers can skip them.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Writes `contents` to `path` atomically.
///
/// The temporary name is derived from `path` and the process id, so
/// callers must not write the same path from two threads at once.
pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let folder = path.parent().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "an atomic write needs a parent folder",
        )
    })?;
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("file");
    let temp_path = folder.join(format!("{TEMP_PREFIX}{file_name}-{}", std::process::id()));

    let written = write_and_sync(&temp_path, contents).and_then(|()| fs::rename(&temp_path, path));
    if let Err(error) = written {
        // Best effort: the write already failed, and a leftover temporary
        // file is invisible to readers anyway.
        let _ = fs::remove_file(&temp_path);
        return Err(error);
    }

    sync_folder(folder)
}

fn write_and_sync(path: &Path, contents: &[u8]) -> io::Result<()> {
    // Truncating, not `create_new`: a temporary file left by a crashed
    // process that had the same id is simply reused.
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Flushes a folder's entries, so a rename into it is durable. Only Unix
/// can open a folder for that; elsewhere the rename is as durable as the
/// file system makes it.
pub fn sync_folder(folder: &Path) -> io::Result<()> {
    if cfg!(unix) {
        File::open(folder)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("segment.json");

        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();

        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(folder.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["segment.json"]);
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_untouched() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("segment.json");
        write_atomically(&path, b"kept").unwrap();

        // Renaming a file over a non-empty folder fails.
        let blocked = folder.path().join("blocked");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("inside"), b"x").unwrap();
        assert!(write_atomically(&blocked, b"new").is_err());

        assert_eq!(fs::read(&path).unwrap(), b"kept");
        let leftovers = fs::read_dir(folder.path())
            .unwrap()
            .filter(|entry| {
                entry
                    .as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(TEMP_PREFIX)
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}
