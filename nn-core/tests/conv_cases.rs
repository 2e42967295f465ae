//! Replays `tests/reference/conv-cases.json` (torch 2.15's numbers, written
//! by `tools/reference/conv_cases.py`) through nn-core's public API:
//! convolution, pooling, normalisation, embedding and padding — outputs,
//! `grad_fn` names and gradients; error messages; module text, state dict
//! and initial values; batch-norm running statistics; small CNNs end to
//! end; and a CNN trained in PyTorch, loaded from its `.safetensors` file.
//!
//! Inputs are not stored: each case draws them from the generator after
//! `manual_seed(seed)` in the order the generator did, and nn-core's random
//! numbers are torch's bit for bit. Values must match torch bit for bit
//! where the computation is order-independent (pooling, embedding,
//! padding, initial parameters); otherwise within 1e-5 of the tensor's
//! largest magnitude (1e-6 absolute for an all-zero tensor), as in
//! `grad_cases.rs`.

use base64::Engine;
use nn_core::nn::functional::{try_conv1d, try_conv2d};
use nn_core::nn::{IntOrPair, Padding};
use nn_core::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The tests draw from the one default generator: one at a time.
static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn cases() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/conv-cases.json"
    );
    let text = std::fs::read_to_string(path).expect("conv-cases.json is in the repository");
    serde_json::from_str(&text).expect("conv-cases.json parses")
}

// ------------------------------------------------------------ records

/// The values of a record: full (`b64`, `values`) or a summary.
enum Expected {
    Floats(Vec<f64>),
    Ints(Vec<i64>),
    Summary(Value),
}

fn shape_of(rec: &Value) -> Vec<usize> {
    rec["shape"]
        .as_array()
        .expect("a shape")
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

fn expected(rec: &Value) -> Expected {
    if let Some(b64) = rec["b64"].as_str() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("base64");
        if rec["dtype"] == "float64" {
            let v = bytes
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                .collect();
            return Expected::Floats(v);
        }
        let v = bytes
            .chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes(c.try_into().unwrap())))
            .collect();
        return Expected::Floats(v);
    }
    if let Some(values) = rec["values"].as_array() {
        return Expected::Ints(values.iter().map(|v| v.as_i64().unwrap()).collect());
    }
    Expected::Summary(rec["summary"].clone())
}

/// A record's values as a float32 tensor (small records only).
fn tensor_of(rec: &Value) -> Tensor {
    match expected(rec) {
        Expected::Floats(v) => Tensor::from_vec(
            v.into_iter().map(|x| x as f32).collect::<Vec<f32>>(),
            shape_of(rec),
        ),
        _ => panic!("not a small float record"),
    }
}

