//! Bounds on input, below everything else (imports nothing from the crate): the largest files
//! and lines read, bounded reads, the caps on threads, replicates, arcs and weights, and the
//! quoting of input in messages. The memory estimate and the refusals of jobs that would not
//! fit are in `jobs/memory.rs` ([`crate::jobs::memory`]).

use std::io::Read;
use std::path::Path;

/// Largest scenario file read (10 MiB).
pub const MAX_SCENARIO_BYTES: u64 = 10 << 20;
/// Largest data file (edge list, node file, id list) read: 8 GiB, room for a 10⁸-arc edge list
/// with 40-character rows.
pub const MAX_DATA_BYTES: u64 = 8 << 30;
/// Longest line of a data file (1 MiB); a longer line is refused as malformed.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Longest quote of input in an error message, in characters.
pub const MAX_QUOTE_CHARS: usize = 200;
/// Most worker threads `--threads` accepts.
pub const MAX_THREADS: usize = 1024;
/// Most replicates per model and arm (the scenario file's limit, also for `--replicates`).
pub const MAX_REPLICATES: u64 = 10_000_000;
/// Most arcs a network may have: arc positions are `u32` while the network is built.
pub const MAX_ARCS: u64 = u32::MAX as u64 - 1;
/// Largest total incoming weight of a physician, KOL weight κ applied. The event engine sums
/// weights in `f32` (largest finite value about 3.4 × 10³⁸); this leaves eight orders of
/// magnitude for rounding.
pub const MAX_IN_WEIGHT: f64 = 1e30;
/// Largest total incoming weight of a physician in an edge list, before κ (merged duplicate
/// arcs included), so that any κ up to 10¹⁵ stays under [`MAX_IN_WEIGHT`].
pub const MAX_DATA_IN_WEIGHT: f64 = 1e15;

/// `text` cut to [`MAX_QUOTE_CHARS`] characters, with "…" when cut, for quoting input in
/// error messages.
pub fn quote(text: &str) -> String {
    cut(text, MAX_QUOTE_CHARS)
}

/// `text` cut to `max` characters, with "…" when cut.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The file does not exist.
    NotFound,
    /// The file is larger than the cap (in bytes).
    TooLarge(u64),
    /// Any other I/O error.
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "file not found"),
            ReadError::TooLarge(cap) => write!(
                f,
                "file is larger than {} (the most kolsim reads)",
                size_text(*cap)
            ),
            ReadError::Io(e) => write!(f, "cannot read file: {e}"),
        }
    }
}

/// Opens `path` for reading, refusing a regular file larger than `cap` bytes before reading it.
pub fn open_capped(path: &Path, cap: u64) -> Result<std::fs::File, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    })?;
    if let Ok(meta) = file.metadata() {
        if meta.is_dir() {
            return Err(ReadError::Io(std::io::Error::other("it is a directory")));
        }
        if meta.is_file() && meta.len() > cap {
            return Err(ReadError::TooLarge(cap));
        }
    }
    Ok(file)
}

/// Reads at most `cap` bytes of `path`: a larger file (or a device such as `/dev/zero`, whose
/// size reads as 0) is refused after `cap + 1` bytes.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_capped(path, cap)?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge(cap));
    }
    Ok(bytes)
}

/// Parses a memory size: a number of bytes with an optional binary unit, `K`, `M`, `G` or `T`
/// (also `KiB`, `MB`, …, all meaning powers of 1024), e.g. `8G`, `1.5T`, `512MiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        "T" | "TB" | "TIB" => 1 << 40,
        _ => {
            return Err(format!(
                "\"{}\" is not a memory size: use a number with K, M, G or T, e.g. 8G",
                quote(text)
            ));
        }
    };
    let x: f64 = num.parse().map_err(|_| {
        format!(
            "\"{}\" is not a memory size: use a number with K, M, G or T, e.g. 8G",
            quote(text)
        )
    })?;
    let bytes = x * scale as f64;
    if !(bytes >= 1.0 && bytes < 2f64.powi(62)) {
        return Err(format!(
            "\"{}\" is out of range: give at least 1 byte and less than 4 EiB",
            quote(text)
        ));
    }
    Ok(bytes as u64)
}

/// A byte count for messages: `512 B`, `3.2 MiB`, `1.5 GiB`.
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut x = bytes as f64;
    let mut u = 0;
    while x >= 1024.0 && u + 1 < UNITS.len() {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("8Q").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("99999999T").is_err());
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(3 << 30), "3.0 GiB");
    }

    #[test]
    fn quotes_are_cut() {
        assert_eq!(quote("abc"), "abc");
        let long = "é".repeat(500);
        let q = quote(&long);
        assert_eq!(q.chars().count(), MAX_QUOTE_CHARS + 1);
        assert!(q.ends_with('…'));
    }
}
