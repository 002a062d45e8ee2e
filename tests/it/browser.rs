//! The reports in a real browser: headless Chromium lays out `report.html` of the CKM run, of
//! its fit and seed, and of a sweep at laptop width (900 px) and narrower, screenshots it and prints it to PDF on A4
//! and Letter. Checks that nothing overflows the page horizontally (no table is clipped or
//! scrolls) and that the PDF text holds every table column's header.
//!
//! Skips, with a message on stderr, when no Chromium is installed (`.ci/run` installs one).
//! Set `KOLSIM_SHOTS=DIR` to keep the screenshots and PDFs (`scripts/report-shots.sh` makes
//! the same pictures from any run folder).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn browser() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|_| PathBuf::from(b))
        })
}

fn chromium(b: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(b)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
        ])
        .args(args)
        .output()
        .expect("run chromium")
}

/// Lays out `html` at `width` px and returns `(document scroll width, viewport width, the
/// widest table's overflow)` read from the DOM by a small script added to a copy.
fn layout(b: &Path, html: &Path, width: u32) -> (i64, i64, i64) {
    let probe = html.with_file_name(format!("probe-{width}.html"));
    let text = std::fs::read_to_string(html).unwrap();
    let script = "<script>window.addEventListener('load',()=>{let o=0;for(const t of document.querySelectorAll('table')){o=Math.max(o,t.scrollWidth-t.parentElement.clientWidth);}document.title='LAYOUT '+document.documentElement.scrollWidth+' '+window.innerWidth+' '+o;});</script></body>";
    std::fs::write(&probe, text.replace("</body>", script)).unwrap();
    let out = chromium(
        b,
        &[
            &format!("--window-size={width},2000"),
            "--virtual-time-budget=3000",
            "--dump-dom",
            &format!("file://{}", probe.display()),
        ],
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let title = dom
        .split("<title>LAYOUT ")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .unwrap_or_else(|| panic!("no layout probe in the DOM dump at {width}px"));
    let v: Vec<i64> = title
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    (v[0], v[1], v[2])
}

/// Prints `html` to PDF (Letter, or A4 through a page rule) and returns the PDF's text
/// (`pdftotext`), or `None` when poppler-utils is missing.
fn print(b: &Path, html: &Path, shots: &Path, name: &str, a4: bool) -> Option<String> {
    let src = if a4 {
        let p = html.with_file_name("a4.html");
        let text = std::fs::read_to_string(html).unwrap();
        std::fs::write(
            &p,
            text.replacen("<style>", "<style>@page { size: A4; }", 1),
        )
        .unwrap();
        p
    } else {
        html.to_path_buf()
    };
    let pdf = shots.join(format!("{name}-{}.pdf", if a4 { "a4" } else { "letter" }));
    chromium(
        b,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", src.display()),
        ],
    );
    assert!(
        std::fs::metadata(&pdf)
            .map(|m| m.len() > 1000)
            .unwrap_or(false),
        "no PDF written for {name}"
    );
    let o = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&o.stdout).to_string())
}

/// Prints the report in `dir` at 900 and 700 px and on A4 and Letter: nothing overflows,
/// every column header in `headers` is printed, no table is a `<pre>` block (the only ones
/// are the folded manifest and scenario text), and the executive summary, holding
/// `summary`, is on page 1.
fn check_report(b: &Path, dir: &Path, shots: &Path, name: &str, headers: &[&str], summary: &str) {
    let html = dir.join("report.html");
    let text = std::fs::read_to_string(&html).unwrap();
    let pres = text.matches("<pre").count();
    let folded = text.matches("<details").count();
    assert!(
        pres <= folded,
        "{name}: {pres} <pre> blocks but {folded} folded (<details>) ones: a table in <pre>?"
    );
    for width in [900, 700] {
        let (doc, view, table) = layout(b, &html, width);
        assert!(
            doc <= view,
            "{name} at {width}px: the page is {doc}px wide (overflows horizontally)"
        );
        assert!(
            table <= 0,
            "{name} at {width}px: a table overflows its box by {table}px"
        );
    }
    chromium(
        b,
        &[
            "--window-size=900,3000",
            &format!(
                "--screenshot={}",
                shots.join(format!("{name}-900.png")).display()
            ),
            &format!("file://{}", html.display()),
        ],
    );
    for a4 in [true, false] {
        let Some(text) = print(b, &html, shots, name, a4) else {
            eprintln!("pdftotext not found (poppler-utils): PDF text not checked");
            return;
        };
        // The page text without line structure, so wrapped headers still match.
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let page1: String = text
            .split('\u{c}')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            page1.contains("Summary") && page1.contains(summary),
            "{name} ({}): the summary ({summary:?}) is not on page 1: {page1}",
            if a4 { "A4" } else { "Letter" }
        );
        for h in headers {
            assert!(
                flat.contains(h),
                "{name} ({}): column header {h:?} not in the printed PDF",
                if a4 { "A4" } else { "Letter" }
            );
        }
    }
}

