//! The typed [`Scenario`] written back as scenario TOML ([`Scenario::to_toml`]): every value
//! the scenario holds, so that a scenario built or changed in code writes a full `scenario.toml`
//! that loads back to the same scenario. Defaults that follow other keys (an optimized arm's
//! `horizon`, a model's derived parameters) stay unwritten, so they keep following them.

use super::{Arm, IdList, InitialAdopters, KolRuleSpec, KolSize, KolSpec, NamedModel, Scenario};
use super::{Draw, NetworkSpec, ObservedSpec, ParamValue, TimeUnit};
use crate::engine::EngineKind;
use crate::kols::KolRule;
use crate::network::Decimal;
use crate::network::edge_list::{Column, EdgeListSpec, UnknownIds};
use crate::network::generators::Value as Param;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

impl Scenario {
    /// The scenario as TOML text: loaded back ([`super::parse`], from the same folder, since data
    /// paths are written relative to it) it gives the same scenario.
    ///
    /// ```
    /// use kolsim::models::bass::Bass;
    /// use kolsim::scenario::{self, NamedModel, NetworkSpec, Scenario, Source};
    /// let bass = NamedModel::new("bass", Bass { p: 0.01, q: 0.3 }, &[("p", "0.01"), ("q", "0.3")]);
    /// let sc = Scenario::new("in-code", 24, 10, NetworkSpec::Complete { n: 100 }, vec![bass]);
    /// let text = sc.to_toml();
    /// let back = scenario::parse(Source { path: "in-code.toml".into(), text: text.clone() })?;
    /// assert_eq!(back.to_toml(), text);
    /// # Ok::<(), kolsim::scenario::ScenarioError>(())
    /// ```
    pub fn to_toml(&self) -> String {
        // A table of strings, numbers, booleans, lists and tables always serialises.
        toml::to_string(&self.to_table()).unwrap_or_default()
    }

    /// The text a folder keeps as `scenario.toml` (and the manifest and reports quote): the
    /// scenario file as the user wrote it when the scenario was read from one (overrides such
    /// as `--seed` are recorded in the manifest, not here), otherwise (built in code, or
    /// changed by [`Scenario::with`]) [`Scenario::to_toml`].
    pub fn toml_text(&self) -> String {
        if self.source.text.is_empty() {
            self.to_toml()
        } else {
            self.source.text.clone()
        }
    }

    /// The scenario as a TOML table: the user's file as written when it was read from one,
    /// otherwise the table of [`Scenario::to_toml`]. Data paths are relative to the
    /// scenario's folder.
    pub fn written_table(&self) -> Table {
        match toml::from_str(&self.source.text) {
            Ok(t) if !self.source.text.is_empty() => t,
            _ => self.to_table(),
        }
    }

    /// The table [`Scenario::to_toml`] writes.
    pub fn to_table(&self) -> Table {
        let w = Writer {
            base: self.source.path.parent().unwrap_or(Path::new("")),
        };
        let mut t = Table::new();
        t.insert("name".into(), self.name.clone().into());
        if let Some(d) = &self.description {
            t.insert("description".into(), d.clone().into());
        }
        t.insert("steps".into(), int(self.steps as usize));
        t.insert("replicates".into(), int(self.replicates as usize));
        t.insert(
            "seed".into(),
            Value::Integer(self.seed.min(i64::MAX as u64) as i64),
        );
        t.insert("baseline".into(), self.baseline.clone().into());
        let engine = match self.engine {
            EngineKind::Event => "event",
            EngineKind::Reference => "reference",
        };
        t.insert("engine".into(), engine.into());
        t.insert("network".into(), w.network(&self.network, self.draw).into());
        if !is_none(&self.kols) {
            t.insert("kols".into(), w.kols(&self.kols).into());
        }
        w.arms(&mut t, &self.arms);
        t.insert("reference_arm".into(), self.reference_arm.clone().into());
        let models: Vec<Value> = self.models.iter().map(|m| m.table().into()).collect();
        t.insert("model".into(), models.into());
        if !self.sweep.is_empty() {
            let sweep: Table = self
                .sweep
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect();
            t.insert("sweep".into(), sweep.into());
        }
        if let Some(o) = &self.observed {
            t.insert("observed".into(), w.observed(o).into());
        }
        if self.time_unit != TimeUnit::Month {
            t.insert("time_unit".into(), self.time_unit.singular().into());
        }
        if let Some(d) = &self.start_date {
            t.insert("start_date".into(), d.clone().into());
        }
        if let Some((s, _)) = &self.segment {
            t.insert("segment".into(), s.clone().into());
        }
        t
    }
}

impl NamedModel {
    /// The value of parameter `key` as given (in the file, or to [`NamedModel::new`]); `None`
    /// when it is left to its default.
    pub fn param(&self, key: &str) -> Option<&ParamValue> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of parameter `key` as TOML text (what the report shows); `None` when it is
    /// left to its default.
    pub fn param_text(&self, key: &str) -> Option<String> {
        self.param(key)
            .map(|v| super::models::toml_value(v).to_string())
    }

