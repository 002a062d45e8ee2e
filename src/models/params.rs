//! Model parameters, declared once per model: name, meaning, unit, rule (range), default and
//! the short phrase used in error messages. Validation ([`ParamTable`]), `kolsim models`
//! ([`super::Registry::describe`]) and the user guide's parameter tables in `docs/models.md`
//! ([`readme_table`]) all come from the declaration.
//!
//! Models read typed values ([`ParamValue`], each [`Given`] with its place in the file); the
//! scenario layer reads the file and converts (nothing here parses TOML).

use crate::source::{ScenarioError, Source};
use std::ops::Range;

/// A parameter's value as given in a `[[model]]` table, typed (the scenario layer converts
/// the file's values; a program builds them directly).
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number with a fraction or exponent.
    Num(f64),
    /// A string (or a date, as written).
    Text(String),
    /// A list.
    List(Vec<ParamValue>),
    /// An inline table, keys in the file's order.
    Table(Vec<(String, ParamValue)>),
}

impl ParamValue {
    /// The number, for [`ParamValue::Num`] and [`ParamValue::Int`].
    pub fn as_number(&self) -> Option<f64> {
        match self {
            ParamValue::Num(x) => Some(*x),
            ParamValue::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The integer, for [`ParamValue::Int`].
    pub fn as_int(&self) -> Option<i64> {
        match self {
            ParamValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The string, for [`ParamValue::Text`].
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ParamValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// A parameter's value with the span of its text in the scenario file (`0..0` for a value not
/// from the user's text).
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    /// The value.
    pub value: ParamValue,
    /// Byte range of its text in the file.
    pub span: Range<usize>,
}

/// What values a parameter accepts. Drives validation, the TOML type check and the range
/// shown by `kolsim models`.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// A number in `[0, 1]`.
    Prob,
    /// A finite number `>= 0`.
    NonNegative,
    /// A finite number `> 0`.
    Positive,
    /// Any finite number.
    Any,
    /// An integer in `[min, max]`.
    Int {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
    },
    /// One of the listed strings.
    Choice(&'static [&'static str]),
    /// A string, described by `range`.
    Text {
        /// What is allowed, for `kolsim models`.
        range: &'static str,
    },
    /// Anything the model checks itself (a number or a table, a list, ...): `check` is the
    /// type check run while reading the file (it returns the error message), `range` what is
    /// allowed, for `kolsim models`.
    Custom {
        /// What is allowed, for `kolsim models`.
        range: &'static str,
        /// Type check of the value as written (`written` is its source text).
        check: fn(value: &ParamValue, written: &str) -> Result<(), String>,
    },
}

/// A parameter's default.
#[derive(Debug, Clone, Copy)]
pub enum Default {
    /// The parameter must be given.
    Required,
    /// A number.
    Num(f64),
    /// A string (for [`Rule::Choice`] and [`Rule::Text`]).
    Text(&'static str),
    /// Computed by the model from other parameters; the text says how (e.g. the name of the
    /// parameter it copies).
    Derived(&'static str),
}

/// One model parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Name in the scenario file.
    pub name: &'static str,
    /// What it means (`kolsim models`, docs/models.md).
    pub meaning: &'static str,
    /// Its unit (`-` for none).
    pub unit: &'static str,
    /// Allowed values.
    pub rule: Rule,
    /// Default.
    pub default: Default,
    /// Short phrase for error messages, e.g. "imitation probability per step".
    pub what: &'static str,
}

impl Param {
    /// The allowed values, as `kolsim models` shows them.
    pub fn range(&self) -> String {
        match self.rule {
            Rule::Prob => "[0, 1]".into(),
            Rule::NonNegative => ">= 0".into(),
            Rule::Positive => "> 0".into(),
            Rule::Any => "any number".into(),
            Rule::Int { min, .. } => format!("integer >= {min}"),
            Rule::Choice(c) => c.join(" | "),
            Rule::Text { range } | Rule::Custom { range, .. } => range.into(),
        }
    }

    /// Whether `value` is this parameter's declared default (a number or a string; a
    /// required or derived default never is).
    pub fn is_default(&self, value: &ParamValue) -> bool {
        match self.default {
            Default::Num(x) => value.as_number() == Some(x),
            Default::Text(t) => value.as_text() == Some(t),
            Default::Required | Default::Derived(_) => false,
        }
    }

    /// The default, as `kolsim models` shows it.
    pub fn default_text(&self) -> String {
        match self.default {
            Default::Required => "required".into(),
            Default::Num(x) => format!("{x}"),
            Default::Text(t) | Default::Derived(t) => t.into(),
        }
    }
}

/// Facts about one model kind: its declaration.
#[derive(Debug, Clone, Copy)]
pub struct ModelInfo {
    /// The `kind` string in scenario files.
    pub kind: &'static str,
    /// One-line summary with the update rule.
    pub summary: &'static str,
    /// One plain-language sentence of what the theory assumes, for readers who are not
    /// modellers (the report opens each model's section with it).
    pub plain: &'static str,
    /// Literature reference.
    pub reference: &'static str,
    /// Its parameters, in the order `kolsim models` lists them.
    pub params: &'static [Param],
}

impl ModelInfo {
    /// The parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// The parameter table (`docs/models.md`) of a model (header included), generated from its
/// declaration; `tests/it/readme.rs` checks that docs/models.md holds exactly this.
pub fn readme_table(info: &ModelInfo) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut t =
        String::from("| Parameter | Meaning | Unit | Range | Default |\n|---|---|---|---|---|\n");
    for p in info.params {
        t.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            p.name,
            cell(p.meaning),
            cell(p.unit),
            cell(&p.range()),
            cell(&p.default_text())
        ));
    }
    t
}

/// One `[[model]]` table of a scenario, for a model's constructor: its parameters, each
/// checked against the model's declaration, with errors located by file, line, column and
/// key (`model[k].param`).
pub struct ParamTable<'a> {
    src: &'a Source,
    index: usize,
    info: &'static ModelInfo,
    span: Range<usize>,
    entries: Vec<(&'a str, Given)>,
}

impl<'a> ParamTable<'a> {
    /// The table `model[index]` of kind `info`, spanning `span`, with its `(key, value)`
    /// entries other than `name` and `kind` (all declared by `info`, type-checked).
    pub fn new(
        src: &'a Source,
        index: usize,
        info: &'static ModelInfo,
        span: Range<usize>,
        entries: Vec<(&'a str, Given)>,
    ) -> Self {
        ParamTable {
            src,
            index,
            info,
            span,
            entries,
        }
    }

    /// The model kind's declaration.
    pub fn info(&self) -> &'static ModelInfo {
        self.info
    }

