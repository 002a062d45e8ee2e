//! Likelihood-ratio tests of a network term whose parameters sit on their boundary under the
//! null (`q ≥ 0`, tested at `q = 0`).
//!
//! The reference distribution is then not χ²_m but a mixture (Self & Liang 1987): for one
//! boundary parameter `½χ²₀ + ½χ²₁`; for two, `χ̄² = w₀χ²₀ + ½χ²₁ + w₂χ²₂` with
//! `w₂ = ¼ + asin(ρ)/(2π)` and `w₀ = ½ − w₂`, ρ the correlation of the two parameters'
//! unconstrained estimators at the null (Kudô 1963; Shapiro 1985). The χ²_m p-value (about
//! twice too large for one parameter) is kept beside it for comparison.

use super::{chi2, optim};

/// One likelihood-ratio test.
#[derive(Debug, Clone, PartialEq)]
pub struct LrTest {
    /// The null model (the same controls without the network term).
    pub against: String,
    /// `2 (logL − logL₀)`, at least 0.
    pub stat: f64,
    /// Parameters tested.
    pub df: usize,
    /// The p-value under the right reference distribution (boundary-corrected where the
    /// parameters are on their boundary under the null).
    pub p: f64,
    /// The p-value under χ²_df (conservative at a boundary), for comparison.
    pub p_chi2: f64,
    /// Whether the boundary correction applies.
    pub boundary: bool,
    /// The parametric bootstrap p-value (`--bootstrap N`), for the test the verdict reports.
    pub p_bootstrap: Option<f64>,
    /// Launches simulated for `p_bootstrap` (0: none).
    pub bootstrap: u32,
}

/// Statistics below this are 0 (numerical noise of the optimiser).
const ZERO: f64 = 1e-9;

/// `P(X ≥ stat)` for `X = Σ_k w_k χ²_k` (`χ²₀`: a point mass at 0).
pub fn mixture_p(stat: f64, weights: &[f64]) -> f64 {
    if stat <= ZERO {
        return 1.0;
    }
    weights
        .iter()
        .enumerate()
        .skip(1)
        .map(|(k, w)| w * chi2::chi2_sf(stat, k as f64))
        .sum::<f64>()
        .clamp(0.0, 1.0)
}

/// The χ̄² weights `w₀..=w_m` of `m ≤ 2` boundary parameters; `rho`: the correlation of the
/// two estimators (ignored for one).
pub fn chibar_weights(m: usize, rho: f64) -> Vec<f64> {
    match m {
        0 => vec![1.0],
        1 => vec![0.5, 0.5],
        _ => {
            let w2 = 0.25 + rho.clamp(-1.0, 1.0).asin() / (2.0 * std::f64::consts::PI);
            vec![0.5 - w2, 0.5, w2]
        }
    }
}

/// The test of a model with log-likelihood `ll` and `k` parameters against `null`
/// (`(name, logL₀, k₀)`); `boundary`: how many of the `k − k₀` extra parameters are on their
/// boundary under the null (0: a regular χ² test), `rho` as in [`chibar_weights`].
pub fn test(
    ll: f64,
    k: usize,
    null: (&str, f64, usize),
    boundary: usize,
    rho: Option<f64>,
) -> Option<LrTest> {
    let (name, ll0, k0) = null;
    if !(ll.is_finite() && ll0.is_finite()) || k <= k0 {
        return None;
    }
    let df = k - k0;
    let stat = (2.0 * (ll - ll0)).max(0.0);
    let stat = if stat <= ZERO { 0.0 } else { stat };
    let p_chi2 = chi2::chi2_sf(stat, df as f64);
    let p = if boundary == 0 {
        p_chi2
    } else {
        // Extra regular parameters shift every component by the same df.
        let shift = df - boundary.min(df);
        let w = chibar_weights(boundary.min(2), rho.unwrap_or(0.0));
        if stat <= ZERO {
            1.0
        } else {
            w.iter()
                .enumerate()
                .map(|(j, wj)| {
                    let d = j + shift;
                    if d == 0 {
                        0.0
                    } else {
                        wj * chi2::chi2_sf(stat, d as f64)
                    }
                })
                .sum::<f64>()
                .clamp(0.0, 1.0)
        }
    };
    Some(LrTest {
        against: name.to_string(),
        stat,
        df,
        p,
        p_chi2,
        boundary: boundary > 0,
        p_bootstrap: None,
        bootstrap: 0,
    })
}