    /// Its `[[model]]` table: `name`, `kind`, `weight` if given and the parameters it lists.
    pub fn table(&self) -> Table {
        let mut t = Table::new();
        t.insert("name".into(), self.name.clone().into());
        t.insert("kind".into(), self.model.kind().into());
        if let Some(w) = self.weight {
            t.insert(super::models::WEIGHT.into(), w.into());
        }
        for (k, v) in &self.params {
            t.insert(k.clone(), super::models::toml_value(v));
        }
        t
    }
}

/// A count as a TOML integer.
fn int(x: usize) -> Value {
    Value::Integer(x.min(i64::MAX as usize) as i64)
}

/// An `f32` (κ, a layer weight) by its shortest decimal, so that `0.1` stays `0.1`.
fn float32(x: f32) -> Value {
    Value::Float(x.to_string().parse().unwrap_or(f64::from(x)))
}

/// Whether `[kols]` says what a scenario without it says ([`KolSpec::none`]).
fn is_none(k: &KolSpec) -> bool {
    matches!(k.rule, KolRuleSpec::Ranked(KolRule::InDegree))
        && k.size == KolSize::Count(0)
        && k.weight == 1.0
        && k.group.is_none()
        && k.filter.is_empty()
}

/// Writes tables with data paths relative to the scenario's folder `base`.
pub(super) struct Writer<'a> {
    pub(super) base: &'a Path,
}

