//! PyTorch's three beginner tutorials, as ported in `examples/tutorial_*.rs`,
//! print what their PyTorch twins print (`tools/reference/tutorials/*.py`,
//! outputs in `tests/reference/tutorial-outputs.json`, written by
//! `tools/reference/tutorials.py` with torch 2.15).
//!
//! Each example is built (`cargo build --example`, a no-op when `cargo test`
//! just built it) and run; its output must equal the twin's line for line,
//! with three allowances, each for a reason that is not a difference in the
//! numbers: a `grad_fn` prints without Python's `object at 0x…` address,
//! booleans print as Rust's `true`/`false`, and a number may differ by one
//! unit in its last printed digit (a float32 sum in another order changes
//! the last bits; the 6-decimal losses of the training tutorial show it).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const OUTPUTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/tutorial-outputs.json"
);

fn torch_output(name: &str) -> String {
    let text = std::fs::read_to_string(OUTPUTS)
        .expect("tests/reference/tutorial-outputs.json is committed");
    let doc: Value = serde_json::from_str(&text).expect("tutorial-outputs.json is valid JSON");
    doc["outputs"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no output for {name} in tutorial-outputs.json"))
        .to_owned()
}

/// The target folder and profile this test was built in
/// (`target/debug/deps/tutorials-…` → `target`, `debug`).
fn target_and_profile() -> (PathBuf, String) {
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from <target>/<profile>/deps");
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a profile folder")
        .to_owned();
    let target = profile_dir.parent().expect("a target folder").to_path_buf();
    (target, profile)
}

/// Builds `examples/<example>.rs` in this test's target folder and profile,
/// runs it, and returns what it printed.
fn run_example(example: &str) -> String {
    let (target, profile) = target_and_profile();
    let mut build = Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "-p", "nn-core", "--example", example])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile == "release" {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "cargo build --example {example} failed");
    let binary = target.join(&profile).join("examples").join(example);
    let out = Command::new(&binary)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    assert!(
        out.status.success(),
        "{example} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// torch's text with the two differences of form taken out: the address in
/// `<AddBackward0 object at 0x7f…>`, and Python's `True`/`False`.
fn without_python_forms(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = match (line.find(" object at 0x"), line.rfind('>')) {
                (Some(start), Some(end)) if start < end => {
                    format!("{}{}", &line[..start], &line[end..])
                }
                _ => line.to_owned(),
            };
            match line.as_str() {
                "True" => "true".to_owned(),
                "False" => "false".to_owned(),
                _ => line,
            }
        })
        .map(|line| line + "\n")
        .collect()
}

/// A line cut into text and numbers (`-0.0053`, `2.302585`, `64`).
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Number(&'a str),
}

fn pieces(line: &str) -> Vec<Piece<'_>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut text_start) = (0, 0);
    while i < bytes.len() {
        let starts_number = bytes[i].is_ascii_digit()
            || (bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        // A digit inside a word (`Backward0`, `linear_relu_stack.0`) is text.
        let in_word = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if starts_number && !in_word {
            let start = i;
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            if text_start < start {
                out.push(Piece::Text(&line[text_start..start]));
            }
            out.push(Piece::Number(&line[start..i]));
            text_start = i;
        } else {
            i += 1;
        }
    }
    if text_start < line.len() {
        out.push(Piece::Text(&line[text_start..]));
    }
    out
}

/// Whether two printed numbers are equal, or decimals that differ by one
/// unit of their last digit (whole numbers — counts, sizes, indices — must
/// be equal).
fn same_but_rounding(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let decimals = |s: &str| s.split_once('.').map_or(0, |(_, d)| d.len());
    let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) else {
        return false;
    };
    decimals(a) > 0
        && decimals(a) == decimals(b)
        && (x - y).abs() <= 1.000_001 * 10f64.powi(-(decimals(a) as i32))
}

/// Compares our output with torch's; the differences that are not allowed,
/// as a readable list (`line n: torch / ours`), and the count of numbers that
/// differed by a unit of their last digit.
fn compare(torch: &str, ours: &str) -> (Vec<String>, usize) {
    let torch = without_python_forms(torch);
    let (t_lines, o_lines): (Vec<&str>, Vec<&str>) =
        (torch.lines().collect(), ours.lines().collect());
    let mut problems = Vec::new();
    let mut rounded = 0;
    for (n, (t, o)) in t_lines.iter().zip(&o_lines).enumerate() {
        let (tp, op) = (pieces(t), pieces(o));
        let same_shape = tp.len() == op.len()
            && tp.iter().zip(&op).all(|pair| match pair {
                (Piece::Text(a), Piece::Text(b)) => a == b,
                (Piece::Number(a), Piece::Number(b)) => same_but_rounding(a, b),
                _ => false,
            });
        if same_shape {
            rounded += tp.iter().zip(&op).filter(|(a, b)| a != b).count();
        } else {
            problems.push(format!("line {}:\n  torch: {t}\n  ours : {o}", n + 1));
        }
    }
    if t_lines.len() != o_lines.len() {
        problems.push(format!(
            "torch printed {} lines, the example {}",
            t_lines.len(),
            o_lines.len()
        ));
    }
    (problems, rounded)
}

fn check(name: &str) {
    let ours = run_example(&format!("tutorial_{name}"));
    let (problems, rounded) = compare(&torch_output(name), &ours);
    assert!(
        problems.is_empty(),
        "examples/tutorial_{name}.rs does not print what tools/reference/tutorials/{name}.py printed:\n{}",
        problems.join("\n")
    );
    eprintln!("tutorial_{name}: as torch ({rounded} numbers one unit off in their last digit)");
}

#[test]
fn build_the_neural_network() {
    check("build_model");
}

#[test]
fn automatic_differentiation() {
    check("autograd");
}

#[test]
fn optimizing_model_parameters() {
    check("optimization");
}

#[test]
fn the_comparison_allows_only_rounding_and_python_forms() {
    let torch = "Gradient function for z = <AddBackward0 object at 0x7f02>\nTrue\nloss: 2.284413  [   64/ 1438]\n";
    let ours = "Gradient function for z = <AddBackward0>\ntrue\nloss: 2.284412  [   64/ 1438]\n";
    assert_eq!(compare(torch, ours), (vec![], 1));
    let (problems, _) = compare("loss: 2.284413\n", "loss: 2.284411\n");
    assert_eq!(problems.len(), 1);
    let (problems, _) = compare("Layer: a.0.weight\n", "Layer: a.1.weight\n");
    assert_eq!(problems.len(), 1);
    assert_eq!(
        pieces("tensor([-0.0053,  1.])"),
        [
            Piece::Text("tensor(["),
            Piece::Number("-0.0053"),
            Piece::Text(",  "),
            Piece::Number("1."),
            Piece::Text("])")
        ]
    );
}
