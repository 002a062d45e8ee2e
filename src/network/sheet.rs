//! The reader of the small delimited inputs (the observed launch, its marketing and detailing
//! covariates, a candidate list): [`read_sheet`], on the same [`Rows`] as the node file and the
//! edge lists, and [`parse_number`], the one way numbers are read from input files.

use super::rows::{Row, Rows};
pub use super::spec::Decimal;
use super::spec::{InputError, err};
use std::path::Path;

/// A small delimited table with a header row, as the observed launch, the marketing and
/// detailing covariates and a candidate list are read: the one reader every delimited input
/// shares (a byte-order mark, `,` `;` or tab detected, CRLF, quoted fields, `#` comments and
/// blank lines skipped), with each row's 1-based line in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The header row's line.
    pub header_line: usize,
    /// The header's fields.
    pub header: Vec<String>,
    /// The data rows with their lines.
    pub rows: Vec<(usize, Vec<String>)>,
    /// The field delimiter (given or detected).
    pub delimiter: u8,
}

impl Sheet {
    /// Whether numbers are read with a decimal comma: the delimiter is `;` (as a European
    /// Excel writes them).
    pub fn decimal_comma(&self) -> bool {
        self.delimiter == b';'
    }
}

/// Reads `path` as a [`Sheet`] whatever its extension (comma-delimited unless a `;` or tab
/// is detected in the first data row, or `delimiter` is given). An empty file is an error.
pub fn read_sheet(path: &Path, delimiter: Option<u8>) -> Result<Sheet, InputError> {
    let mut rows = Rows::open_as(path, delimiter, true)?;
    let delimiter = rows.delimiter().unwrap_or(b',');
    let mut row = Row::default();
    if !rows.next_row(&mut row)? {
        return Err(err(
            path,
            None,
            "the file is empty (a header row is expected)",
        ));
    }
    let mut sheet = Sheet {
        header_line: row.line,
        header: row.to_vec(),
        rows: Vec::new(),
        delimiter,
    };
    while rows.next_row(&mut row)? {
        sheet.rows.push((row.line, row.to_vec()));
    }
    Ok(sheet)
}

/// `s` as a number, reading a decimal comma (`0,5`) when `decimal_comma`; `None` when it is
/// not a finite number.
pub fn parse_number(s: &str, decimal_comma: bool) -> Option<f64> {
    let x = if decimal_comma && s.contains(',') && !s.contains('.') {
        s.replacen(',', ".", 1).parse::<f64>().ok()?
    } else {
        s.parse::<f64>().ok()?
    };
    x.is_finite().then_some(x)
}
