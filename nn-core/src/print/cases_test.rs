//! Every tensor case of `print-cases.json` (real torch 2.15 output) that our
//! dtypes can express, rebuilt from its bit patterns and printed here.

use std::fmt::Write;

use serde_json::Value;

use super::{
    PrintOptions, TensorText, Values, formatter_state, python_float_repr, tensor_repr_with,
};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/pytorch-reference/print-cases.json"
);

/// Element storage of one rebuilt case.
enum Owned {
    F32(Vec<f32>),
    F64(Vec<f64>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
}

impl Owned {
    fn values(&self) -> Values<'_> {
        match self {
            Owned::F32(v) => Values::F32(v),
            Owned::F64(v) => Values::F64(v),
            Owned::I64(v) => Values::I64(v),
            Owned::Bool(v) => Values::Bool(v),
        }
    }
}

fn strings<'a>(case: &'a Value, key: &str) -> Option<Vec<&'a str>> {
    let arr = case.get(key)?.as_array()?;
    Some(
        arr.iter()
            .map(|v| v.as_str().unwrap_or_else(|| panic!("{key} holds strings")))
            .collect(),
    )
}

/// The stored elements: `bits` are authoritative; `values` (Python reprs of
/// the exact stored values) are used when there are no bits.
fn rebuild(case: &Value, dtype: &str) -> Owned {
    let bits = strings(case, "bits");
    let values = strings(case, "values").unwrap_or_default();
    match dtype {
        "torch.float32" => Owned::F32(match bits {
            Some(b) => b
                .iter()
                .map(|h| f32::from_bits(u32::from_str_radix(h, 16).expect("hex bits")))
                .collect(),
            // parse as f64, then narrow (the file's own note)
            None => values
                .iter()
                .map(|s| s.parse::<f64>().expect("float value") as f32)
                .collect(),
        }),
        "torch.float64" => Owned::F64(match bits {
            Some(b) => b
                .iter()
                .map(|h| f64::from_bits(u64::from_str_radix(h, 16).expect("hex bits")))
                .collect(),
            None => values
                .iter()
                .map(|s| s.parse::<f64>().expect("float value"))
                .collect(),
        }),
        "torch.int64" => Owned::I64(
            values
                .iter()
                .map(|s| s.parse().expect("int value"))
                .collect(),
        ),
        "torch.bool" => Owned::Bool(
            values
                .iter()
                .map(|s| match *s {
                    "True" => true,
                    "False" => false,
                    other => panic!("bool value {other:?}"),
                })
                .collect(),
        ),
        other => unreachable!("dtype {other} is filtered out before"),
    }
}

fn options_of(case: &Value) -> PrintOptions {
    let mut o = PrintOptions::default();
    let Some(po) = case.get("printoptions").and_then(Value::as_object) else {
        return o;
    };
    let size = |v: &Value| v.as_u64().expect("non-negative integer option") as usize;
    for (k, v) in po {
        match k.as_str() {
            "precision" => o.precision = size(v),
            "threshold" => o.threshold = size(v),
            "edgeitems" => o.edgeitems = size(v),
            "linewidth" => o.linewidth = size(v),
            "sci_mode" => o.sci_mode = v.as_bool(),
            other => panic!("unknown print option {other}"),
        }
    }
    o
}

/// Expected and got, line by line; the first differing line is marked and a
/// caret points at its first differing column. `|` marks line ends so that
/// trailing spaces show.
fn line_diff(expected: &str, got: &str) -> String {
    let e: Vec<&str> = expected.split('\n').collect();
    let g: Vec<&str> = got.split('\n').collect();
    let mut out = String::new();
    let mut first = true;
    for i in 0..e.len().max(g.len()) {
        match (e.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => {
                writeln!(out, "   {:>3} |{a}|", i + 1).unwrap();
            }
            (a, b) => {
                writeln!(
                    out,
                    "-  {:>3} |{}|   (expected)",
                    i + 1,
                    a.unwrap_or(&"<no line>")
                )
                .unwrap();
                writeln!(
                    out,
                    "+  {:>3} |{}|   (got)",
                    i + 1,
                    b.unwrap_or(&"<no line>")
                )
                .unwrap();
                if first {
                    let (a, b) = (a.unwrap_or(&""), b.unwrap_or(&""));
                    let col = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
                    writeln!(
                        out,
                        "         {}^ first difference: line {}, column {}",
                        " ".repeat(col),
                        i + 1,
                        col + 1
                    )
                    .unwrap();
                    first = false;
                }
            }
        }
    }
    out
}

