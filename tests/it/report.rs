//! The consultants' deliverables: `adoption.svg`, `new_adopters.svg` and the self-contained
//! `report.html` in every run folder, and the plotting functions behind them.

use assert_cmd::Command;
use kolsim::plot;
use kolsim::stats::StepSummary;
use std::path::{Path, PathBuf};

const QUICKSTART: &str = "scenarios/quickstart.toml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Checks that `s` is well-formed enough as XML: every tag closed in order, self-closing tags
/// allowed, no stray `<`. Returns the text content of every `<text>` element, trimmed.
fn check_xml(s: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut texts = Vec::new();
    let mut rest = s;
    let mut text_start: Option<usize> = None;
    let mut pos = 0;
    while let Some(open) = rest.find('<') {
        let close = rest[open..]
            .find('>')
            .unwrap_or_else(|| panic!("unclosed tag at byte {}", pos + open))
            + open;
        let tag = &rest[open + 1..close];
        assert!(
            !tag.contains('<'),
            "stray '<' inside a tag at byte {}",
            pos + open
        );
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            let top = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(top, name, "</{name}> closes <{top}>");
            if name == "text" {
                let start = text_start.take().expect("text start");
                texts.push(s[start..pos + open].trim().to_string());
            }
        } else if !tag.starts_with('?') && !tag.starts_with('!') && !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap_or("").to_string();
            assert!(!name.is_empty(), "empty tag at byte {}", pos + open);
            if name == "text" {
                text_start = Some(pos + close + 1);
            }
            stack.push(name);
        }
        pos += close + 1;
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    texts
}

/// Checks one SVG file of a run: a single, balanced `<svg>` document with the given texts.
fn check_svg(svg: &str, must_have: &[&str], models: &[&str]) {
    assert!(svg.starts_with("<svg"), "does not start with <svg");
    assert_eq!(svg.matches("<svg").count(), 1);
    assert_eq!(svg.matches("</svg>").count(), 1);
    assert!(svg.trim_end().ends_with("</svg>"));
    let texts = check_xml(svg);
    for t in must_have {
        assert!(
            texts.iter().any(|x| x.contains(t)),
            "no text containing {t:?} in {texts:?}"
        );
    }
    for m in models {
        assert_eq!(
            texts.iter().filter(|x| x.as_str() == *m).count(),
            1,
            "legend entries for {m} in {texts:?}"
        );
    }
}

