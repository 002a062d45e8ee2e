//! `kolsim seed --theories` (issue 23) and the seed comparison rows of issue 21: mixture RR
//! sets against weighted forward simulation, brute force of the weighted mean on small graphs,
//! the worst case on a network where theories disagree, the scenario's KOL row, the files.

use assert_cmd::Command;
use kolsim::engine::EngineKind;
use kolsim::models::{
    Bass, ExposureKind, Imitation, IndependentCascade, Model, Prepared, Setting, Theta, Threshold,
};
use kolsim::network::{ArcList, Network, generators};
use kolsim::rng::{Purpose, stream};
use kolsim::seed::collection::{BATCH, Source};
use kolsim::seed::{Forward, Mixture, Objective, OpimOptions, ReverseGraph, opim_mix};

fn prepare(model: &dyn Model, net: &Network) -> Box<dyn Prepared> {
    let is_kol = vec![false; net.n()];
    model
        .prepare(&Setting {
            net,
            kols: &[],
            is_kol: &is_kol,
            kol_weight: 1.0,
        })
        .expect("prepares")
}

/// Per replicate, `Σ_t w_t x_t` of `set` over `reps` replicates (same streams per model).
fn weighted_forward(
    models: &[(&dyn Model, f64)],
    net: &Network,
    set: &[u32],
    h: u32,
    reps: u64,
) -> Vec<f64> {
    let is_kol = vec![false; net.n()];
    let mut out = vec![0.0; reps as usize];
    for (m, w) in models {
        let p = prepare(*m, net);
        let f = Forward {
            model: p.as_ref(),
            net,
            is_kol: &is_kol,
            steps: h,
            seed: 11,
            engine: EngineKind::Event,
            objective: Objective::Adopters,
        };
        for (o, v) in out.iter_mut().zip(f.values(set, reps)) {
            *o += w * v;
        }
    }
    out
}

/// Every model with a reverse-reachable form, one of each rule (and Bass with spontaneous
/// adoption).
fn rr_models() -> Vec<Box<dyn Model>> {
    vec![
        Box::new(IndependentCascade {
            beta: 0.25,
            p: 0.01,
        }),
        Box::new(Threshold {
            theta: Theta::Uniform {
                low: 0.0,
                high: 1.0,
            },
            p: 0.01,
            exposure: ExposureKind::Share,
        }),
        Box::new(Imitation {
            q: 0.12,
            exposure: ExposureKind::Count,
        }),
        Box::new(Imitation {
            q: 0.5,
            exposure: ExposureKind::Share,
        }),
        Box::new(Bass { p: 0.01, q: 0.5 }),
    ]
}

#[test]
fn mixture_rr_estimate_equals_weighted_forward_simulation_for_every_pair() {
    let mut net = generators::barabasi_albert(300, 2, &mut stream(3, Purpose::Network, 0));
    net.scale_sources(&[0, 1, 2, 5, 8], 2.0);
    let (h, set) = (8, [0u32, 17, 60]);
    let models = rr_models();
    for i in 0..models.len() {
        for j in i + 1..models.len() {
            let (a, b) = (models[i].as_ref(), models[j].as_ref());
            let ga = ReverseGraph::new(&net, a.reverse_reachable().unwrap(), h).unwrap();
            let gb = ReverseGraph::new(&net, b.reverse_reachable().unwrap(), h).unwrap();
            let mix = Mixture::new(vec![(&ga, 0.3), (&gb, 0.7)]).unwrap();
            let c = Source {
                g: &mix,
                objective: Objective::Adopters,
                seed: 7,
                purpose: Purpose::RrSets,
                c: 0,
                batch: BATCH,
                stop: None,
                limit: 0,
            }
            .sample(0..600);
            let cov = (c.coverage(&set, net.n()) + c.precovered) as f64 / c.theta as f64;
            let n = net.n() as f64;
            let (rm, rse) = (n * cov, n * (cov * (1.0 - cov) / c.theta as f64).sqrt());
            let v = weighted_forward(&[(a, 0.3), (b, 0.7)], &net, &set, h, 6000);
            let (fm, sd) = kolsim::stats::mean_sd(&v);
            let fse = sd / (v.len() as f64).sqrt();
            let se = (fse * fse + rse * rse).sqrt();
            eprintln!("{a:?} + {b:?}: forward {fm:.3} ± {fse:.3}, RR {rm:.3} ± {rse:.3}");
            assert!(
                (fm - rm).abs() < 3.0 * se,
                "{a:?} + {b:?}: forward {fm} ± {fse} vs mixture RR {rm} ± {rse}"
            );
            assert!(fm > set.len() as f64 + 1.0, "no spread to test");
        }
    }
}

