//! The engines against theory: docking with the discrete Bass map, exact probabilities,
//! hand-computed threshold cascades, invariants, and fast-vs-reference equivalence.
//! Every test uses fixed seeds; tolerances come from the number of replicates.

use kolsim::engine::{self, Curve, EngineKind, NEVER, Observer, Replicate, Scratch, StepCounts};
use kolsim::models::{
    Bass, ExposureKind, Imitation, IndependentCascade, Model, Prepared, Theta, Threshold,
};
use kolsim::network::{ArcList, Network, generators};
use kolsim::rng::{Purpose, stream};

const ENGINES: [EngineKind; 2] = [EngineKind::Event, EngineKind::Reference];

use crate::common::{Sim, prepare as prepare_with};

/// `model` prepared on `net` (no KOLs).
fn prepare(model: &dyn Model, net: &Network) -> Box<dyn Prepared> {
    prepare_with(model, net, &[])
}

/// Runs `reps` replicates and returns the curves. (Threshold models carry their thresholds.)
fn curves(
    engine: EngineKind,
    model: &dyn Model,
    net: &Network,
    initial: &[u32],
    steps: u32,
    reps: u64,
    seed: u64,
) -> Vec<Curve> {
    Sim {
        model,
        net,
        initial,
        kols: &[],
        steps,
        seed,
    }
    .curves(engine, reps)
}

/// Mean and sd of the adoption share at each step.
fn mean_sd_by_step(cs: &[Curve], n: usize) -> Vec<(f64, f64)> {
    let cum: Vec<Vec<u32>> = cs.iter().map(Curve::adopters).collect();
    (0..cum[0].len())
        .map(|s| {
            let x: Vec<f64> = cum.iter().map(|c| c[s] as f64 / n as f64).collect();
            kolsim::stats::mean_sd(&x)
        })
        .collect()
}

/// Largest |mean_t − F_t| / (4·sd_t/√R + 2/n) over steps: ≤ 1 means the curve docks.
fn docking_ratio(p: f64, q_sim: f64, q_map: f64) -> f64 {
    let (n, steps, reps) = (2000usize, 30u32, 400u64);
    let net = Network::complete(n);
    let model = Bass { p, q: q_sim };
    let cs = curves(EngineKind::Event, &model, &net, &[], steps, reps, 2024);
    let stats = mean_sd_by_step(&cs, n);
    let mut f = 0.0f64;
    let mut worst = 0.0f64;
    for (t, &(mean, sd)) in stats.iter().enumerate() {
        if t > 0 {
            f += (1.0 - f) * (p + (1.0 - p) * q_map * f);
        }
        let tol = 4.0 * sd / (reps as f64).sqrt() + 2.0 / n as f64;
        worst = worst.max((mean - f).abs() / tol);
    }
    worst
}

#[test]
fn bass_on_complete_graph_docks_with_the_discrete_map() {
    let r = docking_ratio(0.03, 0.38, 0.38);
    eprintln!("docking: max |mean - F| / tolerance = {r:.3}");
    assert!(
        r <= 1.0,
        "Bass mean curve leaves the 4 sd/sqrt(R) + 2/n band: ratio {r}"
    );
}

#[test]
fn docking_test_has_power_against_a_10_percent_change_in_q() {
    // Simulate with q, compare with the map at 1.1 q (and 0.9 q): the same test must fail.
    let up = docking_ratio(0.03, 0.38, 0.38 * 1.1);
    let down = docking_ratio(0.03, 0.38, 0.38 * 0.9);
    eprintln!("power: ratio at 1.1q = {up:.2}, at 0.9q = {down:.2}");
    assert!(
        up > 1.0 && down > 1.0,
        "docking test cannot tell q from q ± 10%: {up}, {down}"
    );
}

/// Wilson score interval for a binomial proportion at z.
fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    let (k, n) = (k as f64, n as f64);
    let ph = k / n;
    let d = 1.0 + z * z / n;
    let c = (ph + z * z / (2.0 * n)) / d;
    let h = z * (ph * (1.0 - ph) / n + z * z / (4.0 * n * n)).sqrt() / d;
    (c - h, c + h)
}

