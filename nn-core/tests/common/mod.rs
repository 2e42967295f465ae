//! Shared helpers for the reference tests: finding `../shared`, turning
//! JSON tensor records into tensors, and readable diffs.
#![allow(dead_code)]

use nn_core::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

/// `shared/pytorch-reference/<name>` beside the repository, as CI lays it out.
pub fn reference_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/pytorch-reference")
        .join(name)
}

/// The parsed reference file, or `None` (with a message saying the test is
/// skipped) when the reference folder is not there.
pub fn load_json(name: &str) -> Option<Value> {
    let path = reference_path(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("reference JSON parses")),
        Err(_) => {
            println!(
                "skipped: {} not found (the reference files live in ../shared beside the repository)",
                path.display()
            );
            None
        }
    }
}

/// A tensor record: dtype, shape, values (strings or numbers) and bits.
#[derive(Clone, Debug)]
pub struct Record {
    pub dtype: String,
    pub shape: Vec<usize>,
    pub values: Vec<Value>,
    pub bits: Vec<String>,
}

impl Record {
    pub fn from_json(v: &Value) -> Record {
        let strings = |key: &str| -> Vec<String> {
            v[key]
                .as_array()
                .map(|a| a.iter().map(|b| b.as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        };
        Record {
            dtype: v["dtype"]
                .as_str()
                .unwrap_or("float32")
                .trim_start_matches("torch.")
                .to_string(),
            shape: v["shape"]
                .as_array()
                .map(|a| a.iter().map(|d| d.as_u64().unwrap() as usize).collect())
                .unwrap_or_default(),
            values: v["values"].as_array().cloned().unwrap_or_default(),
            bits: strings("bits"),
        }
    }
}

/// One `print-cases.json` tensor case.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub expr: String,
    pub dtype: String,
    pub record: Record,
    pub requires_grad: bool,
    pub grad_fn: Option<String>,
    pub is_parameter: bool,
    pub repr: String,
    pub printoptions: Option<PrintOptions>,
}

impl Case {
    pub fn from_json(v: &Value) -> Case {
        let printoptions = v.get("printoptions").filter(|p| p.is_object()).map(|p| {
            let mut o = PrintOptions::default();
            if let Some(x) = p["precision"].as_u64() {
                o.precision = x as usize;
            }
            if let Some(x) = p["threshold"].as_u64() {
                o.threshold = x as usize;
            }
            if let Some(x) = p["edgeitems"].as_u64() {
                o.edgeitems = x as usize;
            }
            if let Some(x) = p["linewidth"].as_u64() {
                o.linewidth = x as usize;
            }
            if let Some(x) = p["sci_mode"].as_bool() {
                o.sci_mode = Some(x);
            }
            o
        });
        let record = Record::from_json(v);
        Case {
            id: v["id"].as_str().unwrap().to_string(),
            expr: v["expr"].as_str().unwrap_or("").to_string(),
            dtype: record.dtype.clone(),
            record,
            requires_grad: v["requires_grad"].as_bool().unwrap_or(false),
            grad_fn: v["grad_fn"].as_str().map(str::to_string),
            is_parameter: v["is_parameter"].as_bool().unwrap_or(false),
            repr: v["repr"].as_str().unwrap().to_string(),
            printoptions,
        }
    }
}

fn parse_float(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            s => s.parse().unwrap(),
        },
        Value::Number(n) => n.as_f64().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

/// The tensor a record describes, or `None` for dtypes nn-core does not store.
pub fn tensor_from_record(r: &Record) -> Option<Tensor> {
    let n: usize = r.shape.iter().product();
    Some(match r.dtype.as_str() {
        "float32" => {
            let v: Vec<f32> = if r.bits.len() == n {
                r.bits
                    .iter()
                    .map(|b| f32::from_bits(u32::from_str_radix(b, 16).unwrap()))
                    .collect()
            } else {
                r.values.iter().map(|v| parse_float(v) as f32).collect()
            };
            Tensor::from_vec(v, &r.shape)
        }
        "float64" => {
            let v: Vec<f64> = if r.bits.len() == n {
                r.bits
                    .iter()
                    .map(|b| f64::from_bits(u64::from_str_radix(b, 16).unwrap()))
                    .collect()
            } else {
                r.values.iter().map(parse_float).collect()
            };
            Tensor::from_vec(v, &r.shape)
        }
        "int64" => {
            let v: Vec<i64> = r
                .values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.parse().unwrap(),
                    v => v.as_i64().unwrap(),
                })
                .collect();
            Tensor::from_vec(v, &r.shape)
        }
        "bool" => {
            let v: Vec<bool> = r
                .values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s == "True" || s == "true",
                    v => v.as_bool().unwrap(),
                })
                .collect();
            Tensor::from_vec(v, &r.shape)
        }
        _ => return None,
    })
}

/// The bit patterns of a float tensor in the record's notation, if comparable.
pub fn bits_of(t: &Tensor, r: &Record) -> Option<Vec<String>> {
    if r.bits.is_empty() {
        return None;
    }
    match t.dtype() {
        DType::Float32 => Some(
            t.to_vec::<f32>()
                .iter()
                .map(|v| format!("{:08x}", v.to_bits()))
                .collect(),
        ),
        DType::Float64 => Some(
            t.to_vec::<f64>()
                .iter()
                .map(|v| format!("{:016x}", v.to_bits()))
                .collect(),
        ),
        _ => None,
    }
}

/// A line-by-line diff of expected and actual text, marking the first
/// differing column.
pub fn diff(expected: &str, got: &str) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let mut out = String::new();
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (e.get(i).copied(), g.get(i).copied());
        if a == b {
            out.push_str(&format!("    {}\n", a.unwrap_or("")));
            continue;
        }
        out.push_str(&format!("  - {}\n", a.unwrap_or("<missing line>")));
        out.push_str(&format!("  + {}\n", b.unwrap_or("<missing line>")));
        if let (Some(a), Some(b)) = (a, b) {
            let col = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
            out.push_str(&format!(
                "    {}^ first difference at column {}\n",
                " ".repeat(col),
                col + 1
            ));
        }
    }
    out
}

/// Serializes tests that seed the global generator (tests in one binary run
/// on parallel threads and would otherwise interleave their draws).
pub fn rng_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}
