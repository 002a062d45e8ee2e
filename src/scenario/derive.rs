//! A scenario file derived from a scenario's file as the user wrote it, with some tables
//! replaced by typed values ([`Scenario::derived_toml`]): `kolsim fit` writes `fitted.toml`
//! this way, keeping the user's network, KOL and observed tables as written, with their data
//! paths made relative to the folder the new file is written to.

use super::write::Writer;
use super::{Arm, InitialAdopters, NamedModel, Scenario};
use std::path::{Component, Path, PathBuf};
use toml::{Table, Value};

/// What a derived scenario file replaces: its name, description, steps, initial adopters and
/// models (the user's `[[arm]]`, `[sweep]` and `reference_arm` are left out).
#[derive(Debug, Clone)]
pub struct Derived<'a> {
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: String,
    /// `steps`.
    pub steps: u32,
    /// `[initial_adopters]`.
    pub initial_adopters: InitialAdopters,
    /// The `[[model]]` tables, in order.
    pub models: Vec<NamedModel>,
    /// `baseline`.
    pub baseline: String,
    /// The folder the file is written to: data paths are written relative to it.
    pub dir: &'a Path,
}

impl Scenario {
    /// The scenario file as written ([`Scenario::written_table`]) with the tables of `d`
    /// replaced and every data path rewritten relative to `d.dir`, as TOML text.
    pub fn derived_toml(&self, d: &Derived<'_>) -> String {
        let mut doc = self.written_table();
        let base = self
            .source
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        relink_all(&mut doc, &base, d.dir);
        for key in ["arm", "initial_adopters", "sweep", "reference_arm"] {
            doc.remove(key);
        }
        doc.insert("name".into(), d.name.clone().into());
        doc.insert("description".into(), d.description.clone().into());
        doc.insert("steps".into(), Value::Integer(i64::from(d.steps)));
        let w = Writer { base: &base };
        let arm = Arm::new("default", d.initial_adopters.clone());
        doc.insert("initial_adopters".into(), w.adopters(&arm).into());
        let models: Vec<Value> = d.models.iter().map(|m| m.table().into()).collect();
        doc.insert("model".into(), models.into());
        doc.insert("baseline".into(), d.baseline.clone().into());
        // A table of strings, numbers, booleans, lists and tables always serialises.
        toml::to_string(&doc).unwrap_or_default()
    }
}

/// `p` made absolute (against the working directory) with `.` and `..` resolved lexically.
fn absolute(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// The path of `target` relative to the folder `from` (both made absolute first).
pub fn relative_to(target: &Path, from: &Path) -> PathBuf {
    let (t, f) = (absolute(target), absolute(from));
    let (tc, fc): (Vec<_>, Vec<_>) = (t.components().collect(), f.components().collect());
    let common = tc.iter().zip(&fc).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..fc.len() {
        out.push("..");
    }
    for c in &tc[common..] {
        out.push(c);
    }
    out
}

/// Rewrites a data path of the scenario (relative to `base`, the scenario's folder) relative
/// to `dir`, the folder the derived file is written to, so the folder can be moved together
/// with the data or shared within the project.
fn relink(v: &mut Value, base: &Path, dir: &Path) {
    if let Value::String(s) = v {
        let p = Path::new(s.as_str());
        let target = if p.is_relative() {
            base.join(p)
        } else {
            p.to_path_buf()
        };
        *s = relative_to(&target, dir)
            .to_string_lossy()
            .replace('\\', "/");
    }
}

/// Rewrites every data path of the scenario document relative to `dir`.
fn relink_all(doc: &mut Table, base: &Path, dir: &Path) {
    if let Some(Value::Table(net)) = doc.get_mut("network") {
        if let Some(p) = net.get_mut("path") {
            relink(p, base, dir);
        }
        if let Some(Value::Table(nodes)) = net.get_mut("nodes")
            && let Some(p) = nodes.get_mut("path")
        {
            relink(p, base, dir);
        }
        // `[[network.layer]]`: one edge list per layer.
        if let Some(Value::Array(layers)) = net.get_mut("layer") {
            for layer in layers {
                if let Value::Table(layer) = layer
                    && let Some(p) = layer.get_mut("path")
                {
                    relink(p, base, dir);
                }
            }
        }
    }
    for (table, key) in [
        ("kols", "path"),
        ("observed", "path"),
        ("observed", "marketing"),
        ("observed", "detailing"),
    ] {
        if let Some(Value::Table(k)) = doc.get_mut(table)
            && let Some(p) = k.get_mut(key)
        {
            relink(p, base, dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every data path of the document, layers included, is rewritten relative to `dir`.
    #[test]
    fn every_data_path_is_relinked() {
        let mut doc: Table = toml::from_str(
            r#"
[network]
kind = "edge_list"
[network.nodes]
path = "data/nodes.csv"
[[network.layer]]
path = "data/advice.csv"
[[network.layer]]
path = "/abs/friends.csv"
[kols]
path = "kols.txt"
[observed]
path = "data/observed.csv"
marketing = "data/marketing.csv"
"#,
        )
        .unwrap();
        relink_all(
            &mut doc,
            Path::new("/p/scenarios"),
            Path::new("/p/results/fit"),
        );
        let text = toml::to_string(&doc).unwrap();
        for want in [
            "\"../../scenarios/data/nodes.csv\"",
            "\"../../scenarios/data/advice.csv\"",
            "\"../../../abs/friends.csv\"",
            "\"../../scenarios/kols.txt\"",
            "\"../../scenarios/data/observed.csv\"",
            "\"../../scenarios/data/marketing.csv\"",
        ] {
            assert!(text.contains(want), "{want} not in\n{text}");
        }
    }
}