#[test]
fn independent_cascade_on_a_path_reaches_the_end_with_probability_beta_squared() {
    let mut arcs = ArcList::default();
    arcs.push(0, 1, 1.0);
    arcs.push(1, 2, 1.0);
    let net = Network::from_arcs(3, arcs);
    let beta = 0.6;
    let model = IndependentCascade { beta, p: 0.0 };
    for engine in ENGINES {
        let reps = 20_000;
        let cs = curves(engine, &model, &net, &[0], 5, reps, 7);
        let reached = cs
            .iter()
            .filter(|c| *c.adopters().last().unwrap() == 3)
            .count() as u64;
        let (lo, hi) = wilson(reached, reps, 4.0);
        assert!(
            lo <= beta * beta && beta * beta <= hi,
            "{engine:?}: {reached}/{reps} vs β² = {}",
            beta * beta
        );
        // Node 1 gets exactly one chance: it adopts in step 1 or never.
        assert!(
            cs.iter()
                .all(|c| c.new_adopters[2..].iter().sum::<u32>() <= c.new_adopters[1] + 1)
        );
    }
}

/// Records each physician's adoption step.
struct Steps(Vec<u32>);
impl Observer for Steps {
    fn on_adopt(&mut self, node: u32, step: u32) {
        self.0[node as usize] = step;
    }
}

fn adoption_steps(
    engine: EngineKind,
    model: &dyn Model,
    net: &Network,
    initial: &[u32],
    steps: u32,
) -> Vec<u32> {
    let is_kol = vec![false; net.n()];
    let rep = Replicate {
        net,
        is_kol: &is_kol,
        initial,
        steps,
        seed: 1,
        replicate: 0,
    };
    let mut obs = Steps(vec![NEVER; net.n()]);
    prepare(model, net).run_observed(engine, &rep, &mut Scratch::default(), &mut obs);
    obs.0
}

fn explicit_complete(n: u32) -> Network {
    let mut a = ArcList::default();
    for i in 0..n {
        for j in 0..n {
            a.push(i, j, 1.0);
        }
    }
    Network::from_arcs(n as usize, a)
}

#[test]
fn granovetter_riot_example() {
    let model = |theta: Vec<f64>| Threshold {
        theta: Theta::PerNode(theta),
        p: 0.0,
        exposure: ExposureKind::Count,
    };
    let riot: Vec<f64> = (0..100).map(f64::from).collect();
    let mut calm = riot.clone();
    calm[1] = 2.0;
    for net in [Network::complete(100), explicit_complete(100)] {
        for engine in ENGINES {
            let all = adoption_steps(engine, &model(riot.clone()), &net, &[], 150);
            assert!(
                all.iter().all(|&s| s != NEVER),
                "{engine:?}: not everyone joined"
            );
            // One more physician per step: θ = k joins in step k + 1.
            assert!(all.iter().enumerate().all(|(k, &s)| s == k as u32 + 1));
            let one = adoption_steps(engine, &model(calm.clone()), &net, &[], 150);
            assert_eq!(one.iter().filter(|&&s| s != NEVER).count(), 1, "{engine:?}");
        }
    }
}

#[test]
fn fractional_threshold_follows_the_hand_computed_sequence() {
    // Undirected ties; θ = 0.5 for all; seed physician 0.
    //   step 1: 1 hears {0,2} -> 1/2 adopts;   2 hears {0,1,3,4} -> 1/4 no
    //   step 2: 2 -> 2/4 adopts;  step 3: 3 hears {2,4} -> 1/2 adopts
    //   step 4: 4 hears {2,3,5} -> 2/3 adopts;  step 5: 5 hears {4,6} -> 1/2 adopts
    //   6 hears {5,7,8} -> 1/3 never; 7 and 8 hear only 6 -> never.
    let mut a = ArcList::default();
    for (x, y) in [
        (0, 1),
        (1, 2),
        (0, 2),
        (2, 3),
        (3, 4),
        (2, 4),
        (4, 5),
        (5, 6),
        (6, 7),
        (6, 8),
    ] {
        a.push_undirected(x, y, 1.0);
    }
    let net = Network::from_arcs(9, a);
    let model = Threshold {
        theta: Theta::Fixed(0.5),
        p: 0.0,
        exposure: ExposureKind::Share,
    };
    for engine in ENGINES {
        let s = adoption_steps(engine, &model, &net, &[0], 20);
        assert_eq!(s, vec![0, 1, 2, 3, 4, 5, NEVER, NEVER, NEVER], "{engine:?}");
    }
}

#[test]
fn nobody_adopts_without_influence() {
    let net = generators::barabasi_albert(500, 3, &mut stream(5, Purpose::Network, 0));
    let models: [Box<dyn Model>; 4] = [
        Box::new(Bass { p: 0.0, q: 0.0 }),
        Box::new(Imitation {
            q: 0.0,
            exposure: ExposureKind::Share,
        }),
        Box::new(IndependentCascade { beta: 0.0, p: 0.0 }),
        Box::new(Threshold {
            theta: Theta::Fixed(1.0),
            p: 0.0,
            exposure: ExposureKind::Share,
        }),
    ];
    for engine in ENGINES {
        for m in &models {
            for c in curves(engine, m.as_ref(), &net, &[1, 2, 3], 24, 20, 3) {
                assert_eq!(c.adopters(), vec![3; 25], "{engine:?} {m:?}");
            }
        }
    }
}

