//! `state_dict()` files: the `.safetensors` bytes checked against the format's
//! specification, and a round trip through Python's `safetensors` package
//! (and torch's `load_state_dict`, when torch is installed).
//!
//! The Python round trip is skipped, with a message, when `python3` or its
//! `safetensors` package is missing.

use nn_core::prelude::*;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// The regression net of the course, with seed-0 weights.
fn regression_net() -> Sequential {
    manual_seed(0);
    sequential![Linear::new(1, 10), ReLU::new(), Linear::new(10, 1)]
}

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("nn_core_{}_{name}", std::process::id()))
}

/// The safetensors layout: `u64` little-endian header size N, N bytes of
/// UTF-8 JSON (an object: tensor name → {dtype, shape, data_offsets}, plus an
/// optional `__metadata__`), then the byte buffer, which the offsets cover
/// exactly, without gaps, each tensor row-major little-endian.
#[test]
fn safetensors_bytes_follow_the_spec() {
    let net = regression_net();
    let mut sd = net.state_dict();
    sd.insert("step", tensor![7, -1]);
    sd.insert("mask", tensor![true, false, true]);
    sd.insert("scale", Tensor::from_vec(vec![0.5f64], [1]));
    let bytes = sd.to_safetensors();

    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    assert_eq!(n % 8, 0, "the header is padded to a multiple of 8 bytes");
    let header_text = std::str::from_utf8(&bytes[8..8 + n]).expect("UTF-8 header");
    assert!(header_text.starts_with('{'), "the header starts with '{{'");
    let header: Value =
        serde_json::from_str(header_text.trim_end_matches(' ')).expect("JSON header");
    let buffer = &bytes[8 + n..];

    let mut spans = Vec::new();
    for (key, t) in sd.iter() {
        let info = &header[key];
        let (dtype, size) = match t.dtype() {
            DType::Float32 => ("F32", 4),
            DType::Float64 => ("F64", 8),
            DType::Int64 => ("I64", 8),
            DType::Bool => ("BOOL", 1),
        };
        assert_eq!(info["dtype"], dtype, "{key}: dtype");
        let shape: Vec<usize> = info["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(shape, t.shape().to_vec(), "{key}: shape");
        let offsets = info["data_offsets"].as_array().unwrap();
        let (begin, end) = (
            offsets[0].as_u64().unwrap() as usize,
            offsets[1].as_u64().unwrap() as usize,
        );
        assert_eq!(end - begin, t.numel() * size, "{key}: byte count");
        let data = &buffer[begin..end];
        let expected: Vec<u8> = match t.dtype() {
            DType::Float32 => t
                .to_vec::<f32>()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            DType::Float64 => t
                .to_vec::<f64>()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            DType::Int64 => t
                .to_vec::<i64>()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            DType::Bool => t.to_vec::<bool>().iter().map(|&v| u8::from(v)).collect(),
        };
        assert_eq!(data, &expected[..], "{key}: little-endian row-major values");
        spans.push((begin, end));
    }
    assert_eq!(
        header
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "__metadata__")
            .count(),
        sd.len()
    );
    spans.sort();
    let mut at = 0;
    for (begin, end) in spans {
        assert_eq!(begin, at, "the byte buffer has no gap or overlap");
        at = end;
    }
    assert_eq!(at, buffer.len(), "the offsets cover the whole byte buffer");

    let back = StateDict::from_safetensors(&bytes).unwrap();
    assert_eq!(back.len(), sd.len());
    for (key, t) in sd.iter() {
        assert_eq!(back[key].dtype(), t.dtype(), "{key}");
        assert_eq!(back[key].shape(), t.shape(), "{key}");
        assert_eq!(back[key].to_vec::<f64>(), t.to_vec::<f64>(), "{key}");
    }
}

#[test]
fn files_round_trip_into_another_model() {
    let net = regression_net();
    for format in ["json", "safetensors"] {
        let path = temp_file(&format!("model.{format}"));
        let other = sequential![Linear::new(1, 10), ReLU::new(), Linear::new(10, 1)];
        if format == "json" {
            net.state_dict().save_json(&path).unwrap();
            other.load_state_dict(&StateDict::load_json(&path).unwrap());
        } else {
            net.state_dict().save_safetensors(&path).unwrap();
            other.load_state_dict(&StateDict::load_safetensors(&path).unwrap());
        }
        std::fs::remove_file(&path).unwrap();
        let x = Tensor::linspace(-1.0, 1.0, 7).unsqueeze(1);
        let (a, b) = (
            net.forward(&x).to_vec::<f32>(),
            other.forward(&x).to_vec::<f32>(),
        );
        assert_eq!(a, b, "{format}: the loaded model computes the same");
    }
}

#[test]
fn load_state_dict_reports_like_torch() {
    let net = regression_net();
    let mut sd = net.state_dict();
    sd.remove("0.bias");
    sd.insert("3.weight", Tensor::zeros([1]));
    let err = net.try_load_state_dict(&sd, true).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: \"0.bias\". \n\tUnexpected key(s) in state_dict: \"3.weight\". "
    );
    let keys = net.try_load_state_dict(&sd, false).unwrap();
    assert_eq!(
        keys.to_string(),
        "_IncompatibleKeys(missing_keys=['0.bias'], unexpected_keys=['3.weight'])"
    );
}

