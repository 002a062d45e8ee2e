//! `kolsim fit` with marketing covariates: the `detailing` likelihood against an independent
//! person-period computation, parameter recovery on launches simulated by kolsim's own
//! detailing model, and located errors for bad covariate files.

use crate::common::line_starting;
use assert_cmd::Command;
use kolsim::adopters::AdopterRule;
use kolsim::engine::{EngineKind, NEVER, Observer, Replicate, Scratch};
use kolsim::fit::covariates::{self, Covariates};
use kolsim::fit::models::Candidate;
use kolsim::fit::observed::Status;
use kolsim::fit::{self, Unobserved, data};
use kolsim::models::{Detailing, Model, Policy, Setting};
use kolsim::network::{Network, generators};
use kolsim::rng::{Purpose, stream};
use std::path::PathBuf;

fn kolsim() -> Command {
    let mut c = Command::cargo_bin("kolsim").unwrap();
    c.current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    c
}

struct Times(Vec<u32>);

impl Observer for Times {
    fn on_adopt(&mut self, node: u32, step: u32) {
        self.0[node as usize] = step;
    }
}

/// Per physician: `(step, visits)`.
type Visits = Vec<Vec<(u32, f64)>>;

/// One launch of kolsim's own `detailing` model (random targeting) from `seeds` random
/// adopters over `steps` steps, and the visits it made, replayed from the replicate's
/// detailing stream with the model's own `detail`.
fn launch(
    net: &Network,
    model: &Detailing,
    seeds: usize,
    steps: u32,
    rep: u64,
) -> (Vec<Status>, Visits) {
    let n = net.n();
    let is_kol = vec![false; n];
    let initial =
        AdopterRule::Random(seeds).choose(net, &[], &mut stream(11, Purpose::InitialAdopters, rep));
    let r = Replicate {
        net,
        is_kol: &is_kol,
        initial: &initial,
        steps,
        seed: 11,
        replicate: rep,
    };
    let prepared = model
        .prepare(&Setting {
            net,
            kols: &[],
            is_kol: &is_kol,
            kol_weight: 1.0,
        })
        .unwrap();
    let mut times = Times(vec![NEVER; n]);
    prepared.run_observed(EngineKind::Event, &r, &mut Scratch::default(), &mut times);
    let mut rng = r.stream(Purpose::Detailing);
    let (mut stock, mut picks) = (vec![0.0; n], Vec::new());
    let mut visits: Visits = vec![Vec::new(); n];
    for t in 1..=steps {
        let before: Vec<f64> = stock.iter().map(|d| d * model.decay).collect();
        model.detail(t, &mut stock, &[], &is_kol, &mut rng, &mut picks);
        for i in 0..n {
            let v = stock[i] - before[i];
            if v > 1e-9 {
                visits[i].push((t, v));
            }
        }
    }
    let st = times
        .0
        .iter()
        .map(|&s| {
            if s == NEVER {
                Status::Censored
            } else {
                Status::Adopted(s + 1)
            }
        })
        .collect();
    (st, visits)
}

fn network() -> Network {
    generators::barabasi_albert(400, 2, &mut stream(5, Purpose::Network, 0))
}

fn truth() -> Detailing {
    Detailing {
        alpha: 0.01,
        beta: 0.2,
        gamma: 0.4,
        decay: 0.6,
        budget: vec![60.0, 20.0, 100.0, 40.0, 0.0, 80.0],
        policy: Policy::Random,
    }
}

/// The log-likelihood summed person-period by person-period, written independently of
/// `kolsim::fit`: the stock from the visits, the exposure share from the in-arcs.
fn direct(
    net: &Network,
    st: &[Status],
    visits: &Visits,
    big_t: u32,
    decay: f64,
    th: &[f64],
) -> f64 {
    let tau: Vec<u32> = st
        .iter()
        .map(|s| match s {
            Status::Adopted(t) => *t,
            _ => u32::MAX,
        })
        .collect();
    let mut ll = 0.0;
    for t in 2..=big_t {
        for i in 0..net.n() {
            if tau[i] < t {
                continue;
            }
            let s = t - 1; // the period's step
            let d: f64 = visits[i]
                .iter()
                .filter(|(u, _)| *u <= s)
                .map(|(u, v)| v * decay.powi((s - u) as i32))
                .sum();
            let (nodes, ws) = net.in_arcs().arcs(i);
            let (mut c, mut w) = (0.0, 0.0);
            for (&j, &x) in nodes.iter().zip(ws) {
                w += x as f64;
                if tau[j as usize] < t {
                    c += x as f64;
                }
            }
            let e = if w > 0.0 { c / w } else { 0.0 };
            let h = 1.0 - (-(th[0] + th[1] * d + th[2] * e)).exp();
            ll += if tau[i] == t { h.ln() } else { (1.0 - h).ln() };
        }
    }
    ll
}

