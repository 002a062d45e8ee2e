//! Results folders on disk: written atomically, durable, never replacing anything kolsim did
//! not write, and never leaving partial results that look complete.
//!
//! # Invariants
//! - Every folder kolsim writes holds a marker file [`MARKER`]. `--force` replaces only folders
//!   that carry it (or that a kolsim without markers wrote: a `manifest.json` with
//!   `kolsim_version`, or a sweep's `grid.json`), or empty folders. Anything else is refused
//!   with exit status 2 and left untouched.
//! - A folder is first written under a hidden sibling name `.<leaf>.partial-<host>-<pid>`, every
//!   file and the folder are fsynced, and only then renamed into place (and the parent fsynced),
//!   so a completed run survives a power cut and an incomplete one never has the final name.
//! - Replacing: the old folder is renamed aside to `.<leaf>.old-<host>-<pid>`, the new one renamed
//!   in, and only then the old one deleted. A kill between the renames leaves the old results
//!   aside, and the next run on that folder puts them back (or deletes them if a new folder took
//!   the name).
//! - Leftovers of dead kolsim processes on this host (hidden `.partial-`/`.old-` entries carrying
//!   the marker) are cleaned up when the next run writes beside them. A live process's entries
//!   (or another host's, on a shared file system) are never touched.
//! - The command line registers a SIGINT/SIGTERM handler that calls [`remove_in_flight`], which
//!   deletes the partial folders of this process before it exits.

use crate::error::Error;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Name of the marker file in every folder kolsim writes.
pub const MARKER: &str = ".kolsim";

/// Contents of the marker file.
const MARKER_TEXT: &str =
    "This folder was written by kolsim; `kolsim ... --force` may replace it.\n";

/// Partial folders of this process that a signal handler should remove.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// This machine's host name, as used in temporary names (`-` and odd characters replaced).
fn host() -> String {
    let raw = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let h: String = raw
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if h.is_empty() { "host".into() } else { h }
}

/// The tag `<host>-<pid>` that names this process's temporary entries.
fn tag() -> String {
    format!("{}-{}", host(), std::process::id())
}

/// Whether process `pid` is alive on this host. `None` where that cannot be told (no `/proc`).
fn alive(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new(&format!("/proc/{pid}")).exists())
}

/// The parent folder of `dir` (`.` for a bare name).
fn parent_of(dir: &Path) -> &Path {
    dir.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The last component of `dir`, for temporary sibling names.
fn leaf_of(dir: &Path) -> String {
    dir.file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "run".into())
}

/// fsyncs a folder so that renames and new entries in it are durable (no-op where folders
/// cannot be opened, e.g. Windows).
fn sync_dir(dir: &Path) -> Result<(), Error> {
    match File::open(dir) {
        Ok(f) => f.sync_all().or_else(|e| {
            // Some file systems refuse fsync on a folder; that is not a write failure.
            if e.kind() == std::io::ErrorKind::InvalidInput || e.raw_os_error() == Some(22) {
                Ok(())
            } else {
                Err(Error::io(dir, e))
            }
        }),
        Err(_) => Ok(()),
    }
}

/// Writes `bytes` to `path` and fsyncs it.
pub fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut f = File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

/// Writes one file atomically inside an existing folder: a hidden temporary name, fsync, rename,
/// fsync of the folder.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = parent_of(path);
    let tmp = dir.join(format!(".{}.partial-{}", leaf_of(path), tag()));
    let r = write_synced(&tmp, bytes).and_then(|()| {
        fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
        sync_dir(dir)
    });
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r
}

/// A sweep folder's grid file (written by `jobs::sweep_folder`, listed in `jobs::outputs::SWEEP`):
/// a folder holding it is kolsim's.
pub const SWEEP_GRID: &str = "grid.json";

/// A sweep folder's subfolder of point folders.
pub const SWEEP_POINTS: &str = "points";

