//! The compared sets (issue 21: the scenario's own KOL list exactly as `[kols]` defines it and
//! each `[[arm]]`; each global KOL rule; random), their forward evaluation under every theory
//! with common random numbers, the regret table (issue 23) and the choice of the recommended
//! set (never worse than a compared set).

use super::regret::{RegretRow, regret_row};
use super::{Compare, Ctx, Robust, Selection};
use crate::adopters::AdopterRule;
use crate::engine::Scratch;
use crate::error::Error;
use crate::kols;
use crate::realise::{self, Realisation};
use crate::rng::{Purpose, stream};
use crate::scenario::{InitialAdopters, KolSize, Scenario};
use crate::seed::{self, Compared};
use rand::seq::SliceRandom;
use rayon::prelude::*;

/// The seeds of a compared set.
#[derive(Debug, Clone, PartialEq)]
pub enum Sets {
    /// The same set in every replicate.
    Fixed(Vec<u32>),
    /// Drawn anew in each replicate (random seeding), one per replicate.
    Drawn(Vec<Vec<u32>>),
}

/// What a compared set is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The greedy set of the objective (`optimized`, or the robust set of the objective).
    Greedy,
    /// The other robust set (with several theories).
    Robust,
    /// One theory's own optimized set (with several theories).
    Theory(usize),
    /// The scenario's KOL list.
    KolList,
    /// One of the scenario's arms.
    Arm,
    /// The top `k` by a global KOL rule.
    Rule,
    /// Random seeds.
    Random,
}

/// One compared set with its forward values.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its name in the tables.
    pub name: String,
    /// What it is.
    pub role: Role,
    /// Its seeds.
    pub sets: Sets,
    /// Per theory, the objective in replicates `0..R` (paired across rows).
    pub vals: Vec<Vec<f64>>,
}

impl Row {
    /// The set (empty for random draws).
    pub fn fixed(&self) -> &[u32] {
        match &self.sets {
            Sets::Fixed(s) => s,
            Sets::Drawn(_) => &[],
        }
    }

    fn new(name: String, role: Role, sets: Sets) -> Self {
        Row {
            name,
            role,
            sets,
            vals: Vec::new(),
        }
    }
}

/// Which set is recommended.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The row of the greedy set.
    pub greedy: usize,
    /// The row recommended.
    pub chosen: usize,
    /// Per theory (several theories): the row used as that theory's optimized set.
    pub reference: Vec<usize>,
    /// What happened, in a sentence.
    pub note: String,
}

impl Decision {
    /// Whether a compared set replaced the greedy one.
    pub fn replaced(&self) -> bool {
        self.chosen != self.greedy
    }
}

/// The scenario's KOL list as seeded with `k` seeds: the first `strategy = "kols"` arm that
/// seeds `k` physicians (its `count`, `group` and `where` as the scenario defines them), else
/// the first `k` of the `[kols]` list (rule, size, `group`, `where`; all of it when it is
/// shorter). Returns the row and the index of the arm it came from.
fn kol_row(own_sc: &Scenario, real: &Realisation, k: usize) -> Result<(Row, Option<usize>), Error> {
    let rule = own_sc.kols.rule.name();
    for (a, arm) in own_sc.arms.iter().enumerate() {
        if let InitialAdopters::Kols(c) = arm.adopters {
            let set = realise::initial_adopters(own_sc, &arm.adopters, real, 0)?;
            if set.len() == k {
                let per = match &arm.group {
                    Some((g, _)) => format!(" per {g}"),
                    None => String::new(),
                };
                let name = format!(
                    "scenario KOL list (arm {}: top {c}{per} by {rule})",
                    arm.name
                );
                return Ok((Row::new(name, Role::KolList, Sets::Fixed(set)), Some(a)));
            }
        }
    }
    let size = match own_sc.kols.size {
        KolSize::Share(s) => format!("{}%", 100.0 * s),
        KolSize::Count(c) => c.to_string(),
        KolSize::All => "all listed".into(),
    };
    let mut name = format!("scenario KOL list ({rule}, {size}");
    if let Some((g, _)) = &own_sc.kols.group {
        name.push_str(&format!(" per {g}"));
    }
    for (a, v, _) in &own_sc.kols.filter {
        name.push_str(&format!(", {a} = {v}"));
    }
    let set: Vec<u32> = real.kols.iter().copied().take(k).collect();
    if real.kols.len() > k {
        name.push_str(&format!("; top {k} of {}", real.kols.len()));
    }
    name.push(')');
    Ok((Row::new(name, Role::KolList, Sets::Fixed(set)), None))
}

