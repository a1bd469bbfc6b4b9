//! Crash-safe file operations for the enrolment, the cached profile and the spool.
//!
//! A file is written to a temporary file in the same directory whose name starts with
//! [`TMP_PREFIX`] (so that no reader ever picks up a half-written file), fsynced, made private
//! to its owner (0600 on unix), renamed over the target, and the directory is fsynced on unix
//! so that the rename itself survives a power cut. After [`write`] returns, the file is on
//! disk whole, or (if it failed) the previous version is untouched.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Prefix of temporary files; every directory reader skips names starting with a dot.
pub const TMP_PREFIX: &str = ".tmp-";

/// Write `bytes` to `dir/name` durably and privately (see the module header).
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    Pending::new(dir, name)?.commit(bytes)
}

/// The folder and the file name of `path`, as [`write`] and [`Pending::new`] take them (a
/// bare name is in the current folder); `None` when `path` names no file (`/`, `..`).
pub fn dir_and_name(path: &Path) -> Option<(&Path, String)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name()?.to_string_lossy().into_owned();
    Some((dir, name))
}

/// A file to be written durably later: its temporary file is made at once, so that a
/// directory that cannot be written is found before the work that produces the bytes (the
/// audit behind `--output`).
#[derive(Debug)]
pub struct Pending {
    dir: PathBuf,
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl Pending {
    /// Prepare `dir/name`.
    pub fn new(dir: &Path, name: &str) -> io::Result<Pending> {
        let tmp = tempfile::Builder::new()
            .prefix(TMP_PREFIX)
            .tempfile_in(dir)?;
        Ok(Pending {
            dir: dir.to_owned(),
            path: dir.join(name),
            tmp,
        })
    }

    /// The file it will replace.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write `bytes`, fsync, rename over the target, fsync the directory. The file is
    /// private from its creation (`tempfile` creates it `0600` on unix). No `chmod` after
    /// the fact: a FAT-formatted USB key under Linux refuses one (`EPERM`) and the write
    /// would fail, while the creation mode is simply not kept there.
    pub fn commit(mut self, bytes: &[u8]) -> io::Result<PathBuf> {
        self.tmp.write_all(bytes)?;
        self.tmp.as_file().sync_all()?;
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        sync_dir(&self.dir)?;
        Ok(self.path)
    }
}

/// Read at most `max` bytes of a state file (a file on a key passed from hand to hand may be
/// anything): a longer one is an `InvalidData` error, never read whole.
pub fn read_at_most(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {max} bytes"),
        ));
    }
    Ok(bytes)
}

/// Make a rename or removal in `dir` durable (unix; a no-op elsewhere, where the file system
/// gives no handle on a directory).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Remove a file durably. A file already gone is not an error (another run removed it).
pub fn remove(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    match path.parent() {
        Some(dir) => sync_dir(dir),
        None => Ok(()),
    }
}

/// Move a file to another directory of the same file system, durably.
pub fn rename(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)?;
    for dir in [to.parent(), from.parent()].into_iter().flatten() {
        sync_dir(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_and_name_of_a_path() {
        let (dir, name) = dir_and_name(Path::new("report.json")).unwrap();
        assert_eq!((dir, name.as_str()), (Path::new("."), "report.json"));
        let (dir, name) = dir_and_name(Path::new("/key/pcs/r.json")).unwrap();
        assert_eq!((dir, name.as_str()), (Path::new("/key/pcs"), "r.json"));
        assert!(dir_and_name(Path::new("/")).is_none());
        assert!(dir_and_name(Path::new("a/..")).is_none());
    }

    #[test]
    fn write_replaces_whole_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.json", b"first").unwrap();
        write(dir.path(), "a.json", b"second").unwrap();
        assert_eq!(fs::read(dir.path().join("a.json")).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "secret", b"x").unwrap();
        let mode = fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn removing_a_missing_file_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        remove(&dir.path().join("nope")).unwrap();
    }
}
