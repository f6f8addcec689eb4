//! Seat layouts written as text an admin can type: one line per row, a row label, then one
//! character per seat or gap.
//!
//! ```text
//! # The front row has two wheelchair spaces, each with a companion seat beside it.
//! A  wc.ssssss.cw
//! B  ss.ssssss.ss
//! C  ss.pppppp.ss
//! ```
//!
//! `s` standard, `p` premium, `w` wheelchair space (category `accessible`), `c` companion seat,
//! `.` a gap (aisle or nothing). Seats are numbered from 1, left to right, skipping gaps, so
//! the seat labels of row C are C1..C10. Lines starting with `#` and blank lines are ignored.

use std::collections::HashSet;
use std::fmt;

pub const MAX_ROWS: usize = 100;
pub const MAX_COLUMNS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeatCategory {
    Standard,
    Premium,
    /// A wheelchair space.
    Accessible,
    /// The seat beside a wheelchair space, for the person who comes along.
    Companion,
}

impl SeatCategory {
    pub const ALL: [SeatCategory; 4] = [
        SeatCategory::Standard,
        SeatCategory::Premium,
        SeatCategory::Accessible,
        SeatCategory::Companion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SeatCategory::Standard => "standard",
            SeatCategory::Premium => "premium",
            SeatCategory::Accessible => "accessible",
            SeatCategory::Companion => "companion",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        SeatCategory::ALL.into_iter().find(|c| c.as_str() == name)
    }

    fn from_layout_char(ch: char) -> Option<Self> {
        match ch {
            's' => Some(SeatCategory::Standard),
            'p' => Some(SeatCategory::Premium),
            'w' => Some(SeatCategory::Accessible),
            'c' => Some(SeatCategory::Companion),
            _ => None,
        }
    }
}

impl fmt::Display for SeatCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One seat of a layout. `row` and `column` are its grid position (0-based, gaps counted),
/// `number` its number within the row (1-based, gaps not counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutSeat {
    pub label: String,
    pub row_label: String,
    pub row: u16,
    pub column: u16,
    pub number: u16,
    pub category: SeatCategory,
}

/// A parsed layout. The text it came from is kept: it is what the database stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatLayout {
    text: String,
    rows: usize,
    columns: usize,
    seats: Vec<LayoutSeat>,
}

/// Where a layout is wrong: the line (1-based), the row label if one was read, and the column
/// (1-based, counted in characters of the line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}, column {column}: {reason}", row_name(.line, .row))]
pub struct LayoutError {
    pub line: usize,
    pub row: Option<String>,
    pub column: usize,
    pub reason: String,
}

fn row_name(line: &usize, row: &Option<String>) -> String {
    match row {
        Some(row) => format!("row {row} (line {line})"),
        None => format!("line {line}"),
    }
}

/// Whether `text` has the shape of a seat label (`A1`, `CC12`): what a layout can produce.
pub fn is_seat_label(text: &str) -> bool {
    let letters = text.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let digits = &text[letters..];
    (1..=3).contains(&letters)
        && (1..=3).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
}