/// Compares a tensor with a record; `exact` asks for the same bits.
fn check(id: &str, what: &str, got: &Tensor, rec: &Value, exact: bool) -> Result<(), String> {
    let shape = shape_of(rec);
    if got.shape().as_ref() != shape.as_slice() {
        return Err(format!(
            "{id}: {what}: shape {:?}, torch {shape:?}",
            got.shape().to_vec()
        ));
    }
    let close = |g: f64, e: f64, scale: f64| -> bool {
        if exact {
            (g as f32).to_bits() == (e as f32).to_bits() || (g.is_nan() && e.is_nan())
        } else {
            let tol = if scale == 0.0 { 1e-6 } else { 1e-5 * scale };
            (g - e).abs() <= tol || (g.is_nan() && e.is_nan())
        }
    };
    match expected(rec) {
        Expected::Ints(v) => {
            let g = got.to_vec::<i64>();
            if g != v {
                return Err(format!("{id}: {what}: {g:?}\n  torch: {v:?}"));
            }
        }
        Expected::Floats(v) => {
            let g = got.to_vec::<f64>();
            let scale = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let bad: Vec<usize> = (0..v.len())
                .filter(|&i| !close(g[i], v[i], scale))
                .collect();
            if let Some(&i) = bad.first() {
                return Err(format!(
                    "{id}: {what}: {} of {} values differ{}; first at {i}: {} (bits {:08x}), torch {} (bits {:08x})",
                    bad.len(),
                    v.len(),
                    if exact {
                        " (bit-exact expected)"
                    } else {
                        " beyond 1e-5 of the max"
                    },
                    g[i],
                    (g[i] as f32).to_bits(),
                    v[i],
                    (v[i] as f32).to_bits()
                ));
            }
        }
        Expected::Summary(s) => {
            let g = got.to_vec::<f64>();
            let scale = s["max_abs"].as_f64().unwrap();
            for sample in s["samples"].as_array().unwrap() {
                let (i, e) = (
                    sample[0].as_u64().unwrap() as usize,
                    sample[1].as_f64().unwrap(),
                );
                if !close(g[i], e, scale) {
                    return Err(format!("{id}: {what}: value {i} is {}, torch {e}", g[i]));
                }
            }
            let sum: f64 = g.iter().sum();
            let abs_sum: f64 = g.iter().map(|v| v.abs()).sum();
            let (es, ea) = (s["sum"].as_f64().unwrap(), s["abs_sum"].as_f64().unwrap());
            let tol = 1e-5 * ea.max(1e-6);
            if (sum - es).abs() > tol || (abs_sum - ea).abs() > tol {
                return Err(format!(
                    "{id}: {what}: sum {sum} / sum of magnitudes {abs_sum}, torch {es} / {ea}"
                ));
            }
        }
    }
    Ok(())
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

fn pair(v: &Value) -> [usize; 2] {
    match v.as_array() {
        Some(a) => [
            a[0].as_u64().unwrap() as usize,
            a[1].as_u64().unwrap() as usize,
        ],
        None => {
            let n = v.as_u64().unwrap() as usize;
            [n, n]
        }
    }
}

fn padding_of(v: &Value) -> Padding {
    match v {
        Value::String(s) => Padding::from(s.as_str()),
        _ => Padding::Explicit(pair(v)),
    }
}

// ------------------------------------------------------------ inputs

/// The leaf (whose gradient is compared) and the tensor given to the op,
/// drawn as the generator drew them.
fn make_input(spec: &Value) -> (Tensor, Tensor) {
    let shape = usizes(&spec["shape"]);
    let layout = spec["layout"].as_str().unwrap_or("contiguous");
    let stored = match layout {
        "transpose23" => vec![shape[0], shape[1], shape[3], shape[2]],
        "channels_last" => vec![shape[0], shape[2], shape[3], shape[1]],
        "transpose12" => vec![shape[0], shape[2], shape[1]],
        _ => shape.clone(),
    };
    let leaf = match spec["kind"].as_str() {
        Some("randint3") => Tensor::randint(0, 3, &stored).float(),
        _ => Tensor::randn(&stored),
    }
    .requires_grad_(true);
    let x = match layout {
        "transpose23" => leaf.transpose(2, 3),
        "channels_last" => leaf.permute([0, 3, 1, 2]),
        "transpose12" => leaf.transpose(1, 2),
        _ => leaf.clone(),
    };
    (leaf, x)
}

/// Runs one op case: forward, `grad_fn`, `backward(gy)`, gradients.
fn run_op(case: &Value) -> Result<(), String> {
    let id = case["id"].as_str().unwrap();
    let args = &case["args"];
    let exact = case["exact"].as_bool().unwrap();
    manual_seed(case["seed"].as_u64().unwrap());
    let (leaf, x) = make_input(&case["input"]);
    let mut params = Vec::new();
    for p in case["params"].as_array().unwrap() {
        let name = p[0].as_str().unwrap().to_string();
        params.push((name, Tensor::randn(usizes(&p[1])).requires_grad_(true)));
    }
    let param = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, t)| t);
    let mut running = None;
    let (y, indices) = match case["op"].as_str().unwrap() {
        "conv2d" => {
            let y = try_conv2d(
                &x,
                param("weight").unwrap(),
                param("bias"),
                pair(&args["stride"]),
                padding_of(&args["padding"]),
                pair(&args["dilation"]),
                args["groups"].as_u64().unwrap() as usize,
            )
            .map_err(|e| format!("{id}: {e}"))?;
            (y, None)
        }
        "conv1d" => {
            let padding = match &args["padding"] {
                Value::String(s) => Padding::from(s.as_str()),
                v => Padding::from(v.as_u64().unwrap() as usize),
            };
            let y = try_conv1d(
                &x,
                param("weight").unwrap(),
                param("bias"),
                args["stride"].as_u64().unwrap() as usize,
                padding,
                args["dilation"].as_u64().unwrap() as usize,
                args["groups"].as_u64().unwrap() as usize,
            )
            .map_err(|e| format!("{id}: {e}"))?;
            (y, None)
        }
        "max_pool2d" => {
            let (y, i) = F::max_pool2d_with_indices(
                &x,
                pair(&args["kernel_size"]),
                pair(&args["stride"]),
                pair(&args["padding"]),
                pair(&args["dilation"]),
                args["ceil_mode"].as_bool().unwrap(),
            );
            (y, Some(i))
        }
        "avg_pool2d" => (
            F::avg_pool2d(
                &x,
                pair(&args["kernel_size"]),
                pair(&args["stride"]),
                pair(&args["padding"]),
                args["ceil_mode"].as_bool().unwrap(),
                args["count_include_pad"].as_bool().unwrap(),
                args["divisor_override"].as_u64().map(|v| v as usize),
            ),
            None,
        ),
        "adaptive_avg_pool2d" => (F::adaptive_avg_pool2d(&x, pair(&args["output_size"])), None),
        "batch_norm" => {
            let c = x.shape()[1];
            let (rm, rv) = if case.get("running_mean").is_some() {
                // Drawn to keep the generator in step; the values come from the file.
                let _ = (&Tensor::randn([c]) * 0.1, &Tensor::rand([c]) + 0.5);
                (
                    Some(tensor_of(&case["running_mean"])),
                    Some(tensor_of(&case["running_var"])),
                )
            } else {
                (None, None)
            };
            let y = F::batch_norm(
                &x,
                rm.as_ref(),
                rv.as_ref(),
                param("weight"),
                param("bias"),
                args["training"].as_bool().unwrap(),
                args["momentum"].as_f64().unwrap(),
                args["eps"].as_f64().unwrap(),
            );
            running = rm.zip(rv);
            (y, None)
        }
        "layer_norm" => (
            F::layer_norm(
                &x,
                &usizes(&args["normalized_shape"]),
                param("weight"),
                param("bias"),
                args["eps"].as_f64().unwrap(),
            ),
            None,
        ),
        "embedding" => {
            let indices = &args["indices"];
            let flat: Vec<i64> = match indices.as_array() {
                None => vec![indices.as_i64().unwrap()],
                Some(rows) => rows
                    .iter()
                    .flat_map(|r| match r.as_array() {
                        Some(a) => a.iter().map(|v| v.as_i64().unwrap()).collect::<Vec<_>>(),
                        None => vec![r.as_i64().unwrap()],
                    })
                    .collect(),
            };
            let shape: Vec<usize> = match indices.as_array() {
                None => vec![],
                Some(rows) => match rows[0].as_array() {
                    Some(r) => vec![rows.len(), r.len()],
                    None => vec![rows.len()],
                },
            };
            let idx = Tensor::from_vec(flat, shape);
            (
                F::embedding(&idx, param("weight").unwrap(), args["padding_idx"].as_i64()),
                None,
            )
        }
        "dropout2d" => (F::dropout2d(&x, args["p"].as_f64().unwrap(), true), None),
        "pad" => {
            let pad: Vec<i64> = args["pad"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            (F::pad(&x, &pad, args["value"].as_f64().unwrap()), None)
        }
        other => return Err(format!("{id}: unknown op {other}")),
    };
    let name = y.grad_fn().map(|g| g.name());
    if name != case["grad_fn"].as_str() {
        return Err(format!("{id}: grad_fn {name:?}, torch {}", case["grad_fn"]));
    }
    check(id, "output", &y, &case["output"], exact)?;
    if let Some(i) = indices {
        check(id, "indices", &i, &case["indices"], true)?;
    }
    if let Some((rm, rv)) = running {
        check(id, "running_mean", &rm, &case["running_mean_after"], false)?;
        check(id, "running_var", &rv, &case["running_var_after"], false)?;
    }
    let gy = Tensor::randn(y.shape());
    y.backward_with(&gy);
    let grads = &case["grads"];
    match (leaf.grad(), grads["input"].is_null()) {
        (Some(g), false) => check(id, "grad input", &g, &grads["input"], exact)?,
        (None, true) => {}
        (g, _) => {
            return Err(format!(
                "{id}: grad input present: {}, torch: {}",
                g.is_some(),
                !grads["input"].is_null()
            ));
        }
    }
    for (name, t) in &params {
        match t.grad() {
            Some(g) => check(
                id,
                &format!("grad {name}"),
                &g,
                &grads[name.as_str()],
                exact,
            )?,
            None => return Err(format!("{id}: no gradient for {name}")),
        }
    }
    Ok(())
}