/// Every compared set, greedy set first (as many as [`super::Compare`] asks for), and the
/// scenario's KOL list seeded with `k` (compared or not).
pub(super) fn rows(
    cx: &Ctx,
    own_sc: &Scenario,
    arms_real: &Realisation,
    mean: &Selection,
    worst: Option<&Selection>,
    own: &[Selection],
) -> Result<(Vec<Row>, Vec<u32>), Error> {
    let fixed = |s: &[u32]| Sets::Fixed(s.to_vec());
    let mut rows = Vec::new();
    match worst {
        None => rows.push(Row::new(
            "optimized".into(),
            Role::Greedy,
            fixed(mean.seeds()),
        )),
        Some(w) => {
            let (m, wr) = match cx.req.robust {
                Robust::Mean => (Role::Greedy, Role::Robust),
                Robust::Worst => (Role::Robust, Role::Greedy),
            };
            let mr = Row::new("robust-mean".into(), m, fixed(mean.seeds()));
            let wrow = Row::new("robust-worst".into(), wr, fixed(w.seeds()));
            match cx.req.robust {
                Robust::Mean => rows.extend([mr, wrow]),
                Robust::Worst => rows.extend([wrow, mr]),
            }
            for (t, s) in own.iter().enumerate() {
                let name = format!("optimized: {}", cx.theories[t].name);
                rows.push(Row::new(name, Role::Theory(t), fixed(s.seeds())));
            }
        }
    }
    let k = rows[0].fixed().len();
    let (kol, from_arm) = kol_row(own_sc, arms_real, k)?;
    let kol_list = kol.fixed().to_vec();
    if cx.req.compare == Compare::None {
        return Ok((rows, kol_list));
    }
    rows.push(kol);
    arm_rows(cx, own_sc, arms_real, from_arm, &mut rows)?;
    // Only the rules compared are ranked.
    let krng = || stream(cx.seed, Purpose::Kols, 0);
    for rule in cx.req.compare.rules() {
        let set = match &cx.budget {
            Some(b) => b.fill(kols::rank_with(cx.base, &rule, &mut krng())),
            None => kols::select_with(cx.base, &rule, k, &mut krng()),
        };
        rows.push(Row::new(
            rule.name().to_string(),
            Role::Rule,
            Sets::Fixed(set),
        ));
    }
    rows.push(Row::new("random".into(), Role::Random, random_sets(cx, k)));
    Ok((rows, kol_list))
}

/// One row per `[[arm]]` of the scenario (the one the KOL list came from excepted).
fn arm_rows(
    cx: &Ctx,
    own_sc: &Scenario,
    arms_real: &Realisation,
    from_arm: Option<usize>,
    rows: &mut Vec<Row>,
) -> Result<(), Error> {
    let reps = cx.req.replicates as u64;
    for (a, arm) in own_sc.arms.iter().enumerate() {
        if from_arm == Some(a) {
            continue;
        }
        let drawn = matches!(arm.adopters, InitialAdopters::Random(_));
        let sets = if drawn {
            Sets::Drawn(
                (0..reps)
                    .map(|r| realise::initial_adopters(own_sc, &arm.adopters, arms_real, r))
                    .collect::<Result<_, _>>()?,
            )
        } else {
            Sets::Fixed(realise::initial_adopters(
                own_sc,
                &arm.adopters,
                arms_real,
                0,
            )?)
        };
        rows.push(Row::new(format!("arm {}", arm.name), Role::Arm, sets));
    }
    Ok(())
}

