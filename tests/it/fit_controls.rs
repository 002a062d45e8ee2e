//! `kolsim fit` with controls of the spontaneous rate (`--strata`, `--covariates`):
//! `p_i(t) = logistic(α_t + δ_g(i) + x_iᵀγ)`.
//!
//! - (a) Innovation only with groups, covariates and period effects is a plain logistic
//!   regression on the person-period table: computed here independently by IRLS, the fit's
//!   estimates, standard errors and log-likelihood agree to 1e-6.
//! - (c) Recovery and 95% coverage of `δ` and `γ` under Bass with controls: launches
//!   simulated here with fixed seeds; the mean estimate is within 3 standard errors of the
//!   truth and each Wald interval covers the truth in a share within 3 binomial standard
//!   errors of 95%.
//! - The CLI: the done-when command, and clear errors for bad controls.

use crate::common::kolsim;
use kolsim::fit::controls::{self, ControlSpec};
use kolsim::fit::data::{self, Design};
use kolsim::fit::models::Candidate;
use kolsim::fit::observed::Status;
use kolsim::fit::{self, Unobserved, hazard};
use kolsim::network::{Attribute, Network, generators};
use kolsim::rng::{Purpose, stream};
use rand::RngExt;

const T: u32 = 8;

/// The truth: `α_t` per period, δ for groups b and c (a the baseline), γ for x1, x2; the
/// network term `q · (adopted in-weight share)`.
struct Truth {
    alpha: fn(u32) -> f64,
    delta: [f64; 2],
    gamma: [f64; 2],
    q: f64,
}

/// A network of `n` physicians (arcs both ways) with attributes `town` (a, b, c) and numeric
/// `x1`, `x2` drawn from stream `seed`.
fn network(n: usize, seed: u64) -> Network {
    let net = generators::barabasi_albert(n, 3, &mut stream(seed, Purpose::Network, 0));
    let mut rng = stream(seed, Purpose::Network, 1);
    let town: Vec<String> = (0..n)
        .map(|_| ["a", "b", "c"][rng.random_range(0..3usize)].to_string())
        .collect();
    let x1: Vec<Option<f64>> = (0..n).map(|_| Some(rng.random::<f64>() * 2.0)).collect();
    let x2: Vec<Option<f64>> = (0..n)
        .map(|_| Some(f64::from(rng.random_range(0..4u32))))
        .collect();
    net.with_attributes(vec![
        ("town".into(), Attribute::Text(town)),
        ("x1".into(), Attribute::Numeric(x1)),
        ("x2".into(), Attribute::Numeric(x2)),
    ])
}

fn attrs(net: &Network, i: usize) -> (usize, f64, f64) {
    let town = match net.attribute("town") {
        Some(Attribute::Text(v)) => ["a", "b", "c"].iter().position(|t| *t == v[i]).unwrap(),
        _ => unreachable!(),
    };
    let num = |name: &str| match net.attribute(name) {
        Some(Attribute::Numeric(v)) => v[i].unwrap(),
        _ => unreachable!(),
    };
    (town, num("x1"), num("x2"))
}

/// A launch: 5 seeds in period 1, then `1 − (1 − p_i(t))(1 − q·share adopted)`.
fn simulate(net: &Network, truth: &Truth, rep: u64) -> Vec<Status> {
    let n = net.n();
    let mut rng = stream(4242, Purpose::Dynamics, rep);
    let mut tau = vec![u32::MAX; n];
    for s in 0..5 {
        tau[s * 7] = 1;
    }
    for t in 2..=T {
        let mut adopt = Vec::new();
        for (i, &ti) in tau.iter().enumerate() {
            if ti != u32::MAX {
                continue;
            }
            let (g, x1, x2) = attrs(net, i);
            let mut eta = (truth.alpha)(t) + truth.gamma[0] * x1 + truth.gamma[1] * x2;
            if g > 0 {
                eta += truth.delta[g - 1];
            }
            let p = 1.0 / (1.0 + (-eta).exp());
            let (nodes, ws) = net.in_arcs().arcs(i);
            let (mut c, mut w) = (0.0, 0.0);
            for (&j, &x) in nodes.iter().zip(ws) {
                w += x as f64;
                if tau[j as usize] < t {
                    c += x as f64;
                }
            }
            let e = if w > 0.0 { c / w } else { 0.0 };
            let h = 1.0 - (1.0 - p) * (1.0 - truth.q * e);
            if rng.random::<f64>() < h {
                adopt.push(i);
            }
        }
        for i in adopt {
            tau[i] = t;
        }
    }
    tau.iter()
        .map(|&t| {
            if t == u32::MAX {
                Status::Censored
            } else {
                Status::Adopted(t)
            }
        })
        .collect()
}

