//! CSV cells a spreadsheet will not run: a cell that starts with `=`, `+`, `-`, `@`, a tab
//! or a carriage return is a formula to Excel and LibreOffice (`=HYPERLINK(...)` in a school
//! name, from the directory or a report), so it gets a `'` in front, the OWASP rule. Only
//! for text that comes from outside: the collector's own numbers (a score, counts, rates)
//! are written as they are, so that they stay numbers.

use std::borrow::Cow;

/// `text`, with a `'` before it when a spreadsheet would take it for a formula.
pub fn text(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for (raw, cell) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+33 1", "'+33 1"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
        ] {
            assert_eq!(text(raw), cell);
        }
        for plain in [
            "École Jean Moulin",
            "Villeurbanne",
            "0690900D",
            "",
            "a=b",
            "'x",
        ] {
            assert_eq!(text(plain), plain);
        }
    }
}