impl Writer<'_> {
    /// A data path as written in the scenario (relative to its folder where it lies below it).
    fn path(&self, p: &Path) -> Value {
        let rel: PathBuf = match p.strip_prefix(self.base) {
            Ok(r) if !self.base.as_os_str().is_empty() => r.to_path_buf(),
            _ => p.to_path_buf(),
        };
        rel.to_string_lossy().into_owned().into()
    }

    fn network(&self, spec: &NetworkSpec, draw: Draw) -> Table {
        let mut t = Table::new();
        t.insert("kind".into(), spec.kind().into());
        let draw = match draw {
            Draw::PerReplicate => "per_replicate",
            Draw::Once => "once",
        };
        t.insert("draw".into(), draw.into());
        if let Some((_, params)) = spec.generator() {
            for (key, v) in params.0 {
                let v = match v {
                    Param::Count(x) => int(x),
                    Param::Number(x) => x.into(),
                    Param::Counts(xs) => xs.into_iter().map(int).collect::<Vec<_>>().into(),
                };
                t.insert(key.into(), v);
            }
            return t;
        }
        match spec {
            NetworkSpec::EdgeList(e) => self.edge_list(&mut t, e),
            // The network itself lives in memory (registered under this name by the caller).
            NetworkSpec::InMemory { name, .. } => {
                t.insert("path".into(), name.clone().into());
            }
            _ => unreachable!("generated networks are written from their keys"),
        }
        t
    }

    fn edge_list(&self, t: &mut Table, e: &EdgeListSpec) {
        if e.layers.is_empty() {
            t.insert("path".into(), self.path(&e.path));
        } else {
            let layers: Vec<Value> = e
                .layers
                .iter()
                .map(|l| {
                    let mut lt = Table::new();
                    lt.insert("name".into(), l.name.clone().into());
                    lt.insert("path".into(), self.path(&l.path));
                    lt.insert("weight".into(), float32(l.weight));
                    lt.into()
                })
                .collect();
            t.insert("layer".into(), layers.into());
        }
        t.insert("directed".into(), e.directed.into());
        t.insert("header".into(), e.header.into());
        t.insert("source".into(), column(&e.source));
        t.insert("target".into(), column(&e.target));
        if let Some(w) = &e.weight {
            t.insert("weight".into(), column(w));
        }
        if let Some(d) = e.delimiter {
            t.insert("delimiter".into(), delimiter(d));
        }
        match e.decimal {
            Decimal::Detect => {}
            Decimal::Point => {
                t.insert("decimal".into(), ".".into());
            }
            Decimal::Comma => {
                t.insert("decimal".into(), ",".into());
            }
        }
        let unknown = match e.unknown_ids {
            UnknownIds::Error => "error",
            UnknownIds::Drop => "drop",
        };
        t.insert("unknown_ids".into(), unknown.into());
        if !e.missing.is_empty() {
            t.insert("missing".into(), e.missing.clone().into());
        }
        t.insert("normalize_ids".into(), e.normalize_ids.into());
        if let Some(nd) = &e.nodes {
            let mut nt = Table::new();
            nt.insert("path".into(), self.path(&nd.path));
            nt.insert("id".into(), column(&nd.id));
            if let Some(d) = nd.delimiter {
                nt.insert("delimiter".into(), delimiter(d));
            }
            t.insert("nodes".into(), nt.into());
        }
    }

    fn kols(&self, k: &KolSpec) -> Table {
        let mut t = Table::new();
        t.insert("rule".into(), k.rule.name().into());
        match &k.rule {
            KolRuleSpec::Ranked(KolRule::Betweenness {
                pivots: Some(p), ..
            }) => {
                t.insert("pivots".into(), int(*p));
            }
            KolRuleSpec::Ranked(_) => {}
            KolRuleSpec::Attribute(a, _) => {
                t.insert("attribute".into(), a.clone().into());
            }
            KolRuleSpec::Explicit(ids) => self.ids(&mut t, ids),
        }
        match k.size {
            KolSize::Share(s) => {
                t.insert("share".into(), s.into());
            }
            KolSize::Count(c) => {
                t.insert("count".into(), int(c));
            }
            KolSize::All => {}
        }
        t.insert("weight".into(), float32(k.weight));
        strata(&mut t, &k.group, &k.filter);
        t
    }

    /// `ids = [...]`, or `path` when they were read from a file.
    fn ids(&self, t: &mut Table, ids: &IdList) {
        match &ids.path {
            Some(p) => t.insert("path".into(), self.path(p)),
            None => t.insert("ids".into(), ids.ids.clone().into()),
        };
    }

    /// `[initial_adopters]` for the one arm `default`, otherwise `[[arm]]` tables.
    fn arms(&self, t: &mut Table, arms: &[Arm]) {
        if let [a] = arms
            && a.name == "default"
        {
            let at = self.adopters(a);
            if at.len() > 1 || at.get("strategy").and_then(Value::as_str) != Some("none") {
                t.insert("initial_adopters".into(), at.into());
            }
            return;
        }
        let list: Vec<Value> = arms
            .iter()
            .map(|a| {
                let mut at = self.adopters(a);
                at.insert("name".into(), a.name.clone().into());
                at.into()
            })
            .collect();
        t.insert("arm".into(), list.into());
    }

    /// An arm's seeding keys, without its name.
    pub(super) fn adopters(&self, a: &Arm) -> Table {
        let mut t = Table::new();
        let (strategy, count) = match &a.adopters {
            InitialAdopters::None => ("none", None),
            InitialAdopters::Random(c) => ("random", Some(*c)),
            InitialAdopters::Kols(c) => ("kols", Some(*c)),
            InitialAdopters::TopBy(rule, c) => {
                t.insert("rule".into(), rule.name().into());
                ("kols", Some(*c))
            }
            InitialAdopters::Explicit(ids) => {
                self.ids(&mut t, ids);
                ("explicit", None)
            }
            InitialAdopters::Attribute(attr, c, _) => {
                t.insert("attribute".into(), attr.clone().into());
                ("attribute", Some(*c))
            }
            InitialAdopters::Optimized {
                model,
                count,
                horizon,
            } => {
                t.insert("model".into(), model.clone().into());
                if let Some(h) = horizon {
                    t.insert("horizon".into(), int(*h as usize));
                }
                ("optimized", Some(*count))
            }
        };
        t.insert("strategy".into(), strategy.into());
        if let Some(c) = count {
            t.insert("count".into(), int(c));
        }
        strata(&mut t, &a.group, &a.filter);
        t
    }

    fn observed(&self, o: &ObservedSpec) -> Table {
        let mut t = Table::new();
        t.insert("path".into(), self.path(&o.path));
        t.insert("id_column".into(), o.id_column.clone().into());
        t.insert("time_column".into(), o.time_column.clone().into());
        t.insert("missing".into(), o.missing.clone().into());
        if let Some(p) = &o.marketing {
            t.insert("marketing".into(), self.path(p));
        }
        if let Some(p) = &o.detailing {
            t.insert("detailing".into(), self.path(p));
        }
        if let Some(g) = &o.strata {
            t.insert("strata".into(), g.clone().into());
        }
        if !o.covariates.is_empty() {
            t.insert("covariates".into(), o.covariates.clone().into());
        }
        t
    }
}

/// `group` and `where` of `[kols]` or a seeding table.
#[allow(clippy::type_complexity)]
fn strata(
    t: &mut Table,
    group: &Option<(String, std::ops::Range<usize>)>,
    filter: &[(String, String, std::ops::Range<usize>)],
) {
    if let Some((g, _)) = group {
        t.insert("group".into(), g.clone().into());
    }
    if !filter.is_empty() {
        let w: Table = filter
            .iter()
            .map(|(k, v, _)| (k.clone(), Value::from(v.clone())))
            .collect();
        t.insert("where".into(), w.into());
    }
}

/// A column by header name or 1-based number.
fn column(c: &Column) -> Value {
    match c {
        Column::Name(s) => s.clone().into(),
        Column::Position(p) => int(*p),
        Column::Several(cs) => cs.iter().map(column).collect::<Vec<Value>>().into(),
    }
}

/// A delimiter byte as a scenario writes it.
fn delimiter(d: u8) -> Value {
    match d {
        b'\t' => "tab".into(),
        other => char::from(other).to_string().into(),
    }
}
