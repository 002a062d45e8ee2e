//! [`Row`]: one data row of an input file in one reusable buffer, as the general reader
//! ([`super::rows`]) and its fast path ([`super::fast_csv`]) fill it.

/// One data row: its fields in one reusable buffer, with its 1-based line number.
#[derive(Debug, Default)]
pub(super) struct Row {
    text: String,
    /// End offset of each field in `text`.
    ends: Vec<usize>,
    /// The row's 1-based line in the file.
    pub line: usize,
}

impl Row {
    pub(super) fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    pub(super) fn push(&mut self, field: &str) {
        self.text.push_str(field);
        self.ends.push(self.text.len());
    }

    /// The bytes of its fields together.
    pub(super) fn bytes(&self) -> usize {
        self.text.len()
    }

    /// Whether every field is empty (such rows are skipped).
    pub(super) fn is_blank(&self) -> bool {
        self.text.is_empty()
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|k| &self[k])
    }

    /// The fields as owned strings (a header, a node-file row).
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    /// The fields joined by `sep` (for messages).
    pub fn join(&self, sep: &str) -> String {
        self.to_vec().join(sep)
    }
}

impl std::ops::Index<usize> for Row {
    type Output = str;
    fn index(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.text[start..self.ends[k]]
    }
}
