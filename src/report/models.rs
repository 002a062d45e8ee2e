//! The report's models section: per model, what the theory assumes, its parameters and what
//! it predicts, with the KOL lift in client terms.

use super::page::escape;
use super::{Report, told};
use crate::output::{self, Comparison};
use std::fmt::Write as _;

/// The models section: per model, one plain sentence of what the theory assumes, its
/// parameters with their values, and what it predicts — the final share and, with several
/// arms, the KOL lift in physicians, share and months, with intervals.
pub(super) fn model_sections(o: &mut String, r: &Report) {
    let (sc, res) = (r.scenario, r.result);
    let month = sc.time_unit.singular();
    o.push_str("<section id=\"models\">\n<h2>What each model assumes and predicts</h2>\n");
    let reps = r
        .metrics
        .first()
        .and_then(|m| m.first())
        .map_or(0, Vec::len);
    for nm in &sc.models {
        let info = nm.model.info();
        let _ = writeln!(
            o,
            "<section class=\"model\">\n<h3>{} <span class=\"meta\">({})</span></h3>\n<p>{}</p>",
            escape(&nm.name),
            escape(info.kind),
            escape(info.plain)
        );
        let params: Vec<String> = info
            .params
            .iter()
            .map(|p| {
                let v = nm
                    .param_text(p.name)
                    .unwrap_or_else(|| format!("{} (default)", p.default_text()));
                format!("{} = {} ({})", p.name, v, p.meaning)
            })
            .collect();
        if !params.is_empty() {
            let _ = writeln!(
                o,
                "<p class=\"note\"><b>Parameters:</b> {}.</p>",
                escape(&params.join("; "))
            );
        }
        let Some(mi) = res.models.iter().position(|x| x == &nm.name) else {
            o.push_str("</section>\n");
            continue;
        };
        for (a, arm) in res.arms.iter().enumerate() {
            let ms = &r.metrics[a][mi];
            if ms.is_empty() {
                continue;
            }
            let mean = ms.iter().map(|x| x.final_share).sum::<f64>() / ms.len() as f64;
            let _ = writeln!(
                o,
                "<p>{}By {month} {}, {:.1}% of the {} physicians have adopted on average (about {:.0} prescribers; mean and 5–95% of replicates: {}).</p>",
                if res.arms.len() > 1 {
                    format!("Seeding “{}”: ", escape(arm))
                } else {
                    String::new()
                },
                sc.steps,
                mean * 100.0,
                res.n,
                mean * res.n as f64,
                escape(&crate::table::share_cell(ms))
            );
        }
        for c in crate::table::kol_lift(r.comparisons)
            .into_iter()
            .filter(|c| c.model == nm.name)
        {
            let _ = writeln!(
                o,
                "<p><b>KOL lift</b> — {}</p>",
                lift_sentence(c, res.n, sc.steps, reps, sc.time_unit)
            );
        }
        o.push_str("</section>\n");
    }
    o.push_str("</section>\n");
}

/// The KOL lift of one model and arm in client terms (HTML, escaped): share, physicians and
/// months, with 95% intervals in the sentence's own direction (“2.8 months sooner [95% CI
/// 2.7, 3.0]”), “not reached” where neither arm reaches a level, and a flag when the time
/// figure rests on few pairs.
fn lift_sentence(
    c: &Comparison,
    n: usize,
    steps: u32,
    replicates: usize,
    unit: crate::scenario::TimeUnit,
) -> String {
    let (months, month) = (unit.plural(), unit.singular());
    let nf = n as f64;
    let (Some(d), lo, hi) = (c.final_share.mean, c.final_share.lo, c.final_share.hi) else {
        return "not available (no replicate pairs).".into();
    };
    let fewer = d < 0.0;
    let more = if fewer { "fewer" } else { "more" };
    let mut s = format!(
        "seeding “{}” instead of “{}”: {:.1} percentage points {more}{} of physicians by {month} {steps}, \
         that is {:.0} {more} prescribers of {n}{}",
        escape(&c.arm),
        escape(&c.reference),
        d.abs() * 100.0,
        told::ci(lo, hi, 100.0, 1, fewer),
        (d * nf).abs(),
        told::ci(lo, hi, nf, 0, fewer),
    );
    match c.t50_restricted.mean {
        Some(_) if told::fifty_not_reached(c) => {
            let _ = write!(
                s,
                "; 50% adoption is not reached within the {steps} {months} by either arm"
            );
        }
        Some(t) => {
            let sooner = t < 0.0;
            let _ = write!(
                s,
                "; 50% adoption comes {:.1} {months} {}{} (restricted mean within the {steps} {months}, every replicate counted)",
                t.abs(),
                if sooner { "sooner" } else { "later" },
                told::ci(c.t50_restricted.lo, c.t50_restricted.hi, 1.0, 1, sooner)
            );
        }
        None => {}
    }
    match c.t10.mean {
        Some(t) => {
            let sooner = t < 0.0;
            let _ = write!(
                s,
                "; 10% comes {:.1} {months} {}{} over the {} of {replicates} pairs where both arms reached 10%",
                t.abs(),
                if sooner { "sooner" } else { "later" },
                told::ci(c.t10.lo, c.t10.hi, 1.0, 1, sooner),
                c.t10.pairs
            );
            if output::few_pairs(c.t10.pairs, replicates) {
                s.push_str(" <span class=\"flag\">(few pairs: read with care)</span>");
            }
        }
        None if c.t10.pairs == 0 => {
            let _ = write!(s, "; 10% is not reached by both arms in any replicate pair");
        }
        None => {}
    }
    s.push('.');
    s
}
