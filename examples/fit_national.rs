//! Measures `kolsim fit` at national scale: one synthetic launch on 1,000,000 physicians
//! (BA, m = 5, 1% KOLs with κ = 2) over 120 months, simulated by kolsim's own engine (Bass,
//! p = 0.003, q = 0.2, 100 random seeds), then every exact model fitted to it.
//!
//! `cargo run --release --example fit_national` (run it with `/usr/bin/time -v` for the peak
//! memory; `taskset -c 0,1` for 2 cores). Environment: `N` physicians (default 10⁶), `NO_SE`
//! skips the similarity network, `CONTROLS=1` fits with controls of the spontaneous rate
//! (issue 19's case: 10 groups `region` and 3 covariates — `specialist` 0/1, `cohort` 0..5,
//! `jours` 0..7 — drawn per physician with a fixed seed, as `--strata region --covariates
//! specialist,cohort,jours` would); with `PER_MODEL=1` too, each model with period effects and
//! the controls is timed alone instead (data sweep and fit); `MODELS=bass,threshold` keeps
//! only those (`controls` for the controls alone), `ESTIMATES=1` prints every estimate.
//! `PARTS=1` with `CONTROLS=1` times the default fit's parts one after the other instead: the
//! data sweep, the permutation test, and per family (constant α, α per period) each model's
//! fit, κ̂ and `null_rho` (the default fit runs the models of a family in parallel).

use kolsim::adopters::AdopterRule;
use kolsim::engine::{self, EngineKind, NEVER, Observer, Replicate, Scratch};
use kolsim::fit::{self, Unobserved, observed::Status};
use kolsim::kols::{KolRule, select_with};
use kolsim::models::Bass;
use kolsim::network::generators;
use kolsim::rng::{Purpose, stream};
use std::time::Instant;

struct Times(Vec<u32>);

impl Observer for Times {
    fn on_adopt(&mut self, node: u32, step: u32) {
        self.0[node as usize] = step;
    }
}

/// CPU seconds used by this process so far (user + system; Linux `/proc/self/stat`, 100 Hz
/// ticks), so the figure does not depend on other load on the machine.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// Node attributes for `CONTROLS=1`: `region` (10 groups) and three covariates.
fn attributes(n: usize) -> Vec<(String, kolsim::network::Attribute)> {
    use kolsim::network::Attribute;
    use rand::RngExt as _;
    let mut rng = stream(42, Purpose::Network, 7);
    let mut col = |k: u32| -> Vec<Option<f64>> {
        (0..n)
            .map(|_| Some(f64::from(rng.random_range(0..k))))
            .collect()
    };
    let region: Vec<String> = col(10)
        .into_iter()
        .map(|v| format!("r{}", v.unwrap_or(0.0)))
        .collect();
    vec![
        ("region".into(), Attribute::Text(region)),
        ("specialist".into(), Attribute::Numeric(col(2))),
        ("cohort".into(), Attribute::Numeric(col(6))),
        ("jours".into(), Attribute::Numeric(col(8))),
    ]
}

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let steps = 119; // periods 1..=120
    let t0 = Instant::now();
    let mut net = generators::barabasi_albert(n, 5, &mut stream(42, Purpose::Network, 0));
    let kols = select_with(
        &net,
        &KolRule::InDegree,
        n / 100,
        &mut stream(42, Purpose::Kols, 0),
    );
    let mut is_kol = vec![false; n];
    for &k in &kols {
        is_kol[k as usize] = true;
    }
    net.scale_sources(&kols, 2.0);
    if std::env::var("CONTROLS").is_ok() {
        net = net.with_attributes(attributes(n));
    }
    let initial =
        AdopterRule::Random(100).choose(&net, &[], &mut stream(42, Purpose::InitialAdopters, 0));
    let rep = Replicate {
        net: &net,
        is_kol: &is_kol,
        initial: &initial,
        steps,
        seed: 42,
        replicate: 0,
    };
    let mut times = Times(vec![NEVER; n]);
    engine::run(
        EngineKind::Event,
        &Bass { p: 0.003, q: 0.2 },
        &rep,
        &mut Scratch::default(),
        &mut times,
    );
    let status: Vec<Status> = times
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
    let adopted = status
        .iter()
        .filter(|s| matches!(s, Status::Adopted(_)))
        .count();
    println!(
        "network + launch: {:.2} s ({} physicians, {} arcs, {adopted} adopters by period 120)",
        t0.elapsed().as_secs_f64(),
        n,
        net.arc_count()
    );
    let t1 = Instant::now();
    let similar: Result<kolsim::network::Network, String> = if std::env::var("NO_SE").is_ok() {
        Err("skipped".into())
    } else {
        kolsim::realise::similarity_network(&net, fit::DEFAULT_TOP_K)
    };
    println!(
        "similarity network: {:.2} s ({})",
        t1.elapsed().as_secs_f64(),
        if similar.is_ok() { "built" } else { "refused" }
    );
    // The measured phase: preparing (restricting the networks) and fitting every exact model
    // with standard errors, profile intervals and tests.
    let (t2, c2) = (Instant::now(), cpu());
    let controls = std::env::var("CONTROLS").is_ok().then(|| {
        let spec = fit::controls::ControlSpec {
            strata: Some("region".into()),
            covariates: vec!["specialist".into(), "cohort".into(), "jours".into()],
        };
        fit::controls::build(&spec, &net, &vec![true; n]).expect("controls")
    });
    let prep = fit::prepare_network_with(
        &net,
        &is_kol,
        &status,
        steps + 1,
        Unobserved::Exclude,
        similar.as_ref().map_err(Clone::clone),
        controls,
    )
    .expect("prepare");
    if std::env::var("PARTS").is_ok() && prep.controls.is_some() {
        println!(
            "controls and prepare: {:.2} s CPU, {:.2} s wall",
            cpu() - c2,
            t2.elapsed().as_secs_f64()
        );
        parts(&prep);
        return;
    }
    if std::env::var("PER_MODEL").is_ok() && prep.controls.is_some() {
        per_controlled_model(&prep);
        return;
    }
    let opts = fit::FitOptions::default();
    let report = fit::fit_models(&prep, &opts);
    println!(
        "fit (every exact model, with SEs, profile intervals and tests): {:.2} s wall, {:.2} s CPU (all threads)",
        t2.elapsed().as_secs_f64(),
        cpu() - c2
    );
    print!("{}", fit::output::table(&report));
    for (m, why) in &report.not_fitted {
        println!("not fitted: {m}: {why}");
    }
    if std::env::var("PER_MODEL").is_ok() {
        use kolsim::fit::data::{self, Design};
        use kolsim::fit::models::Candidate;
        let (t, c) = (Instant::now(), cpu());
        let designs = [
            Design::Influence,
            Design::KolSplit,
            Design::Cascade,
            Design::Threshold,
        ];
        let cells = data::cells(
            prep.net.as_ref().expect("net"),
            &prep.tau,
            steps + 1,
            &designs,
            false,
        );
        println!(
            "cells (one pass, four designs): {:.2} s wall, {:.2} s CPU; influence {}, kol split {}, cascade {}, threshold {}",
            t.elapsed().as_secs_f64(),
            cpu() - c,
            cells[0].len(),
            cells[1].len(),
            cells[2].len(),
            cells[3].len()
        );
        let (r, y) = cells[0]
            .iter()
            .fold((0.0, 0.0), |a, c| (a.0 + c.r, a.1 + c.y));
        for (cand, k) in [
            (Candidate::named("bass").unwrap(), 0),
            (Candidate::named("cascade").unwrap(), 2),
            (Candidate::named("threshold").unwrap(), 3),
            (Candidate::named("kol_contagion").unwrap(), 1),
        ] {
            let c = cpu();
            let _ = fit::fit_pooled(cand, &cells[k], y / r);
            println!(
                "{}: {:.2} s CPU with SEs and intervals",
                cand.name(),
                cpu() - c
            );
        }
    }
}

