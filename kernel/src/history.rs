//! This session's input history, for `history_request` (`tail`, `range` and
//! `search`). Kept in memory: a new kernel starts with an empty history.

use serde_json::{Value, json};

/// The session number in replies; there is only this one session.
const SESSION: u64 = 1;

struct Entry {
    line: u64,
    input: String,
    output: String,
}

/// The inputs (and `text/plain` results) of the cells run so far.
#[derive(Default)]
pub struct History {
    entries: Vec<Entry>,
}

impl History {
    /// Records cell number `line`.
    pub fn push(&mut self, line: u64, input: &str, output: &str) {
        self.entries.push(Entry {
            line,
            input: input.to_owned(),
            output: output.to_owned(),
        });
    }

    /// The `history` list answering a request's content.
    pub fn query(&self, request: &Value) -> Vec<Value> {
        let output = request["output"].as_bool().unwrap_or(false);
        let n = request["n"].as_u64().map(|n| n as usize);
        let selected: Vec<&Entry> = match request["hist_access_type"].as_str().unwrap_or("") {
            "tail" => last(self.entries.iter().collect(), n.unwrap_or(10)),
            "range" => {
                let start = request["start"].as_i64().unwrap_or(0);
                let stop = request["stop"].as_i64();
                let session = request["session"].as_i64().unwrap_or(0);
                if session != 0 && session != SESSION as i64 && session != -1 {
                    Vec::new()
                } else {
                    self.entries
                        .iter()
                        .filter(|e| {
                            (e.line as i64) >= start && stop.is_none_or(|s| (e.line as i64) < s)
                        })
                        .collect()
                }
            }
            "search" => {
                let pattern = request["pattern"].as_str().unwrap_or("*");
                let mut found: Vec<&Entry> = self
                    .entries
                    .iter()
                    .filter(|e| glob(pattern, &e.input))
                    .collect();
                if request["unique"].as_bool().unwrap_or(false) {
                    let mut seen = std::collections::HashSet::new();
                    found.reverse();
                    found.retain(|e| seen.insert(e.input.as_str()));
                    found.reverse();
                }
                match n {
                    Some(n) => last(found, n),
                    None => found,
                }
            }
            _ => Vec::new(),
        };
        selected
            .into_iter()
            .map(|e| {
                if output {
                    json!([SESSION, e.line, [e.input, e.output]])
                } else {
                    json!([SESSION, e.line, e.input])
                }
            })
            .collect()
    }
}

fn last(mut entries: Vec<&Entry>, n: usize) -> Vec<&Entry> {
    let skip = entries.len().saturating_sub(n);
    entries.drain(..skip);
    entries
}

/// Glob match as IPython's history search does it: `*` any run, `?` one
/// character.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // matches[j]: pattern[..i] matches text[..j]
    let mut matches = vec![false; t.len() + 1];
    matches[0] = true;
    for &pc in &p {
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            next[j] = match pc {
                '*' => matches[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && matches[j - 1],
                c => j > 0 && matches[j - 1] && t[j - 1] == c,
            };
        }
        matches = next;
    }
    matches[t.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history() -> History {
        let mut h = History::default();
        h.push(1, "let x = 1;", "");
        h.push(2, "x + 1", "2");
        h.push(3, "x + 1", "2");
        h
    }

    #[test]
    fn tail_returns_the_last_n() {
        let reply = history().query(&json!({"hist_access_type": "tail", "n": 2, "output": false}));
        assert_eq!(reply, [json!([1, 2, "x + 1"]), json!([1, 3, "x + 1"])]);
    }

    #[test]
    fn range_with_output() {
        let reply = history().query(
            &json!({"hist_access_type": "range", "session": 1, "start": 2, "stop": 3, "output": true}),
        );
        assert_eq!(reply, [json!([1, 2, ["x + 1", "2"]])]);
    }

    #[test]
    fn search_unique_and_n() {
        let h = history();
        let search = |extra: Value| {
            let mut request = json!({"hist_access_type": "search", "pattern": "x*"});
            request
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            h.query(&request).len()
        };
        assert_eq!(search(json!({})), 2);
        assert_eq!(search(json!({"unique": true})), 1);
        assert_eq!(search(json!({"n": 1})), 1);
    }

    #[test]
    fn glob_matches_like_sqlite() {
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(glob("*1*", "x + 1"));
        assert!(!glob("a*", "ba"));
    }
}
