//! `is_complete`: whether a console should run the code on Enter or wait
//! for more lines. A scan of brackets, strings and comments, not a parse.

/// The answer to an `is_complete_request`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completeness {
    /// Run it.
    Complete,
    /// Wait for more, indenting the next line by this much.
    Incomplete(String),
    /// It can never become valid (a closing bracket with no opening one).
    Invalid,
}

impl Completeness {
    /// The reply's `status` and `indent`.
    pub fn status_and_indent(&self) -> (&'static str, &str) {
        match self {
            Completeness::Complete => ("complete", ""),
            Completeness::Incomplete(indent) => ("incomplete", indent),
            Completeness::Invalid => ("invalid", ""),
        }
    }
}

/// Decides whether `code` is complete.
pub fn is_complete(code: &str) -> Completeness {
    let chars: Vec<char> = code.chars().collect();
    let mut open: Vec<char> = Vec::new();
    // The last character of code proper (not whitespace, not a comment).
    let mut last = ' ';
    let mut second_last = ' ';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied().unwrap_or('\0');
        match c {
            '/' if next == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if next == '*' => match skip_block_comment(&chars, i) {
                Some(end) => {
                    i = end;
                    continue;
                }
                None => return incomplete(open.len()),
            },
            '"' => match skip_string(&chars, i + 1) {
                Some(end) => i = end,
                None => return incomplete(open.len()),
            },
            'r' | 'b' | 'c' if starts_word(&chars, i) => {
                if let Some(quote) = raw_string_quote(&chars, i) {
                    match skip_raw_string(&chars, quote) {
                        Some(end) => i = end,
                        None => return incomplete(open.len()),
                    }
                } else if c != 'r' && next == '"' {
                    match skip_string(&chars, i + 2) {
                        Some(end) => i = end,
                        None => return incomplete(open.len()),
                    }
                }
            }
            '\'' => {
                if let Some(end) = char_literal_end(&chars, i) {
                    i = end;
                }
            }
            '(' | '[' | '{' => open.push(c),
            ')' | ']' | '}' => {
                let expected = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if open.pop() != Some(expected) {
                    return Completeness::Invalid;
                }
            }
            _ => {}
        }
        if !chars[i].is_whitespace() {
            second_last = last;
            last = chars[i];
        }
        i += 1;
    }
    if !open.is_empty() {
        return incomplete(open.len());
    }
    let last_line = code.trim_end().lines().last().unwrap_or("");
    if !last_line.trim_start().starts_with(':') && ends_in_operator(second_last, last) {
        return incomplete(0);
    }
    Completeness::Complete
}

fn incomplete(depth: usize) -> Completeness {
    Completeness::Incomplete("    ".repeat(depth))
}

/// A binary operator, `=`, `,`, `.` or `->` at the end needs a right-hand side.
fn ends_in_operator(second_last: char, last: char) -> bool {
    match last {
        '=' | '+' | '*' | '/' | '%' | '^' | ',' | '.' | '&' | '|' | ':' => true,
        '-' => true,
        '>' => matches!(second_last, '-' | '='),
        _ => false,
    }
}

/// Whether `chars[i]` starts a token (is not inside an identifier).
fn starts_word(chars: &[char], i: usize) -> bool {
    i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// For `r"`, `r#"`, `br#"`, `cr"` at `i`: the index of the opening quote and
/// the number of `#`s.
fn raw_string_quote(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if chars[j] != 'r' {
        j += 1;
        if chars.get(j) != Some(&'r') {
            return None;
        }
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some((j, hashes))
}

/// From just after an opening `"`: the index of the closing `"`.
fn skip_string(chars: &[char], mut i: usize) -> Option<usize> {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// From a raw string's opening quote: the index of its last closing `#`.
fn skip_raw_string(chars: &[char], (quote, hashes): (usize, usize)) -> Option<usize> {
    let mut i = quote + 1;
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return Some(i + hashes);
        }
        i += 1;
    }
    None
}

/// From `/*`: the index just after the matching `*/` (block comments nest).
fn skip_block_comment(chars: &[char], mut i: usize) -> Option<usize> {
    let mut depth = 0;
    while i + 1 < chars.len() {
        match (chars[i], chars[i + 1]) {
            ('/', '*') => {
                depth += 1;
                i += 2;
            }
            ('*', '/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// At a `'`: the index of the closing `'` of a char literal, or `None` for a
/// lifetime or label.
fn char_literal_end(chars: &[char], i: usize) -> Option<usize> {
    match chars.get(i + 1)? {
        '\\' => {
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\'' && chars[j] != '\n' {
                j += 1;
            }
            (chars.get(j) == Some(&'\'')).then_some(j)
        }
        _ => (chars.get(i + 2) == Some(&'\'')).then_some(i + 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: &str) -> &'static str {
        is_complete(code).status_and_indent().0
    }

    #[test]
    fn complete_code() {
        for code in [
            "",
            "1 + 1",
            "let x = 5;",
            "fn f() {\n    1\n}",
            "println!(\"{}\", \"(\");",
            "let s = r#\"a \" ( b\"#;",
            "let c = '(';",
            "let c = '\\'';",
            "fn f<'a>(x: &'a str) -> &'a str { x }",
            "// (\nlet x = 1;",
            "/* ( /* nested */ */ 1",
            "let v = vec![1, 2, 3];",
            ":dep regex = { version = \"1\" }",
            "x",
            "let b = b\"(\";",
        ] {
            assert_eq!(status(code), "complete", "{code:?}");
        }
    }

    #[test]
    fn incomplete_code() {
        for code in [
            "fn f() {",
            "let v = vec![1,",
            "foo(",
            "let s = \"abc",
            "/* open comment",
            "let x =",
            "let y = 1 +",
            "let t = x.",
            "let r = r#\"raw",
        ] {
            assert_eq!(status(code), "incomplete", "{code:?}");
        }
    }

    #[test]
    fn invalid_code() {
        for code in ["}", "fn f() { )", "let x = (1]"] {
            assert_eq!(status(code), "invalid", "{code:?}");
        }
    }

    #[test]
    fn indent_follows_depth() {
        assert_eq!(
            is_complete("fn f() {\n    if x {"),
            Completeness::Incomplete("        ".into())
        );
    }
}
