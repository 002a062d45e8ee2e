//! The report of a run: [`report_html`] and the run's deliverables, [`files`].

use super::page::{escape, page_head, table};
use super::{FILES, Figure, Report};
use crate::output::{self, Comparison};
use crate::plot;
use crate::run::RunResult;
use crate::scenario::{InitialAdopters, Scenario};
use crate::stats::{Metrics, StepSummary};
use crate::table::{diff_cell, share_cell, steps_cell};
use std::fmt::Write as _;

/// Plain-language description of a seeding arm.
fn adopters_text(s: &InitialAdopters) -> String {
    match s {
        InitialAdopters::None => "no initial adopters".into(),
        InitialAdopters::Random(n) => format!("{n} physicians at random"),
        InitialAdopters::Kols(n) => format!("the top {n} KOLs"),
        InitialAdopters::TopBy(rule, n) => format!("the top {n} physicians by {}", rule.name()),
        InitialAdopters::Explicit(list) => format!("{} listed physicians", list.ids.len()),
        InitialAdopters::Attribute(attr, n, _) => {
            format!("the {n} physicians with the highest \u{201c}{attr}\u{201d}")
        }
        InitialAdopters::Optimized { model, count, .. } => {
            format!("the {count} seeds optimized for model \u{201c}{model}\u{201d}")
        }
    }
}

/// Renders the report: one self-contained HTML document (UTF-8, inline CSS and SVG, no
/// scripts, nothing loaded from elsewhere). Sections: the scenario (description, network,
/// KOLs, arms, models, steps, replicates, seed); the figures; per arm, each model's final
/// share [5–95%], users at the end, KOLs adopted, t10/t50/t90 and the paired difference to the
/// baseline model; with several arms, the KOL lift (each arm minus the reference arm, per
/// model, with 95% intervals); the manifest and the scenario file. All text is escaped.
pub fn report_html(r: &Report) -> String {
    let (sc, res) = (r.scenario, r.result);
    let mut o = String::with_capacity(64 * 1024);
    let title = format!("{} — kolsim report", sc.name);
    page_head(&mut o, &title);
    let replicates = res
        .curves
        .first()
        .and_then(|m| m.first())
        .map_or(0, Vec::len);
    header(&mut o, sc, replicates);
    for w in &res.warnings {
        let _ = writeln!(o, "<p class=\"warning\"><b>Warning:</b> {}</p>", escape(w));
    }
    super::summary::run_summary(&mut o, r);
    let curves = serde_json::from_str::<serde_json::Value>(r.manifest_json)
        .ok()
        .and_then(|m| m["curves"].as_str().map(str::to_string));
    scenario_facts(&mut o, sc, res, replicates, curves.as_deref());
    let (by_segment, figs): (Vec<&Figure>, Vec<&Figure>) = r
        .figures
        .iter()
        .partition(|f| f.file == super::segments::SVG);
    figures(&mut o, &figs);
    results(&mut o, r);
    super::segments::section(&mut o, r, by_segment.first().copied());
    super::models::model_sections(&mut o, r);
    reproduce(&mut o, r);
    o
}

/// The page header: name, description and provenance.
fn header(o: &mut String, sc: &Scenario, replicates: usize) {
    let _ = writeln!(o, "<header>\n<h1>{}</h1>", escape(&sc.name));
    if let Some(d) = sc.description.as_deref().filter(|d| !d.trim().is_empty()) {
        let _ = writeln!(o, "<p class=\"lead\">{}</p>", escape(d));
    }
    let _ = writeln!(
        o,
        "<p class=\"meta\">kolsim {} (commit {}) · scenario file <code>{}</code> · seed {} · {} replicates per model and arm</p>\n</header>",
        escape(env!("CARGO_PKG_VERSION")),
        escape(crate::manifest::GIT_COMMIT),
        escape(&sc.source.path.display().to_string()),
        sc.seed,
        replicates
    );
}