/// `PER_MODEL=1` with `CONTROLS=1`: the controlled design's data (one sweep over the
/// person-periods) and each model with period effects and the controls, with SEs and
/// intervals, timed alone (CPU of all threads), with the person-periods per second of the
/// data sweep.
fn per_controlled_model(prep: &fit::Prepared) {
    use kolsim::fit::data::{self, Design};
    use kolsim::fit::hazard;
    use kolsim::fit::models::Candidate;
    let ctl = prep.controls.as_ref().expect("controls");
    let s = hazard::Spont {
        rows: &ctl.rows,
        names: &ctl.names,
        by_period: true,
    };
    for (cand, kind) in [
        (None, Design::Influence),
        (Some(Candidate::named("bass").unwrap()), Design::Influence),
        (
            Some(Candidate::named("kol_contagion").unwrap()),
            Design::KolSplit,
        ),
        (Some(Candidate::named("cascade").unwrap()), Design::Cascade),
        (
            Some(Candidate::named("threshold").unwrap()),
            Design::Threshold,
        ),
    ] {
        let label = cand.map_or("controls", |c| c.name());
        if let Ok(only) = std::env::var("MODELS")
            && !only.split(',').any(|m| m == label)
        {
            continue;
        }
        let (t, c) = (Instant::now(), cpu());
        let (cells, events) = data::cells_and_events(
            prep.net.as_ref().expect("net"),
            &prep.tau,
            prep.facts.periods,
            &[kind],
            &prep.z,
        )
        .remove(0);
        let risk = data::at_risk(&prep.tau, &prep.z, prep.facts.periods);
        let pp: f64 = cells.iter().map(|c| c.r).sum();
        let data_cpu = cpu() - c;
        let d = hazard::Controlled {
            cells: &cells,
            events: &events,
            risk: &risk,
        };
        let c2 = cpu();
        let f = hazard::fit(cand, &d, &s);
        let ck = cpu();
        let kappa = cand
            .and_then(Candidate::ratio)
            .and_then(|ratio| hazard::kappa_counted(ratio, &d, &s, &f.params));
        let kappa_cpu = cpu() - ck;
        let mut phases = f.passes.phases.clone();
        if let Some((_, k)) = &kappa {
            phases.extend(
                k.phases
                    .iter()
                    .map(|(n, p, g, c)| (format!("kappa {n}"), *p, *g, *c)),
            );
        }
        let kappa = kappa.map(|(k, _)| k);
        println!(
            "{}+period: data {:.2} s CPU ({pp:.0} person-periods, {:.1} M/s; {} cells, {} events, {} at-risk rows), fit {:.2} s CPU, {:.2} s wall; log L {:.6}{}",
            cand.map_or("controls", |c| c.name()),
            data_cpu,
            pp / data_cpu.max(0.01) / 1e6,
            cells.len(),
            events.len(),
            risk.len(),
            cpu() - c2,
            t.elapsed().as_secs_f64(),
            f.loglik,
            kappa
                .as_ref()
                .map_or(String::new(), |k| format!(", kappa {:.4}", k.value)),
        );
        if kappa.is_some() {
            println!("  (kappa: {kappa_cpu:.2} s CPU of the fit's)");
        }
        for (name, p, g, c) in &phases {
            println!("  passes: {name}: {p} passes, {g} grid checks, {c} maximisations");
        }
        if std::env::var("ESTIMATES").is_ok() {
            for e in f.params.iter().chain(&f.coefficients).chain(&kappa) {
                println!(
                    "  {} {:.10e} se {:.10e} ci {:.10e} {:.10e}",
                    e.name,
                    e.value,
                    e.se.unwrap_or(f64::NAN),
                    e.ci.0,
                    e.ci.1
                );
            }
        }
    }
}