/// Runs every case of a section, collecting failures (a panic is one).
fn run_all(section: &str, cases: &[Value], run: impl Fn(&Value) -> Result<(), String>) -> usize {
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"]
            .as_str()
            .or(case["repr"].as_str())
            .unwrap_or("?")
            .to_string();
        match catch_unwind(AssertUnwindSafe(|| run(case))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(e),
            Err(p) => failures.push(format!("{id}: panicked: {}", panic_text(&p))),
        }
    }
    assert!(
        failures.is_empty(),
        "{section}: {} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn ops_match_torch() {
    let _one_at_a_time = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let doc = cases();
    let n = run_all("ops", doc["ops"].as_array().unwrap(), run_op);
    assert!(n > 250, "{n} op cases");
}

// ------------------------------------------------------------ modules

fn int_or_pair(v: &Value) -> IntOrPair {
    match v.as_array() {
        Some(a) => IntOrPair::Pair(
            a[0].as_u64().unwrap() as usize,
            a[1].as_u64().unwrap() as usize,
        ),
        None => IntOrPair::Int(v.as_u64().unwrap() as usize),
    }
}

/// Builds a module from the file's description of torch's constructor call.
fn build(ctor: &Value) -> Box<dyn Module> {
    let args = ctor["args"].as_array().cloned().unwrap_or_default();
    let kw = &ctor["kwargs"];
    let n = |i: usize| args[i].as_u64().unwrap() as usize;
    let flag = |k: &str, default: bool| kw[k].as_bool().unwrap_or(default);
    match ctor["type"].as_str().unwrap() {
        "Conv2d" => {
            let mut c = Conv2dConfig::default();
            if !kw["stride"].is_null() {
                c.stride = pair(&kw["stride"]);
            }
            if !kw["padding"].is_null() {
                c.padding = padding_of(&kw["padding"]);
            }
            if !kw["dilation"].is_null() {
                c.dilation = pair(&kw["dilation"]);
            }
            c.groups = kw["groups"].as_u64().unwrap_or(1) as usize;
            c.bias = flag("bias", true);
            Box::new(Conv2d::with_config(n(0), n(1), int_or_pair(&args[2]), c))
        }
        "Conv1d" => {
            let c = Conv1dConfig {
                stride: kw["stride"].as_u64().unwrap_or(1) as usize,
                padding: match &kw["padding"] {
                    Value::Null => Padding::default(),
                    Value::String(s) => Padding::from(s.as_str()),
                    v => Padding::from(v.as_u64().unwrap() as usize),
                },
                dilation: kw["dilation"].as_u64().unwrap_or(1) as usize,
                groups: kw["groups"].as_u64().unwrap_or(1) as usize,
                bias: flag("bias", true),
            };
            Box::new(Conv1d::with_config(n(0), n(1), n(2), c))
        }
        "MaxPool2d" => {
            let c = MaxPool2dConfig {
                stride: (!kw["stride"].is_null()).then(|| int_or_pair(&kw["stride"])),
                padding: if kw["padding"].is_null() {
                    IntOrPair::Int(0)
                } else {
                    int_or_pair(&kw["padding"])
                },
                dilation: if kw["dilation"].is_null() {
                    IntOrPair::Int(1)
                } else {
                    int_or_pair(&kw["dilation"])
                },
                return_indices: flag("return_indices", false),
                ceil_mode: flag("ceil_mode", false),
            };
            Box::new(MaxPool2d::with_config(int_or_pair(&args[0]), c))
        }
        "AvgPool2d" => {
            let c = AvgPool2dConfig {
                stride: (!kw["stride"].is_null()).then(|| int_or_pair(&kw["stride"])),
                padding: if kw["padding"].is_null() {
                    IntOrPair::Int(0)
                } else {
                    int_or_pair(&kw["padding"])
                },
                ceil_mode: flag("ceil_mode", false),
                count_include_pad: flag("count_include_pad", true),
                divisor_override: kw["divisor_override"].as_u64().map(|v| v as usize),
            };
            Box::new(AvgPool2d::with_config(int_or_pair(&args[0]), c))
        }
        "AdaptiveAvgPool2d" => Box::new(AdaptiveAvgPool2d::new(int_or_pair(&args[0]))),
        t @ ("BatchNorm1d" | "BatchNorm2d") => {
            let c = BatchNormConfig {
                eps: kw["eps"].as_f64().unwrap_or(1e-5),
                momentum: match kw.get("momentum") {
                    Some(Value::Null) => None,
                    Some(v) => v.as_f64(),
                    None => Some(0.1),
                },
                affine: flag("affine", true),
                track_running_stats: flag("track_running_stats", true),
                bias: flag("bias", true),
            };
            if t == "BatchNorm1d" {
                Box::new(BatchNorm1d::with_config(n(0), c))
            } else {
                Box::new(BatchNorm2d::with_config(n(0), c))
            }
        }
        "LayerNorm" => {
            let shape = match args[0].as_array() {
                Some(_) => usizes(&args[0]),
                None => vec![n(0)],
            };
            let c = LayerNormConfig {
                eps: kw["eps"].as_f64().unwrap_or(1e-5),
                elementwise_affine: flag("elementwise_affine", true),
                bias: flag("bias", true),
            };
            Box::new(LayerNorm::with_config(&shape, c))
        }
        "Dropout2d" => Box::new(match args.first() {
            Some(p) => Dropout2d::new(p.as_f64().unwrap()),
            None => Dropout2d::default(),
        }),
        "Embedding" => match kw["padding_idx"].as_i64() {
            Some(p) => Box::new(Embedding::with_padding_idx(n(0), n(1), p)),
            None => Box::new(Embedding::new(n(0), n(1))),
        },
        other => panic!("unknown module {other}"),
    }
}