fn spec() -> ControlSpec {
    ControlSpec {
        strata: Some("town".into()),
        covariates: vec!["x1".into(), "x2".into()],
    }
}

fn prepared(net: &Network, st: &[Status]) -> fit::Prepared {
    let ctl = controls::build(&spec(), net, &vec![true; net.n()]).expect("controls");
    fit::prepare::prepare_network_with(
        net,
        &vec![false; net.n()],
        st,
        T,
        Unobserved::Exclude,
        Err("not needed".into()),
        Some(ctl),
    )
    .expect("prepare")
}

/// Logistic regression by IRLS on rows `(x, y)`: estimates, standard errors, log-likelihood.
fn irls(rows: &[(Vec<f64>, f64)]) -> (Vec<f64>, Vec<f64>, f64) {
    let d = rows[0].0.len();
    let mut b = vec![0.0; d];
    let mut cov = vec![vec![0.0; d]; d];
    for _ in 0..50 {
        let mut xtwx = vec![vec![0.0; d]; d];
        let mut xtwz = vec![0.0; d];
        for (x, y) in rows {
            let eta: f64 = x.iter().zip(&b).map(|(a, c)| a * c).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            let w = p * (1.0 - p);
            let z = eta + (y - p) / w;
            for i in 0..d {
                xtwz[i] += x[i] * w * z;
                for j in 0..d {
                    xtwx[i][j] += x[i] * w * x[j];
                }
            }
        }
        cov = invert(xtwx);
        b = (0..d)
            .map(|i| (0..d).map(|j| cov[i][j] * xtwz[j]).sum())
            .collect();
    }
    let ll = rows
        .iter()
        .map(|(x, y)| {
            let eta: f64 = x.iter().zip(&b).map(|(a, c)| a * c).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            y * p.ln() + (1.0 - y) * (1.0 - p).ln()
        })
        .sum();
    let se = (0..d).map(|i| cov[i][i].sqrt()).collect();
    (b, se, ll)
}

/// Gauss–Jordan inverse with partial pivoting.
fn invert(mut a: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let n = a.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap();
        a.swap(c, p);
        inv.swap(c, p);
        let d = a[c][c];
        for j in 0..n {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for i in (0..n).filter(|&i| i != c) {
            let f = a[i][c];
            for j in 0..n {
                a[i][j] -= f * a[c][j];
                inv[i][j] -= f * inv[c][j];
            }
        }
    }
    inv
}

/// The person-period table of a launch: periods 2..=T at risk, `y = 1` in the adoption
/// period; design: one intercept (or one per period), town b, town c, x1, x2.
fn person_periods(net: &Network, st: &[Status], by_period: bool) -> Vec<(Vec<f64>, f64)> {
    let mut rows = Vec::new();
    for (i, s) in st.iter().enumerate() {
        let tau = match s {
            Status::Adopted(t) => *t,
            _ => u32::MAX,
        };
        if tau == 1 {
            continue;
        }
        let (g, x1, x2) = attrs(net, i);
        for t in 2..=T.min(tau) {
            let mut x = if by_period {
                (2..=T).map(|k| f64::from(u8::from(k == t))).collect()
            } else {
                vec![1.0]
            };
            x.extend([
                f64::from(u8::from(g == 1)),
                f64::from(u8::from(g == 2)),
                x1,
                x2,
            ]);
            rows.push((x, f64::from(u8::from(t == tau))));
        }
    }
    rows
}

#[test]
fn innovation_with_controls_is_logistic_regression() {
    let net = network(1_500, 11);
    let truth = Truth {
        alpha: |t| -2.5 + 0.15 * f64::from(t),
        delta: [0.4, -0.3],
        gamma: [0.5, -0.2],
        q: 0.0,
    };
    let st = simulate(&net, &truth, 0);
    let prep = prepared(&net, &st);
    let opts = fit::FitOptions {
        permutations: 0,
        ..fit::FitOptions::default()
    };
    let report = fit::fit_models(&prep, &opts);
    for (name, by_period) in [("innovation", false), ("period_effects", true)] {
        let m = report.models.iter().find(|m| m.name == name).unwrap();
        let (b, se, ll) = irls(&person_periods(&net, &st, by_period));
        assert!((m.loglik - ll).abs() < 1e-6, "{name}: {} vs {ll}", m.loglik);
        assert_eq!(m.coefficients.len(), b.len(), "{name}");
        assert_eq!(m.k, b.len(), "{name}");
        for (e, (bi, si)) in m.coefficients.iter().zip(b.iter().zip(&se)) {
            assert!(
                (e.value - bi).abs() < 1e-6,
                "{name} {}: {} vs {bi}",
                e.name,
                e.value
            );
            let s = e.se.expect("se");
            assert!((s - si).abs() < 1e-6, "{name} {}: se {s} vs {si}", e.name);
        }
        let names: Vec<&str> = m.coefficients.iter().map(|e| e.name.as_str()).collect();
        assert!(
            names.ends_with(&["town=b", "town=c", "x1", "x2"]),
            "{names:?}"
        );
    }
}