fn covariates_of(visits: Visits, big_t: u32, decay: f64) -> Covariates {
    Covariates {
        marketing: vec![0.0; big_t as usize],
        visits,
        decay,
        files: Vec::new(),
    }
}

#[test]
fn detailing_likelihood_equals_direct_person_period_sum() {
    let net = network();
    let m = truth();
    let big_t = 12;
    let (st, visits) = launch(&net, &m, 5, big_t - 1, 2);
    let is_kol = vec![false; net.n()];
    let prep = fit::prepare_network(
        &net,
        &is_kol,
        &st,
        big_t,
        Unobserved::Exclude,
        Err(String::new()),
    )
    .unwrap();
    let fnet = prep.net.as_ref().unwrap();
    let cov = covariates_of(visits.clone(), big_t, m.decay);
    let cells = covariates::cells(fnet, &prep.tau, big_t, &cov);
    for th in [[0.01, 0.2, 0.4], [0.05, 0.0, 1.3], [0.002, 0.9, 0.0]] {
        let want = direct(&net, &st, &visits, big_t, m.decay, &th);
        let got = data::log_likelihood(&cells, |x| {
            Candidate::named("detailing").unwrap().hazard(&th, x)
        });
        assert!(want.is_finite());
        assert!((got - want).abs() <= 1e-9 * want.abs(), "{got} vs {want}");
    }
    // A marketing series enters the stock like visits made to everyone.
    let mut series = covariates_of(vec![Vec::new(); net.n()], big_t, m.decay);
    series.marketing = (0..big_t).map(|s| 0.1 * f64::from(s % 3)).collect();
    let every: Visits = (0..net.n())
        .map(|_| (0..big_t).map(|s| (s, 0.1 * f64::from(s % 3))).collect())
        .collect();
    let th = [0.01, 0.3, 0.2];
    let got = data::log_likelihood(&covariates::cells(fnet, &prep.tau, big_t, &series), |x| {
        Candidate::named("detailing").unwrap().hazard(&th, x)
    });
    let want = direct(&net, &st, &every, big_t, m.decay, &th);
    assert!((got - want).abs() <= 1e-9 * want.abs(), "{got} vs {want}");
}

/// Parameter recovery: `L` launches of kolsim's detailing model, each fitted with its visits;
/// the 95% profile intervals cover the truth within 0.95 ± 3.3·sqrt(0.95·0.05/L), and the mean
/// estimate lies within 3.5 standard errors of the truth.
#[test]
fn detailing_parameters_are_recovered() {
    let net = network();
    let m = truth();
    let th = [m.alpha, m.beta, m.gamma];
    let big_t = 16;
    let launches = 60;
    let is_kol = vec![false; net.n()];
    let mut covered = [0usize; 3];
    let mut est: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for rep in 0..launches {
        let (st, visits) = launch(&net, &m, 5, big_t - 1, 100 + rep);
        let prep = fit::prepare_network(
            &net,
            &is_kol,
            &st,
            big_t,
            Unobserved::Exclude,
            Err(String::new()),
        )
        .unwrap();
        let cov = covariates_of(visits, big_t, m.decay);
        let d = covariates::fit(
            Candidate::named("detailing").unwrap(),
            prep.net.as_ref().unwrap(),
            &prep.tau,
            big_t,
            &cov,
            None,
        );
        for k in 0..3 {
            let e = &d.estimates[k];
            est[k].push(e.value);
            covered[k] += usize::from(e.ci.0 <= th[k] && th[k] <= e.ci.1);
        }
    }
    let l = launches as f64;
    let half = 3.3 * (0.95f64 * 0.05 / l).sqrt();
    let mut fails = Vec::new();
    for (k, name) in ["alpha", "beta", "gamma"].iter().enumerate() {
        let mean = est[k].iter().sum::<f64>() / l;
        let sd = (est[k].iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (l - 1.0)).sqrt();
        let cov = covered[k] as f64 / l;
        eprintln!(
            "{name}: truth {}, mean {mean:.4} (sd {sd:.4}, bias {:+.2} se), coverage {:.1}%",
            th[k],
            (mean - th[k]) / (sd / l.sqrt()),
            100.0 * cov
        );
        if (cov - 0.95).abs() > half {
            fails.push(format!("{name}: coverage {cov}"));
        }
        if (mean - th[k]).abs() > 3.5 * sd / l.sqrt() {
            fails.push(format!("{name}: mean {mean} vs {}", th[k]));
        }
    }
    assert!(fails.is_empty(), "{fails:?}");
}