/// SHA-256 of the values as little-endian float32, as the generator hashes.
fn sha256(t: &Tensor) -> String {
    let bytes: Vec<u8> = t
        .to_vec::<f32>()
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn run_module(case: &Value) -> Result<(), String> {
    let seed = case["seed"].as_u64().unwrap();
    manual_seed(seed);
    let m = build(&case["module"]);
    let id = format!("{} (seed {seed})", case["repr"].as_str().unwrap());
    if m.repr() != case["repr"].as_str().unwrap() {
        return Err(format!("{id}: printed as {}", m.repr()));
    }
    let sd = m.state_dict();
    let keys: Vec<&str> = case["state_dict"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    if sd.keys() != keys {
        return Err(format!(
            "{id}: state_dict keys {:?}, torch {keys:?}",
            sd.keys()
        ));
    }
    for e in case["state_dict"].as_array().unwrap() {
        let t = &sd[e["key"].as_str().unwrap()];
        let key = e["key"].as_str().unwrap();
        if t.shape().to_vec() != usizes(&e["shape"]) {
            return Err(format!("{id}: {key} has shape {:?}", t.shape().to_vec()));
        }
        let dtype = match t.dtype() {
            DType::Float32 => "float32",
            DType::Int64 => "int64",
            d => return Err(format!("{id}: {key} has dtype {d:?}")),
        };
        if dtype != e["dtype"] {
            return Err(format!("{id}: {key} is {dtype}, torch {}", e["dtype"]));
        }
        if sha256(t) != e["sha256"].as_str().unwrap() {
            let first: Vec<f32> = t.to_vec::<f32>().into_iter().take(4).collect();
            return Err(format!(
                "{id}: {key} differs from torch's bits; first values {first:?}, torch {}",
                e["first"]
            ));
        }
    }
    let names = |v: Vec<(String, Tensor)>| v.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
    let expect = |k: &str| {
        case[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    if names(m.named_parameters()) != expect("parameters")
        || names(m.named_buffers()) != expect("buffers")
    {
        return Err(format!(
            "{id}: parameters {:?} / buffers {:?}",
            names(m.named_parameters()),
            names(m.named_buffers())
        ));
    }
    let next = Tensor::rand([1]).item();
    if next as f32 != case["next_rand"].as_f64().unwrap() as f32 {
        return Err(format!(
            "{id}: the generator's next draw is {next}, torch {} (a different number of draws)",
            case["next_rand"]
        ));
    }
    Ok(())
}

#[test]
fn modules_print_and_initialise_as_torch() {
    let _one_at_a_time = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let doc = cases();
    let cases: Vec<Value> = doc["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c["id"] = c["repr"].clone();
            c
        })
        .collect();
    run_all("modules", &cases, run_module);
}

// ------------------------------------------------------------ errors

fn zeros(v: &Value) -> Tensor {
    Tensor::zeros(usizes(v))
}

fn run_error(case: &Value) -> Result<(), String> {
    let id = case["id"].as_str().unwrap();
    let want = case["message"].as_str().unwrap();
    let got: Result<(), String> = match case["kind"].as_str().unwrap() {
        kind @ ("conv2d" | "conv1d") => {
            let args = &case["args"];
            let (x, w) = (zeros(&case["input"]), zeros(&case["weight"]));
            let b = (!case["bias"].is_null()).then(|| zeros(&case["bias"]));
            let int = |k: &str, d: i64| args[k].as_i64().unwrap_or(d);
            if int("padding", 0) < 0 {
                // A negative padding is not representable (usize).
                return Ok(());
            }
            let padding = match &args["padding"] {
                Value::String(s) => Padding::from(s.as_str()),
                Value::Null => Padding::default(),
                v => Padding::from(v.as_u64().unwrap() as usize),
            };
            let (s, d) = (int("stride", 1) as usize, int("dilation", 1) as usize);
            let r = if kind == "conv2d" {
                try_conv2d(
                    &x,
                    &w,
                    b.as_ref(),
                    [s, s],
                    padding,
                    [d, d],
                    1.max(int("groups", 1) as usize),
                )
            } else {
                try_conv1d(&x, &w, b.as_ref(), s, padding, d, int("groups", 1) as usize)
            };
            r.map(|_| ()).map_err(|e| e.to_string())
        }
        "module" => {
            let input = if case["dtype"] == "int64" {
                Tensor::zeros(usizes(&case["input"])).long()
            } else {
                zeros(&case["input"])
            };
            catch_unwind(AssertUnwindSafe(|| {
                build(&case["module"]).forward(&input);
            }))
            .map_err(|p| panic_text(&p))
        }
        "constructor" => catch_unwind(AssertUnwindSafe(|| {
            build(&case["module"]);
        }))
        .map_err(|p| panic_text(&p)),
        "embedding" => {
            let idx = Tensor::from_vec(
                case["indices"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_i64().unwrap())
                    .collect::<Vec<_>>(),
                [1],
            );
            let w = Tensor::zeros([
                case["num"].as_u64().unwrap() as usize,
                case["dim"].as_u64().unwrap() as usize,
            ]);
            catch_unwind(AssertUnwindSafe(|| {
                F::embedding(&idx, &w, None);
            }))
            .map_err(|p| panic_text(&p))
        }
        "embedding_float" => catch_unwind(AssertUnwindSafe(|| {
            F::embedding(&tensor![1.0], &Tensor::zeros([10, 3]), None);
        }))
        .map_err(|p| panic_text(&p)),
        other => return Err(format!("{id}: unknown kind {other}")),
    };
    match got {
        Ok(()) => Err(format!("{id}: no error; torch: {want}")),
        Err(m) if m == want => Ok(()),
        Err(m) => Err(format!("{id}:\n  ours:  {m}\n  torch: {want}")),
    }
}

#[test]
fn errors_read_as_torch() {
    let _one_at_a_time = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let doc = cases();
    run_all("errors", doc["errors"].as_array().unwrap(), run_error);
}

// ------------------------------------------------------------ batch norm

fn run_batch_norm(run: &Value) -> Result<(), String> {
    let id = run["id"].as_str().unwrap();
    manual_seed(run["seed"].as_u64().unwrap());
    let m = build(&run["module"]);
    let weight = m.own_parameters().first().map(|(_, p)| p.clone());
    for p in m.parameters() {
        let is_weight = weight.as_ref().is_some_and(|w| w.is_same(&p));
        let v = &(&Tensor::randn(p.shape()) * 0.1) + if is_weight { 1.0 } else { 0.0 };
        no_grad(|| p.copy_(&v));
    }
    let shape = usizes(&run["shape"]);
    let mut steps: Vec<(String, &Value)> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("{id} step {i}"), s))
        .collect();
    steps.push((format!("{id} eval"), &run["eval"]));
    let last = steps.len() - 1;
    for (i, (sid, step)) in steps.into_iter().enumerate() {
        if i == last {
            m.eval();
        }
        let x = Tensor::randn(&shape).requires_grad_(true);
        let y = m.forward(&x);
        let gy = Tensor::randn(y.shape());
        m.zero_grad();
        y.backward_with(&gy);
        let name = y.grad_fn().map(|g| g.name());
        if name != step["grad_fn"].as_str() {
            return Err(format!(
                "{sid}: grad_fn {name:?}, torch {}",
                step["grad_fn"]
            ));
        }
        check(&sid, "output", &y, &step["output"], false)?;
        check(
            &sid,
            "grad input",
            &x.grad().unwrap(),
            &step["grad_input"],
            false,
        )?;
        for (n, p) in m.named_parameters() {
            check(
                &sid,
                &format!("grad {n}"),
                &p.grad().unwrap(),
                &step["grads"][n.as_str()],
                false,
            )?;
        }
        for (n, b) in m.named_buffers() {
            check(
                &sid,
                &n,
                &b,
                &step["buffers"][n.as_str()],
                n == "num_batches_tracked",
            )?;
        }
    }
    Ok(())
}

#[test]
fn batch_norm_running_statistics_match_torch() {
    let _one_at_a_time = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let doc = cases();
    run_all(
        "batch_norm_runs",
        doc["batch_norm_runs"].as_array().unwrap(),
        run_batch_norm,
    );
}

// ------------------------------------------------------------ networks

fn network(name: &str) -> Sequential {
    match name {
        "digits_cnn" => sequential![
            Conv2d::new(1, 8, 3).padding(1),
            ReLU::new(),
            MaxPool2d::new(2),
            Conv2d::new(8, 16, 3).padding(1),
            ReLU::new(),
            MaxPool2d::new(2),
            Flatten::new(),
            Linear::new(64, 10)
        ],
        "bn_cnn" => sequential![
            Conv2d::new(1, 8, 3).padding(1),
            BatchNorm2d::new(8),
            ReLU::new(),
            MaxPool2d::new(2),
            Conv2d::new(8, 16, 3).padding(1),
            BatchNorm2d::new(16),
            ReLU::new(),
            AvgPool2d::new(2),
            Flatten::new(),
            Dropout::new(0.0),
            Linear::new(64, 10)
        ],
        "lenet" => sequential![
            Conv2d::new(1, 6, 5).padding(2),
            ReLU::new(),
            MaxPool2d::new(2),
            Conv2d::new(6, 16, 5),
            ReLU::new(),
            MaxPool2d::new(2),
            Flatten::new(),
            Linear::new(400, 120),
            ReLU::new(),
            Linear::new(120, 84),
            ReLU::new(),
            Linear::new(84, 10)
        ],
        other => panic!("unknown network {other}"),
    }
}

fn close_scalar(id: &str, what: &str, got: f64, want: f64) -> Result<(), String> {
    if (got - want).abs() > 1e-5 * want.abs().max(1e-6) {
        return Err(format!("{id}: {what} {got}, torch {want}"));
    }
    Ok(())
}

fn run_network(case: &Value) -> Result<(), String> {
    let id = case["id"].as_str().unwrap();
    manual_seed(0);
    let net = network(id);
    if net.repr() != case["repr"].as_str().unwrap() {
        return Err(format!(
            "{id}: printed as\n{}\ntorch:\n{}",
            net.repr(),
            case["repr"].as_str().unwrap()
        ));
    }
    for (n, p) in net.named_parameters() {
        if sha256(&p) != case["init_sha256"][n.as_str()].as_str().unwrap() {
            return Err(format!("{id}: {n} is not initialised as torch's"));
        }
    }
    let input = usizes(&case["input"]);
    let x = Tensor::randn(&input);
    let target = Tensor::randint(0, 10, [input[0]]);
    let loss_fn = CrossEntropyLoss::new();
    let mut opt = SGD::new(net.parameters(), 0.05);
    let out = net.forward(&x);
    let loss = loss_fn.forward(&out, &target);
    opt.zero_grad();
    loss.backward();
    check(id, "output", &out, &case["output"], false)?;
    let losses: Vec<f64> = case["losses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    close_scalar(id, "loss", loss.item(), case["loss"].as_f64().unwrap())?;
    for (n, p) in net.named_parameters() {
        let g = p.grad().unwrap();
        if id == "bn_cnn" && (n == "0.bias" || n == "4.bias") {
            // A bias right before BatchNorm has a zero gradient (the
            // normalisation removes any constant): both libraries give
            // rounding noise there, which no relative tolerance compares.
            let largest = g.abs().max().item();
            if largest > 1e-6 {
                return Err(format!("{id}: grad {n} should be ~0, has {largest}"));
            }
            continue;
        }
        check(
            id,
            &format!("grad {n}"),
            &g,
            &case["grads"][n.as_str()],
            false,
        )?;
    }
    opt.step();
    for (step, want) in losses.iter().enumerate().skip(1) {
        let loss = loss_fn.forward(&net.forward(&x), &target);
        opt.zero_grad();
        loss.backward();
        opt.step();
        close_scalar(id, &format!("loss at step {step}"), loss.item(), *want)?;
    }
    Ok(())
}

#[test]
fn small_cnns_train_as_in_torch() {
    let _one_at_a_time = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let doc = cases();
    run_all("networks", doc["networks"].as_array().unwrap(), run_network);
}

#[test]
fn a_cnn_trained_in_torch_loads_from_safetensors() {
    let _one_at_a_time = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let doc = cases();
    let case = &doc["safetensors"];
    let path = format!(
        "{}/tests/reference/{}",
        env!("CARGO_MANIFEST_DIR"),
        case["file"].as_str().unwrap()
    );
    let sd = StateDict::load_safetensors(&path).unwrap();
    let net = network("bn_cnn");
    assert_eq!(net.repr(), case["repr"].as_str().unwrap());
    let keys: Vec<&str> = case["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(net.state_dict().keys(), keys);
    net.load_state_dict(&sd);
    assert_eq!(net.state_dict()["1.num_batches_tracked"].item(), 5.0);
    manual_seed(case["seed"].as_u64().unwrap());
    let x = Tensor::randn(usizes(&case["input"]));
    net.eval();
    let y = no_grad(|| net.forward(&x));
    check(
        "safetensors",
        "eval output",
        &y,
        &case["eval_output"],
        false,
    )
    .unwrap();
    net.train();
    let y = no_grad(|| net.forward(&x));
    check(
        "safetensors",
        "train output",
        &y,
        &case["train_output"],
        false,
    )
    .unwrap();
    // And back: our state dict is the file's.
    let back = net.state_dict();
    assert_eq!(
        back["4.weight"].to_vec::<f32>(),
        sd["4.weight"].to_vec::<f32>()
    );
}