#[test]
fn group_and_covariate_effects_are_recovered_with_95_percent_coverage() {
    let net = network(600, 5);
    let truth = Truth {
        alpha: |_| -2.2,
        delta: [0.5, -0.4],
        gamma: [0.6, -0.25],
        q: 0.3,
    };
    let want = [
        truth.delta[0],
        truth.delta[1],
        truth.gamma[0],
        truth.gamma[1],
    ];
    let launches = 200u32;
    let mut covered = [0u32; 4];
    let mut sum = [0.0f64; 4];
    let mut sum_sq = [0.0f64; 4];
    for rep in 0..launches {
        let st = simulate(&net, &truth, u64::from(rep) + 1);
        let prep = prepared(&net, &st);
        let ctl = prep.controls.as_ref().unwrap();
        let (cells, events) = data::cells_and_events(
            prep.net.as_ref().unwrap(),
            &prep.tau,
            T,
            &[Design::Influence],
            &prep.z,
        )
        .remove(0);
        let risk = data::at_risk(&prep.tau, &prep.z, T);
        let d = hazard::Controlled {
            cells: &cells,
            events: &events,
            risk: &risk,
        };
        let s = hazard::Spont {
            rows: &ctl.rows,
            names: &ctl.names,
            by_period: false,
        };
        let f = hazard::fit(Some(Candidate::named("bass").unwrap()), &d, &s);
        assert!(f.loglik.is_finite());
        for k in 0..4 {
            let e = &f.coefficients[1 + k];
            sum[k] += e.value;
            sum_sq[k] += e.value * e.value;
            if e.ci.0 <= want[k] && want[k] <= e.ci.1 {
                covered[k] += 1;
            }
        }
    }
    let r = f64::from(launches);
    // Coverage: Binomial(r, 0.95), 3 standard errors.
    let tol = 3.0 * (r * 0.95 * 0.05).sqrt();
    for k in 0..4 {
        let mean = sum[k] / r;
        let sd = (sum_sq[k] / r - mean * mean).max(0.0).sqrt();
        assert!(
            (mean - want[k]).abs() < 3.0 * sd / r.sqrt() + 0.02,
            "coefficient {k}: mean {mean} vs {} (sd {sd})",
            want[k]
        );
        assert!(
            (f64::from(covered[k]) - 0.95 * r).abs() <= tol,
            "coefficient {k}: covered {} of {launches}",
            covered[k]
        );
    }
}

#[test]
fn done_when_command_prints_a_controlled_verdict() {
    let dir = tempfile_dir("done-when");
    let out = kolsim()
        .args(["fit", "scenarios/ckm-tetracycline.toml"])
        .args(["--covariates", "jours,med_sch_yr,patients"])
        .args(["--strata", "city_name", "--permutations", "0", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let verdict = std::fs::read_to_string(dir.join("verdict.txt")).unwrap();
    assert!(text.starts_with(verdict.trim_end()), "{text}");
    assert!(
        verdict.contains("every model controls for fixed effects for the 4 groups of city_name")
    );
    assert!(verdict.contains("No association"), "{verdict}");
    assert!(
        text.contains("7 with a missing group or covariate value"),
        "{text}"
    );
    let csv = std::fs::read_to_string(dir.join("fit.csv")).unwrap();
    assert!(csv.contains("innovation,odds_ratio[jours],"), "{csv}");
    assert!(csv.contains("period_effects,alpha_17,"), "{csv}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_controls_exit_2_with_a_clear_message() {
    for (args, want) in [
        (
            vec!["--covariates", "nope"],
            "not a column of the node file",
        ),
        (vec!["--strata", "nope"], "not a column of the node file"),
        (vec!["--covariates", "jours:number"], "unknown kind"),
        (vec!["--covariates", "jours,jours"], "given twice"),
    ] {
        let dir = tempfile_dir("bad");
        let out = kolsim()
            .args(["fit", "scenarios/ckm-tetracycline.toml", "--out"])
            .arg(&dir)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!dir.exists());
    }
}

fn tempfile_dir(tag: &str) -> std::path::PathBuf {
    let base = std::env::temp_dir().join(format!("kolsim-fit-controls-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    base.join(tag)
}