#[test]
fn shares_never_decrease_nor_exceed_one() {
    for k in 0..6u64 {
        let net = generators::erdos_renyi(200, 1.0 + k as f64, &mut stream(k, Purpose::Network, 0));
        let models: [Box<dyn Model>; 4] = [
            Box::new(Bass { p: 0.05, q: 0.9 }),
            Box::new(Imitation {
                q: 1.0,
                exposure: ExposureKind::Count,
            }),
            Box::new(IndependentCascade { beta: 1.0, p: 0.1 }),
            Box::new(Threshold {
                theta: Theta::Fixed(0.3),
                p: 0.2,
                exposure: ExposureKind::Share,
            }),
        ];
        for engine in ENGINES {
            for m in &models {
                for c in curves(engine, m.as_ref(), &net, &[0, 5], 40, 5, k) {
                    let a = c.adopters();
                    assert!(a.windows(2).all(|w| w[0] <= w[1]));
                    assert!(*a.last().unwrap() as usize <= net.n());
                    assert_eq!(a.len(), 41);
                }
            }
        }
    }
}

#[test]
fn external_influence_alone_gives_one_minus_one_minus_p_to_the_t() {
    // q = 0: each non-seeded physician adopts with probability p per step independently.
    let n = 2000usize;
    let net = generators::barabasi_albert(n, 3, &mut stream(8, Purpose::Network, 0));
    let p = 0.04;
    let reps = 200u64;
    let model = Bass { p, q: 0.0 };
    let initial: Vec<u32> = (0..20).collect();
    for engine in ENGINES {
        let cs = curves(engine, &model, &net, &initial, 30, reps, 11);
        for (t, (mean, _)) in mean_sd_by_step(&cs, n).into_iter().enumerate() {
            let others = (n - initial.len()) as f64;
            let share_others = (mean * n as f64 - initial.len() as f64) / others;
            let expect = 1.0 - (1.0 - p).powi(t as i32);
            // Binomial sd of the pooled mean over reps × others physicians; 5 sd.
            let sd = (expect * (1.0 - expect) / (others * reps as f64)).sqrt();
            assert!(
                (share_others - expect).abs() <= 5.0 * sd + 1e-12,
                "{engine:?} t={t}: {share_others} vs {expect}"
            );
        }
    }
}

