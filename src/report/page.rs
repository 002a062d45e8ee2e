//! The page furniture shared by the run and sweep reports: escaping, the inline style sheet,
//! the page head and the results tables.

use std::fmt::Write as _;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// The inline style sheet of every report page.
const CSS: &str = r#"
:root { --ink: #1d2329; --muted: #5b6670; --line: #d9dee3; --band: #f4f6f8; --accent: #0072b2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 64px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 24px; padding-bottom: 12px; }
h1 { font-size: 28px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
p { margin: 6px 0 10px; }
.lead { font-size: 17px; margin: 6px 0; }
.warning { border-left: 4px solid #D55E00; background: #fff4ec; padding: 8px 12px; }
.meta, .note, figcaption { color: var(--muted); font-size: 13.5px; }
.flag { color: #a03c00; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 20px; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
figure { margin: 18px 0 28px; padding: 12px; border: 1px solid var(--line); border-radius: 6px;
  break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { margin-top: 8px; }
.table-wrap { max-width: 100%; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums;
  font-size: 14px; width: 100%; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
td { overflow-wrap: break-word; }
td .v, td .ci { white-space: nowrap; display: inline-block; }
td .ci { color: var(--muted); font-size: 0.92em; }
th { background: var(--band); font-weight: 600; border-bottom: 2px solid #b9c1c8; vertical-align: bottom; }
th .qual { font-weight: 400; color: var(--muted); }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
tbody tr:nth-child(even) { background: #fafbfc; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
tr.baseline td:first-child { font-weight: 600; }
tr.baseline td { color: #39424a; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: anywhere; }
details { margin: 10px 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
summary { cursor: pointer; font-weight: 600; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--band); padding: 12px; border-radius: 4px;
  font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
section.model { break-inside: auto; }
@media (max-width: 1000px) {
  main { padding: 20px 16px 48px; }
  table { font-size: 12.5px; }
  th, td { padding: 4px 3px; }
}
@media (max-width: 640px) {
  table.stack thead { display: none; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack tr { border: 1px solid var(--line); border-radius: 4px; margin: 0 0 8px; padding: 4px 6px; }
  table.stack td { text-align: right; border: 0; padding: 2px 0; }
  table.stack td::before { content: attr(data-label); float: left; font-weight: 600; color: var(--muted); padding-right: 8px; }
  dl.facts { grid-template-columns: 1fr; }
}
@page { margin: 14mm 12mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 4px; }
  code, pre { font-size: 8pt; }
  details { break-inside: auto; }
  details > summary { list-style: none; }
  figure { padding: 4px; border: 0; }
  h2 { margin-top: 18px; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// A `<table>` (of CSS classes `class` and `stack`) with a header row; cells are plain text
/// (escaped here). A header's bracketed qualifier (` [95% CI]`, ` (share / t10 / t50)`) goes
/// on its own line. A cell's bracketed interval (`57.1% [54.5–59.4]`) is kept whole and may
/// wrap below its value, so tables wrap instead of overflowing; on narrow screens the rows
/// stack (each cell labelled by its header, from `data-label`). Rows with the baseline marker
/// get the `baseline` class; a cell ending in ` (few pairs)` is flagged.
pub(super) fn table(
    out: &mut String,
    class: &str,
    header: &[&str],
    rows: &[Vec<String>],
    text_cols: usize,
) {
    let _ = write!(
        out,
        "<div class=\"table-wrap\"><table class=\"{} stack\">\n<thead><tr>",
        escape(class)
    );
    for (k, h) in header.iter().enumerate() {
        let class = if k < text_cols { " class=\"text\"" } else { "" };
        let cell = match h.rfind(" [").or_else(|| h.rfind(" (")) {
            Some(i) => format!(
                "{}<br><span class=\"qual\">{}</span>",
                escape(&h[..i]),
                escape(&h[i + 1..])
            ),
            None => escape(h),
        };
        let _ = write!(out, "<th{class}>{cell}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        let base = r.iter().any(|c| c == "(baseline)");
        out.push_str(if base {
            "<tr class=\"baseline\">"
        } else {
            "<tr>"
        });
        for (k, c) in r.iter().enumerate() {
            let mut class = if k < text_cols { "text" } else { "" }.to_string();
            if c.ends_with(FEW) {
                class.push_str(if class.is_empty() { "flag" } else { " flag" });
            }
            let class = if class.is_empty() {
                String::new()
            } else {
                format!(" class=\"{class}\"")
            };
            let label = header.get(k).copied().unwrap_or("");
            let _ = write!(
                out,
                "<td{class} data-label=\"{}\">{}</td>",
                escape(label),
                cell_html(c)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

/// The marker a cell ends with when its figure rests on too few replicate pairs.
pub(super) const FEW: &str = " (few pairs)";

/// A cell's HTML: a value and its bracketed interval as two unbreakable pieces that may sit
/// on two lines; words after the interval (a note such as κ̂'s) wrap as plain text.
fn cell_html(c: &str) -> String {
    match c.find(" [") {
        Some(i) if c.ends_with(']') || c.contains("] ") => {
            let end = c[i..].find(']').map_or(c.len(), |j| i + j + 1);
            let (ci, rest) = c[i + 1..].split_at(end - i - 1);
            // A short marker (" (few pairs)") stays with its interval.
            let (ci, rest) = if rest.len() <= FEW.len() {
                (&c[i + 1..], "")
            } else {
                (ci, rest)
            };
            format!(
                "<span class=\"v\">{}</span> <span class=\"ci\">{}</span>{}",
                escape(&c[..i]),
                escape(ci),
                escape(rest)
            )
        }
        _ => escape(c),
    }
}

/// Opens a page: doctype, head with the inline style sheet, `<body><main>`.
pub(super) fn page_head(o: &mut String, title: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"kolsim {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_markup_sensitive() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }
}
