//! Splitting a text file into numbered lines, the same way for CSV and split files.

/// `true` for a line with nothing but whitespace.
pub(super) fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The lines of `text`, numbered from 1, without their `\n` or `\r\n`.
///
/// Blank lines after the last line with content are dropped, so a file may end with a line
/// break (or several). Blank lines before content are kept: the caller reports them.
pub(super) fn numbered(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let lines = move || {
        text.split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line))
    };
    let keep = lines()
        .enumerate()
        .filter(|(_, line)| !is_blank(line))
        .last()
        .map_or(0, |(i, _)| i + 1);
    lines()
        .take(keep)
        .enumerate()
        .map(|(i, line)| (i + 1, line))
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    #[test]
    fn trailing_line_breaks_are_dropped_inner_blank_lines_kept() {
        let lines: Vec<_> = numbered("a\r\nb\n\nc\n\n\r\n").collect();
        assert_eq!(lines, [(1, "a"), (2, "b"), (3, ""), (4, "c")]);
        assert_eq!(numbered("").count(), 0);
        assert_eq!(numbered("\n \n").count(), 0);
        assert_eq!(numbered("x").collect::<Vec<_>>(), [(1, "x")]);
    }
}