#[test]
fn reports_print_every_column_and_fit_a_laptop_screen() {
    let Some(b) = browser() else {
        eprintln!(
            "SKIPPED tests/browser.rs: no chromium found (install it: apt-get install -y chromium poppler-utils)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let shots = std::env::var_os("KOLSIM_SHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().join("shots"));
    std::fs::create_dir_all(&shots).unwrap();

    let ckm = tmp.path().join("ckm");
    Command::cargo_bin("kolsim")
        .unwrap()
        .current_dir(root())
        .args([
            "run",
            "scenarios/ckm-tetracycline.toml",
            "--replicates",
            "40",
        ])
        .arg("--out")
        .arg(&ckm)
        .arg("--quiet")
        .assert()
        .success();
    check_report(
        &b,
        &ckm,
        &shots,
        "ckm",
        &["t90", "pairs", "structural"],
        "Its 95% interval excludes zero",
    );

    let seed = tmp.path().join("seed");
    Command::cargo_bin("kolsim")
        .unwrap()
        .current_dir(root())
        .args([
            "seed",
            "scenarios/ckm-layers.toml",
            "--k",
            "8",
            "--model",
            "imitation",
            "--quiet",
            "--out",
        ])
        .arg(&seed)
        .assert()
        .success();
    check_report(
        &b,
        &seed,
        &shots,
        "seed",
        &["share of recommended"],
        "recommended",
    );

    let fit = tmp.path().join("fit");
    Command::cargo_bin("kolsim")
        .unwrap()
        .current_dir(root())
        .args(["fit", "scenarios/ckm-tetracycline.toml", "--quiet", "--out"])
        .arg(&fit)
        .assert()
        .success();
    check_report(
        &b,
        &fit,
        &shots,
        "fit",
        &["ΔAIC", "LR p", "parameter", "method", "person-periods"],
        "each fitted theory against the observed launch",
    );

    let sweep = tmp.path().join("sweep");
    Command::cargo_bin("kolsim")
        .unwrap()
        .current_dir(root())
        .args([
            "sweep",
            "scenarios/quickstart.toml",
            "--set",
            "model.bass.q=0.1,0.4",
            "--set",
            "kols.share=0.01,0.03",
            "--replicates",
            "5",
            "--quiet",
            "--out",
        ])
        .arg(&sweep)
        .assert()
        .success();
    check_report(
        &b,
        &sweep,
        &shots,
        "sweep",
        &["KOL share", "final share", "reached 50%"],
        "Summary",
    );
}

/// Runs kolsim with `args` and `--pdf --out DIR` and checks the PDF and its manifest entry.
fn writes_a_pdf(args: &[&str]) {
    if browser().is_none() {
        eprintln!("skipped: no chromium on PATH");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    Command::cargo_bin("kolsim")
        .unwrap()
        .current_dir(root())
        .args(args)
        .args(["--quiet", "--pdf", "--out"])
        .arg(&out)
        .assert()
        .success();
    let pdf = std::fs::read(out.join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let man = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(man.contains("\"report.pdf\""));
}

#[test]
fn run_pdf_writes_a_pdf_report() {
    writes_a_pdf(&["run", "scenarios/quickstart.toml", "--replicates", "4"]);
}

#[test]
fn fit_pdf_writes_a_pdf_report() {
    writes_a_pdf(&[
        "fit",
        "scenarios/ckm-tetracycline.toml",
        "--permutations",
        "0",
    ]);
}

#[test]
fn sweep_pdf_writes_a_pdf_report() {
    writes_a_pdf(&[
        "sweep",
        "scenarios/quickstart.toml",
        "--set",
        "model.bass.q=0.2,0.4",
        "--replicates",
        "4",
    ]);
}
