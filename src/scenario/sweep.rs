//! `[sweep]`: each key's values, a list of numbers, one number, or text (`"a,b,c"` or
//! `"start:stop:step"`, [`sweep_values`], which `--set` parses too), read into numbers when
//! the scenario is read.

use super::Ctx;
use super::ScenarioError;
use super::models::toml_number;
use toml::{Spanned, Table, Value};

/// Rounds away binary noise from range arithmetic (0.1 + 2·0.05 = 0.2, not 0.20000000000000004).
fn tidy(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(12 - x.abs().log10().ceil() as i32);
    let y = (x * scale).round() / scale;
    // Very small or very large values have no binary noise to remove (and the scale overflows).
    if y.is_finite() && scale.is_finite() && scale > 0.0 {
        y
    } else {
        x
    }
}

/// Parses swept values written as text: a comma-separated list or `start:stop:step`
/// (inclusive). `Err` says why.
pub fn sweep_values(text: &str) -> Result<Vec<f64>, String> {
    let num = |s: &str| -> Result<f64, String> {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("\"{}\" is not a number", s.trim()))
    };
    let values: Vec<f64> = if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        if parts.len() != 3 {
            return Err(format!("range \"{text}\" must be start:stop:step"));
        }
        let (a, b, st) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
        if st <= 0.0 {
            return Err(format!("range step {st} must be positive"));
        }
        if b < a {
            return Err(format!("range stop {b} is below start {a}"));
        }
        let n = ((b - a) / st + 1e-9).floor() as usize + 1;
        if n > 100_000 {
            return Err(format!("range \"{text}\" has {n} values; at most 100000"));
        }
        (0..n).map(|i| tidy(a + i as f64 * st)).collect()
    } else {
        text.split(',').map(num).collect::<Result<_, _>>()?
    };
    if values.is_empty() {
        return Err("no values".into());
    }
    distinct_values(&values)?;
    Ok(values)
}

/// Refuses repeated values (e.g. a range step too small to tell values apart), which would run
/// identical points under different labels.
pub fn distinct_values(values: &[f64]) -> Result<(), String> {
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(format!(
                "the value {v} appears twice (is the range step too small?)"
            ));
        }
    }
    Ok(())
}

/// The values of one `[sweep]` key as written.
fn values_of(v: &Value) -> Result<Vec<f64>, String> {
    let values = match v {
        Value::String(s) => sweep_values(s)?,
        Value::Array(items) => items
            .iter()
            .map(|x| {
                toml_number(x)
                    .filter(|f| f.is_finite())
                    .ok_or_else(|| format!("{x} is not a number"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        other => match toml_number(other) {
            Some(x) => vec![x],
            None => {
                return Err(format!(
                    "{other}: give a list of numbers or \"start:stop:step\""
                ));
            }
        },
    };
    if values.is_empty() {
        return Err("no values".into());
    }
    Ok(values)
}

/// `[sweep]`: `(key path, values)` in key order.
pub(crate) fn parse_sweep(
    cx: &Ctx,
    raw: &Option<Spanned<Table>>,
) -> Result<Vec<(String, Vec<f64>)>, ScenarioError> {
    let Some(t) = raw else {
        return Ok(Vec::new());
    };
    t.get_ref()
        .iter()
        .map(|(key, v)| {
            let values =
                values_of(v).map_err(|why| cx.err(t.span(), &format!("sweep.{key}"), why))?;
            Ok((key.clone(), values))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::scenario::{Source, parse};

    fn with_sweep(
        sweep: &str,
    ) -> Result<crate::scenario::Scenario, crate::scenario::ScenarioError> {
        let text = format!(
            "name = \"t\"\nsteps = 3\nreplicates = 1\n[network]\nkind = \"complete\"\nn = 5\n\
             [[model]]\nkind = \"bass\"\np = 0.01\nq = 0.2\n[sweep]\n{sweep}"
        );
        parse(Source {
            path: "t.toml".into(),
            text,
        })
    }

    #[test]
    fn sweep_values_are_numbers_when_read() {
        let sc =
            with_sweep("\"model.bass.q\" = [0.1, 0.2]\n\"network.n\" = \"10:30:10\"\n").unwrap();
        assert_eq!(
            sc.sweep,
            vec![
                ("model.bass.q".to_string(), vec![0.1, 0.2]),
                ("network.n".to_string(), vec![10.0, 20.0, 30.0])
            ]
        );
        let back = parse(Source {
            path: "t.toml".into(),
            text: sc.to_toml(),
        })
        .unwrap();
        assert_eq!(back.sweep, sc.sweep);
        for (bad, why) in [
            ("\"network.n\" = [\"a\"]", "is not a number"),
            ("\"network.n\" = []", "no values"),
            ("\"network.n\" = \"3:1:1\"", "below start"),
            ("\"network.n\" = true", "give a list of numbers"),
        ] {
            let e = with_sweep(bad).unwrap_err();
            assert_eq!(e.key, "sweep.network.n", "{bad}");
            assert!(e.message.contains(why), "{bad}: {}", e.message);
        }
    }
}
