//! The `seed` report (issue 21): one self-contained page that opens with plain sentences (what
//! is recommended, how the scenario's KOL list fares), then the figure (each compared set's
//! expected adopters as a share of the optimized set, with paired intervals), the tables and
//! how the seeds were chosen. Pure: returns the page's text.

use super::page::{escape, page_head, table};
use std::fmt::Write as _;

/// One table of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedTable {
    /// Its heading.
    pub title: String,
    /// A sentence under the heading.
    pub note: String,
    /// Column headers (a bracketed qualifier goes on its own line).
    pub header: Vec<String>,
    /// Rows of plain-text cells.
    pub rows: Vec<Vec<String>>,
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedPage<'a> {
    /// Page title.
    pub title: String,
    /// The plain-sentence summary (first on the page).
    pub summary: Vec<String>,
    /// The figure (inline SVG).
    pub svg: &'a str,
    /// Its caption.
    pub caption: String,
    /// The tables, in order.
    pub tables: Vec<SeedTable>,
    /// How the seeds were chosen (the terminal's method lines).
    pub method: &'a str,
    /// The scenario file.
    pub scenario: &'a str,
}

/// The report page.
pub fn seed_report_html(p: &SeedPage) -> String {
    let mut o = String::with_capacity(16 << 10);
    page_head(&mut o, &p.title);
    let _ = writeln!(o, "<header><h1>{}</h1></header>", escape(&p.title));
    o.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    for s in &p.summary {
        let _ = writeln!(o, "<p class=\"lead\">{}</p>", escape(s));
    }
    let _ = writeln!(
        o,
        "<figure>{}<figcaption>{}</figcaption></figure>\n</section>",
        p.svg,
        escape(&p.caption)
    );
    for t in &p.tables {
        let _ = writeln!(
            o,
            "<section>\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
            escape(&t.title),
            escape(&t.note)
        );
        let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
        table(&mut o, "seed", &header, &t.rows, 1);
        o.push_str("</section>\n");
    }
    o.push_str("<section id=\"method\">\n<h2>How the seeds were chosen</h2>\n");
    for para in paragraphs(p.method) {
        let _ = writeln!(o, "<p>{}</p>", escape(&para));
    }
    let _ = write!(
        o,
        "</section>\n\
         <section id=\"scenario-text\">\n<h2>Scenario</h2>\n<details><summary>scenario file</summary><pre>{}</pre></details>\n</section>\n</main>\n</body>\n</html>\n",
        escape(p.scenario)
    );
    o
}

/// The terminal's method lines as paragraphs: a line indented by spaces continues the one
/// before it; blank lines are dropped.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        match out.last_mut() {
            Some(last) if line.starts_with(' ') && !line.trim().is_empty() => {
                last.push(' ');
                last.push_str(line.trim());
            }
            _ if line.trim().is_empty() => {}
            _ => out.push(line.trim().to_string()),
        }
    }
    out
}