/// `k` physicians per replicate from the replicate's seeding stream (with a budget: a random
/// order of everyone, spent down like the rankings).
fn random_sets(cx: &Ctx, k: usize) -> Sets {
    let n = cx.net.n();
    Sets::Drawn(
        (0..cx.req.replicates as u64)
            .map(|r| {
                let mut rng = stream(cx.seed, Purpose::InitialAdopters, r);
                match &cx.budget {
                    None => AdopterRule::Random(k).choose(cx.net, &[], &mut rng),
                    Some(b) => {
                        let mut order: Vec<u32> = (0..n as u32).collect();
                        order.shuffle(&mut rng);
                        let mut s = b.fill(order);
                        s.sort_unstable();
                        s
                    }
                }
            })
            .collect(),
    )
}

/// The rows evaluated, compared and the recommendation made.
pub(super) struct Evaluated {
    pub rows: Vec<Row>,
    pub compared: Vec<Compared>,
    pub regret: Vec<RegretRow>,
    pub decision: Decision,
}

/// Forward values of `sets` under theory `t`, replicates `0..R`.
fn values(cx: &Ctx, t: usize, sets: &Sets) -> Vec<f64> {
    let reps = cx.req.replicates as u64;
    match sets {
        Sets::Fixed(s) => cx.fwds[t].values(s, reps),
        Sets::Drawn(d) => (0..reps)
            .into_par_iter()
            .map_init(Scratch::default, |scr, r| {
                let mut s = d[r as usize].clone();
                s.sort_unstable();
                s.dedup();
                cx.fwds[t].one(&s, r, scr)
            })
            .collect(),
    }
}

/// Per replicate, the weighted objective `Σ_t w_t x_t`.
fn weighted(cx: &Ctx, vals: &[Vec<f64>]) -> Vec<f64> {
    let r = vals.first().map_or(0, Vec::len);
    (0..r)
        .map(|i| {
            cx.theories
                .iter()
                .zip(vals)
                .map(|(t, v)| t.weight * v[i])
                .sum()
        })
        .collect()
}

/// Rows that could be recommended: one set for every replicate, at most `k` seeds (or within
/// the budget).
fn eligible(cx: &Ctx, row: &Row, k: usize) -> bool {
    match &row.sets {
        Sets::Drawn(_) => false,
        Sets::Fixed(s) => {
            !s.is_empty()
                && s.len() <= k
                && cx
                    .mask
                    .as_ref()
                    .is_none_or(|m| s.iter().all(|&v| m[v as usize]))
                && cx.budget.as_ref().is_none_or(|b| b.cost_of(s) <= b.budget)
        }
    }
}