impl SeatLayout {
    pub fn parse(text: &str) -> Result<Self, LayoutError> {
        let mut seats = Vec::new();
        let mut row_labels = HashSet::new();
        let mut rows = 0usize;
        let mut columns = 0usize;
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let trimmed = line.trim_end();
            if trimmed.trim_start().is_empty() || trimmed.trim_start().starts_with('#') {
                continue;
            }
            let err = |row: Option<&str>, column: usize, reason: String| LayoutError {
                line: line_no,
                row: row.map(str::to_string),
                column,
                reason,
            };
            let indent = trimmed.len() - trimmed.trim_start().len();
            let body = trimmed.trim_start();
            let label_len = body.find(char::is_whitespace).unwrap_or(body.len());
            let label = &body[..label_len];
            if label.is_empty() || label.len() > 3 || !label.chars().all(|c| c.is_ascii_uppercase())
            {
                return Err(err(
                    None,
                    indent + 1,
                    format!("a row starts with its label, one to three capital letters (A, B, AA); got {label:?}"),
                ));
            }
            if !row_labels.insert(label.to_string()) {
                return Err(err(
                    Some(label),
                    indent + 1,
                    format!("row {label} appears twice"),
                ));
            }
            let rest = &body[label_len..];
            let seat_text = rest.trim_start();
            let seat_start = indent + label_len + (rest.len() - seat_text.len());
            if seat_text.is_empty() {
                return Err(err(
                    Some(label),
                    seat_start + 1,
                    "the row has no seats".into(),
                ));
            }
            if rows == MAX_ROWS {
                return Err(err(
                    Some(label),
                    1,
                    format!("a layout has at most {MAX_ROWS} rows"),
                ));
            }
            let mut number = 0u16;
            for (offset, ch) in seat_text.chars().enumerate() {
                let column = seat_start + offset + 1;
                if offset >= MAX_COLUMNS {
                    return Err(err(
                        Some(label),
                        column,
                        format!("a row has at most {MAX_COLUMNS} places"),
                    ));
                }
                if ch == '.' {
                    continue;
                }
                let Some(category) = SeatCategory::from_layout_char(ch) else {
                    return Err(err(
                        Some(label),
                        column,
                        format!("{ch:?} is not a seat: use s (standard), p (premium), w (wheelchair space), c (companion) or . (gap)"),
                    ));
                };
                number += 1;
                seats.push(LayoutSeat {
                    label: format!("{label}{number}"),
                    row_label: label.to_string(),
                    row: rows as u16,
                    column: offset as u16,
                    number,
                    category,
                });
            }
            if number == 0 {
                return Err(err(
                    Some(label),
                    seat_start + 1,
                    "the row has only gaps, no seats".into(),
                ));
            }
            columns = columns.max(seat_text.chars().count());
            rows += 1;
        }
        if seats.is_empty() {
            return Err(LayoutError {
                line: 1,
                row: None,
                column: 1,
                reason: "the layout has no rows".into(),
            });
        }
        Ok(SeatLayout {
            text: text.to_string(),
            rows,
            columns,
            seats,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn seats(&self) -> &[LayoutSeat] {
        &self.seats
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn columns(&self) -> usize {
        self.columns
    }

    pub fn capacity(&self) -> usize {
        self.seats.len()
    }

    /// The categories this layout uses, each once, in `SeatCategory::ALL` order.
    pub fn categories(&self) -> Vec<SeatCategory> {
        SeatCategory::ALL
            .into_iter()
            .filter(|c| self.seats.iter().any(|s| s.category == *c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_are_numbered_left_to_right_skipping_gaps() {
        let layout = SeatLayout::parse("# front\nA  wc.ss\n\nB  pp.pp.p\n").unwrap();
        let labels: Vec<_> = layout.seats().iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "B5"]
        );
        let a3 = &layout.seats()[2];
        assert_eq!(
            (a3.row, a3.column, a3.number, a3.category),
            (0, 3, 3, SeatCategory::Standard)
        );
        let b5 = &layout.seats()[8];
        assert_eq!(
            (b5.row, b5.column, b5.category),
            (1, 6, SeatCategory::Premium)
        );
        assert_eq!(layout.seats()[0].category, SeatCategory::Accessible);
        assert_eq!(layout.seats()[1].category, SeatCategory::Companion);
        assert_eq!(
            (layout.rows(), layout.columns(), layout.capacity()),
            (2, 7, 9)
        );
        assert_eq!(
            layout.categories(),
            [
                SeatCategory::Standard,
                SeatCategory::Premium,
                SeatCategory::Accessible,
                SeatCategory::Companion
            ]
        );
    }

    #[test]
    fn a_bad_character_is_reported_with_its_row_and_column() {
        let err = SeatLayout::parse("A  sss\nB  ssxs\n").unwrap_err();
        assert_eq!(
            (err.line, err.row.as_deref(), err.column),
            (2, Some("B"), 6)
        );
        assert_eq!(
            err.to_string(),
            "row B (line 2), column 6: 'x' is not a seat: use s (standard), p (premium), w (wheelchair space), c (companion) or . (gap)"
        );
    }

    #[test]
    fn seat_labels_are_letters_then_digits() {
        for good in ["A1", "CC12", "ZZZ200"] {
            assert!(is_seat_label(good), "{good}");
        }
        for bad in [
            "", "A", "1A", "a1", "A1B", "ABCD1", "A1234", "A\u{0}1", "A 1",
        ] {
            assert!(!is_seat_label(bad), "{bad:?}");
        }
    }

    #[test]
    fn bad_layouts_are_refused() {
        let cases = [
            ("", "no rows"),
            ("# only a comment\n", "no rows"),
            ("a  sss", "label"),
            ("A1 sss", "label"),
            ("ABCD sss", "label"),
            ("A  sss\nA  sss", "twice"),
            ("A", "no seats"),
            ("A  ...", "only gaps"),
        ];
        for (text, expected) in cases {
            let err = SeatLayout::parse(text).unwrap_err();
            assert!(err.to_string().contains(expected), "{text:?}: {err}");
        }
        let wide = format!("A  {}", "s".repeat(MAX_COLUMNS + 1));
        assert_eq!(
            SeatLayout::parse(&wide).unwrap_err().column,
            3 + MAX_COLUMNS + 1
        );
    }
}
