//! The executive summary on page 1 of the run report ([`run_summary`]): three to five plain
//! sentences and one headline table, generated from the results (what was simulated, the KOL
//! lift under each theory with its interval, where it is credible, when 50% comes), and the
//! results section's KOL lift table ([`lift_table`]).

use super::page::{escape, table};
use super::{Report, told};
use crate::output::{self, Comparison};
use crate::table::{diff_cell, kol_lift, lift_row};
use std::fmt::Write as _;

/// The lift comparisons (each arm minus the reference arm), in model order.
fn lifts<'a>(r: &Report<'a>) -> Vec<&'a Comparison> {
    kol_lift(r.comparisons)
}

/// Replicates per model and arm.
fn replicates(r: &Report) -> usize {
    r.metrics
        .first()
        .and_then(|m| m.first())
        .map_or(0, Vec::len)
}

/// Mean final share of arm `a` under model `m` over replicates.
fn mean_share(r: &Report, a: usize, m: usize) -> f64 {
    let v = &r.metrics[a][m];
    v.iter().map(|x| x.final_share).sum::<f64>() / v.len().max(1) as f64
}

/// `x` in percent with one decimal.
fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Whether the 95% interval of `d` excludes zero.
fn credible(d: &crate::stats::PairedDiff) -> bool {
    matches!((d.lo, d.hi), (Some(lo), Some(hi)) if lo > 0.0 || hi < 0.0)
}

/// The executive summary: the run in three to five sentences and a headline table (the KOL
/// lift per model with its interval, or the final share per model with one arm).
pub(super) fn run_summary(o: &mut String, r: &Report) {
    let (sc, res) = (r.scenario, r.result);
    let (months, month) = (sc.time_unit.plural(), sc.time_unit.singular());
    let reps = replicates(r);
    o.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    let mut sentences = vec![format!(
        "kolsim simulated the launch on {} physicians over {} {months} under {} theor{} of adoption ({}), {reps} replicates each; shares are means over replicates.",
        res.n,
        sc.steps,
        res.models.len(),
        if res.models.len() == 1 { "y" } else { "ies" },
        res.models.join(", ")
    )];
    let lift = lifts(r);
    if lift.is_empty() {
        sentences.extend(share_sentences(r));
    } else {
        sentences.extend(lift_sentences(&lift, sc.steps, month));
    }
    let _ = writeln!(o, "<p class=\"lead\">{}</p>", escape(&sentences.join(" ")));
    if lift.is_empty() {
        share_headline(o, r);
    } else {
        lift_headline(o, r, &lift, reps);
    }
    o.push_str("</section>\n");
}

/// With one arm: the range of the final share over the models.
fn share_sentences(r: &Report) -> Vec<String> {
    let (sc, res) = (r.scenario, r.result);
    let month = sc.time_unit.singular();
    let shares: Vec<(f64, &str)> = (0..res.models.len())
        .map(|m| (mean_share(r, 0, m), res.models[m].as_str()))
        .collect();
    let hi = shares
        .iter()
        .copied()
        .fold((f64::MIN, ""), |a, b| if b.0 > a.0 { b } else { a });
    let lo = shares
        .iter()
        .copied()
        .fold((f64::MAX, ""), |a, b| if b.0 < a.0 { b } else { a });
    if shares.len() < 2 {
        return vec![format!(
            "By {month} {}, {} of the physicians have adopted.",
            sc.steps,
            pct(hi.0)
        )];
    }
    vec![format!(
        "By {month} {}, the theories disagree: from {} of the physicians under {} to {} under {}.",
        sc.steps,
        pct(lo.0),
        lo.1,
        pct(hi.0),
        hi.1
    )]
}

/// With several arms: the lift of the first arm compared, where it is largest and smallest
/// and where its interval excludes zero.
fn lift_sentences(lift: &[&Comparison], steps: u32, month: &str) -> Vec<String> {
    let arm = &lift[0].arm;
    let of_arm: Vec<&&Comparison> = lift.iter().filter(|c| &c.arm == arm).collect();
    let pp = |c: &Comparison| c.final_share.mean.unwrap_or(0.0) * 100.0;
    let best = of_arm.iter().max_by(|a, b| pp(a).total_cmp(&pp(b)));
    let worst = of_arm.iter().min_by(|a, b| pp(a).total_cmp(&pp(b)));
    let mut out = Vec::new();
    if let (Some(b), Some(w)) = (best, worst) {
        let words = |c: &Comparison| {
            let d = pp(c);
            format!(
                "{:.1} percentage points {}{}",
                d.abs(),
                if d < 0.0 { "fewer" } else { "more" },
                told::ci(c.final_share.lo, c.final_share.hi, 100.0, 1, d < 0.0)
            )
        };
        out.push(format!(
            "Seeding “{arm}” instead of “{}” gives the most under {}: {} of physicians adopting by {month} {steps}.",
            b.reference,
            b.model,
            words(b)
        ));
        if of_arm.len() > 1 {
            out.push(format!(
                "It gives the least under {}: {}.",
                w.model,
                words(w)
            ));
        }
    }
    let sure: Vec<&str> = of_arm
        .iter()
        .filter(|c| credible(&c.final_share))
        .map(|c| c.model.as_str())
        .collect();
    out.push(match sure.len() {
        0 => "Under no theory does the 95% interval of this lift exclude zero: the simulation cannot tell the arms apart.".to_string(),
        k if k == of_arm.len() => "Under every theory its 95% interval excludes zero.".to_string(),
        k => format!(
            "Its 95% interval excludes zero under {k} of {} theories ({}); under the others the arms cannot be told apart.",
            of_arm.len(),
            sure.join(", ")
        ),
    });
    out
}

