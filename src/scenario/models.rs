//! Validation of `[[model]]` tables into configured models, through the model registry. A
//! model's parameters are declared in its own file ([`crate::models`]); this module only
//! finds the kind, checks that every key belongs to it, and hands the table to the kind's
//! constructor.

use super::raw::RawModel;
use super::{Ctx, NamedModel, ScenarioError};
use crate::models::{Given, Param, ParamTable, ParamValue, Registry, Rule};
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

/// `weight`, the key every `[[model]]` may have besides `name` and `kind`
/// ([`NamedModel::weight`]).
pub const WEIGHT: &str = "weight";

/// The entries of a model table in document order.
fn entries(m: &RawModel) -> Vec<(&Spanned<String>, &Spanned<toml::Value>)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by_key(|(k, _)| k.span().start);
    v
}

/// The value of `key` in a model table.
fn get<'a>(m: &'a RawModel, key: &str) -> Option<&'a Spanned<toml::Value>> {
    m.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

/// The span of a model table's `name` value, if it has one.
pub(crate) fn name_span(m: &RawModel) -> Option<Range<usize>> {
    get(m, "name").map(|v| v.span())
}

/// A TOML value as a model reads it ([`ParamValue`]).
pub(crate) fn param_value(v: &toml::Value) -> ParamValue {
    match v {
        toml::Value::Boolean(b) => ParamValue::Bool(*b),
        toml::Value::Integer(i) => ParamValue::Int(*i),
        toml::Value::Float(x) => ParamValue::Num(*x),
        toml::Value::String(s) => ParamValue::Text(s.clone()),
        toml::Value::Datetime(d) => ParamValue::Text(d.to_string()),
        toml::Value::Array(a) => ParamValue::List(a.iter().map(param_value).collect()),
        toml::Value::Table(t) => {
            ParamValue::Table(t.iter().map(|(k, x)| (k.clone(), param_value(x))).collect())
        }
    }
}

/// A TOML number (integer or float) as `f64`: the one reading of a number from a TOML value
/// (a `[sweep]` value, a model's `weight`).
pub(crate) fn toml_number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// A parameter written as TOML text (`"0.25"`, `"{ dist = \"uniform\" }"`) as a typed value;
/// a text that is no TOML value is kept as a string.
pub(crate) fn param_text(text: &str) -> ParamValue {
    match toml::from_str::<toml::Table>(&format!("v = {text}")) {
        Ok(doc) => doc
            .get("v")
            .map_or(ParamValue::Text(text.into()), param_value),
        Err(_) => ParamValue::Text(text.into()),
    }
}

/// A model's typed value as TOML ([`param_value`] reversed, a text as a string).
pub(crate) fn toml_value(v: &ParamValue) -> toml::Value {
    match v {
        ParamValue::Bool(b) => toml::Value::Boolean(*b),
        ParamValue::Int(i) => toml::Value::Integer(*i),
        ParamValue::Num(x) => toml::Value::Float(*x),
        ParamValue::Text(s) => toml::Value::String(s.clone()),
        ParamValue::List(a) => toml::Value::Array(a.iter().map(toml_value).collect()),
        ParamValue::Table(t) => {
            toml::Value::Table(t.iter().map(|(k, x)| (k.clone(), toml_value(x))).collect())
        }
    }
}

/// A located TOML value as a model reads it ([`Given`]).
pub(crate) fn given(v: &Spanned<toml::Value>) -> Given {
    Given {
        value: param_value(v.get_ref()),
        span: v.span(),
    }
}

/// Checks the TOML type of a parameter's value as written; `Err` is the message. The wording
/// follows serde's, as for every other key of the scenario; a [`Rule::Custom`] parameter is
/// checked by its model.
fn check_type(p: &Param, value: &toml::Value, written: &str) -> Result<(), String> {
    let plain = |r: Result<(), toml::de::Error>| {
        r.map_err(|e| {
            e.message()
                .trim()
                .replace("expected i64", "expected an integer")
                .replace("expected f64", "expected a number")
        })
    };
    match p.rule {
        Rule::Prob | Rule::NonNegative | Rule::Positive | Rule::Any => {
            plain(f64::deserialize(value.clone()).map(drop))
        }
        Rule::Int { .. } => plain(i64::deserialize(value.clone()).map(drop)),
        Rule::Choice(_) | Rule::Text { .. } => plain(String::deserialize(value.clone()).map(drop)),
        Rule::Custom { check, .. } => check(&param_value(value), written),
    }
}

/// serde's list of expected keys: "`a`", "`a` or `b`", "one of `a`, `b`, `c`".
fn one_of(keys: &[&str]) -> String {
    let q: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match q.len() {
        0 => "nothing".into(),
        1 => q[0].clone(),
        2 => format!("{} or {}", q[0], q[1]),
        _ => format!("one of {}", q.join(", ")),
    }
}