/// The scenario section: a list of facts about the scenario and the run.
fn scenario_facts(
    o: &mut String,
    sc: &Scenario,
    res: &RunResult,
    replicates: usize,
    curves: Option<&str>,
) {
    o.push_str("<section id=\"scenario\">\n<h2>Scenario</h2>\n<dl class=\"facts\">\n");
    let mut fact = |k: &str, v: String| {
        let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
    };
    fact("Physicians", res.n.to_string());
    let network = network_fact(res);
    fact("Network", network);
    let kols = kols_fact(sc, res);
    fact("Key opinion leaders", kols);
    let arms: Vec<String> = sc
        .arms
        .iter()
        .map(|a| format!("{}: {}", a.name, adopters_text(&a.adopters)))
        .collect();
    fact(
        if sc.arms.len() > 1 {
            "Seeding arms"
        } else {
            "Initial adopters"
        },
        if sc.arms.len() > 1 {
            arms.join("; ")
        } else {
            sc.arms
                .first()
                .map_or_else(|| "none".to_string(), |a| adopters_text(&a.adopters))
        },
    );
    fact(
        "Models",
        sc.models
            .iter()
            .map(|m| {
                if m.name == m.model.kind() {
                    m.name.clone()
                } else {
                    format!("{} ({})", m.name, m.model.kind())
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
    );
    fact(
        "Baseline model",
        format!(
            "{} (what each theory assumes: see “What each model assumes and predicts”)",
            sc.baseline
        ),
    );
    if sc.arms.len() > 1 {
        fact("Reference arm", sc.reference_arm.clone());
    }
    let (months, month) = (sc.time_unit.plural(), sc.time_unit.singular());
    let start = sc
        .start_date
        .as_deref()
        .map_or(String::new(), |d| format!("; {month} 0 starts {d}"));
    fact(
        "Steps",
        format!("{} ({months} after {month} 0{start})", sc.steps),
    );
    fact("Replicates", format!("{replicates} per model and arm"));
    fact("Seed", sc.seed.to_string());
    match curves {
        Some("summary") => fact(
            "Per-replicate files",
            "summary (--curves): no curves.csv; metrics.csv has every replicate".into(),
        ),
        Some("none") => fact(
            "Per-replicate files",
            "none (--curves): no curves.csv or metrics.csv; summaries over replicates only".into(),
        ),
        Some(_) => fact(
            "Per-replicate files",
            "full (--curves): curves.csv and metrics.csv have every replicate".into(),
        ),
        None => {}
    }
    fact(
        "Computation",
        format!(
            "{:.2} s simulating on {} thread{}",
            res.timings.simulate_s,
            res.threads,
            if res.threads == 1 { "" } else { "s" }
        ),
    );
    o.push_str("</dl>\n</section>\n");
}

/// The network's facts: kind, arcs, components and what the build dropped or merged.
fn network_fact(res: &RunResult) -> String {
    let net = &res.network;
    let mut network = format!(
        "{}; {} arcs (ties along which influence flows), {} weakly connected component{}",
        net.kind,
        net.arcs,
        net.components,
        if net.components == 1 { "" } else { "s" }
    );
    if net.self_loops_dropped > 0 || net.duplicates_merged > 0 {
        let _ = write!(
            network,
            "; {} self-loops dropped, {} duplicate arcs merged",
            net.self_loops_dropped, net.duplicates_merged
        );
    }
    if net.redrawn_per_replicate {
        network.push_str("; a new network is drawn for each replicate (facts shown for the first)");
    }
    network
}

/// The KOLs' facts: how many, the rule, κ, and how eigenvector or betweenness scores were computed.
fn kols_fact(sc: &Scenario, res: &RunResult) -> String {
    let net = &res.network;
    let mut kols = format!(
        "{} KOLs ranked by {}; a KOL's word counts ×{} (κ)",
        res.kols, net.kol_rule, sc.kols.weight
    );
    if let Some(note) = &net.kol_ranking {
        let _ = write!(kols, "; {note}");
    }
    kols
}

/// The figures section (none when there are no figures).
fn figures(o: &mut String, figures: &[&Figure]) {
    if !figures.is_empty() {
        o.push_str("<section id=\"figures\">\n<h2>Figures</h2>\n");
        for f in figures {
            let _ = write!(
                o,
                "<figure>\n{}\n<figcaption>{} <span class=\"file\">({})</span></figcaption>\n</figure>\n",
                f.svg.trim(),
                escape(f.caption),
                escape(f.file)
            );
        }
        o.push_str("</section>\n");
    }
}

/// The results section: per arm, a table of every model; then the KOL lift.
fn results(o: &mut String, r: &Report) {
    let (sc, res) = (r.scenario, r.result);
    let (months, month) = (sc.time_unit.plural(), sc.time_unit.singular());
    let d50 = format!("Δ {months} to 50% vs baseline [95% CI]");
    o.push_str("<section id=\"results\">\n<h2>Results</h2>\n");
    let users = output::final_users(res);
    let recorded = res.kol_tie_share.iter().flatten().any(|v| !v.is_empty());
    let mut header = vec![
        "model",
        "final share, mean [5–95%]",
        "users at end",
        "KOLs adopted",
        "t10",
        "t50",
        "t90",
        "Δ final share vs baseline [95% CI]",
        &d50,
    ];
    if recorded {
        header.push("adoptions via KOL ties");
    }
    for (a, arm) in res.arms.iter().enumerate() {
        if res.arms.len() > 1 {
            let _ = writeln!(o, "<h3>Arm “{}”</h3>", escape(arm));
        }
        let mut rows = Vec::new();
        for m in 0..res.models.len() {
            rows.push(model_row(r, a, m, &users, recorded));
        }
        table(o, "results", &header, &rows, 1);
    }
    let _ = writeln!(
        o,
        "<p class=\"note\">Final share: mean share of physicians who adopted by {month} {steps}, with the 5th–95th percentiles over replicates. \
         Users at end: mean share still using it (lower when physicians discontinue). \
         t10/t50/t90: {months} to reach 10/50/90% adoption, median [5th–95th percentile] over replicates; “&gt;{steps}” means not reached. \
         Δ: paired difference to the baseline model “{}” on the same replicates (same network and random numbers), mean [95% t-interval]; \
         pp = percentage points. Δ {months} to 50%: difference in the time to reach 50% counted as {month} {steps} where 50% is not reached by then \
         (the restricted mean time within the horizon), so every replicate counts.</p>",
        escape(&sc.baseline),
        steps = sc.steps
    );
    super::summary::lift_table(o, r);
    o.push_str("</section>\n");
}

/// The row of model `m` in arm `a`'s results table; `users` are the final users
/// ([`output::final_users`]), `recorded` whether adoptions were recorded.
fn model_row(r: &Report, a: usize, m: usize, users: &[Vec<f64>], recorded: bool) -> Vec<String> {
    let (sc, res) = (r.scenario, r.result);
    let (arm, name) = (&res.arms[a], &res.models[m]);
    let ms = &r.metrics[a][m];
    let c = r
        .comparisons
        .iter()
        .find(|c| c.kind == "model_vs_baseline" && &c.arm == arm && &c.model == name);
    let (d_share, d_t50) = match c {
        Some(c) if c.model == c.reference => ("(baseline)".into(), "(baseline)".into()),
        Some(c) => (
            diff_cell(&c.final_share, 100.0, " pp"),
            diff_cell(&c.t50_restricted, 1.0, ""),
        ),
        None => ("-".into(), "-".into()),
    };
    let kols_adopted = if ms.is_empty() {
        "-".into()
    } else {
        let mean = ms.iter().map(|x| f64::from(x.kols_adopted)).sum::<f64>() / ms.len() as f64;
        format!("{mean:.1} of {}", res.kols)
    };
    let mut row = vec![
        name.clone(),
        share_cell(ms),
        users
            .get(a)
            .and_then(|u| u.get(m))
            .map_or("-".into(), |u| format!("{:.1}%", u * 100.0)),
        kols_adopted,
        steps_cell(ms.iter().map(|x| x.t10), sc.steps),
        steps_cell(ms.iter().map(|x| x.t50), sc.steps),
        steps_cell(ms.iter().map(|x| x.t90), sc.steps),
        d_share,
        d_t50,
    ];
    if recorded {
        let v: Vec<f64> = res
            .kol_tie_share
            .get(a)
            .and_then(|x| x.get(m))
            .map(|x| x.iter().flatten().copied().collect())
            .unwrap_or_default();
        row.push(if v.is_empty() {
            "-".into()
        } else {
            format!("{:.1}%", v.iter().sum::<f64>() / v.len() as f64 * 100.0)
        });
    }
    row
}

/// The reproducibility section: where the numbers are, the manifest and the scenario text.
fn reproduce(o: &mut String, r: &Report) {
    let sc = r.scenario;
    o.push_str("<section id=\"reproduce\">\n<h2>Reproducibility</h2>\n");
    o.push_str(
        "<p>The run folder holds every number behind this page: <code>curves.csv</code>, <code>summary.csv</code>, <code>metrics.csv</code> and <code>comparison.csv</code>.</p>\n",
    );
    let _ = writeln!(
        o,
        "<details>\n<summary>Manifest (manifest.json)</summary>\n<pre>{}</pre>\n</details>",
        escape(r.manifest_json.trim_end())
    );
    let _ = writeln!(
        o,
        "<details>\n<summary>Scenario file ({})</summary>\n<pre>{}</pre>\n</details>",
        escape(&sc.source.path.display().to_string()),
        escape(sc.toml_text().trim_end())
    );
    o.push_str("</section>\n</main>\n</body>\n</html>\n");
}

/// Builds the three deliverables of a run, named as in [`FILES`]: the adoption figure, the
/// new-adopters figure and the report that embeds both; with segments (`segment` in the
/// scenario) a fourth, `segments.svg`, the adoption figure faceted by segment. `sums`, `metrics` and `cmp` are the
/// run's [`output::summaries`], [`output::all_metrics`] and [`output::comparisons`];
/// `manifest_json` is the bytes of `manifest.json`. `observed` is an observed
/// cumulative-share series `(step, share)` to draw on every panel of the adoption figure
/// (the scenario's observed launch), if any.
pub fn files(
    sc: &Scenario,
    res: &RunResult,
    sums: &[Vec<Vec<StepSummary>>],
    metrics: &[Vec<Vec<Metrics>>],
    cmp: &[Comparison],
    manifest_json: &[u8],
    observed: Option<&[(f64, f64)]>,
) -> Vec<(&'static str, Vec<u8>)> {
    let opts = plot::RunPlotOptions {
        observed,
        unit: sc.time_unit.plural(),
    };
    let month = sc.time_unit.singular();
    let new_caption = format!(
        "New adopters per {month}, one panel per model: the mean number of physicians adopting in each {month}, over replicates."
    );
    let adoption = plot::adoption_svg(&sc.name, &res.arms, &res.models, sums, &opts);
    let new_adopters = plot::new_adopters_svg(
        &sc.name,
        &res.arms,
        &res.models,
        &plot::mean_new_adopters(res),
        &opts,
    );
    let manifest = String::from_utf8_lossy(manifest_json);
    let by_segment = res.segments.as_ref().map(|seg| {
        let an = crate::segments::analyse(res, seg, &sc.baseline, &sc.reference_arm);
        plot::segments_svg(&plot::SegmentPlot {
            scenario: &sc.name,
            attribute: &seg.attribute,
            arms: &res.arms,
            models: &res.models,
            labels: &seg.labels,
            sizes: &seg.sizes,
            sums: &an.summaries,
            unit: sc.time_unit.plural(),
        })
    });
    let segment_caption = res.segments.as_ref().map_or(String::new(), |seg| {
        format!(
            "Cumulative adoption {} (column {}), one panel per segment and model: the mean share of the segment’s physicians who have adopted under each seeding arm, with 5–95% of replicates shaded.",
            crate::plot::segment_title(&seg.attribute).to_lowercase(),
            seg.attribute
        )
    });
    let mut figures = vec![
        Figure {
            file: FILES[0],
            caption: if observed.is_some() {
                "Cumulative adoption, one panel per model on the same axes, the seeding arms overlaid: the mean share of physicians who have adopted (line) and the range of 90% of replicates (shaded, 5th to 95th percentile); the observed launch as black points. Physicians who later discontinue still count as adopters here."
            } else {
                "Cumulative adoption, one panel per model on the same axes, the seeding arms overlaid: the mean share of physicians who have adopted (line) and the range of 90% of replicates (shaded, 5th to 95th percentile). Physicians who later discontinue still count as adopters here."
            },
            svg: &adoption,
        },
        Figure {
            file: FILES[1],
            caption: &new_caption,
            svg: &new_adopters,
        },
    ];
    if let Some(svg) = &by_segment {
        figures.push(Figure {
            file: super::segments::SVG,
            caption: &segment_caption,
            svg,
        });
    }
    let html = report_html(&Report {
        scenario: sc,
        result: res,
        metrics,
        comparisons: cmp,
        figures: &figures,
        manifest_json: &manifest,
    });
    let mut out = vec![
        (FILES[0], adoption.clone().into_bytes()),
        (FILES[1], new_adopters.clone().into_bytes()),
        (FILES[2], html.into_bytes()),
    ];
    if let Some(svg) = by_segment {
        out.push((super::segments::SVG, svg.into_bytes()));
    }
    out
}
