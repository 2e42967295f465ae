//! The nested-bracket body of a tensor repr and its summarization
//! (printing.md §4 and §6).

use super::formatter::push_padded;

/// Flat row-major indices of the elements that will be shown, in display
/// order. When summarizing, each dimension longer than `2 * edgeitems` keeps
/// only its first and last `edgeitems` entries (printing.md §6); the formatter
/// must see exactly these values and no others.
pub(crate) fn shown_indices(shape: &[usize], summarize: bool, edgeitems: usize) -> Vec<usize> {
    let mut out = Vec::new();
    if shape.is_empty() {
        out.push(0);
    } else {
        collect(
            shape,
            row_major_stride(shape),
            0,
            summarize,
            edgeitems,
            &mut out,
        );
    }
    out
}

fn row_major_stride(shape: &[usize]) -> usize {
    shape[1..].iter().product()
}

fn collect(
    shape: &[usize],
    stride: usize,
    offset: usize,
    summarize: bool,
    e: usize,
    out: &mut Vec<usize>,
) {
    let n = shape[0];
    let (head, tail) = shown_ranges(n, summarize, e);
    for i in head.chain(tail) {
        let at = offset + i * stride;
        if shape.len() == 1 {
            out.push(at);
        } else {
            collect(
                &shape[1..],
                row_major_stride(&shape[1..]),
                at,
                summarize,
                e,
                out,
            );
        }
    }
}

/// Whether a dimension of size `n` hides its middle (printing.md §6).
fn hides_middle(n: usize, summarize: bool, e: usize) -> bool {
    summarize && n > 2 * e
}

/// The shown positions of a dimension: all of them, or the two edge groups.
fn shown_ranges(
    n: usize,
    summarize: bool,
    e: usize,
) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    if hides_middle(n, summarize, e) {
        (0..e, n - e..n)
    } else {
        (0..n, n..n)
    }
}

/// Geometry shared by every level of one body.
pub(crate) struct Layout {
    pub summarize: bool,
    pub edgeitems: usize,
    pub linewidth: usize,
    /// The formatter's column width (printing.md §3.2 step 5).
    pub width: usize,
}

impl Layout {
    /// Appends the body of a tensor of `shape` whose outermost bracket sits at
    /// column `indent` (7 after `tensor(`), taking the rendered cells in the
    /// order of [`shown_indices`], unpadded; each is right-aligned to the
    /// width here.
    pub(crate) fn write(
        &self,
        out: &mut String,
        shape: &[usize],
        indent: usize,
        cells: &mut std::slice::Iter<'_, String>,
    ) {
        let Some((&n, inner)) = shape.split_first() else {
            // 0-d: the single element, no brackets (printing.md §4.1).
            push_padded(
                out,
                cells.next().expect("one cell per shown element"),
                self.width,
            );
            return;
        };
        let (head, tail) = shown_ranges(n, self.summarize, self.edgeitems);
        let hidden = hides_middle(n, self.summarize, self.edgeitems);
        out.push('[');
        if inner.is_empty() {
            self.write_row(out, head.len(), hidden, tail.len(), indent, cells);
        } else {
            // n-d: children one level deeper, separated by `,` plus (n - 1)
            // newlines plus indent + 1 spaces (printing.md §4.3); the spaces
            // come after the last newline, so blank lines stay empty.
            let mut sep = String::from(",");
            sep.extend(std::iter::repeat_n('\n', shape.len() - 1));
            sep.extend(std::iter::repeat_n(' ', indent + 1));
            let mut first = true;
            let mut next_sep = |out: &mut String| {
                if !std::mem::take(&mut first) {
                    out.push_str(&sep);
                }
            };
            for _ in head {
                next_sep(out);
                self.write(out, inner, indent + 1, cells);
            }
            if hidden {
                // The bare `...` takes the place of a child (printing.md §6).
                next_sep(out);
                out.push_str("...");
            }
            for _ in tail {
                next_sep(out);
                self.write(out, inner, indent + 1, cells);
            }
        }
        out.push(']');
    }

