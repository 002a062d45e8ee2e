//! Located errors: the validation context [`Ctx`], whose helpers turn a value's span into a
//! [`ScenarioError`] naming the file, line, column and key, and [`toml_error`], which does the
//! same for errors found by the TOML parser and serde.

use super::error::{ScenarioError, Source};
use super::network;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Validation context: the source plus helpers that turn spans into errors.
pub(crate) struct Ctx<'a> {
    pub src: &'a Source,
}

impl Ctx<'_> {
    /// An error at `span`, for `key`.
    pub fn err(&self, span: Range<usize>, key: &str, msg: impl Into<String>) -> ScenarioError {
        self.src.error(Some(span), key, msg)
    }

    /// A required key is absent from the table at `table`; `why` says what it is for.
    pub fn missing(&self, table: Range<usize>, key: &str, why: &str) -> ScenarioError {
        let field = key.rsplit('.').next().unwrap_or(key);
        self.src.error(
            Some(table),
            key,
            format!("missing required key `{field}` ({why})"),
        )
    }

    /// Checks that a value is a probability, in [0, 1].
    pub fn prob(&self, v: &Spanned<f64>, key: &str, what: &str) -> Result<f64, ScenarioError> {
        let x = *v.get_ref();
        if (0.0..=1.0).contains(&x) {
            Ok(x)
        } else {
            Err(self.err(v.span(), key, format!("{x} is outside [0, 1] ({what})")))
        }
    }

    /// Checks that an integer lies in `[lo, hi]`.
    pub fn int_in(
        &self,
        v: &Spanned<i64>,
        key: &str,
        lo: i64,
        hi: i64,
        what: &str,
    ) -> Result<i64, ScenarioError> {
        let x = *v.get_ref();
        if x < lo {
            Err(self.err(
                v.span(),
                key,
                format!("{x} is too small: must be at least {lo} ({what})"),
            ))
        } else if x > hi {
            Err(self.err(
                v.span(),
                key,
                format!("{x} is too large: must be at most {hi} ({what})"),
            ))
        } else {
            Ok(x)
        }
    }

    /// An optional choice among named `options` (its value when absent: `default`).
    pub fn one_of<T: Copy>(
        &self,
        v: &Option<Spanned<String>>,
        key: &str,
        options: &[(&str, T)],
        default: T,
    ) -> Result<T, ScenarioError> {
        let Some(v) = v else {
            return Ok(default);
        };
        let written = v.get_ref().as_str();
        match options.iter().find(|(name, _)| *name == written) {
            Some((_, x)) => Ok(*x),
            None => {
                let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
                Err(self.err(
                    v.span(),
                    key,
                    format!(
                        "\"{written}\" is not allowed (allowed: {})",
                        names.join(", ")
                    ),
                ))
            }
        }
    }

    /// A path as written, resolved against the scenario's folder.
    pub(super) fn path(&self, v: &Spanned<String>) -> PathBuf {
        let base = self.src.path.parent().unwrap_or(Path::new("."));
        base.join(v.get_ref())
    }

    /// Resolves a data-file path and checks that the file exists, so that a wrong path is
    /// reported at its key in the scenario.
    pub(super) fn data_file(
        &self,
        v: &Spanned<String>,
        key: &str,
        what: &str,
    ) -> Result<PathBuf, ScenarioError> {
        let p = self.path(v);
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => Err(self.err(
                v.span(),
                key,
                format!("\"{}\" is a folder, not {what} ({})", v.get_ref(), p.display()),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(self.err(
                v.span(),
                key,
                format!(
                    "{what} \"{}\" not found: no file {} (relative paths are resolved against the scenario's folder)",
                    v.get_ref(),
                    p.display()
                ),
            )),
            _ => Ok(p),
        }
    }
}

/// What a key that serde reports missing is for, so the message says what to add.
fn required_help(table: &str, field: &str, kinds: &[&str]) -> String {
    match (table, field) {
        (_, "name") if table.is_empty() => {
            "the scenario name, also the default output folder, e.g. name = \"quickstart\"".into()
        }
        (_, "steps") => "number of steps (months), an integer >= 1".into(),
        (_, "replicates") => "replicates per model, an integer >= 1".into(),
        (_, "network") => "a [network] table with at least `kind`".into(),
        (_, "model") => "at least one [[model]] table with at least `kind`".into(),
        ("network", "kind") => format!("one of {}", network::kinds()),
        (t, "kind") if t.starts_with("model") => format!("one of {}", kinds.join(", ")),
        (_, "strategy") => "one of none, random, kols, explicit, attribute, by_volume".into(),
        (_, "path") => "the file's path, relative to the scenario".into(),
        _ => "a required key".into(),
    }
}

/// Turns a TOML or serde error into a located [`ScenarioError`] with plain-language types;
/// `kinds`: the model kinds a `[[model]]` table may name.
pub(super) fn toml_error(src: &Source, e: &toml::de::Error, kinds: &[&str]) -> ScenarioError {
    let span = e.span();
    let msg = e.message().trim().to_string();
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        // The span of a missing field is its table's header; empty for top-level keys.
        let top = span.as_ref().is_none_or(|s| s.is_empty());
        let table = match &span {
            Some(s) if !top => src.key_at(s.start),
            _ => String::new(),
        };
        let key = if table.is_empty() {
            field.to_string()
        } else {
            format!("{table}.{field}")
        };
        let help = required_help(&table, field, kinds);
        // A missing top-level key is reported at the start of the file (the top-level table).
        return src.error(
            if top { Some(0..0) } else { span },
            &key,
            format!(
                "missing required key `{field}`{} ({help})",
                if top {
                    " at the top level of the file"
                } else {
                    ""
                }
            ),
        );
    }
    let key = span
        .clone()
        .map(|s| src.key_at(s.start))
        .unwrap_or_default();
    // The value as written, for messages serde cannot give it in.
    let written = span.clone().map(|s| src.written(s)).unwrap_or_default();
    let untagged = |what: &str| format!("invalid value `{written}`: expected {what}");
    let msg = if msg.contains("untagged enum RawId") {
        untagged("a node id: an integer or a string")
    } else if msg.contains("untagged enum RawColumn") {
        untagged("a column: a number (from 1) or a header name")
    } else {
        msg.replace("expected i64", "expected an integer")
            .replace("expected f64", "expected a number")
            .replace("expected a sequence", "expected a list, e.g. [1, 2]")
    };
    src.error(span, &key, msg)
}