/// Escapes as report.html does, to look up terminal-table cells in it.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn quickstart_run_folder_has_figures_and_a_self_contained_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let assert = Command::cargo_bin("kolsim")
        .unwrap()
        .current_dir(root())
        .args(["run", QUICKSTART, "--replicates", "20", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    let models: Vec<&str> = manifest["models"]
        .as_array()
        .expect("models in the manifest")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(models.len() >= 2);
    let scenario_text = read(&root().join(QUICKSTART));
    let description = scenario_text
        .lines()
        .find_map(|l| l.strip_prefix("description = \""))
        .and_then(|l| l.split('"').next())
        .expect("description in the quickstart scenario");

    let adoption = read(&out.join("adoption.svg"));
    check_svg(
        &adoption,
        &["quickstart", "months", "share of physicians", "100%"],
        &models,
    );
    // One shaded 5–95% band per model (single arm).
    assert_eq!(adoption.matches("<polygon").count(), models.len());
    let new_adopters = read(&out.join("new_adopters.svg"));
    check_svg(
        &new_adopters,
        &["quickstart", "months", "new adopters per month"],
        &models,
    );

    let html = read(&out.join("report.html"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for m in &models {
        assert!(html.contains(m), "report lacks model {m}");
    }
    assert!(html.matches("<svg").count() >= 2, "figures not inline");
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert!(html.contains(adoption.trim()), "adoption.svg not embedded");
    assert!(
        html.contains(new_adopters.trim()),
        "new_adopters.svg not embedded"
    );
    let lower = html.to_ascii_lowercase();
    for bad in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "<link",
        "<script",
        "@import",
        "url(",
    ] {
        assert!(!lower.contains(bad), "report references {bad}");
    }
    assert!(html.contains("(baseline)"));
    // Each model's section opens with the plain sentence of its declaration.
    assert!(html.contains("What each model assumes and predicts"));
    for kind in ["imitation", "bass", "threshold"] {
        let info = match kind {
            "imitation" => &kolsim::models::imitation::INFO,
            "bass" => &kolsim::models::bass::INFO,
            _ => &kolsim::models::threshold::INFO,
        };
        assert!(
            html.contains(&html_escape(info.plain)),
            "no plain sentence for {kind}"
        );
    }
    assert!(
        html.contains(&html_escape(description)),
        "description missing"
    );
    assert!(html.contains("<details>") && html.contains("schema_version"));
    assert!(html.contains("[[model]]"), "scenario text missing");
    let net = &manifest["network"];
    assert!(html.contains(net["kind"].as_str().unwrap()));
    assert!(html.contains(&format!("<dd>{}</dd>", net["nodes"])));

    // The report's numbers are the terminal table's: every final-share cell of the table
    // printed on stdout appears in the report.
    let header = stdout
        .lines()
        .find(|l| l.starts_with("model") && l.contains("final share"))
        .expect("table header on stdout");
    let col = header.find("final share").unwrap();
    let mut found = 0;
    for line in stdout.lines() {
        if let Some(m) = models.iter().find(|m| line.starts_with(&format!("{m} "))) {
            let cell = line[col..].split("  ").next().unwrap().trim().to_string();
            assert!(cell.ends_with(['%', ']']), "odd cell {cell:?} for {m}");
            // The report splits a value from its interval so the two may wrap.
            let html_cell = match cell.split_once(" [") {
                Some((v, ci)) => format!(
                    "<span class=\"v\">{}</span> <span class=\"ci\">[{}</span>",
                    html_escape(v),
                    html_escape(ci)
                ),
                None => html_escape(&cell),
            };
            assert!(
                html.contains(&html_cell),
                "final share {cell} of {m} not in the report"
            );
            found += 1;
        }
    }
    assert_eq!(found, models.len());

    // The manifest lists the new files.
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for f in kolsim::report::FILES {
        assert!(files.contains(&f), "manifest lacks {f}");
        assert!(out.join(f).is_file());
    }

    python_html_check(&out.join("report.html"));
}

/// Parses the report with Python's `html.parser` (when python3 is available) and checks that
/// every non-void element is closed in order.
fn python_html_check(path: &Path) {
    const SCRIPT: &str = r#"
import sys
from html.parser import HTMLParser
VOID = {"area","base","br","col","embed","hr","img","input","link","meta","source","track","wbr"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unexpected </%s> (open: %s)" % (tag, self.stack[-3:]))
        else:
            self.stack.pop()
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
p.close()
if p.stack:
    p.errors.append("unclosed: %s" % p.stack)
if p.errors:
    print("\n".join(p.errors[:10]))
    sys.exit(1)
print("ok")
"#;
    match std::process::Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(path)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "html.parser: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => eprintln!("python3 not available ({e}); skipping the html.parser check"),
    }
}

/// A summary curve rising linearly to `top` over `steps` steps, with a ±0.05 band.
fn synthetic(steps: u32, top: f64) -> Vec<StepSummary> {
    (0..=steps)
        .map(|s| {
            let mean = top * f64::from(s) / f64::from(steps);
            StepSummary {
                step: s,
                mean,
                sd: 0.02,
                p05: (mean - 0.05).max(0.0),
                p50: mean,
                p95: (mean + 0.05).min(1.0),
                replicates: 10,
            }
        })
        .collect()
}

#[test]
fn adoption_svg_draws_small_multiples_one_panel_per_model() {
    let arms = vec!["kols".to_string(), "random".to_string()];
    let models = vec!["alpha".to_string(), "beta".to_string(), "gamma".to_string()];
    let sums: Vec<Vec<Vec<StepSummary>>> = (0..arms.len())
        .map(|a| {
            (0..models.len())
                .map(|m| synthetic(6, 0.3 + 0.1 * (a + m) as f64))
                .collect()
        })
        .collect();
    let opts = plot::RunPlotOptions::default();
    let svg = plot::adoption_svg("tiny <test>", &arms, &models, &sums, &opts);
    let texts = check_xml(&svg);
    // One band per (arm, model) series, and a band swatch per legend entry ...
    assert_eq!(svg.matches("<polygon").count(), arms.len() * models.len());
    // ... one panel per model (its caption), one legend entry per arm, shared by the
    // panels ...
    for m in &models {
        assert_eq!(texts.iter().filter(|t| t == &m).count(), 1, "{texts:?}");
    }
    for a in &arms {
        assert_eq!(texts.iter().filter(|t| t == &a).count(), 1, "{texts:?}");
    }
    assert!(texts.contains(&"seeding arm".to_string()));
    assert!(
        texts
            .iter()
            .any(|t| t == "tiny &lt;test&gt;: cumulative adoption")
    );
    assert_eq!(
        texts.iter().filter(|t| t.as_str() == "months").count(),
        models.len()
    );
    // No observed points unless given.
    assert!(!texts.contains(&"observed".to_string()));

    // An observed series is drawn as points on every panel, with a legend entry, in the
    // time unit asked for.
    let observed = [(0.0, 0.05), (2.0, 0.2), (4.0, 0.35), (6.0, 0.4)];
    let with = plot::adoption_svg(
        "tiny",
        &arms,
        &models,
        &sums,
        &plot::RunPlotOptions {
            unit: "weeks",
            observed: Some(&observed),
        },
    );
    let wt = check_xml(&with);
    assert!(wt.contains(&"observed".to_string()));
    assert_eq!(
        with.matches("<circle").count() - svg.matches("<circle").count(),
        // Each point is a dot on a white halo, on every panel; one legend dot.
        2 * observed.len() * models.len() + 1
    );
    assert_eq!(
        wt.iter().filter(|t| t.as_str() == "weeks").count(),
        models.len()
    );

    // A single arm and model: one panel, no captions, no arm legend; new adopters draw
    // lines but no bands.
    let one_sums = vec![vec![sums[0][0].clone()]];
    let one = plot::adoption_svg("one", &arms[..1], &models[..1], &one_sums, &opts);
    assert_eq!(one.matches("<polygon").count(), 1);
    assert!(!check_xml(&one).contains(&"alpha".to_string()));
    let means = vec![vec![vec![5.0, 1.0, 2.0, 3.0]; 2]; 1];
    let na = plot::new_adopters_svg("one", &arms[..1], &models[..2], &means, &opts);
    check_xml(&na);
    assert_eq!(na.matches("<polygon").count(), 0);
    // Two series lines among the polylines (axes are polylines too).
    assert!(na.matches("<polyline").count() >= 2);
}

#[test]
fn kols_csv_lists_every_physician_and_warns_when_an_attribute_rule_pads() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("edges.csv"),
        "source,target\na,b\nb,c\nc,d\nd,e\ne,a\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("nodes.csv"),
        "id,flag,town\na,1,x\nb,0,y\nc,1,\"p, q\"\nd,0,z\ne,0,z\n",
    )
    .unwrap();
    let sc = d.path().join("s.toml");
    std::fs::write(
        &sc,
        r#"name = "flags"
steps = 6
replicates = 4
seed = 1

[network]
kind = "edge_list"
path = "edges.csv"

[network.nodes]
path = "nodes.csv"
id = "id"

[kols]
rule = "attribute"
attribute = "flag"
count = 3

[initial_adopters]
strategy = "kols"
count = 2

[[model]]
name = "imitation"
kind = "imitation"
q = 0.25
"#,
    )
    .unwrap();
    let out = d.path().join("out");
    let assert = Command::cargo_bin("kolsim")
        .unwrap()
        .arg("run")
        .arg(&sc)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("warning: kols: the attribute rule \"flag\" picked 3 KOLs, but only 2"),
        "{stderr}"
    );
    let csv = read(&out.join("kols.csv"));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,score,rank,kol,seeded_in,flag,town");
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[1], "a,1,1,1,default,1,x");
    assert_eq!(lines[3], "c,1,2,1,default,1,\"p, q\"");
    assert_eq!(lines[2], "b,0,3,1,,0,y", "the padded KOL");
    assert_eq!(lines[4], "d,0,4,0,,0,z");
    let report = read(&out.join("report.html"));
    assert!(report.contains("class=\"warning\"") && report.contains("only 2 physicians"));
}