/// Whether `dir` (an existing folder) was written by kolsim: it holds [`MARKER`], or it is a
/// results folder of a kolsim that wrote no marker yet (`manifest.json` naming
/// `kolsim_version`, or a sweep's `grid.json`).
pub fn is_kolsim_folder(dir: &Path) -> bool {
    if dir.join(MARKER).is_file() {
        return true;
    }
    let manifest = fs::read_to_string(dir.join("manifest.json")).unwrap_or_default();
    if manifest.contains("\"kolsim_version\"") {
        return true;
    }
    let grid = fs::read_to_string(dir.join(SWEEP_GRID)).unwrap_or_default();
    grid.contains("\"scenario_text\"") && grid.contains("\"axes\"")
}

/// Checks that an existing `dir` may be replaced: it must be a folder that kolsim wrote, or an
/// empty folder. Returns `Ok(false)` when `dir` does not exist.
pub fn check_replaceable(dir: &Path) -> Result<bool, Error> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(dir, e)),
    };
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "{}: exists and is not a folder; kolsim writes results folders and will not replace it, even with --force. Choose another --out",
            dir.display()
        )));
    }
    let empty = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .next()
        .is_none();
    if empty || is_kolsim_folder(dir) {
        Ok(true)
    } else {
        Err(Error::Usage(format!(
            "{}: exists and was not written by kolsim (no {MARKER} marker or kolsim manifest); --force only replaces kolsim's own results folders. Choose another --out, or move the folder yourself",
            dir.display()
        )))
    }
}

/// Refuses an existing `dir` unless `force` is given and it is replaceable (see
/// [`check_replaceable`]). Call before long work so that nothing is computed in vain.
pub fn check_out(dir: &Path, force: bool) -> Result<(), Error> {
    if fs::symlink_metadata(dir).is_ok() && !force {
        return Err(Error::OutputExists(dir.to_path_buf()));
    }
    if force {
        check_replaceable(dir)?;
    }
    Ok(())
}

/// Parses a temporary sibling name `.<leaf>.<kind>-<host>-<pid>` into `(leaf, host, pid)`.
fn parse_temp<'a>(name: &'a str, kind: &str) -> Option<(&'a str, &'a str, u32)> {
    let rest = name.strip_prefix('.')?;
    let pat = format!(".{kind}-");
    let at = rest.rfind(&pat)?;
    let (leaf, tail) = (&rest[..at], &rest[at + pat.len()..]);
    let (host, pid) = tail.rsplit_once('-')?;
    Some((leaf, host, pid.parse().ok()?))
}