/// Two communities of six (a ring with a chord each, bridged) and a star of two.
fn small_graph() -> Network {
    let mut a = ArcList::default();
    for i in 0..6u32 {
        a.push_undirected(i, (i + 1) % 6, 1.0);
        a.push_undirected(6 + i, 6 + (i + 1) % 6, 1.0);
    }
    a.push_undirected(1, 4, 1.0);
    a.push_undirected(7, 10, 1.0);
    a.push_undirected(2, 8, 1.0);
    a.push(12, 3, 1.0);
    a.push(12, 9, 1.0);
    a.push(13, 12, 1.0);
    Network::from_arcs(14, a)
}

fn subsets(n: u32, k: usize) -> Vec<Vec<u32>> {
    fn rec(start: u32, n: u32, k: usize, cur: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for v in start..n {
            cur.push(v);
            rec(v + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(0, n, k, &mut Vec::new(), &mut out);
    out
}

#[test]
fn weighted_mean_set_is_within_its_certificate_of_the_exhaustive_best() {
    let net = small_graph();
    let h = 4;
    let a = IndependentCascade { beta: 0.4, p: 0.0 };
    let b = Imitation {
        q: 0.2,
        exposure: ExposureKind::Count,
    };
    let c = Bass { p: 0.02, q: 0.4 };
    let models: [(&dyn Model, f64); 3] = [(&a, 0.5), (&b, 0.3), (&c, 0.2)];
    let graphs: Vec<ReverseGraph> = models
        .iter()
        .map(|(m, _)| ReverseGraph::new(&net, m.reverse_reachable().unwrap(), h).unwrap())
        .collect();
    let mix = Mixture::new(graphs.iter().zip(&models).map(|(g, m)| (g, m.1)).collect()).unwrap();
    let reps = 3000;
    let mean = |s: &[u32]| {
        let v = weighted_forward(&models, &net, s, h, reps);
        v.iter().sum::<f64>() / v.len() as f64
    };
    let base = mean(&[]);
    for k in [2usize, 3] {
        let best = subsets(14, k)
            .iter()
            .map(|s| mean(s))
            .fold(f64::MIN, f64::max);
        let cert = opim_mix(
            &mix,
            &OpimOptions {
                k,
                epsilon: 0.1,
                seed: 9,
                min_sets: 0,
                ..OpimOptions::default()
            },
        );
        let mine = mean(&cert.seeds);
        let ratio = (mine - base) / (best - base);
        eprintln!(
            "k={k}: OPT {best:.3}, mixture OPIM-C {:?} {mine:.3}, certified {:.3}, ratio of gains {ratio:.3}",
            cert.seeds, cert.ratio
        );
        // Within the certificate, plus Monte Carlo slack of the 3,000-replicate means.
        assert!(
            ratio >= cert.ratio - 0.03,
            "k={k}: {ratio} < {}",
            cert.ratio
        );
        assert!(cert.ratio > 0.5, "certificate too weak: {}", cert.ratio);
    }
}

fn kolsim() -> Command {
    Command::cargo_bin("kolsim").unwrap()
}

/// Reads a CSV into a header and rows (no quoted commas in the fields used).
fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (head, rows)
}

fn col(head: &[String], name: &str) -> usize {
    head.iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{name} in {head:?}"))
}

/// Independent cascade (β = 1) spreads only where arcs are heavy; the linear threshold only
/// where a physician's in-weight comes from one source. Region A: two hubs `a0`, `a1`, each
/// with 20 spokes by weight-1 arcs, every spoke also named by 9 private weight-1 "dummies"
/// (cascade: a hub reaches its 20 spokes; threshold: a spoke listens to its hub 1 time in 10).
/// Region B: two hubs `b0`, `b1` with 20 spokes each by weight-0.01 arcs and nothing else
/// (threshold: a hub reaches its 20 spokes; cascade: 0.2 of them).
fn disagreeing_scenario(dir: &std::path::Path) -> std::path::PathBuf {
    let mut e = String::from("source,target,weight\n");
    for hub in 0..2 {
        for s in 0..20 {
            e.push_str(&format!("a{hub},a{hub}s{s},1\n"));
            for d in 0..9 {
                e.push_str(&format!("a{hub}s{s}d{d},a{hub}s{s},1\n"));
            }
            e.push_str(&format!("b{hub},b{hub}s{s},0.01\n"));
        }
    }
    std::fs::write(dir.join("edges.csv"), e).unwrap();
    let sc = dir.join("disagree.toml");
    std::fs::write(
        &sc,
        r#"name = "disagree"
steps = 3
replicates = 300
seed = 5

[network]
kind = "edge_list"
path = "edges.csv"
source = "source"
target = "target"
weight = "weight"
directed = true

[kols]
rule = "in_degree"
count = 2

[[arm]]
name = "kols"
strategy = "kols"
count = 2

[[model]]
name = "cascade"
kind = "independent_cascade"
beta = 1.0
p = 0.0

[[model]]
name = "threshold"
kind = "threshold"
theta = { dist = "uniform", low = 0.0, high = 1.0 }
p = 0.0
"#,
    )
    .unwrap();
    sc
}

#[test]
fn worst_case_set_beats_every_single_theory_optimum_where_theories_disagree() {
    let d = tempfile::tempdir().unwrap();
    let sc = disagreeing_scenario(d.path());
    let out = d.path().join("w");
    let o = kolsim()
        .arg("seed")
        .arg(&sc)
        .args([
            "--k",
            "2",
            "--theories",
            "cascade=0.5,threshold=0.5",
            "--objective",
            "worst",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Regret table") && text.contains("never falls below"),
        "{text}"
    );
    let (head, rows) = read_csv(&out.join("regret.csv"));
    let (w, lo, hi) = (
        col(&head, "worst"),
        col(&head, "worst_lo"),
        col(&head, "worst_hi"),
    );
    let row = |name: &str| {
        rows.iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let val = |r: &Vec<String>, c: usize| r[c].parse::<f64>().unwrap();
    let robust = row("robust-worst");
    for t in ["optimized: cascade", "optimized: threshold"] {
        let single = row(t);
        eprintln!(
            "robust {} [{}, {}] vs {t} {} [{}, {}]",
            robust[w], robust[lo], robust[hi], single[w], single[lo], single[hi]
        );
        assert!(
            val(robust, lo) > val(single, hi),
            "{t}: robust worst case {} not above {}",
            robust[w],
            single[w]
        );
    }
    assert!(val(robust, w) > 0.4, "{}", robust[w]);
    // The recommended set is the robust one (or one at least as good on the worst case).
    let cert: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("certificate.json")).unwrap())
            .unwrap();
    assert_eq!(cert["selection"]["method"], "saturate_greedy");
    assert!(
        cert["selection"]["guarantee"]
            .as_str()
            .unwrap()
            .contains("bicriteria")
    );
}

const LAYERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/ckm-layers.toml");

#[test]
fn scenario_kol_row_is_the_kols_arm_and_files_name_physicians() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("s");
    let o = kolsim()
        .args([
            "seed",
            LAYERS,
            "--k",
            "8",
            "--model",
            "imitation",
            "--replicates",
            "40",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The scenario's own `kols` arm, realised by the library.
    let sc = kolsim::scenario::load(std::path::Path::new(LAYERS)).unwrap();
    let real = kolsim::realise::realise(&sc, 0).unwrap();
    let arm = sc.arms.iter().find(|a| a.name == "kols").unwrap();
    let set = kolsim::realise::initial_adopters(&sc, &arm.adopters, &real, 0).unwrap();
    let mut want: Vec<String> = set.iter().map(|&v| real.net.id(v as usize)).collect();
    want.sort();
    let (head, rows) = read_csv(&out.join("comparison.csv"));
    let kol = rows
        .iter()
        .find(|r| r[0].starts_with("scenario KOL list"))
        .expect("a scenario KOL row");
    let mut got: Vec<String> = kol[col(&head, "ids")]
        .split(' ')
        .map(String::from)
        .collect();
    got.sort();
    assert_eq!(got, want, "{}", kol[0]);
    assert!(kol[0].contains("per city_name"), "{}", kol[0]);
    // Two per town.
    let (nh, nodes) = read_csv(&std::path::Path::new(LAYERS).with_file_name("data/ckm/nodes.csv"));
    let town = |id: &str| {
        nodes.iter().find(|r| r[col(&nh, "id")] == id).unwrap()[col(&nh, "city_name")].clone()
    };
    let mut towns: Vec<String> = got.iter().map(|id| town(id)).collect();
    towns.sort();
    towns.dedup();
    assert_eq!(towns.len(), 4);
    // seeds.csv: ids and the node file's attributes; gains from one sample, never negative.
    let (sh, seeds) = read_csv(&out.join("seeds.csv"));
    assert!(sh.contains(&"city_name".to_string()) && sh.contains(&"med_sch_yr".to_string()));
    let (g, so) = (col(&sh, "marginal_gain"), col(&sh, "estimated_so_far"));
    let mut prev = 0.0;
    for r in &seeds {
        let (gain, now): (f64, f64) = (r[g].parse().unwrap(), r[so].parse().unwrap());
        assert!(gain >= 0.0 && now >= prev, "{r:?}");
        prev = now;
        assert_eq!(town(&r[1]), r[col(&sh, "city_name")]);
    }
    // certificate.json names physicians by id.
    let cert: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("certificate.json")).unwrap())
            .unwrap();
    let ids: Vec<String> = seeds.iter().map(|r| r[1].clone()).collect();
    let listed: Vec<String> = cert["selection"]["certificate"]["seeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().expect("ids are strings").to_string())
        .collect();
    assert_eq!(listed, ids);
    // The report: summary first, the figure, a table; no <pre> for tables.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let summary = html.find("id=\"summary\"").unwrap();
    assert!(summary < html.find("<svg").unwrap() && html.contains("<table"));
    assert!(html.contains("scenario KOL list"));
    assert!(out.join("seed.svg").exists());
}

#[test]
fn theories_are_deterministic_for_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let run = |threads: &str, name: &str| {
        let out = d.path().join(name);
        let o = kolsim()
            .args([
                "seed",
                LAYERS,
                "--k",
                "6",
                "--theories",
                "imitation=2,bass=1,cascade=1",
                "--replicates",
                "40",
                "--threads",
                threads,
            ])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let (a, b) = (run("1", "a"), run("2", "b"));
    for f in ["seeds.csv", "comparison.csv", "regret.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let (head, rows) = read_csv(&a.join("regret.csv"));
    assert!(head.contains(&"imitation".to_string()) && head.contains(&"weighted_mean".to_string()));
    assert!(
        rows.iter().any(|r| r[0] == "robust-mean") && rows.iter().any(|r| r[0] == "robust-worst")
    );
    // Weights normalised: 0.5, 0.25, 0.25.
    let cert = std::fs::read_to_string(a.join("certificate.json")).unwrap();
    assert!(cert.contains("\"weight\": 0.5"), "{cert}");
}

#[test]
fn bad_theories_are_usage_errors() {
    let d = tempfile::tempdir().unwrap();
    for (spec, msg) in [
        ("imitation=0.5,nobody=0.5", "no such model"),
        ("imitation=-1", "non-negative"),
        ("imitation=0", "no theory with a positive weight"),
    ] {
        let o = kolsim()
            .args(["seed", LAYERS, "--k", "3", "--theories", spec, "--out"])
            .arg(d.path().join("x"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{spec}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(msg), "{spec}: {err}");
    }
}

#[test]
fn fitted_theories_give_the_regret_table_and_headline() {
    let d = tempfile::tempdir().unwrap();
    let ckm = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/ckm-tetracycline.toml"
    );
    let fit = d.path().join("fit");
    let o = kolsim()
        .args(["fit", ckm, "--out"])
        .arg(&fit)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = d.path().join("seed");
    let o = kolsim()
        .args(["seed", ckm, "--k", "11", "--replicates", "60", "--theories"])
        .arg(fit.join("fitted.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Regret table")
            && text.contains("The scenario's KOL list reaches ")
            && text.contains("Akaike weights"),
        "{text}"
    );
    assert!(out.join("regret.csv").exists());
}