    /// The key path of parameter `p`, e.g. `model[0].q`.
    pub fn key(&self, p: &str) -> String {
        format!("model[{}].{p}", self.index)
    }

    /// The value of `p` as written, if given.
    pub fn value(&self, p: &str) -> Option<&Given> {
        self.entries.iter().find(|(k, _)| *k == p).map(|(_, v)| v)
    }

    /// An error at `span` about parameter `p`.
    pub fn error(&self, span: Range<usize>, p: &str, msg: impl Into<String>) -> ScenarioError {
        self.src.error(Some(span), &self.key(p), msg)
    }

    /// "missing required key `p` (why)", located at the table.
    pub fn missing(&self, p: &str, why: &str) -> ScenarioError {
        self.src.error(
            Some(self.span.clone()),
            &self.key(p),
            format!("missing required key `{p}` ({why})"),
        )
    }

    fn decl(&self, p: &str) -> Result<&'static Param, ScenarioError> {
        self.info.param(p).ok_or_else(|| {
            self.src.error(
                Some(self.span.clone()),
                &self.key(p),
                format!(
                    "model kind \"{}\" reads `{p}`, which it does not declare (a bug in the model)",
                    self.info.kind
                ),
            )
        })
    }

    fn missing_declared(&self, d: &Param) -> ScenarioError {
        self.missing(
            d.name,
            &format!("{}; needed by model kind \"{}\"", d.what, self.info.kind),
        )
    }

