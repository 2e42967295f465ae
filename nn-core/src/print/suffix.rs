//! The `, key=value` suffixes after the body, and where they wrap
//! (printing.md §5 and §7).

use std::fmt::Write;

/// Python's `str(tuple(shape))`: `()`, `(5,)`, `(0, 3)`.
pub(crate) fn python_tuple(shape: &[usize]) -> String {
    let mut s = String::from("(");
    for (i, d) in shape.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        write!(s, "{d}").expect("writing to a String cannot fail");
    }
    if shape.len() == 1 {
        s.push(',');
    }
    s.push(')');
    s
}

/// Appends each suffix with torch's `_add_suffixes` rule, then the closing `)`.
///
/// `L` starts at the length of the last line of `out` plus 2 (a quirk of
/// torch's `len(s) - s.rfind("\n") + 1`); a suffix goes on a new line, indented
/// by `indent`, when `L + len(suffix) + 2 > linewidth` (printing.md §7).
pub(crate) fn push_suffixes(
    out: &mut String,
    suffixes: &[String],
    indent: usize,
    linewidth: usize,
) {
    let last_line = out.rfind('\n').map_or(out.as_str(), |p| &out[p + 1..]);
    let mut line_len = last_line.chars().count() + 2;
    for s in suffixes {
        // Python's len() counts characters, not bytes.
        let n = s.chars().count();
        if line_len + n + 2 > linewidth {
            out.push_str(",\n");
            out.extend(std::iter::repeat_n(' ', indent));
            line_len = indent + n;
        } else {
            out.push_str(", ");
            line_len += n + 2;
        }
        out.push_str(s);
    }
    out.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(start: &str, suffixes: &[&str]) -> String {
        let mut out = start.to_string();
        let suffixes: Vec<String> = suffixes.iter().map(|s| s.to_string()).collect();
        push_suffixes(&mut out, &suffixes, 7, 80);
        out
    }

    #[test]
    fn tuples() {
        assert_eq!(python_tuple(&[]), "()");
        assert_eq!(python_tuple(&[5]), "(5,)");
        assert_eq!(python_tuple(&[0, 3]), "(0, 3)");
        assert_eq!(python_tuple(&[2, 0, 3]), "(2, 0, 3)");
    }

    #[test]
    fn no_suffix_just_closes() {
        assert_eq!(with("tensor([1., 2.]", &[]), "tensor([1., 2.])");
    }

    #[test]
    fn first_line_limit_is_76() {
        // last line length + len(s) > 76 wraps on the first line
        let body = format!("tensor([{}]", "1".repeat(59)); // 68 characters
        let s8 = "abcdefgh"; // 68 + 8 = 76: stays
        assert_eq!(with(&body, &[s8]), format!("{body}, {s8})"));
        let s9 = "abcdefghi"; // 77: wraps
        assert_eq!(with(&body, &[s9]), format!("{body},\n       {s9})"));
    }

    #[test]
    fn after_a_newline_only_the_last_line_counts() {
        let body = "tensor([[1., 2.],\n        [3., 4.]]";
        assert_eq!(
            with(body, &["requires_grad=True"]),
            format!("{body}, requires_grad=True)")
        );
    }

    #[test]
    fn two_suffixes_wrap_independently() {
        // printing.md §7: the float64 example keeps both suffixes on one new line
        let body =
            "tensor([-0.7436, -0.6018, -0.4065,  0.6484, -1.0332,  1.2107, -1.0999,  0.6163]";
        assert_eq!(
            with(body, &["dtype=torch.float64", "requires_grad=True"]),
            format!("{body},\n       dtype=torch.float64, requires_grad=True)")
        );
        // and a second suffix that does not fit after the wrapped first one wraps again
        let long = "x".repeat(60);
        assert_eq!(
            with("tensor(1.", &[&long, &long]),
            format!("tensor(1., {long},\n       {long})")
        );
    }
}
