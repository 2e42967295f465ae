//! Replays every case of `tests/reference/ops-cases.json` (torch 2.15's own
//! results, made by `tools/reference/ops_cases.py`) through nn-core's public
//! API: the indexing and selection ops, `std`/`var`, `cumsum`, `split`,
//! `repeat`, `one_hot`, `max(dim)`; and what a second `backward()` through
//! the same graph does for those and for the older ops.
//!
//! Each case checks the result tensors (bit for bit, or within 1e-5 of the
//! largest magnitude for cases marked `tolerance`, whose torch kernels add
//! in their own order), their printed text and grad_fn names, the gradients
//! after `backward` with the recorded output gradients, and then either
//! torch's error on a second backward or the accumulated gradients. Error
//! cases check torch's exception type and message.

use nn_core::autograd::{NoGradGuard, try_backward};
use nn_core::error::ErrorKind;
use nn_core::prelude::*;
use nn_core::tensor::{Slice, TensorIndex, ValuesIndices};
use nn_core::{Result, TensorError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

const CASES: &str = include_str!("reference/ops-cases.json");

// ------------------------------------------------------------ records

fn shape_of(rec: &Value) -> Vec<usize> {
    rec["shape"]
        .as_array()
        .expect("record shape")
        .iter()
        .map(|d| d.as_u64().expect("size") as usize)
        .collect()
}

fn bits(rec: &Value) -> Vec<u64> {
    rec["bits"]
        .as_array()
        .expect("float record bits")
        .iter()
        .map(|b| u64::from_str_radix(b.as_str().expect("hex"), 16).expect("hex"))
        .collect()
}

/// A tensor record as a tensor (float bits exactly).
fn tensor_of(rec: &Value) -> Tensor {
    let shape = shape_of(rec);
    let values = rec["values"].as_array().expect("values");
    let t = match rec["dtype"].as_str().expect("dtype") {
        "float32" => Tensor::from_vec(
            bits(rec)
                .into_iter()
                .map(|b| f32::from_bits(b as u32))
                .collect(),
            &shape,
        ),
        "float64" => Tensor::from_vec(bits(rec).into_iter().map(f64::from_bits).collect(), &shape),
        "int64" => Tensor::from_vec(values.iter().map(|v| v.as_i64().unwrap()).collect(), &shape),
        "bool" => Tensor::from_vec(
            values.iter().map(|v| v.as_bool().unwrap()).collect(),
            &shape,
        ),
        other => panic!("dtype {other} is not in the reference"),
    };
    if rec["requires_grad"].as_bool() == Some(true) {
        t.requires_grad_(true)
    } else {
        t
    }
}

/// The values of a tensor as the record's bit patterns (floats) or numbers.
fn tensor_bits(t: &Tensor) -> Vec<u64> {
    match t.dtype() {
        DType::Float32 => t
            .to_vec::<f32>()
            .into_iter()
            .map(|v| v.to_bits() as u64)
            .collect(),
        DType::Float64 => t.to_vec::<f64>().into_iter().map(f64::to_bits).collect(),
        DType::Int64 => t.to_vec::<i64>().into_iter().map(|v| v as u64).collect(),
        DType::Bool => t.to_vec::<bool>().into_iter().map(u64::from).collect(),
    }
}

fn record_bits(rec: &Value) -> Vec<u64> {
    match rec["dtype"].as_str() {
        Some("float32" | "float64") => bits(rec),
        Some("int64") => rec["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap() as u64)
            .collect(),
        _ => rec["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap() as u64)
            .collect(),
    }
}

fn as_f64(bits: u64, dtype: &str) -> f64 {
    match dtype {
        "float32" => f32::from_bits(bits as u32) as f64,
        "float64" => f64::from_bits(bits),
        _ => bits as i64 as f64,
    }
}

/// Compares a tensor with a record; `None` when equal (or close enough).
fn compare(what: &str, got: &Tensor, rec: &Value, tolerance: bool) -> Option<String> {
    let dtype = rec["dtype"].as_str().unwrap_or("?");
    if got.dtype().name() != dtype {
        return Some(format!(
            "{what}: dtype {} but torch {dtype}",
            got.dtype().name()
        ));
    }
    if got.shape().to_vec() != shape_of(rec) {
        return Some(format!(
            "{what}: shape {:?} but torch {:?}",
            got.shape().to_vec(),
            shape_of(rec)
        ));
    }
    let (have, want) = (tensor_bits(got), record_bits(rec));
    if have == want {
        return None;
    }
    let values: Vec<(f64, f64)> = have
        .iter()
        .zip(&want)
        .map(|(&h, &w)| (as_f64(h, dtype), as_f64(w, dtype)))
        .collect();
    if tolerance && dtype.starts_with("float") {
        let scale = values
            .iter()
            .map(|p| p.1.abs())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let limit = if scale == 0.0 { 1e-6 } else { 1e-5 * scale };
        let close = values
            .iter()
            .all(|&(h, w)| (h.is_nan() && w.is_nan()) || h == w || (h - w).abs() <= limit);
        if close {
            return None;
        }
    }
    let diffs: Vec<String> = values
        .iter()
        .enumerate()
        .filter(|(k, _)| have[*k] != want[*k])
        .take(6)
        .map(|(k, &(h, w))| format!("[{k}] {h:?} (torch {w:?})"))
        .collect();
    Some(format!(
        "{what}: {} of {} values differ: {}",
        have.iter().zip(&want).filter(|(h, w)| h != w).count(),
        want.len(),
        diffs.join(", ")
    ))
}

/// A line-by-line diff of two texts.
fn text_diff(what: &str, got: &str, want: &str) -> Option<String> {
    if got == want {
        return None;
    }
    let mut out = format!("{what} differs:\n");
    for (g, w) in got.lines().zip(want.lines()).filter(|(g, w)| g != w) {
        out += &format!("    nn-core: {g}\n    torch:   {w}\n");
    }
    if got.lines().count() != want.lines().count() {
        out += &format!(
            "    nn-core ({} lines):\n{got}\n    torch ({} lines):\n{want}\n",
            got.lines().count(),
            want.lines().count()
        );
    }
    Some(out)
}

// ------------------------------------------------------------ running an op

/// What an op returns.
enum Output {
    One(Tensor),
    Pair(ValuesIndices),
    Many(Vec<Tensor>),
}

impl Output {
    fn tensors(&self) -> Vec<Tensor> {
        match self {
            Output::One(t) => vec![t.clone()],
            Output::Pair(v) => vec![v.values.clone(), v.indices.clone()],
            Output::Many(ts) => ts.clone(),
        }
    }
}

fn kw_i64(kw: &Value, key: &str) -> i64 {
    kw[key].as_i64().unwrap_or_else(|| panic!("kwarg {key}"))
}

fn kw_bool(kw: &Value, key: &str) -> bool {
    kw[key].as_bool().unwrap_or_else(|| panic!("kwarg {key}"))
}

fn kw_usizes(kw: &Value, key: &str) -> Vec<usize> {
    kw[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect()
}

fn kw_f64(kw: &Value, key: &str) -> f64 {
    match &kw[key] {
        Value::Number(n) => n.as_f64().unwrap(),
        // JSON has no infinities: the script writes Python's repr.
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("kwarg {key} = {s}")),
        other => panic!("kwarg {key} = {other}"),
    }
}

/// A panic's message (for the in-place forms, which have no `try_` form).
fn caught(f: impl FnOnce() -> Tensor) -> Result<Tensor> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|e| {
        let message = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        TensorError::runtime(message)
    })
}

fn index_entries(kw: &Value, env: &BTreeMap<String, Tensor>) -> Vec<TensorIndex> {
    kw["index"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| match e {
            Value::Number(n) => TensorIndex::Select(n.as_i64().unwrap()),
            Value::Null => TensorIndex::NewAxis,
            Value::String(s) if s == "..." => TensorIndex::Ellipsis,
            Value::Object(o) if o.contains_key("tensor") => {
                TensorIndex::Tensor(env[o["tensor"].as_str().unwrap()].clone())
            }
            Value::Object(_) => TensorIndex::Slice(Slice::new(
                e["start"].as_i64(),
                e["stop"].as_i64(),
                e["step"].as_i64().unwrap_or(1),
            )),
            other => panic!("index entry {other}"),
        })
        .collect()
}

fn run(op: &str, env: &BTreeMap<String, Tensor>, kw: &Value) -> Result<Output> {
    let x = || env["x"].clone();
    let t = |name: &str| env[name].clone();
    let one = |r: Result<Tensor>| r.map(Output::One);
    match op {
        "index_select" => one(x().try_index_select(kw_i64(kw, "dim"), &t("index"))),
        "gather" => one(x().try_gather(kw_i64(kw, "dim"), &t("index"))),
        "scatter" => one(x().try_scatter(kw_i64(kw, "dim"), &t("index"), &t("src"))),
        "scatter_value" => {
            one(x().try_scatter_value(kw_i64(kw, "dim"), &t("index"), kw_f64(kw, "value")))
        }
        "scatter_add" => one(x().try_scatter_add(kw_i64(kw, "dim"), &t("index"), &t("src"))),
        "scatter_" => one(caught(|| {
            x().scatter_(kw_i64(kw, "dim"), &t("index"), &t("src"))
        })),
        "scatter_value_" => one(caught(|| {
            x().scatter_value_(kw_i64(kw, "dim"), &t("index"), kw_f64(kw, "value"))
        })),
        "scatter_add_" => one(caught(|| {
            x().scatter_add_(kw_i64(kw, "dim"), &t("index"), &t("src"))
        })),
        "masked_fill" => one(x().try_masked_fill(&t("mask"), kw_f64(kw, "value"))),
        "masked_fill_" => one(caught(|| x().masked_fill_(&t("mask"), kw_f64(kw, "value")))),
        "masked_select" => one(x().try_masked_select(&t("mask"))),
        "index" => one(x().try_i(index_entries(kw, env))),
        "topk" => x()
            .try_topk(
                kw_i64(kw, "k") as usize,
                kw_i64(kw, "dim"),
                kw_bool(kw, "largest"),
                kw_bool(kw, "sorted"),
            )
            .map(Output::Pair),
        "sort" => x()
            .try_sort(
                kw_i64(kw, "dim"),
                kw_bool(kw, "descending"),
                kw_bool(kw, "stable"),
            )
            .map(Output::Pair),
        "argsort" => {
            let (dim, descending) = (kw_i64(kw, "dim"), kw_bool(kw, "descending"));
            one(caught(|| {
                if kw_bool(kw, "stable") {
                    x().argsort_stable(dim, descending)
                } else {
                    x().argsort(dim, descending)
                }
            }))
        }
        "cumsum" => one(x().try_cumsum(kw_i64(kw, "dim"))),
        "chunk" => x()
            .try_chunk(kw_i64(kw, "chunks") as usize, kw_i64(kw, "dim"))
            .map(Output::Many),
        "split" => x()
            .try_split(kw_i64(kw, "split_size") as usize, kw_i64(kw, "dim"))
            .map(Output::Many),
        "split_with_sizes" => x()
            .try_split_with_sizes(&kw_usizes(kw, "sizes"), kw_i64(kw, "dim"))
            .map(Output::Many),
        "repeat" => one(x().try_repeat(&kw_usizes(kw, "sizes"))),
        "std" | "var" => {
            let dims: Vec<i64> = match &kw["dim"] {
                Value::Null => vec![],
                Value::Array(a) => a.iter().map(|d| d.as_i64().unwrap()).collect(),
                d => vec![d.as_i64().unwrap()],
            };
            let correction = kw["correction"].as_f64().unwrap_or(1.0);
            let keepdim = kw["keepdim"].as_bool().unwrap_or(false);
            let plain = kw.as_object().is_none_or(|o| o.is_empty());
            one(match (op, plain) {
                ("std", true) => caught(|| x().std()),
                ("var", true) => caught(|| x().var()),
                ("std", false) => x().try_std_with(&dims, correction, keepdim),
                _ => x().try_var_with(&dims, correction, keepdim),
            })
        }
        "one_hot" => one(F::try_one_hot(&x(), kw_i64(kw, "num_classes"))),
        "max_dim" => x()
            .try_max_dim(kw_i64(kw, "dim"), kw_bool(kw, "keepdim"))
            .map(Output::Pair),
        "min_dim" => x()
            .try_min_dim(kw_i64(kw, "dim"), kw_bool(kw, "keepdim"))
            .map(Output::Pair),
        "argmax" | "argmin" => {
            let (dim, keepdim) = (kw_i64(kw, "dim"), kw_bool(kw, "keepdim"));
            one(caught(|| match (op, keepdim) {
                ("argmax", false) => x().argmax(dim),
                ("argmax", true) => x().argmax_dim(dim, true),
                ("argmin", false) => x().argmin(dim),
                _ => x().argmin_dim(dim, true),
            }))
        }
        "argmax_all" => one(caught(|| x().argmax_all())),
        "argmin_all" => one(caught(|| x().argmin_all())),
        // The older ops of the second-backward cases.
        other => one(caught(|| older_op(other, env, kw))),
    }
}

fn older_op(op: &str, env: &BTreeMap<String, Tensor>, kw: &Value) -> Tensor {
    let x = &env["x"];
    let y = || env["y"].clone();
    match op {
        "add" => x + &y(),
        "add_scalar" => x + 2.0,
        "sub" => x - &y(),
        "mul" => x * &y(),
        "mul_scalar" => x * 2.0,
        "div" => x / &y(),
        "div_scalar" => x / 2.0,
        "rsub_scalar" => x.rsub(1.0),
        "neg" => -x,
        "exp" => x.exp(),
        "log" => x.log(),
        "sqrt" => x.sqrt(),
        "abs" => x.abs(),
        "relu" => x.relu(),
        "sigmoid" => x.sigmoid(),
        "tanh" => x.tanh(),
        "sin" => x.sin(),
        "cos" => x.cos(),
        "reciprocal" => x.reciprocal(),
        "square" => x.square(),
        "pow" => x.pow(2.0),
        "clamp" => x.clamp(Some(-0.5), Some(0.5)),
        "leaky_relu" => F::leaky_relu(x, 0.1),
        "t" => x.t(),
        "clone" => x.clone_tensor(),
        "sum" => x.sum(),
        "mean" => x.mean(),
        "max" => x.max(),
        "min" => x.min(),
        "sum_dim" => x.sum_dim(kw_i64(kw, "dim"), false),
        "mean_dim" => x.mean_dim(kw_i64(kw, "dim"), false),
        "reshape" => x.reshape(
            kw["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect::<Vec<i64>>(),
        ),
        "unsqueeze" => x.unsqueeze(kw_i64(kw, "dim")),
        "squeeze" => x.squeeze(),
        "transpose" => x.transpose(0, 1),
        "permute" => x.permute(
            kw["dims"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect::<Vec<i64>>(),
        ),
        "expand" => x.expand(
            kw["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect::<Vec<i64>>(),
        ),
        "select" => x.select(kw_i64(kw, "dim"), kw_i64(kw, "index")),
        "narrow" => x.narrow(
            kw_i64(kw, "dim"),
            kw_i64(kw, "start"),
            kw_i64(kw, "length") as usize,
        ),
        "cat" => Tensor::cat(&[x.clone(), y()], 0),
        "stack" => Tensor::stack(&[x.clone(), y()], 0),
        "double" => x.double(),
        "matmul" => x.matmul(&y()),
        "softmax" => x.softmax(kw_i64(kw, "dim")),
        "log_softmax" => x.log_softmax(kw_i64(kw, "dim")),
        "where" => Tensor::where_cond(&env["mask"], x, &y()),
        "linear" => F::linear(x, &env["w"], env.get("b")),
        "mse_loss" => F::mse_loss(x, &y()),
        "cross_entropy" => F::cross_entropy(x, &env["target"]),
        other => panic!("op {other:?} is not in the vocabulary"),
    }
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Runtime => "RuntimeError",
        ErrorKind::Index => "IndexError",
        ErrorKind::Value => "ValueError",
        ErrorKind::Type => "TypeError",
        ErrorKind::NotImplemented => "NotImplementedError",
    }
}

/// Ops without a `try_` form: their errors are panics, whose exception type
/// is not known (only the message is compared).
const PANICKING: &[&str] = &[
    "scatter_",
    "scatter_value_",
    "scatter_add_",
    "masked_fill_",
    "argsort",
    "argmax",
    "argmin",
    "argmax_all",
    "argmin_all",
];

// ------------------------------------------------------------ one case

fn check_case(case: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let op = case["op"].as_str().unwrap();
    let kw = &case["kwargs"];
    let tolerance = case["tolerance"].as_bool().unwrap_or(false);
    let env: BTreeMap<String, Tensor> = case["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, rec)| (k.clone(), tensor_of(rec)))
        .collect();
    let result = run(op, &env, kw);
    if let Some(error) = case.get("error") {
        let want = error["message"].as_str().unwrap();
        match result {
            Ok(_) => problems.push(format!(
                "torch raised {}: {want}\n    nn-core gave a result",
                error["type"]
            )),
            Err(e) => {
                if e.message != want {
                    problems.push(format!(
                        "error message:\n    nn-core: {}\n    torch:   {want}",
                        e.message
                    ));
                }
                let kind = kind_name(e.kind);
                if !PANICKING.contains(&op) && op != "std" && op != "var" && kind != error["type"] {
                    problems.push(format!(
                        "error type: nn-core {kind}, torch {}",
                        error["type"]
                    ));
                }
            }
        }
        return problems;
    }
    let output = match result {
        Ok(o) => o,
        Err(e) => return vec![format!("nn-core failed: {}", e.message)],
    };
    let outs = output.tensors();
    let records = case["outputs"].as_array().unwrap();
    if outs.len() != records.len() {
        return vec![format!("{} outputs, torch {}", outs.len(), records.len())];
    }
    for (k, (got, rec)) in outs.iter().zip(records).enumerate() {
        problems.extend(compare(&format!("output {k}"), got, rec, tolerance));
        let want = case["reprs"][k].as_str().unwrap();
        // Values that differ print differently: the value diff says enough.
        if problems.is_empty() {
            problems.extend(text_diff(
                &format!("repr of output {k}"),
                &format!("{got:?}"),
                want,
            ));
        }
        let grad_fn = got.grad_fn().map(|f| f.name());
        if grad_fn != case["grad_fns"][k].as_str() {
            problems.push(format!(
                "grad_fn of output {k}: {grad_fn:?}, torch {}",
                case["grad_fns"][k]
            ));
        }
    }
    if let (Output::Pair(pair), Some(want)) = (&output, case["repr"].as_str())
        && problems.is_empty()
    {
        problems.extend(text_diff("repr of the result", &pair.to_string(), want));
    }
    let Some(grad_outputs) = case["grad_outputs"].as_array() else {
        return problems;
    };
    let grads: Vec<Option<Tensor>> = grad_outputs
        .iter()
        .map(|g| (!g.is_null()).then(|| tensor_of(g)))
        .collect();
    let (roots, root_grads): (Vec<Tensor>, Vec<Option<Tensor>>) = outs
        .iter()
        .zip(grads)
        .filter(|(_, g)| g.is_some())
        .map(|(t, g)| (t.clone(), g))
        .unzip();
    let retain = case["retain_graph"].as_bool().unwrap_or(false);
    let leaf_grads = |stage: &str, want: &Value, problems: &mut Vec<String>| {
        for (name, rec) in want.as_object().unwrap() {
            let got = env[name].grad();
            match (got, rec.is_null()) {
                (None, true) => {}
                (Some(g), false) => problems.extend(compare(
                    &format!("{stage} grad of {name}"),
                    &g,
                    rec,
                    tolerance,
                )),
                (g, _) => problems.push(format!(
                    "{stage} grad of {name}: {:?}, torch {rec}",
                    g.map(|g| g.to_string())
                )),
            }
        }
    };
    if let Err(e) = try_backward(&roots, &root_grads, retain) {
        problems.push(format!("backward failed: {}", e.message));
        return problems;
    }
    leaf_grads("first backward:", &case["grads"], &mut problems);
    let second = &case["second_backward"];
    match (
        try_backward(&roots, &root_grads, false),
        second.get("error"),
    ) {
        (Err(e), Some(want)) if e.message == want.as_str().unwrap() => {}
        (Err(e), Some(want)) => problems.push(format!(
            "second backward:\n    nn-core: {}\n    torch:   {want}",
            e.message
        )),
        (Err(e), None) => problems.push(format!(
            "second backward failed ({}); torch ran it",
            e.message
        )),
        (Ok(()), Some(want)) => problems.push(format!("second backward ran; torch raised {want}")),
        (Ok(()), None) => leaf_grads("second backward:", &second["grads"], &mut problems),
    }
    problems
}

#[test]
fn ops_match_torch() {
    let doc: Value = serde_json::from_str(CASES).expect("ops-cases.json parses");
    let cases = doc["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 300,
        "the reference has {} cases",
        cases.len()
    );
    // The in-place forms report errors by panicking; keep their expected
    // panics out of the test output.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    let mut by_op: BTreeMap<&str, usize> = BTreeMap::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        *by_op.entry(id.split('/').next().unwrap()).or_default() += 1;
        let problems = match catch_unwind(AssertUnwindSafe(|| check_case(case))) {
            Ok(p) => p,
            Err(e) => vec![format!(
                "panicked: {}",
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )],
        };
        if !problems.is_empty() {
            failures.push(format!(
                "{id}  ({})\n  {}",
                case["python"].as_str().unwrap_or(""),
                problems.join("\n  ")
            ));
        }
    }
    std::panic::set_hook(default_hook);
    let summary: Vec<String> = by_op.iter().map(|(op, n)| format!("{op} {n}")).collect();
    println!("{} cases: {}", cases.len(), summary.join(", "));
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from torch:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The text a notebook shows for `x.max(dim)`, and what `grad()` of a
/// non-leaf gives, outside the JSON cases.
#[test]
fn return_types_print_as_torch() {
    let x = tensor![[3.0, 1.0], [2.0, 5.0]].requires_grad_(true);
    let m = x.max_dim(1, false);
    assert_eq!(
        m.to_string(),
        "torch.return_types.max(\nvalues=tensor([3., 5.], grad_fn=<MaxBackward0>),\nindices=tensor([0, 1]))"
    );
    let _guard = NoGradGuard::new();
    assert_eq!(
        x.topk(1, 0).to_string(),
        "torch.return_types.topk(\nvalues=tensor([[3., 5.]]),\nindices=tensor([[0, 1]]))"
    );
}
