//! The model kinds a scenario may use: [`Kind`] (declaration, constructor, exact fits) and
//! the [`Registry`] of them, with the built-in list.

use super::{
    ExactFit, Model, ModelInfo, ParamTable, Role, bass, cascade, detailing, imitation,
    social_learning, structural, threshold,
};
use crate::source::ScenarioError;
use std::fmt::Write as _;
use std::sync::Arc;

/// Builds a model from its `[[model]]` table.
pub type Parse = fn(&ParamTable<'_>) -> Result<Arc<dyn Model>, ScenarioError>;

/// A model kind: its declaration, constructor and exact fits.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// The declaration.
    pub info: &'static ModelInfo,
    /// The constructor.
    pub parse: Parse,
    /// The exact fits `kolsim fit` compares for this kind ([`ExactFit`], declared in the
    /// model's file); empty for a model with no exact likelihood.
    pub fits: &'static [ExactFit],
}

impl Kind {
    /// The kind declared by `info`, built by `parse`, with the exact fits `fits`.
    pub const fn new(info: &'static ModelInfo, parse: Parse, fits: &'static [ExactFit]) -> Kind {
        Kind { info, parse, fits }
    }
}

/// The model kinds a scenario may use.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    kinds: Vec<Kind>,
}

impl Registry {
    /// No kinds.
    pub fn empty() -> Self {
        Registry::default()
    }

    /// The built-in models, in the order `kolsim models` lists them. **Register a new
    /// built-in model here.**
    pub fn builtin() -> Self {
        Registry {
            kinds: vec![
                imitation::KIND,
                bass::KIND,
                threshold::KIND,
                cascade::KIND,
                social_learning::KIND,
                detailing::KIND,
                structural::KIND,
            ],
        }
    }

    /// Adds a kind. `Err` if its `kind` string is taken, a parameter is called `name`,
    /// `kind` or `weight` (the keys every `[[model]]` may have), or it declares a null fit
    /// ([`Role::Null`]) other than the built-in one: the fit tests every network term against
    /// one baseline, innovation only.
    pub fn register(&mut self, kind: Kind) -> Result<&mut Self, String> {
        if self.get(kind.info.kind).is_some() {
            return Err(format!(
                "model kind \"{}\" is already registered",
                kind.info.kind
            ));
        }
        if let Some(f) = kind.fits.iter().find(|f| f.role == Role::Null) {
            let builtin = Registry::builtin();
            let null = builtin.kinds().find_map(|k| {
                let g = k.fits.iter().find(|g| g.role == Role::Null)?;
                Some((k.info.kind, g.name))
            });
            if null != Some((kind.info.kind, f.name)) {
                return Err(format!(
                    "model kind \"{}\" declares a null fit `{}`: the fit tests every network term against one baseline, the built-in one",
                    kind.info.kind, f.name
                ));
            }
        }
        if let Some(p) = kind
            .info
            .params
            .iter()
            .find(|p| ["name", "kind", "weight"].contains(&p.name))
        {
            return Err(format!(
                "model kind \"{}\" declares a parameter `{}`, a key every [[model]] has",
                kind.info.kind, p.name
            ));
        }
        self.kinds.push(kind);
        Ok(self)
    }

    /// The kind called `kind`.
    pub fn get(&self, kind: &str) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.info.kind == kind)
    }

    /// Every kind, in registration order.
    pub fn kinds(&self) -> impl Iterator<Item = &Kind> {
        self.kinds.iter()
    }

    /// The `kind` strings, in registration order.
    pub fn names(&self) -> Vec<&'static str> {
        self.kinds.iter().map(|k| k.info.kind).collect()
    }

    /// `kolsim models`: every kind with its parameters (meaning, unit, range, default).
    pub fn describe(&self) -> String {
        let mut o = String::new();
        for k in &self.kinds {
            let m = k.info;
            let _ = writeln!(
                o,
                "{}\n  {}\n  reference: {}\n  parameters:",
                m.kind, m.summary, m.reference
            );
            for p in m.params {
                let _ = writeln!(
                    o,
                    "    {:<9} {}\n              unit: {}; range: {}; default: {}",
                    p.name,
                    p.meaning,
                    p.unit,
                    p.range(),
                    p.default_text()
                );
            }
            let _ = writeln!(o);
        }
        o
    }
}