/// Removes this host's leftovers of dead kolsim processes in `parent`: hidden `.partial-`
/// folders (and files, inside a kolsim folder) and `.old-` folders. An `.old-` folder whose
/// results folder is missing (a kill between the two renames of a replacement) is put back
/// instead. Entries of live processes, of other hosts, or without kolsim's marker are kept.
/// Errors are ignored: cleaning up is best effort and never stops a run.
pub fn clean_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let me = host();
    let inside_ours = is_kolsim_folder(parent);
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let path = e.path();
        for kind in ["partial", "old"] {
            let Some((leaf, h, pid)) = parse_temp(&name, kind) else {
                continue;
            };
            if h != me || alive(pid) != Some(false) {
                continue;
            }
            if path.is_dir() {
                if !path.join(MARKER).is_file() && !is_kolsim_folder(&path) {
                    continue;
                }
                let target = parent.join(leaf);
                if kind == "old" && fs::symlink_metadata(&target).is_err() {
                    if fs::rename(&path, &target).is_ok() {
                        eprintln!(
                            "note: restored {} from an interrupted replacement",
                            target.display()
                        );
                    }
                } else {
                    let _ = fs::remove_dir_all(&path);
                }
            } else if inside_ours && kind == "partial" {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// Registers a partial folder for removal by [`remove_in_flight`].
fn register(tmp: &Path) {
    if let Ok(mut v) = IN_FLIGHT.lock() {
        v.push(tmp.to_path_buf());
    }
}

/// Forgets a partial folder (it was renamed into place or removed).
fn unregister(tmp: &Path) {
    if let Ok(mut v) = IN_FLIGHT.lock() {
        v.retain(|p| p != tmp);
    }
}

/// Removes every partial folder this process is writing. Called by the command line's
/// SIGINT/SIGTERM handler just before it exits.
pub fn remove_in_flight() {
    let list = match IN_FLIGHT.lock() {
        Ok(mut v) => std::mem::take(&mut *v),
        Err(_) => return,
    };
    for p in list {
        let _ = fs::remove_dir_all(&p);
    }
}

/// Writes `files` into `dir` atomically (see the module invariants), with the marker. With
/// `force`, an existing `dir` is replaced if [`check_replaceable`] allows it; without, an
/// existing `dir` is an error.
pub fn write_folder(dir: &Path, files: &[(&str, Vec<u8>)], force: bool) -> Result<(), Error> {
    check_out(dir, force)?;
    clean_stale(parent_of(dir));
    write_folder_unchecked(dir, files)
}

/// [`write_folder`] without the ownership check, for folders inside a folder kolsim already
/// owns (sweep points): an existing `dir` is replaced. It does not scan for stale leftovers
/// (the sweep does that once per folder, not once per point).
pub(crate) fn write_folder_unchecked(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), Error> {
    let parent = parent_of(dir);
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let leaf = leaf_of(dir);
    let tag = tag();
    let tmp = parent.join(format!(".{leaf}.partial-{tag}"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
    register(&tmp);
    let result = (|| {
        write_synced(&tmp.join(MARKER), MARKER_TEXT.as_bytes())?;
        for (name, bytes) in files {
            write_synced(&tmp.join(name), bytes)?;
        }
        sync_dir(&tmp)?;
        let old = parent.join(format!(".{leaf}.old-{tag}"));
        let had_old = fs::symlink_metadata(dir).is_ok();
        if had_old {
            fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
        }
        if let Err(e) = fs::rename(&tmp, dir) {
            if had_old {
                let _ = fs::rename(&old, dir);
            }
            return Err(Error::io(dir, e));
        }
        sync_dir(parent)?;
        if had_old {
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    unregister(&tmp);
    result
}

/// Deletes a kolsim folder for `--force` on a sweep: checked with [`check_replaceable`], renamed
/// aside first (so a kill leaves a hidden leftover that [`clean_stale`] handles, never a
/// half-deleted folder under the real name), then removed.
pub fn remove_owned(dir: &Path) -> Result<(), Error> {
    if !check_replaceable(dir)? {
        return Ok(());
    }
    let parent = parent_of(dir);
    clean_stale(parent);
    let old = parent.join(format!(".{}.old-{}", leaf_of(dir), tag()));
    // Give the aside copy a marker so that clean_stale recognises it even if it was a legacy
    // folder without one.
    let _ = write_synced(&dir.join(MARKER), MARKER_TEXT.as_bytes());
    fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
    sync_dir(parent)?;
    // The folder is going away by the user's wish: never restore it.
    fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))
}

/// Creates `dir` as a kolsim folder (with the marker) if it does not exist; an existing one
/// must be kolsim's (or empty).
pub fn create_owned(dir: &Path) -> Result<(), Error> {
    if fs::symlink_metadata(dir).is_ok() {
        check_replaceable(dir)?;
    } else {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    if !dir.join(MARKER).is_file() {
        write_synced(&dir.join(MARKER), MARKER_TEXT.as_bytes())?;
        sync_dir(dir)?;
    }
    clean_stale(dir);
    Ok(())
}

/// A 64-bit FNV-1a checksum, written in completion markers to detect truncated or edited files.
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serialises the tests that write folders: `remove_in_flight` takes every registered
    /// partial of the process.
    static LOCK: Mutex<()> = Mutex::new(());

    #[test]
    fn atomic_folder_refuses_then_replaces() {
        let _g = LOCK.lock();
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("res").join("run");
        write_folder(&out, &[("a.csv", b"x\n".to_vec())], false).unwrap();
        assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"x\n");
        assert!(out.join(MARKER).is_file());
        assert!(matches!(
            write_folder(&out, &[], false),
            Err(Error::OutputExists(_))
        ));
        write_folder(&out, &[("b.csv", b"y\n".to_vec())], true).unwrap();
        assert!(!out.join("a.csv").exists());
        assert!(out.join("b.csv").exists());
        // No temporary folders left behind.
        let left: Vec<_> = fs::read_dir(d.path().join("res")).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn force_refuses_foreign_folders_and_files() {
        let _g = LOCK.lock();
        let d = tempfile::tempdir().unwrap();
        let foreign = d.path().join("inputs");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("g.toml"), "precious").unwrap();
        let e = write_folder(&foreign, &[("a.csv", vec![])], true).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
        assert_eq!(fs::read(foreign.join("g.toml")).unwrap(), b"precious");
        let file = d.path().join("somefile");
        fs::write(&file, "keep").unwrap();
        let e = write_folder(&file, &[], true).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
        assert_eq!(fs::read(&file).unwrap(), b"keep");
        assert_eq!(
            fs::read_dir(d.path()).unwrap().count(),
            2,
            "nothing hidden aside"
        );
        // An empty folder and a legacy kolsim folder may be replaced.
        let empty = d.path().join("empty");
        fs::create_dir(&empty).unwrap();
        write_folder(&empty, &[("a.csv", vec![])], true).unwrap();
        let legacy = d.path().join("legacy");
        fs::create_dir(&legacy).unwrap();
        fs::write(
            legacy.join("manifest.json"),
            r#"{"kolsim_version": "0.1.0"}"#,
        )
        .unwrap();
        write_folder(&legacy, &[("a.csv", vec![])], true).unwrap();
        assert!(legacy.join("a.csv").exists());
    }

    #[test]
    fn stale_leftovers_are_cleaned_or_restored() {
        let d = tempfile::tempdir().unwrap();
        let h = host();
        let dead = 4_000_000_000u32; // above any Linux pid_max
        let mk = |name: &str, marker: bool| {
            let p = d.path().join(name);
            fs::create_dir(&p).unwrap();
            if marker {
                fs::write(p.join(MARKER), "").unwrap();
            }
            p
        };
        let stale = mk(&format!(".run.partial-{h}-{dead}"), true);
        let live = mk(&format!(".run.partial-{h}-{}", std::process::id()), true);
        let other_host = mk(&format!(".run.partial-elsewhere-{dead}"), true);
        let unmarked = mk(&format!(".mine.partial-{h}-{dead}"), false);
        let aside = mk(&format!(".kept.old-{h}-{dead}"), true);
        fs::write(aside.join("curves.csv"), "old results").unwrap();
        clean_stale(d.path());
        assert!(!stale.exists());
        assert!(live.exists() && other_host.exists() && unmarked.exists());
        assert_eq!(
            fs::read(d.path().join("kept").join("curves.csv")).unwrap(),
            b"old results",
            "an interrupted replacement gives the old folder back"
        );
    }

    #[test]
    fn in_flight_partials_are_removed() {
        let _g = LOCK.lock();
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(".x.partial-h-1");
        fs::create_dir(&p).unwrap();
        register(&p);
        remove_in_flight();
        assert!(!p.exists());
    }

    #[test]
    fn temp_names_parse() {
        assert_eq!(
            parse_temp(".my.run.partial-box_1-42", "partial"),
            Some(("my.run", "box_1", 42))
        );
        assert_eq!(parse_temp(".run.old-h-7", "partial"), None);
        assert_eq!(parse_temp("run", "partial"), None);
    }

    #[test]
    fn checksum_is_fnv1a() {
        assert_eq!(checksum(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(checksum(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