#[test]
fn time_unit_and_start_date_label_every_axis_and_header() {
    let d = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(QUICKSTART))
        .unwrap()
        .replace(
            "replicates = 200",
            "replicates = 8\ntime_unit = \"week\"\nstart_date = \"2025-03-03\"",
        );
    let sc = d.path().join("w.toml");
    std::fs::write(&sc, &text).unwrap();
    let out = d.path().join("out");
    let a = Command::cargo_bin("kolsim")
        .unwrap()
        .arg("run")
        .arg(&sc)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(stdout.contains("36 weeks") && stdout.contains("t10/t50/t90: weeks to"));
    let report = read(&out.join("report.html"));
    assert!(report.contains("weeks after week 0; week 0 starts 2025-03-03"));
    assert!(report.contains("new adopters per week"));
    assert!(!report.contains("months to") && !report.contains("by month"));
    let svg = read(&out.join("adoption.svg"));
    assert!(
        svg.contains(">\nweeks\n<") || svg.contains(">weeks<"),
        "x label"
    );
    std::fs::write(&sc, text.replace("2025-03-03", "2025-02-30")).unwrap();
    Command::cargo_bin("kolsim")
        .unwrap()
        .args(["validate"])
        .arg(&sc)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("start_date"));
}

#[test]
fn curves_modes_and_pdf_without_a_browser() {
    let d = tempfile::tempdir().unwrap();
    for (mode, curves, metrics) in [
        ("full", true, true),
        ("summary", false, true),
        ("none", false, false),
    ] {
        let out = d.path().join(mode);
        Command::cargo_bin("kolsim")
            .unwrap()
            .current_dir(root())
            .args([
                "run",
                QUICKSTART,
                "--replicates",
                "4",
                "--quiet",
                "--curves",
                mode,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        assert_eq!(out.join("curves.csv").exists(), curves, "{mode}");
        assert_eq!(out.join("metrics.csv").exists(), metrics, "{mode}");
        assert!(out.join("summary.csv").exists() && out.join("report.html").exists());
        let man = read(&out.join("manifest.json"));
        assert!(man.contains(&format!("\"curves\": \"{mode}\"")), "{mode}");
        assert!(read(&out.join("report.html")).contains(&format!("<dd>{mode} (--curves)")));
        assert_eq!(man.contains("\"curves.csv\""), curves);
    }
    let out = d.path().join("pdf");
    Command::cargo_bin("kolsim")
        .unwrap()
        .current_dir(root())
        .env("PATH", d.path())
        .args(["run", QUICKSTART, "--replicates", "4", "--pdf", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--pdf needs headless Chromium"));
    assert!(!out.exists(), "nothing runs or is written");
}
