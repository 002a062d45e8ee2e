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
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 64px; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 24px; padding-bottom: 12px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 6px 0 10px; }
.lead { font-size: 17px; margin: 6px 0; }
.meta, .note, figcaption { color: var(--muted); font-size: 13.5px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 20px; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
figure { margin: 18px 0 28px; padding: 12px; border: 1px solid var(--line); border-radius: 6px; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { margin-top: 8px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
table { font-size: 14px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: right; }
td { white-space: nowrap; }
th { background: var(--band); font-weight: 600; border-bottom: 2px solid #b9c1c8; vertical-align: bottom; }
th .qual { font-weight: 400; color: var(--muted); white-space: nowrap; }
table.results { width: 100%; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
tbody tr:nth-child(even) { background: #fafbfc; }
tr.baseline td:first-child { font-weight: 600; }
tr.baseline td { color: #39424a; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
details { margin: 10px 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
summary { cursor: pointer; font-weight: 600; }
pre { overflow-x: auto; background: var(--band); padding: 12px; border-radius: 4px;
  font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media print { main { max-width: none; padding: 0; } details { break-inside: avoid; } }
"#;

/// A `<table>` (of CSS class `class`) with a header row; cells are plain text (escaped
/// here). A header's bracketed qualifier (` [95% CI]`, ` (share / t10 / t50)`) goes on its
/// own line. Rows with the baseline marker get the `baseline` class.
pub(super) fn table(
    out: &mut String,
    class: &str,
    header: &[&str],
    rows: &[Vec<String>],
    text_cols: usize,
) {
    let _ = write!(
        out,
        "<div class=\"table-wrap\"><table class=\"{}\">\n<thead><tr>",
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
            let class = if k < text_cols { " class=\"text\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
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
