//! `time_unit` and `start_date`: what one step is, for labels only (the simulation counts
//! steps).

use super::ScenarioError;
use super::ctx::Ctx;
use super::raw::Opt;

/// The length of one step, used on every axis label, table header and report sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeUnit {
    /// A day.
    Day,
    /// A week.
    Week,
    /// A month (the default).
    #[default]
    Month,
    /// A quarter.
    Quarter,
    /// A year.
    Year,
}

impl TimeUnit {
    /// Every unit with its name in scenario files.
    pub const ALL: [(&'static str, TimeUnit); 5] = [
        ("day", TimeUnit::Day),
        ("week", TimeUnit::Week),
        ("month", TimeUnit::Month),
        ("quarter", TimeUnit::Quarter),
        ("year", TimeUnit::Year),
    ];

    /// The `time_unit` of scenario text (e.g. a sweep's `grid.json` copy of it); month if
    /// absent or unreadable.
    pub fn of_text(text: &str) -> TimeUnit {
        toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| {
                t.get("time_unit")
                    .and_then(|v| v.as_str())
                    .and_then(TimeUnit::from_name)
            })
            .unwrap_or_default()
    }

    /// The unit from its name (`month`, …), if it is one.
    pub fn from_name(name: &str) -> Option<TimeUnit> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, u)| *u)
    }

    /// Singular name: `month`.
    pub fn singular(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, u)| *u == self)
            .map_or("month", |(n, _)| n)
    }

    /// Plural name: `months`.
    pub fn plural(self) -> &'static str {
        match self {
            TimeUnit::Day => "days",
            TimeUnit::Week => "weeks",
            TimeUnit::Month => "months",
            TimeUnit::Quarter => "quarters",
            TimeUnit::Year => "years",
        }
    }
}

/// Parses `time_unit` (default `month`).
pub(super) fn parse_time_unit(cx: &Ctx, raw: &Opt<String>) -> Result<TimeUnit, ScenarioError> {
    cx.one_of(raw, "time_unit", &TimeUnit::ALL, TimeUnit::Month)
}

/// Parses `start_date`: a calendar date `YYYY-MM-DD` (the date of step 0), kept as written.
pub(super) fn parse_start_date(
    cx: &Ctx,
    raw: &Opt<String>,
) -> Result<Option<String>, ScenarioError> {
    let Some(s) = raw else { return Ok(None) };
    let text = s.get_ref().trim();
    if valid_date(text) {
        Ok(Some(text.to_string()))
    } else {
        Err(cx.err(
            s.span(),
            "start_date",
            format!("\"{text}\" is not a date written YYYY-MM-DD (the date of step 0)"),
        ))
    }
}

/// Whether `s` is a valid calendar date `YYYY-MM-DD`.
fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = &s[r];
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_units() {
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2023-02-29"));
        assert!(!valid_date("2024-13-01"));
        assert!(!valid_date("24-01-01"));
        assert!(!valid_date("2024-1-011"));
        assert_eq!(TimeUnit::from_name("week"), Some(TimeUnit::Week));
        assert_eq!(TimeUnit::Quarter.plural(), "quarters");
        assert_eq!(TimeUnit::default().singular(), "month");
    }
}