/// Two-sample Kolmogorov–Smirnov statistic.
fn ks(a: &mut [f64], b: &mut [f64]) -> f64 {
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

#[test]
fn fast_engine_matches_the_reference_in_distribution() {
    let n = 1500usize;
    let net = generators::barabasi_albert(n, 3, &mut stream(21, Purpose::Network, 0));
    let initial: Vec<u32> = (0..10).collect();
    let reps = 300u64;
    let mut theta = Vec::new();
    let dist = Theta::Uniform {
        low: 0.0,
        high: 0.4,
    };
    dist.draw(&mut theta, &net, &mut stream(21, Purpose::Thresholds, 0));
    // The thresholds drawn once above, the same in every replicate.
    let models: [Box<dyn Model>; 5] = [
        Box::new(Bass { p: 0.01, q: 0.3 }),
        Box::new(Imitation {
            q: 0.3,
            exposure: ExposureKind::Share,
        }),
        Box::new(Imitation {
            q: 0.1,
            exposure: ExposureKind::Count,
        }),
        Box::new(IndependentCascade {
            beta: 0.2,
            p: 0.005,
        }),
        Box::new(Threshold {
            theta: Theta::PerNode(theta.clone()),
            p: 0.01,
            exposure: ExposureKind::Share,
        }),
    ];
    for m in &models {
        // Different seeds for the two engines: independent samples.
        let fast = curves(EngineKind::Event, m.as_ref(), &net, &initial, 40, reps, 100);
        let slow = curves(
            EngineKind::Reference,
            m.as_ref(),
            &net,
            &initial,
            40,
            reps,
            200,
        );
        let (a, b) = (mean_sd_by_step(&fast, n), mean_sd_by_step(&slow, n));
        for (t, ((ma, sa), (mb, sb))) in a.iter().zip(&b).enumerate() {
            let se = ((sa * sa + sb * sb) / reps as f64).sqrt();
            assert!(
                (ma - mb).abs() <= 4.5 * se + 1e-9,
                "{m:?} step {t}: fast {ma} vs reference {mb} (se {se})"
            );
        }
        // Two-sample KS on the step where half the final mean is reached (a t50-like time)
        // and on the final share. Critical value at α = 0.001: 1.95·sqrt(2/R).
        let half = a.last().unwrap().0 / 2.0;
        let t_half = |c: &Curve| {
            c.adopters()
                .iter()
                .position(|&x| x as f64 / n as f64 >= half)
                .unwrap_or(99) as f64
        };
        let crit = 1.95 * (2.0 / reps as f64).sqrt();
        let d1 = ks(
            &mut fast.iter().map(t_half).collect::<Vec<_>>(),
            &mut slow.iter().map(t_half).collect::<Vec<_>>(),
        );
        let fin = |c: &Curve| *c.adopters().last().unwrap() as f64;
        let d2 = ks(
            &mut fast.iter().map(fin).collect::<Vec<_>>(),
            &mut slow.iter().map(fin).collect::<Vec<_>>(),
        );
        assert!(
            d1 <= crit && d2 <= crit,
            "{m:?}: KS t_half {d1:.3}, final {d2:.3} > {crit:.3}"
        );
    }
}

#[test]
fn observer_can_stop_a_run() {
    struct StopAt(u32, u32);
    impl Observer for StopAt {
        fn on_step(&mut self, step: u32, _: StepCounts) -> bool {
            self.1 = step;
            step < self.0
        }
    }
    let net = generators::barabasi_albert(300, 2, &mut stream(1, Purpose::Network, 0));
    let is_kol = vec![false; 300];
    let m = Bass { p: 0.1, q: 0.1 };
    for engine in ENGINES {
        let rep = Replicate {
            net: &net,
            is_kol: &is_kol,
            initial: &[],
            steps: 50,
            seed: 1,
            replicate: 0,
        };
        let mut o = StopAt(5, 0);
        engine::run(engine, &m, &rep, &mut Scratch::default(), &mut o);
        assert_eq!(o.1, 5);
    }
}

/// The frontier engine (the independent cascade under `EngineKind::Event`) against the
/// reference sweep on a weighted network: arc probabilities vary, so both the thinned
/// geometric skipping (β·w_max < ½) and the per-arc draws (β·w_max ≥ ½) are exercised.
#[test]
fn frontier_cascade_matches_the_reference_on_weighted_arcs() {
    use rand::RngExt;
    let n = 1200usize;
    let ba = generators::barabasi_albert(n, 3, &mut stream(5, Purpose::Network, 0));
    let mut rng = stream(5, Purpose::Network, 1);
    let mut arcs = ArcList::default();
    for j in 0..n {
        let (dst, _) = ba.out_arcs().arcs(j);
        for &i in dst {
            arcs.push(j as u32, i, rng.random_range(0.5f32..3.0));
        }
    }
    let net = Network::from_arcs(n, arcs);
    let initial: Vec<u32> = (0..8).collect();
    let reps = 300u64;
    for (beta, p) in [(0.12, 0.004), (0.3, 0.0)] {
        let m = IndependentCascade { beta, p };
        let fast = curves(EngineKind::Event, &m, &net, &initial, 25, reps, 7);
        let slow = curves(EngineKind::Reference, &m, &net, &initial, 25, reps, 8);
        let (a, b) = (mean_sd_by_step(&fast, n), mean_sd_by_step(&slow, n));
        for (t, ((ma, sa), (mb, sb))) in a.iter().zip(&b).enumerate() {
            let se = ((sa * sa + sb * sb) / reps as f64).sqrt();
            assert!(
                (ma - mb).abs() <= 4.5 * se + 1e-9,
                "beta {beta} step {t}: frontier {ma} vs reference {mb} (se {se})"
            );
        }
        let fin = |c: &Curve| *c.adopters().last().unwrap() as f64;
        let d = ks(
            &mut fast.iter().map(fin).collect::<Vec<_>>(),
            &mut slow.iter().map(fin).collect::<Vec<_>>(),
        );
        assert!(
            d <= 1.95 * (2.0 / reps as f64).sqrt(),
            "beta {beta}: KS {d:.3}"
        );
    }
}

/// Absorbing states: once nothing can change (no frontier and no spontaneous adoption due),
/// the engines fill the remaining steps instead of stepping them. The filled run must be what
/// stepping gives: a long horizon reproduces the short run step for step (every draw is keyed
/// by physician and source, not by the horizon), then only idle steps; and the fill makes a
/// horizon of 10⁶ steps cheap. Covers the frontier engine (cascade, p = 0 and p > 0 with a
/// finished clock) and the event engine (imitation, and bass with p > 0 that never absorbs).
#[test]
fn absorbing_states_are_filled_exactly() {
    let n = 3000usize;
    let net = generators::barabasi_albert(n, 2, &mut stream(9, Purpose::Network, 0));
    let initial: Vec<u32> = (0..5).collect();
    let models: Vec<(Box<dyn Model>, bool)> = vec![
        (Box::new(IndependentCascade { beta: 0.2, p: 0.0 }), true),
        (Box::new(IndependentCascade { beta: 0.05, p: 0.3 }), true),
        (
            Box::new(Imitation {
                q: 0.3,
                exposure: ExposureKind::Share,
            }),
            true,
        ),
        (Box::new(Bass { p: 0.001, q: 0.2 }), false),
    ];
    for (m, absorbs) in &models {
        let short = curves(EngineKind::Event, m.as_ref(), &net, &initial, 300, 4, 11);
        let long_steps = if *absorbs { 1_000_000 } else { 3_000 };
        let t0 = std::time::Instant::now();
        let long = curves(
            EngineKind::Event,
            m.as_ref(),
            &net,
            &initial,
            long_steps,
            4,
            11,
        );
        let took = t0.elapsed().as_secs_f64();
        for (s, l) in short.iter().zip(&long) {
            assert_eq!(l.new_adopters.len(), long_steps as usize + 1);
            assert_eq!(s.new_adopters[..], l.new_adopters[..301]);
            assert_eq!(s.new_kol_adopters[..], l.new_kol_adopters[..301]);
            assert_eq!(s.users[..], l.users[..301]);
            let last = *s.users.last().unwrap();
            if *absorbs {
                // Settled within the short run: the rest is idle at the final count.
                assert!(l.new_adopters[301..].iter().all(|&x| x == 0));
                assert!(l.users[301..].iter().all(|&u| u == last));
            }
        }
        // Four replicates of 10^6 filled steps: the curve vectors only (stepping 10^6 steps
        // of the engine, with its per-step sort and bucket work, takes far longer).
        assert!(took < 20.0, "horizon {long_steps}: {took:.1} s");
    }
}

/// Records every `on_step` call; idle steps reach it through the default
/// [`Observer::on_idle`], one `on_step` each.
#[derive(Default)]
struct Stepped(Vec<(u32, StepCounts)>);
impl Observer for Stepped {
    fn on_step(&mut self, step: u32, counts: StepCounts) -> bool {
        self.0.push((step, counts));
        true
    }
}

/// The idle steps of an absorbing state reach an observer that only steps (the default
/// `on_idle`) as the same steps, in order, with the same counts as the curve's bulk fill, on
/// both engines; and one `Scratch` reused across replicates with different horizons (buckets
/// cleared only as far as the previous replicate used them) gives what a fresh one gives.
#[test]
fn idle_steps_are_the_same_for_every_observer() {
    let net = generators::barabasi_albert(2000, 2, &mut stream(5, Purpose::Network, 0));
    let is_kol = vec![false; net.n()];
    let initial: Vec<u32> = (0..4).collect();
    let models: Vec<Box<dyn Model>> = vec![
        Box::new(IndependentCascade { beta: 0.2, p: 0.0 }),
        Box::new(IndependentCascade { beta: 0.1, p: 0.01 }),
        Box::new(Imitation {
            q: 0.3,
            exposure: ExposureKind::Share,
        }),
    ];
    let mut reused = Scratch::default();
    for m in &models {
        let prepared = prepare(m.as_ref(), &net);
        for (r, steps) in [(0u64, 5_000u32), (1, 40), (2, 900), (3, 40)] {
            let rep = Replicate {
                net: &net,
                is_kol: &is_kol,
                initial: &initial,
                steps,
                seed: 3,
                replicate: r,
            };
            let mut curve = Curve::with_steps(steps);
            prepared.run(EngineKind::Event, &rep, &mut reused, &mut curve);
            let mut stepped = Stepped::default();
            let mut fresh = Scratch::default();
            prepared.run_observed(EngineKind::Event, &rep, &mut fresh, &mut stepped);
            assert_eq!(stepped.0.len(), steps as usize + 1);
            assert_eq!(curve.new_adopters.len(), steps as usize + 1);
            for (k, (step, c)) in stepped.0.iter().enumerate() {
                assert_eq!(*step, k as u32);
                assert_eq!(c.new_adopters, curve.new_adopters[k]);
                assert_eq!(c.new_kol_adopters, curve.new_kol_adopters[k]);
                assert_eq!(c.users, curve.users[k]);
                assert_eq!(c.discontinued, curve.discontinued[k]);
            }
        }
    }
}
