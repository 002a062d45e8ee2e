//! What a seed selection maximises.

/// What is maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Expected adopters by step `H` (seeds included).
    Adopters,
    /// Expected adopter-steps `Σ_{t=0}^{H} adopters(t)`: the area under the adoption curve,
    /// rewarding speed (RR sets with a deadline uniform on `0..=H`).
    AdopterSteps,
}

impl Objective {
    /// Parses `adopters` or `adopter-steps`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "adopters" => Some(Objective::Adopters),
            "adopter-steps" | "adopter_steps" | "auc" => Some(Objective::AdopterSteps),
            _ => None,
        }
    }

    /// How the objective is named in outputs.
    pub fn label(self, h: u32) -> String {
        match self {
            Objective::Adopters => format!("adopters by step {h}"),
            Objective::AdopterSteps => format!("adopter-steps over steps 0..{h}"),
        }
    }
}