/// Python's repr of a nested list of floats (`.tolist()`).
fn python_list(rows: &[&[f32]]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|r| {
            let items: Vec<String> = r.iter().map(|&v| python_float_repr(f64::from(v))).collect();
            format!("[{}]", items.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// The "other" cases this module prints; `None` for ones printed elsewhere
/// (torch.Size, dtype, optimizers, counts).
fn other_case(id: &str) -> Option<String> {
    match id {
        // tensor(0.1).item(): a float32 widened exactly, in Python's repr
        "item_float" => Some(python_float_repr(f64::from(0.1f32))),
        // tensor([[1.5, 2.], [0.1, -0.]]).tolist()
        "tolist_2d" => Some(python_list(&[&[1.5, 2.0], &[0.1, -0.0]])),
        _ => None,
    }
}

#[test]
fn print_cases_match_torch() {
    let text = match std::fs::read_to_string(CASES) {
        Ok(t) => t,
        Err(e) => {
            println!("print cases skipped: {CASES} not found ({e})");
            return;
        }
    };
    let doc: Value = serde_json::from_str(&text).expect("print-cases.json is JSON");
    let cases = doc["cases"].as_array().expect("a `cases` array");

    let mut passed = 0usize;
    let mut skipped: Vec<&str> = Vec::new();
    let mut elsewhere: Vec<&str> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let expr = case["expr"].as_str().unwrap_or("");
        let expected = case["repr"].as_str().expect("repr");
        match case["kind"].as_str() {
            Some("tensor") => {}
            Some("other") => {
                match other_case(id) {
                    Some(got) if got == expected => passed += 1,
                    Some(got) => failures.push(format!(
                        "case {id} ({expr}):\n{}",
                        line_diff(expected, &got)
                    )),
                    None => elsewhere.push(id),
                }
                continue;
            }
            _ => {
                elsewhere.push(id);
                continue;
            }
        }
        let dtype = case["dtype"].as_str().expect("dtype");
        if !matches!(
            dtype,
            "torch.float32" | "torch.float64" | "torch.int64" | "torch.bool"
        ) {
            skipped.push(id);
            continue;
        }
        let owned = rebuild(case, dtype);
        let shape: Vec<usize> = case["shape"]
            .as_array()
            .expect("shape")
            .iter()
            .map(|d| d.as_u64().expect("dimension") as usize)
            .collect();
        let t = TensorText {
            values: owned.values(),
            shape: &shape,
            requires_grad: case["requires_grad"].as_bool().expect("requires_grad"),
            grad_fn: case["grad_fn"].as_str(),
            is_parameter: case["is_parameter"].as_bool().expect("is_parameter"),
        };
        let options = options_of(case);
        let got = tensor_repr_with(&t, &options);
        if got != expected {
            failures.push(format!(
                "case {id} ({expr}):\n{}",
                line_diff(expected, &got)
            ));
            continue;
        }
        // torch's internal formatter state, where recorded (non-empty float tensors).
        if let Some(f) = case.get("formatter").filter(|f| f.is_object()) {
            let s = formatter_state(&t, &options);
            let want = (
                f["int_mode"].as_bool(),
                f["sci_mode"].as_bool(),
                f["max_width"].as_u64(),
            );
            let have = (Some(s.int_mode), Some(s.sci_mode), Some(s.width as u64));
            if want != have {
                failures.push(format!(
                    "case {id} ({expr}): repr matches but formatter (int_mode, sci_mode, width) is {have:?}, torch had {want:?}"
                ));
                continue;
            }
        }
        passed += 1;
    }

    println!(
        "print cases: {passed} passed, {} skipped (dtype float16/bfloat16/int16/int32/uint8 not stored): {}",
        skipped.len(),
        skipped.join(", ")
    );
    println!(
        "print cases not for this module (modules, torch.Size, dtype, optimizers, counts): {}",
        elsewhere.len()
    );
    assert!(
        failures.is_empty(),
        "{} of the print cases differ from torch:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(passed > 0, "no case was checked");
}

#[test]
fn line_diff_marks_first_difference() {
    let d = line_diff("tensor([1.,\n        2.])", "tensor([1.,\n        3.])");
    assert!(d.contains("-    2 |        2.])|"), "{d}");
    assert!(d.contains("+    2 |        3.])|"), "{d}");
    assert!(d.contains("line 2, column 9"), "{d}");
    let d = line_diff("a", "a\nb");
    assert!(d.contains("<no line>"), "{d}");
}