/// The headline table with one arm: the mean final share and the median time to 50% per model.
fn share_headline(o: &mut String, r: &Report) {
    let (sc, res) = (r.scenario, r.result);
    let months = sc.time_unit.plural();
    let rows: Vec<Vec<String>> = (0..res.models.len())
        .map(|m| {
            let v = &r.metrics[0][m];
            let reached = v.iter().filter(|x| x.t50.is_some()).count();
            vec![
                res.models[m].clone(),
                pct(mean_share(r, 0, m)),
                format!("{reached} of {}", v.len()),
            ]
        })
        .collect();
    let by = format!(
        "mean final share, by {} {}",
        sc.time_unit.singular(),
        sc.steps
    );
    let reach = format!("replicates reaching 50% within the {} {months}", sc.steps);
    table(o, "headline", &["model", &by, &reach], &rows, 1);
}

/// The headline table with several arms: per model and arm, the KOL lift in percentage points
/// and physicians, and the time to 50%, with their intervals in words' direction.
fn lift_headline(o: &mut String, r: &Report, lift: &[&Comparison], reps: usize) {
    let (sc, res) = (r.scenario, r.result);
    let months = sc.time_unit.plural();
    let n = res.n as f64;
    let rows: Vec<Vec<String>> = lift
        .iter()
        .map(|c| {
            let d = c.final_share.mean.unwrap_or(0.0);
            let fewer = d < 0.0;
            let more = if fewer { "fewer" } else { "more" };
            let ci = |scale, dec| told::ci(c.final_share.lo, c.final_share.hi, scale, dec, fewer);
            vec![
                c.model.clone(),
                c.arm.clone(),
                format!("{:.1} pp {more}{}", d.abs() * 100.0, ci(100.0, 1)),
                format!("{:.0} {more}{}", (d * n).abs(), ci(n, 0)),
                time_words(c),
            ]
        })
        .collect();
    let head = [
        "model",
        "arm",
        &format!(
            "adopters by {} {} vs “{}” [95% CI]",
            sc.time_unit.singular(),
            sc.steps,
            lift[0].reference
        ) as &str,
        &format!("physicians, of {}", res.n),
        &format!("time to 50% ({months}, restricted mean)"),
    ];
    table(o, "headline", &head, &rows, 2);
    let _ = writeln!(
        o,
        "<p class=\"note\">Means over {reps} paired replicates (the arms share each replicate's network and random numbers). “not reached”: neither arm reaches 50% within the {} {months}.</p>",
        sc.steps
    );
}

/// The time to 50% of a lift in words: “2.8 sooner [95% CI 2.7, 3.0]”, or “not reached”.
fn time_words(c: &Comparison) -> String {
    let t = &c.t50_restricted;
    let Some(m) = t.mean else {
        return "-".into();
    };
    if told::fifty_not_reached(c) {
        return "not reached".into();
    }
    let sooner = m < 0.0;
    format!(
        "{:.1} {}{}",
        m.abs(),
        if sooner { "sooner" } else { "later" },
        told::ci(t.lo, t.hi, 1.0, 1, sooner)
    )
}

/// With several arms, the KOL lift: each arm minus the reference arm, per model.
pub(super) fn lift_table(o: &mut String, r: &Report) {
    let sc = r.scenario;
    let (months, month) = (sc.time_unit.plural(), sc.time_unit.singular());
    let lift = lifts(r);
    if !lift.is_empty() {
        let _ = writeln!(
            o,
            "<h3 id=\"kol-lift\">KOL lift: each arm minus the reference arm “{}”</h3>",
            escape(&lift[0].reference)
        );
        let n = r.result.n as f64;
        let reps = replicates(r);
        let rows: Vec<Vec<String>> = lift
            .iter()
            .map(|c| {
                lift_row(
                    c,
                    [
                        diff_cell(&c.final_share, n, ""),
                        diff_cell(&c.t50_restricted, 1.0, ""),
                        flagged(diff_cell(&c.t10, 1.0, ""), &c.t10, reps),
                    ],
                )
            })
            .collect();
        table(
            o,
            "lift",
            &[
                "model",
                "arm",
                "Δ final share [95% CI]",
                "Δ adopters, physicians [95% CI]",
                &format!("Δ {months} to 50% [95% CI]"),
                &format!("Δ t10, {months} (pairs reaching 10%)"),
            ],
            &rows,
            2,
        );
        let _ = writeln!(
            o,
            "<p class=\"note\">Paired over replicates: the arms share each replicate's network and random numbers, so the difference isolates the seeding strategy. \
             Δ adopters: the share difference in physicians (of {}). A negative Δ in {months} means the arm gets there sooner. \
             Δ {months} to 50% counts a replicate that never reaches 50% as reaching it at {month} {} (restricted mean), so it uses every pair. \
             Δ t10 uses only the pairs where both arms reached 10% (their number in brackets); figures resting on few pairs are marked “few pairs”.</p>",
            r.result.n, r.scenario.steps
        );
    }
}

/// A conditional time difference with the number of pairs it rests on, flagged when they are
/// few ([`output::few_pairs`]).
fn flagged(cell: String, d: &crate::stats::PairedDiff, replicates: usize) -> String {
    if d.mean.is_none() {
        return "- (no pairs)".into();
    }
    if d.pairs >= replicates {
        return cell;
    }
    if output::few_pairs(d.pairs, replicates) {
        format!("{cell} n={}{}", d.pairs, super::page::FEW)
    } else {
        format!("{cell} n={}", d.pairs)
    }
}
