//! A scenario's source text and the errors located in it (file, line, column and key).
//!
//! Below the scenario and the models (which both report located errors); imports only
//! [`crate::limits`]. Also re-exported as `kolsim::scenario::error`.

use crate::limits::{self, MAX_SCENARIO_BYTES, ReadError, read_capped};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A problem with a scenario file: names the file, line, column and key, the bad value and
/// what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The scenario file.
    pub file: PathBuf,
    /// 1-based line and column, when the problem has a location.
    pub position: Option<(usize, usize)>,
    /// Dotted key path, e.g. `model[1].q` or `network.m`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
    /// The offending source line, for the snippet.
    pub snippet: Option<String>,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((l, c)) = self.position {
            write!(f, ":{l}:{c}")?;
        }
        // Keys and messages can quote input: cut them short.
        let message = match self.message.char_indices().nth(1000) {
            Some((at, _)) => format!("{}…", &self.message[..at]),
            None => self.message.clone(),
        };
        if self.key.is_empty() {
            write!(f, ": {message}")?;
        } else {
            write!(f, ": `{}`: {message}", limits::quote(&self.key))?;
        }
        if let (Some((l, c)), Some(s)) = (self.position, &self.snippet) {
            // A window of 60 characters either side of the column, so that a huge line gives
            // a short message (and the caret's padding stays within `fmt`'s width limit).
            let at = c.saturating_sub(1);
            let start = at.saturating_sub(60);
            let len = s.chars().count();
            let window: String = s.chars().skip(start).take(121).collect();
            let (pre, post) = (
                if start > 0 { "…" } else { "" },
                if start + 121 < len { "…" } else { "" },
            );
            let c = at - start + 1 + pre.chars().count();
            let w = l.to_string().len();
            write!(
                f,
                "\n{:w$} |\n{l} | {pre}{window}{post}\n{:w$} | {:>c$}",
                "", "", "^"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// The scenario source, for turning byte spans into positions.
#[derive(Debug, Clone)]
pub struct Source {
    /// File path as given.
    pub path: PathBuf,
    /// Full text.
    pub text: String,
}

impl Source {
    /// 1-based (line, column) of a byte offset; the column counts characters.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
        (line, before[line_start..].chars().count() + 1)
    }

    fn line_text(&self, line: usize) -> Option<String> {
        self.text.lines().nth(line - 1).map(str::to_string)
    }

    /// The text at `span` as written (first line, at most 60 characters), for messages.
    pub fn written(&self, span: Range<usize>) -> String {
        let t = self
            .text
            .get(span)
            .and_then(|t| t.lines().next())
            .unwrap_or_default();
        if t.chars().count() > 60 {
            format!("{}…", t.chars().take(60).collect::<String>())
        } else {
            t.to_string()
        }
    }

    /// An error at `span` about `key`.
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        key: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        let position = span.map(|s| self.position(s.start));
        ScenarioError {
            file: self.path.clone(),
            position,
            key: key.to_string(),
            message: message.into(),
            snippet: position.and_then(|(l, _)| self.line_text(l)),
        }
    }

    /// The span of the value of `key` in `[table]` as written (best effort, line by line), for
    /// errors found once the scenario is validated.
    pub fn span_of(&self, table: &str, key: &str) -> Option<Range<usize>> {
        let mut offset = 0;
        let mut inside = false;
        for line in self.text.split_inclusive('\n') {
            let t = line.trim();
            if t.starts_with('[') {
                inside = t.trim_matches(['[', ']']).trim() == table;
            } else if inside
                && let Some((k, v)) = t.split_once('=')
                && k.trim().trim_matches('"') == key
            {
                let at = offset + line.find('=')? + 1;
                let pad = v.len() - v.trim_start().len();
                return Some(at + pad..at + pad + v.trim().len());
            }
            offset += line.len();
        }
        None
    }

    /// Best-effort dotted key at a byte offset: the table header above plus the key on the
    /// line (used for errors reported by the TOML parser).
    pub fn key_at(&self, offset: usize) -> String {
        let (line, _) = self.position(offset);
        let lines: Vec<&str> = self.text.lines().collect();
        let here = lines.get(line - 1).copied().unwrap_or("");
        let key = here
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .unwrap_or_default();
        let mut table = String::new();
        let mut models = 0usize;
        for l in lines.iter().take(line) {
            let t = l.trim();
            if t.starts_with("[[model]]") {
                models += 1;
                table = format!("model[{}]", models - 1);
            } else if t.starts_with('[') {
                table = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            }
        }
        match (table.is_empty(), key.is_empty()) {
            (_, true) => table,
            (true, false) => key,
            (false, false) => format!("{table}.{key}"),
        }
    }
}

/// Reads a scenario file (at most [`MAX_SCENARIO_BYTES`]) as UTF-8, with errors that name it.
pub fn read_source(path: &Path) -> Result<Source, ScenarioError> {
    let fail = |position, message: String| ScenarioError {
        file: path.to_path_buf(),
        position,
        key: String::new(),
        message,
        snippet: None,
    };
    let bytes = read_capped(path, MAX_SCENARIO_BYTES).map_err(|e| match e {
        ReadError::NotFound => fail(None, "scenario file not found".into()),
        ReadError::Io(e) => fail(None, format!("cannot read scenario file: {e}")),
        e @ ReadError::TooLarge(_) => fail(None, format!("scenario {e}")),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let (line, col) = utf8_position(e.as_bytes(), at);
        // The key on that line (or its table), read with the bad bytes replaced (which keeps
        // the line breaks).
        let lossy = Source {
            path: path.to_path_buf(),
            text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let line_start = lossy
            .text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum::<usize>();
        let mut err = fail(
            Some((line, col)),
            format!(
                "file is not valid UTF-8 (byte 0x{:02X}; save it as UTF-8)",
                e.as_bytes()[at]
            ),
        );
        err.key = lossy.key_at(line_start);
        err
    })?;
    Ok(Source {
        path: path.to_path_buf(),
        text,
    })
}

/// 1-based line and byte column of offset `at` in `bytes`.
pub fn utf8_position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    (line, before.len() - start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_of_finds_table_keys() {
        let text = "name = \"x\"\n[kols]\nshare = 0.1\nweight = 2.5 # k\n[network]\nweight = 3\n";
        let src = Source {
            path: "s.toml".into(),
            text: text.into(),
        };
        let r = src.span_of("kols", "weight").unwrap();
        assert_eq!(&text[r], "2.5 # k");
        assert!(src.span_of("kols", "count").is_none());
    }
}