/// The correlation of the unconstrained estimators of parameters `i` and `j` of `f` at `x`
/// (a point of the null, on the boundary), the other parameters profiled out: from the Schur
/// complement of the observed information (one-sided differences at the bound). `None` when
/// the information is not positive definite.
pub fn boundary_rho(
    f: &optim::Objective<'_>,
    x: &[f64],
    b: &[(f64, f64)],
    i: usize,
    j: usize,
) -> Option<f64> {
    let fx = f(x);
    if !fx.is_finite() {
        return None;
    }
    let (_, h) = optim::derivatives(f, x, b, fx);
    let info = |a: usize, c: usize| -h[a][c];
    let others: Vec<usize> = (0..x.len()).filter(|&k| k != i && k != j).collect();
    let pair = [i, j];
    let mut s = [[info(i, i), info(i, j)], [info(j, i), info(j, j)]];
    if !others.is_empty() {
        let inner: Vec<Vec<f64>> = others
            .iter()
            .map(|&a| others.iter().map(|&c| info(a, c)).collect())
            .collect();
        let inv = optim::inverse_spd(&inner)?;
        for (u, &a) in pair.iter().enumerate() {
            for (v, &c) in pair.iter().enumerate() {
                let mut corr = 0.0;
                for (k1, &o1) in others.iter().enumerate() {
                    for (k2, &o2) in others.iter().enumerate() {
                        corr += info(a, o1) * inv[k1][k2] * info(o2, c);
                    }
                }
                s[u][v] -= corr;
            }
        }
    }
    (s[0][0] > 0.0 && s[1][1] > 0.0)
        .then(|| (-s[0][1] / (s[0][0] * s[1][1]).sqrt()).clamp(-1.0, 1.0))
}

/// A float for a CSV file: at most 10 significant digits (shortest form of the value
/// rounded to 10 digits), scientific notation below 1e-6 and from 1e15; `inf`, `-inf`;
/// empty for NaN.
pub fn num(x: f64) -> String {
    if x.is_finite() {
        let y: f64 = format!("{x:.9e}").parse().unwrap_or(x);
        if y != 0.0 && (y.abs() < 1e-6 || y.abs() >= 1e15) {
            format!("{y:e}")
        } else {
            format!("{y}")
        }
    } else if x == f64::INFINITY {
        "inf".into()
    } else if x == f64::NEG_INFINITY {
        "-inf".into()
    } else {
        String::new()
    }
}

/// Estimates with at most 4 significant digits, for the terminal.
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return num(x);
    }
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    let decimals = (3 - mag).clamp(0, 8) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A p-value for people: `< 0.001` below it, else three decimals (never `0.000`).
pub fn format_p(p: f64) -> String {
    if p < 0.0005 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

/// A p-value in a sentence: `p = 0.012`, or `p < 0.001` (never `p = 0.000`).
pub fn p_text(p: f64) -> String {
    let f = format_p(p);
    if f.starts_with('<') {
        format!("p {f}")
    } else {
        format!("p = {f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_boundary_parameter_halves_the_chi2_p_value() {
        let t = test(-100.0, 2, ("innovation", -101.0, 1), 1, None).unwrap();
        assert!((t.p - 0.5 * t.p_chi2).abs() < 1e-15);
        assert!((t.p_chi2 - 0.157_299_207_050_285_1).abs() < 1e-9);
        // At the boundary: p = 1.
        let t0 = test(-101.0, 2, ("innovation", -101.0, 1), 1, None).unwrap();
        assert_eq!(t0.p, 1.0);
    }

    #[test]
    fn chibar_weights_of_two_parameters() {
        let w = chibar_weights(2, 0.0);
        assert_eq!(w, vec![0.25, 0.5, 0.25]);
        let w = chibar_weights(2, 1.0);
        assert!((w[2] - 0.5).abs() < 1e-15 && w[0].abs() < 1e-15);
        // The mixture's 5% critical value with ρ = 0 is 4.231 (Self & Liang, case 6).
        let p = mixture_p(4.231, &chibar_weights(2, 0.0));
        assert!((p - 0.05).abs() < 2e-4, "{p}");
    }

    #[test]
    fn small_p_values_never_print_as_zero() {
        assert_eq!(format_p(1e-9), "< 0.001");
        assert_eq!(format_p(0.0123), "0.012");
        assert_eq!(format_p(0.0004), "< 0.001");
        assert_eq!(format_p(0.0005), "0.001");
        assert_eq!(p_text(1e-12), "p < 0.001");
        assert_eq!(p_text(0.25), "p = 0.250");
    }
}