    /// A numeric parameter, checked against its declared rule ([`Rule::Prob`],
    /// [`Rule::NonNegative`], [`Rule::Positive`], [`Rule::Any`]); the declared default if
    /// absent.
    pub fn number(&self, p: &str) -> Result<f64, ScenarioError> {
        let d = self.decl(p)?;
        let Some(v) = self.value(p) else {
            return match d.default {
                Default::Num(x) => Ok(x),
                _ => Err(self.missing_declared(d)),
            };
        };
        let x = v.value.as_number().unwrap_or(f64::NAN);
        let lo = match d.rule {
            Rule::Prob => {
                return if (0.0..=1.0).contains(&x) {
                    Ok(x)
                } else {
                    Err(self.error(
                        v.span.clone(),
                        p,
                        format!("{x} is outside [0, 1] ({})", d.what),
                    ))
                };
            }
            Rule::NonNegative => 0.0,
            Rule::Positive => f64::MIN_POSITIVE,
            _ => f64::NEG_INFINITY,
        };
        if x.is_finite() && x >= lo {
            Ok(x)
        } else {
            Err(self.error(
                v.span.clone(),
                p,
                format!("{x} is not allowed ({})", d.what),
            ))
        }
    }

    /// An integer parameter ([`Rule::Int`]); `default` if absent.
    pub fn int_or(&self, p: &str, default: i64) -> Result<i64, ScenarioError> {
        let d = self.decl(p)?;
        let (lo, hi) = match d.rule {
            Rule::Int { min, max } => (min, max),
            _ => (i64::MIN, i64::MAX),
        };
        let Some(v) = self.value(p) else {
            return Ok(default);
        };
        let x = v.value.as_int().unwrap_or(i64::MIN);
        if x < lo {
            Err(self.error(
                v.span.clone(),
                p,
                format!("{x} is too small: must be at least {lo} ({})", d.what),
            ))
        } else if x > hi {
            Err(self.error(
                v.span.clone(),
                p,
                format!("{x} is too large: must be at most {hi} ({})", d.what),
            ))
        } else {
            Ok(x)
        }
    }

    /// An integer parameter ([`Rule::Int`]) with its declared numeric default.
    pub fn int(&self, p: &str) -> Result<i64, ScenarioError> {
        let d = self.decl(p)?;
        match (d.default, self.value(p)) {
            (_, Some(_)) => self.int_or(p, 0),
            (Default::Num(x), None) => Ok(x as i64),
            (_, None) => Err(self.missing_declared(d)),
        }
    }

    /// One of the declared choices ([`Rule::Choice`]); the declared default if absent.
    pub fn choice(&self, p: &str) -> Result<&'static str, ScenarioError> {
        let d = self.decl(p)?;
        let choices = match d.rule {
            Rule::Choice(c) => c,
            _ => &[],
        };
        match self.value(p) {
            None => match d.default {
                Default::Text(t) => Ok(t),
                _ => Err(self.missing_declared(d)),
            },
            Some(v) => {
                let s = v.value.as_text().unwrap_or_default();
                choices.iter().copied().find(|c| *c == s).ok_or_else(|| {
                    self.error(
                        v.span.clone(),
                        p,
                        format!("\"{s}\" is not allowed (allowed: {})", choices.join(", ")),
                    )
                })
            }
        }
    }

    /// A string parameter ([`Rule::Text`]) with its span, if given.
    pub fn text(&self, p: &str) -> Option<(String, Range<usize>)> {
        self.value(p)
            .and_then(|v| v.value.as_text().map(|s| (s.to_string(), v.span.clone())))
    }
}