/// `PARTS=1` with `CONTROLS=1`: the default fit's parts timed one after the other (CPU of all
/// threads, wall), as `fit::fit_models` runs them.
fn parts(prep: &fit::Prepared) {
    use kolsim::fit::data::{self, Design};
    use kolsim::fit::hazard;
    use kolsim::fit::models::Candidate;
    let net = prep.net.as_ref().expect("net");
    let timed = |what: &str, f: &mut dyn FnMut() -> String| {
        let (t, c) = (Instant::now(), cpu());
        let said = f();
        println!(
            "{what}: {:.2} s CPU, {:.2} s wall{said}",
            cpu() - c,
            t.elapsed().as_secs_f64()
        );
    };
    let mut v = Vec::new();
    let mut risk = Vec::new();
    timed("data (4 designs, at risk)", &mut || {
        let (tau, periods, z) = (&prep.tau, prep.facts.periods, &prep.z);
        let ((mut a, b), r) = rayon::join(
            || {
                rayon::join(
                    || {
                        data::cells_and_events(
                            net,
                            tau,
                            periods,
                            &[Design::Influence, Design::KolSplit],
                            z,
                        )
                    },
                    || {
                        data::cells_and_events(
                            net,
                            tau,
                            periods,
                            &[Design::Cascade, Design::Threshold],
                            z,
                        )
                    },
                )
            },
            || data::at_risk(tau, z, periods),
        );
        a.extend(b);
        (v, risk) = (a, r);
        String::new()
    });
    timed("permutation test (999)", &mut || {
        let t = fit::permutation::test(net, &prep.tau, 999, 42);
        format!(" (p {:?})", t.map(|t| t.p_value))
    });
    let ctl = prep.controls.as_ref().expect("controls");
    for pe in [false, true] {
        let s = hazard::Spont {
            rows: &ctl.rows,
            names: &ctl.names,
            by_period: pe,
        };
        let mut todo: Vec<Option<Candidate>> = vec![None];
        todo.extend(
            prep.candidates
                .all()
                .into_iter()
                .filter(|c| !c.is_null() && c.p_index().is_some() && c.design() != Design::Similar)
                .filter(|c| c.nests_innovation() || !pe)
                .map(Some),
        );
        for cand in todo {
            let k = match cand.map_or(Design::Influence, Candidate::design) {
                Design::Influence => 0,
                Design::KolSplit => 1,
                Design::Cascade => 2,
                _ => 3,
            };
            let d = hazard::Controlled {
                cells: &v[k].0,
                events: &v[k].1,
                risk: &risk,
            };
            let label = format!(
                "{}{}",
                cand.map_or("controls", |c| c.name()),
                if pe { "+period" } else { "" }
            );
            let mut f = None;
            timed(&format!("{label}: fit"), &mut || {
                let r = hazard::fit(cand, &d, &s);
                let said = format!(" (log L {:.6})", r.loglik);
                f = Some(r);
                said
            });
            let f = f.expect("fitted");
            if let Some(r) = cand.and_then(Candidate::ratio) {
                timed(&format!("{label}: kappa"), &mut || {
                    let k = hazard::kappa(r, &d, &s, &f.params);
                    format!(" ({:?})", k.map(|k| k.value))
                });
            }
            if let Some(c) = cand {
                timed(&format!("{label}: null_rho"), &mut || {
                    format!(" ({:?})", hazard::null_rho(c, &d, &s))
                });
            }
        }
    }
}