/// Runs `python3 -c script args…`; `None` (the reason printed) when Python or
/// the script's imports are missing.
fn python(script: &str, args: &[&str]) -> Option<String> {
    let out = match Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            println!("skipped: python3 not runnable ({e})");
            return None;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if let Some(missing) = stdout.lines().find_map(|l| l.strip_prefix("SKIP ")) {
        println!("skipped: {missing}");
        return None;
    }
    assert!(out.status.success(), "python failed:\n{stdout}\n{stderr}");
    Some(stdout)
}

/// The file we write is read by Python's `safetensors`; with torch there,
/// `nn.Sequential(...).load_state_dict(safetensors.torch.load_file(path))`
/// takes it unchanged and computes our outputs. Python then writes a file
/// back, which we read.
#[test]
fn python_safetensors_round_trip() {
    let net = regression_net();
    let ours = temp_file("ours.safetensors");
    let theirs = temp_file("theirs.safetensors");
    net.state_dict().save_safetensors(&ours).unwrap();
    let x = Tensor::linspace(-1.0, 1.0, 5).unsqueeze(1);
    let want_y: Vec<String> = net
        .forward(&x)
        .to_vec::<f32>()
        .iter()
        .map(|v| format!("{:08x}", v.to_bits()))
        .collect();
    let script = r#"
import sys, json
try:
    import numpy as np
    from safetensors.numpy import load_file, save_file
except ImportError as e:
    print("SKIP Python safetensors/numpy not installed (" + str(e) + "); pip install safetensors numpy")
    sys.exit(0)
ours, theirs, expect = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sd = load_file(ours)
report = {k: [str(v.dtype), list(v.shape), [format(b, "08x") for b in v.view(np.uint32).ravel().tolist()]] for k, v in sd.items()}
try:
    import torch, torch.nn as nn
    from safetensors.torch import load_file as torch_load
    net = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1))
    print("TORCH_LOAD", net.load_state_dict(torch_load(ours)))
    x = torch.linspace(-1, 1, 5).unsqueeze(1)
    same = all(np.array_equal(p.detach().numpy().view(np.uint32), sd[k].view(np.uint32)) for k, p in net.state_dict().items())
    print("TORCH_PARAMS", same)
    y = net(x).detach().numpy().astype(np.float32).ravel()
    want = np.array([int(h, 16) for h in expect], dtype=np.uint32).view(np.float32)
    print("TORCH_Y", bool(np.all(np.abs(y - want) <= 1e-6 * np.maximum(1.0, np.abs(want)))))
except ImportError:
    print("torch not installed: checked with safetensors.numpy only")
save_file({"w": np.arange(6, dtype=np.float32).reshape(2, 3) / 7, "n": np.array([3, -4], dtype=np.int64), "b": np.array([True, False])}, theirs)
print("REPORT " + json.dumps(report))
"#;
    let expect = serde_json::to_string(&want_y).unwrap();
    let Some(out) = python(
        script,
        &[ours.to_str().unwrap(), theirs.to_str().unwrap(), &expect],
    ) else {
        let _ = std::fs::remove_file(&ours);
        return;
    };
    print!("{out}");
    if out.contains("TORCH_LOAD") {
        assert!(
            out.contains("TORCH_LOAD <All keys matched successfully>"),
            "torch's load_state_dict: {out}"
        );
        assert!(
            out.contains("TORCH_PARAMS True"),
            "torch's parameters are ours bit for bit: {out}"
        );
        // MKL sums the 10-input output layer in its own order (rng.md §8).
        assert!(
            out.contains("TORCH_Y True"),
            "torch computes our outputs (within 1e-6) from the loaded file: {out}"
        );
    }
    let report: Value =
        serde_json::from_str(out.lines().find_map(|l| l.strip_prefix("REPORT ")).unwrap()).unwrap();
    for (key, t) in net.state_dict().iter() {
        let r = &report[key];
        assert_eq!(r[0], "float32", "{key}");
        let shape: Vec<usize> = r[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(shape, t.shape().to_vec(), "{key}");
        let bits: Vec<String> = t
            .to_vec::<f32>()
            .iter()
            .map(|v| format!("{:08x}", v.to_bits()))
            .collect();
        assert_eq!(
            r[2],
            serde_json::to_value(&bits).unwrap(),
            "{key}: Python reads our bits"
        );
    }
    let back = StateDict::load_safetensors(&theirs).unwrap();
    let w: Vec<f32> = (0..6).map(|i| i as f32 / 7.0).collect();
    assert_eq!(back["w"].shape(), [2, 3]);
    assert_eq!(back["w"].to_vec::<f32>(), w);
    assert_eq!(back["n"].to_vec::<i64>(), vec![3, -4]);
    assert_eq!(back["b"].to_vec::<bool>(), vec![true, false]);
    std::fs::remove_file(&ours).unwrap();
    std::fs::remove_file(&theirs).unwrap();
    println!(
        "Python safetensors round trip: {} tensors read by Python bit for bit, 3 read back",
        report.as_object().unwrap().len()
    );
}