/// Evaluates every row under every theory and picks the recommended set.
pub(super) fn evaluate(cx: &Ctx, mut rows: Vec<Row>, certified: bool) -> Evaluated {
    for row in &mut rows {
        row.vals = (0..cx.theories.len())
            .map(|t| values(cx, t, &row.sets))
            .collect();
    }
    let w: Vec<Vec<f64>> = rows.iter().map(|r| weighted(cx, &r.vals)).collect();
    let k = rows[0].fixed().len();
    let greedy = 0;
    let multi = cx.theories.len() > 1;
    let reference: Vec<usize> = if multi {
        (0..cx.theories.len())
            .map(|t| theory_reference(cx, &rows, t, k))
            .collect()
    } else {
        Vec::new()
    };
    let regret: Vec<RegretRow> = if multi {
        rows.iter()
            .map(|r| {
                let refs: Vec<&[f64]> = reference
                    .iter()
                    .enumerate()
                    .map(|(t, &i)| rows[i].vals[t].as_slice())
                    .collect();
                regret_row(cx, &r.vals, &refs)
            })
            .collect()
    } else {
        Vec::new()
    };
    let worst = multi && cx.req.robust == Robust::Worst;
    let score = |i: usize| {
        if worst {
            regret[i].worst.est
        } else {
            w[i].iter().sum::<f64>() / w[i].len().max(1) as f64
        }
    };
    let best = (0..rows.len())
        .filter(|&i| i != greedy && eligible(cx, &rows[i], k))
        .max_by(|&a, &b| score(a).total_cmp(&score(b)).then(b.cmp(&a)));
    let beats = |i: usize| {
        if worst {
            regret[i].worst.lo > regret[greedy].worst.est
        } else {
            seed::compare("", &w[i], &w[greedy]).diff_lo > 0.0
        }
    };
    let what = objective_word(worst, multi);
    let (chosen, note) = match best {
        Some(b) if beats(b) => (
            b,
            format!(
                "The greedy set was beaten beyond its interval by \"{}\" on the {what}: that set is recommended instead (the best evaluated set{}).",
                rows[b].name,
                if certified {
                    "; the certificate still holds for it, since it is at least as good as the certified set"
                } else {
                    ""
                }
            ),
        ),
        Some(b) if score(b) > score(greedy) => (
            greedy,
            format!(
                "\"{}\" scores slightly higher on the {what}, but within the interval of the difference: the greedy set is kept.",
                rows[b].name
            ),
        ),
        _ if rows.len() == 1 => (
            greedy,
            "No other set was compared (--compare none): the greedy set is recommended.".into(),
        ),
        _ => (
            greedy,
            format!("No compared set beats the greedy set on the {what}: it is recommended."),
        ),
    };
    let compared = rows
        .iter()
        .zip(&w)
        .map(|(r, v)| seed::compare(&r.name, v, &w[chosen]))
        .collect();
    Evaluated {
        rows,
        compared,
        regret,
        decision: Decision {
            greedy,
            chosen,
            reference,
            note,
        },
    }
}

/// What the recommendation compares on, for the note.
fn objective_word(worst: bool, multi: bool) -> &'static str {
    if worst {
        "worst-case share"
    } else if multi {
        "weighted expected objective"
    } else {
        "expected objective"
    }
}

/// Theory `t`'s optimized set: its own greedy set, or the eligible row that beats it on `t`
/// beyond the interval of the paired difference.
fn theory_reference(cx: &Ctx, rows: &[Row], t: usize, k: usize) -> usize {
    let own = rows
        .iter()
        .position(|r| r.role == Role::Theory(t))
        .unwrap_or(0);
    let mean = |i: usize| rows[i].vals[t].iter().sum::<f64>();
    let best = (0..rows.len())
        .filter(|&i| eligible(cx, &rows[i], k))
        .max_by(|&a, &b| mean(a).total_cmp(&mean(b)).then(b.cmp(&a)));
    match best {
        Some(b)
            if b != own
                && seed::compare("", &rows[b].vals[t], &rows[own].vals[t]).diff_lo > 0.0 =>
        {
            b
        }
        _ => own,
    }
}

/// `marginal_gain` and `estimated_so_far` of each prefix of the recommended `seeds`, from one
/// sample: the RR validation sets (one theory or the mixture, greedy set kept), the CELF
/// simulations, or else forward simulation of the weighted objective over the comparison's
/// replicates.
pub(super) fn prefix(
    cx: &Ctx,
    sel: &Selection,
    seeds: &[u32],
    replaced: bool,
) -> (Vec<f64>, Vec<f64>) {
    let (so_far, base) = match sel {
        Selection::Rr(c) if !replaced => (c.spread_so_far.clone(), c.baseline),
        Selection::Celf { lazy, .. } if !replaced => (lazy.value_so_far.clone(), lazy.baseline),
        _ => {
            let reps = cx.req.replicates as u64;
            let mean = |s: &[u32]| -> f64 {
                cx.theories
                    .iter()
                    .zip(&cx.fwds)
                    .map(|(t, f)| t.weight * f.mean(s, reps))
                    .sum()
            };
            let so: Vec<f64> = (1..=seeds.len()).map(|i| mean(&seeds[..i])).collect();
            (so, mean(&[]))
        }
    };
    let mut prev = base;
    let gains = so_far
        .iter()
        .map(|&s| {
            let g = s - prev;
            prev = s;
            g
        })
        .collect();
    (gains, so_far)
}