#[test]
fn ckm_fits_detailing_with_a_marketing_series() {
    let out = tempfile::tempdir().unwrap();
    let series = out.path().join("marketing.csv");
    let mut body = String::from("step,effort\n");
    for s in 0..17 {
        body.push_str(&format!("{s},{}\n", [1.0, 0.5, 0.2][s % 3]));
    }
    std::fs::write(&series, body).unwrap();
    let dir = out.path().join("fit");
    let o = kolsim()
        .args([
            "fit",
            "scenarios/ckm-tetracycline.toml",
            "--permutations",
            "0",
            "--marketing",
        ])
        .arg(&series)
        .arg("--out")
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(o).unwrap();
    assert!(text.contains("\ndetailing "), "{text}");
    // The scenario's social-learning model is fitted by simulation, in its own block, with
    // the warning that it cannot reach the observed adopters from the initial adopters.
    assert!(
        text.contains("Simulation-based fits (method = simulated"),
        "{text}"
    );
    assert!(
        text.contains(
            "Warning: learning: the observed 109 adopters by T are not reached from the initial adopters"
        ),
        "{text}"
    );
    let models = std::fs::read_to_string(dir.join("models.csv")).unwrap();
    let row = line_starting(&models, "detailing,");
    assert!(
        row.starts_with("detailing,3,") && row.ends_with(",exact"),
        "{row}"
    );
    let fit = std::fs::read_to_string(dir.join("fit.csv")).unwrap();
    for p in ["alpha", "beta", "gamma"] {
        assert!(fit.contains(&format!("detailing,{p},")), "{fit}");
    }
}

#[test]
fn bad_covariate_files_give_located_errors() {
    let out = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str, &str); 6] = [
        (
            "--detailing",
            "id,step,visits\n1,2,1\n9999,3,1\n",
            ":3:",
            "unknown physician id \"9999\"",
        ),
        (
            "--detailing",
            "id,step,visits\n1,17,1\n",
            ":2:",
            "outside the observed window",
        ),
        (
            "--detailing",
            "id,step,visits\n1,2,x\n",
            ":2:",
            "`visits` = \"x\" is not a number",
        ),
        (
            "--detailing",
            "id,step,visits\n1,2,1\n1,2,3\n",
            ":3:",
            "listed twice",
        ),
        (
            "--marketing",
            "step,effort\n0,1\n1,abc\n",
            ":3:",
            "`effort` = \"abc\" is not a number",
        ),
        (
            "--marketing",
            "step,effort\n-1,1\n",
            ":2:",
            "not a non-negative integer",
        ),
    ];
    for (k, (flag, body, at, msg)) in cases.iter().enumerate() {
        let f = out.path().join(format!("cov{k}.csv"));
        std::fs::write(&f, body).unwrap();
        let o = kolsim()
            .args(["fit", "scenarios/ckm-tetracycline.toml", "-q", flag])
            .arg(&f)
            .arg("--out")
            .arg(out.path().join(format!("r{k}")))
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8(o).unwrap();
        assert!(
            err.contains(&format!("cov{k}.csv{at}")) && err.contains(msg),
            "case {k}: {err}"
        );
    }
}

/// The `[observed]` keys `marketing` and `detailing` name the covariate files (relative to the
/// scenario), as `--marketing` and `--detailing` do.
#[test]
fn observed_table_keys_name_the_covariates() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let data = root.join("scenarios/data/ckm");
    let text = std::fs::read_to_string(root.join("scenarios/ckm-tetracycline.toml"))
        .unwrap()
        .replace("\"data/ckm/", &format!("\"{}/", data.display()));
    let text = text.replace(
        "[observed]\n",
        "[observed]\nmarketing = \"effort.csv\"\ndetailing = \"visits.csv\"\n",
    );
    std::fs::write(
        out.path().join("effort.csv"),
        "step,effort\n0,1\n3,2\n8,0.5\n",
    )
    .unwrap();
    std::fs::write(
        out.path().join("visits.csv"),
        "id,step,visits\n1,2,1\n2,5,3\n",
    )
    .unwrap();
    let sc = out.path().join("ckm.toml");
    std::fs::write(&sc, text).unwrap();
    let dir = out.path().join("fit");
    kolsim()
        .arg("fit")
        .arg(&sc)
        .args(["-q", "--permutations", "0", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let models = std::fs::read_to_string(dir.join("models.csv")).unwrap();
    assert!(
        models.lines().any(|l| l.starts_with("detailing,3,")),
        "{models}"
    );
    // A bad row in a file named by the scenario is located in that file.
    std::fs::write(
        out.path().join("visits.csv"),
        "id,step,visits\n1,2,1\nnobody,5,3\n",
    )
    .unwrap();
    let err = kolsim()
        .arg("fit")
        .arg(&sc)
        .args(["-q", "--out"])
        .arg(out.path().join("fit2"))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(err).unwrap();
    assert!(
        err.contains("visits.csv:3:") && err.contains("\"nobody\""),
        "{err}"
    );
}