/// What the file format requires of every `[[model]]` table, checked right after reading the
/// file (as serde checks every other table): each key is `name`, `kind` or a parameter some
/// registered kind declares, each value has that parameter's TOML type, and `kind` is given.
pub(crate) fn check_raw(
    cx: &Ctx,
    models: &[Spanned<RawModel>],
    reg: &Registry,
) -> Result<(), ScenarioError> {
    for (k, m) in models.iter().enumerate() {
        let table = m.get_ref();
        let own = get(table, "kind")
            .and_then(|v| v.get_ref().as_str())
            .and_then(|s| reg.get(s));
        for (key, value) in entries(table) {
            let name = key.get_ref().as_str();
            let path = format!("model[{k}].{name}");
            if name == "name" || name == "kind" {
                if let Err(e) = String::deserialize(value.get_ref().clone()) {
                    return Err(cx.err(value.span(), &path, e.message().trim().to_string()));
                }
                continue;
            }
            if name == WEIGHT {
                if let Err(e) = f64::deserialize(value.get_ref().clone()) {
                    let msg = e
                        .message()
                        .trim()
                        .replace("expected f64", "expected a number");
                    return Err(cx.err(value.span(), &path, msg));
                }
                continue;
            }
            let decl = own
                .and_then(|o| o.info.param(name))
                .or_else(|| reg.kinds().find_map(|o| o.info.param(name)));
            match decl {
                Some(p) => {
                    let written = cx.src.written(value.span());
                    check_type(p, value.get_ref(), &written)
                        .map_err(|msg| cx.err(value.span(), &path, msg))?;
                }
                None => {
                    let mut keys = vec!["name", "kind"];
                    match own {
                        Some(o) => keys.extend(o.info.params.iter().map(|p| p.name)),
                        None => {
                            for o in reg.kinds() {
                                for p in o.info.params {
                                    if !keys.contains(&p.name) {
                                        keys.push(p.name);
                                    }
                                }
                            }
                        }
                    }
                    keys.push(WEIGHT);
                    return Err(cx.err(
                        key.span(),
                        &path,
                        format!("unknown field `{name}`, expected {}", one_of(&keys)),
                    ));
                }
            }
        }
        if get(table, "kind").is_none() {
            return Err(cx.missing(
                m.span(),
                &format!("model[{k}].kind"),
                &format!("one of {}", reg.names().join(", ")),
            ));
        }
    }
    Ok(())
}

/// Validates `[[model]]` table `k` (already through [`check_raw`]) into a named model.
pub(crate) fn parse_model(
    cx: &Ctx,
    k: usize,
    m: &Spanned<RawModel>,
    reg: &Registry,
) -> Result<NamedModel, ScenarioError> {
    let table = m.get_ref();
    let key = |p: &str| format!("model[{k}].{p}");
    let kind_value = get(table, "kind").ok_or_else(|| {
        cx.missing(
            m.span(),
            &key("kind"),
            &format!("one of {}", reg.names().join(", ")),
        )
    })?;
    let kind = kind_value.get_ref().as_str().unwrap_or_default();
    let entry = reg.get(kind).ok_or_else(|| {
        cx.err(
            kind_value.span(),
            &key("kind"),
            format!(
                "unknown model kind \"{kind}\" (allowed: {}; `kolsim models` describes them)",
                reg.names().join(", ")
            ),
        )
    })?;
    let info = entry.info;
    let mut params = Vec::new();
    for (p, value) in entries(table) {
        let p = p.get_ref().as_str();
        if p == "name" || p == "kind" || p == WEIGHT {
            continue;
        }
        if info.param(p).is_none() {
            let keys: Vec<&str> = info.params.iter().map(|d| d.name).collect();
            return Err(cx.err(
                value.span(),
                &key(p),
                format!(
                    "`{p}` is not a parameter of model kind \"{kind}\" (its parameters: {})",
                    keys.join(", ")
                ),
            ));
        }
        params.push((p, given(value)));
    }
    let model = (entry.parse)(&ParamTable::new(cx.src, k, info, m.span(), params))?;
    let name = match get(table, "name") {
        Some(n) => {
            let s = n.get_ref().as_str().unwrap_or_default().trim().to_string();
            if s.is_empty() || s.contains([',', '"', '\n']) {
                return Err(cx.err(
                    n.span(),
                    &key("name"),
                    format!("\"{s}\" is not a usable model name (non-empty, no commas or quotes)"),
                ));
            }
            s
        }
        None => kind.to_string(),
    };
    let mut written: Vec<(String, ParamValue)> = entries(table)
        .into_iter()
        .filter(|(k, _)| !["name", "kind", WEIGHT].contains(&k.get_ref().as_str()))
        .map(|(k, v)| (k.get_ref().clone(), param_value(v.get_ref())))
        .collect();
    written.sort_by(|a, b| a.0.cmp(&b.0));
    let weight = match get(table, WEIGHT) {
        None => None,
        Some(w) => match toml_number(w.get_ref()) {
            Some(x) if x.is_finite() && x >= 0.0 => Some(x),
            _ => {
                return Err(cx.err(
                    w.span(),
                    &key(WEIGHT),
                    "the weight of a theory (`kolsim seed --theories`) is a number >= 0",
                ));
            }
        },
    };
    let spans = std::iter::once((String::new(), m.span()))
        .chain(
            entries(table)
                .into_iter()
                .map(|(k, v)| (k.get_ref().clone(), v.span())),
        )
        .collect();
    Ok(NamedModel {
        name,
        model,
        params: written,
        weight,
        spans,
    })
}