    /// The innermost level: `k` elements per line, lines joined by `,\n` and
    /// indent + 1 spaces (printing.md §4.2).
    fn write_row(
        &self,
        out: &mut String,
        head: usize,
        hidden: bool,
        tail: usize,
        indent: usize,
        cells: &mut std::slice::Iter<'_, String>,
    ) {
        // k = max(1, floor((linewidth - indent) / (width + 2))), where a
        // negative numerator also gives 1.
        let per_line = (self.linewidth.saturating_sub(indent) / (self.width + 2)).max(1);
        // torch writes a bare `...` when edgeitems is 0, else ` ...`, which is
        // not padded and counts as one element for line breaking (printing.md §6).
        let token = if self.edgeitems == 0 { "..." } else { " ..." };
        let count = head + usize::from(hidden) + tail;
        for k in 0..count {
            if k > 0 {
                if k % per_line == 0 {
                    out.push_str(",\n");
                    out.extend(std::iter::repeat_n(' ', indent + 1));
                } else {
                    out.push_str(", ");
                }
            }
            if hidden && k == head {
                out.push_str(token);
            } else {
                push_padded(
                    out,
                    cells.next().expect("one cell per shown element"),
                    self.width,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(
        shape: &[usize],
        cells: &[&str],
        width: usize,
        summarize: bool,
        edgeitems: usize,
        linewidth: usize,
    ) -> String {
        let cells: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
        let mut it = cells.iter();
        let mut out = String::new();
        Layout {
            summarize,
            edgeitems,
            linewidth,
            width,
        }
        .write(&mut out, shape, 7, &mut it);
        assert!(it.next().is_none(), "all cells used");
        out
    }

    #[test]
    fn shown_indices_full_and_summarized() {
        assert_eq!(shown_indices(&[], false, 3), vec![0]);
        assert_eq!(shown_indices(&[2, 3], false, 3), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(shown_indices(&[10], true, 3), vec![0, 1, 2, 7, 8, 9]);
        // a dimension of exactly 2 * edgeitems is shown in full
        assert_eq!(shown_indices(&[6], true, 3), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(
            shown_indices(&[5, 2], true, 2),
            vec![0, 1, 2, 3, 6, 7, 8, 9]
        );
        assert_eq!(
            shown_indices(&[3, 7], true, 3),
            vec![
                0, 1, 2, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20
            ]
        );
    }

    #[test]
    fn zero_d_and_one_d() {
        assert_eq!(body(&[], &["3.5000"], 6, false, 3, 80), "3.5000");
        assert_eq!(body(&[3], &["1", "2", "3"], 1, false, 3, 80), "[1, 2, 3]");
    }

    #[test]
    fn line_breaking() {
        // width 7 at indent 7: floor(73 / 9) = 8 per line, continuation at 8 spaces
        let cells: Vec<String> = (0..10).map(|i| format!("{i:>7}")).collect();
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let got = body(&[10], &refs, 7, false, 3, 80);
        let want = "[      0,       1,       2,       3,       4,       5,       6,       7,\n              8,       9]";
        assert_eq!(got, want);
        // tiny linewidth: still one element per line
        assert_eq!(body(&[2], &["1", "2"], 1, false, 3, 3), "[1,\n        2]");
    }

    #[test]
    fn two_and_three_d_separators() {
        assert_eq!(
            body(&[2, 2], &["1", "2", "3", "4"], 1, false, 3, 80),
            "[[1, 2],\n        [3, 4]]"
        );
        assert_eq!(
            body(&[2, 1, 1], &["1", "2"], 1, false, 3, 80),
            "[[[1]],\n\n        [[2]]]"
        );
        assert_eq!(
            body(&[2, 1, 1, 1], &["1", "2"], 1, false, 3, 80),
            "[[[[1]]],\n\n\n        [[[2]]]]"
        );
    }

    #[test]
    fn summarized_rows_and_blocks() {
        let cells = ["0", "1", "2", "7", "8", "9"];
        assert_eq!(
            body(&[10], &cells, 1, true, 3, 80),
            "[0, 1, 2,  ..., 7, 8, 9]"
        );
        assert_eq!(
            body(&[5, 1], &["0", "1", "3", "4"], 1, true, 2, 80),
            "[[0],\n        [1],\n        ...,\n        [3],\n        [4]]"
        );
        assert_eq!(
            body(&[5, 1, 1], &["0", "4"], 1, true, 1, 80),
            "[[[0]],\n\n        ...,\n\n        [[4]]]"
        );
        // the ` ...` token counts as one element for line breaking
        assert_eq!(
            body(&[10], &cells, 1, true, 3, 17),
            "[0, 1, 2,\n         ..., 7, 8,\n        9]"
        );
    }

    #[test]
    fn edgeitems_zero_hides_everything() {
        assert_eq!(body(&[10], &[], 1, true, 0, 80), "[...]");
        assert_eq!(body(&[3, 4], &[], 1, true, 0, 80), "[...]");
    }
}
