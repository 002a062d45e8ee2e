//! Node ids and attributes named in a scenario: [`IdList`] (listed inline or read from a file)
//! and their resolution against a realised network, with errors located at the ids.

use super::raw::{Opt, RawId};
use super::{Ctx, Scenario, ScenarioError};
use crate::network::{Attribute, Network};
use std::collections::HashMap;
use std::ops::Range;
use toml::Spanned;

/// A list of node ids to be resolved against the network.
#[derive(Debug, Clone)]
pub struct IdList {
    /// The ids as written.
    pub ids: Vec<String>,
    /// Key path, for errors.
    pub key: String,
    /// Span of the list (or of the `path` key), for errors.
    pub span: Range<usize>,
    /// Span of each id when listed inline (empty when read from a file), for errors.
    pub spans: Vec<Range<usize>>,
    /// The id file (`path`, resolved against the scenario's folder) the ids were read from;
    /// `None` when they are listed inline.
    pub path: Option<std::path::PathBuf>,
}

/// Reads `ids = [...]` or `path = "file"` (one id a line, `#` comments) of `table`, whose
/// own span is `span`.
pub(super) fn id_list(
    cx: &Ctx,
    ids: &Opt<Vec<Spanned<RawId>>>,
    path: &Opt<String>,
    table: &str,
    span: Range<usize>,
) -> Result<IdList, ScenarioError> {
    match (ids, path) {
        (Some(_), Some(p)) => Err(cx.err(
            p.span(),
            &format!("{table}.path"),
            "give either `ids` or `path`, not both",
        )),
        (Some(ids), None) => Ok(IdList {
            ids: ids
                .get_ref()
                .iter()
                .map(|x| x.get_ref().to_string())
                .collect(),
            key: format!("{table}.ids"),
            span: ids.span(),
            spans: ids.get_ref().iter().map(|x| x.span()).collect(),
            path: None,
        }),
        (None, Some(p)) => {
            let file = cx.path(p);
            let bytes = crate::limits::read_capped(&file, crate::limits::MAX_DATA_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8 text".to_string()))
                .map_err(|e| {
                    cx.err(
                        p.span(),
                        &format!("{table}.path"),
                        format!("cannot read id file {}: {e}", file.display()),
                    )
                })?;
            let text = bytes;
            Ok(IdList {
                ids: text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string)
                    .collect(),
                key: format!("{table}.path"),
                span: p.span(),
                spans: Vec::new(),
                path: Some(file),
            })
        }
        (None, None) => Err(cx.missing(
            span,
            &format!("{table}.ids"),
            "a list of node ids (or `path` to a file with one id a line)",
        )),
    }
}

impl Scenario {
    /// Resolves listed ids against a network. An id listed twice (which would, e.g., apply κ
    /// twice to one KOL) is an error at the second listing.
    pub fn resolve_ids(&self, list: &IdList, net: &Network) -> Result<Vec<u32>, ScenarioError> {
        let mut out = Vec::with_capacity(list.ids.len());
        let mut first: HashMap<u32, usize> = HashMap::with_capacity(list.ids.len());
        // `index_of` is O(1) (the network indexes its ids once): this runs once per replicate
        // for explicit seeds.
        for (k, id) in list.ids.iter().enumerate() {
            match net.index_of(id) {
                Some(i) => {
                    if let Some(&j) = first.get(&i) {
                        return Err(self.duplicate_id(list, j, k));
                    }
                    first.insert(i, k);
                    out.push(i)
                }
                None => return Err(self.unknown_id(list, k, net)),
            }
        }
        Ok(out)
    }

    /// The error for `list.ids[k]`, the same physician as `list.ids[j]` (j < k).
    fn duplicate_id(&self, list: &IdList, j: usize, k: usize) -> ScenarioError {
        let (span, key) = match list.spans.get(k) {
            Some(s) => (s.clone(), format!("{}[{k}]", list.key)),
            None => (list.span.clone(), list.key.clone()),
        };
        self.source.error(
            Some(span),
            &key,
            format!(
                "id \"{}\" is listed twice (entries {} and {} of the list): each physician may be listed once",
                list.ids[k],
                j + 1,
                k + 1
            ),
        )
    }

    /// The error for `list.ids[k]`, which is not in `net`.
    fn unknown_id(&self, list: &IdList, k: usize, net: &Network) -> ScenarioError {
        let id = &list.ids[k];
        let (span, key) = match list.spans.get(k) {
            Some(s) => (s.clone(), format!("{}[{k}]", list.key)),
            None => (list.span.clone(), list.key.clone()),
        };
        self.source.error(
            Some(span),
            &key,
            format!(
                "id \"{id}\" is not in the network ({} physicians{})",
                net.n(),
                if net.is_complete()
                    || net.attribute_names().is_empty() && net.index_of("0").is_some()
                {
                    ", ids 0..n-1"
                } else {
                    ""
                }
            ),
        )
    }

    /// The `[kols]` rule as the ranking takes it, on `net`: listed ids resolved to physicians,
    /// a named attribute checked to be a numeric column of `net`. The one place the scenario's
    /// rule becomes a [`KolRule`](crate::kols::KolRule) (the run, `seed` and `kols.csv` use it).
    pub fn kol_rule(&self, net: &Network) -> Result<crate::kols::KolRule, ScenarioError> {
        use super::KolRuleSpec;
        use crate::kols::KolRule;
        Ok(match &self.kols.rule {
            KolRuleSpec::Ranked(r) => r.clone(),
            KolRuleSpec::Attribute(name, span) => {
                self.check_attribute(name, span, "kols.attribute", net)?;
                KolRule::Attribute(name.clone())
            }
            KolRuleSpec::Explicit(list) => KolRule::Explicit(self.resolve_ids(list, net)?),
        })
    }

    /// Checks that a named attribute exists and is numeric.
    pub fn check_attribute(
        &self,
        name: &str,
        span: &Range<usize>,
        key: &str,
        net: &Network,
    ) -> Result<(), ScenarioError> {
        match net.attribute(name) {
            Some(Attribute::Numeric(_)) => Ok(()),
            Some(Attribute::Text(values)) => {
                let mut examples: Vec<&str> = Vec::new();
                for v in values {
                    if examples.len() < 3 && !examples.contains(&v.as_str()) {
                        examples.push(v);
                    }
                }
                let examples: Vec<String> = examples
                    .iter()
                    .map(|v| format!("\"{}\"", crate::limits::quote(v)))
                    .collect();
                // A column of formatted numbers (`1,296`) was read as text: say so.
                let marker = format!("column \"{}\" is read as text", crate::limits::quote(name));
                let formatted = net.input().warnings.iter().find(|w| w.contains(&marker));
                Err(self.source.error(
                    Some(span.clone()),
                    key,
                    match formatted {
                        Some(w) => format!("attribute \"{name}\" is not numeric: {w}"),
                        None => format!(
                            "attribute \"{name}\" is not numeric: it is a categorical column (values such as {}), which cannot rank physicians; rank by a numeric column, or pick the top KOLs per category with `group = \"{name}\"` in [kols]",
                            examples.join(", ")
                        ),
                    },
                ))
            }
            None => {
                let names = net.attribute_names();
                Err(self.source.error(
                    Some(span.clone()),
                    key,
                    format!(
                        "no node attribute \"{name}\" (available: {})",
                        if names.is_empty() {
                            "none; attributes come from a node file".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                ))
            }
        }
    }
}
