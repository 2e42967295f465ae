//! Replays `tests/reference/train-cases.json` (made by
//! `tools/reference/train_cases.py` with torch 2.15): `nn::init` under
//! seeds, dropout masks, SGD/Adam/AdamW with weight decay, the learning-rate
//! schedulers, gradient clipping, and the containers' printed text, keys and
//! modes, with custom models built on them.
//!
//! Random fills, masks, clamps and learning rates must match torch bit for
//! bit; norms and linear layers (whose sums torch orders its own way) within
//! 1e-5 of the tensor's largest magnitude, as `grad_cases.rs`. Optimizer
//! steps are compared bit for bit and allowed 1e-6: torch's float32
//! `Tensor.sqrt` (Adam's denominator) runs Intel MKL's vsSqrt, which is not
//! always correctly rounded (sqrt(0x3ca23b..) of case
//! `optim/AdamW/lr=1,weight_decay=0.5/1` step 3 is 0x3e101a22 in torch, the
//! correctly rounded 0x3e101a23 here). Every failure names its case id and
//! shows torch's numbers beside ours.
//!
//! Numbers in the JSON that must be exact are read from their Python repr
//! (Rust's parser rounds correctly; serde_json's default one may not).

use nn_core::nn::init;
use nn_core::nn::utils::{clip_grad_norm_, clip_grad_norm_with, clip_grad_value_};
use nn_core::optim::lr_scheduler::{
    CosineAnnealingLR, ExponentialLR, LRScheduler, MultiStepLR, StepLR,
};
use nn_core::prelude::*;
use nn_core::tensor::Slice;
use serde_json::Value;
use std::panic::{AssertUnwindSafe, catch_unwind};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/train-cases.json"
);

/// The default generator is one per process and the tests run on several
/// threads: each test holds this lock so that no other test draws between
/// its `manual_seed` and its draws.
static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lock_generator() -> std::sync::MutexGuard<'static, ()> {
    GENERATOR.lock().unwrap_or_else(|e| e.into_inner())
}

fn doc() -> Value {
    let text = std::fs::read_to_string(CASES)
        .unwrap_or_else(|e| panic!("{CASES}: {e} (run tools/reference/train_cases.py)"));
    serde_json::from_str(&text).expect("valid JSON")
}

fn cases<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    let found: Vec<&Value> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .collect();
    assert!(!found.is_empty(), "no case of kind {kind}");
    found
}

fn id(case: &Value) -> &str {
    case["id"].as_str().unwrap()
}

/// A float32 TENSOR RECORD.
fn record(r: &Value) -> Tensor {
    let shape: Vec<usize> = r["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let values: Vec<f32> = r["bits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| f32::from_bits(u32::from_str_radix(h.as_str().unwrap(), 16).unwrap()))
        .collect();
    Tensor::from_vec(values, shape)
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The message a call panics with.
fn panic_message(f: impl FnOnce()) -> String {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(prev);
    match result {
        Ok(()) => "(no panic)".into(),
        Err(e) => e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    }
}

/// torch's `"ValueError: message"` as the message nn-core panics with (the
/// exception's name is not part of it, except for `KeyError`, whose bare
/// message is only the key).
fn torch_message(error: &str) -> String {
    if error.starts_with("KeyError: ") {
        return error.to_string();
    }
    error.split_once(": ").map_or(error, |(_, m)| m).to_string()
}

/// Tensor comparisons: bit for bit, or (where `tolerance` > 0) within
/// `tolerance` of the reference's largest magnitude.
struct Tally {
    exact: usize,
    total: usize,
    worst: f64,
    /// What matched within tolerance only.
    near: Vec<String>,
    failures: Vec<String>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            exact: 0,
            total: 0,
            worst: 0.0,
            near: Vec::new(),
            failures: Vec::new(),
        }
    }

    fn check(&mut self, what: &str, got: &Tensor, want: &Tensor, tolerance: f64) {
        self.total += 1;
        if got.shape() != want.shape() {
            self.failures.push(format!(
                "{what}: shape {:?}, torch {:?}",
                got.shape(),
                want.shape()
            ));
            return;
        }
        let (g, w) = (got.to_vec::<f32>(), want.to_vec::<f32>());
        if g.iter().zip(&w).all(|(a, b)| a.to_bits() == b.to_bits()) {
            self.exact += 1;
            return;
        }
        let scale = w.iter().fold(0f64, |m, v| m.max(f64::from(v.abs())));
        let diff = g
            .iter()
            .zip(&w)
            .fold(0f64, |m, (a, b)| m.max(f64::from((a - b).abs())));
        let rel = if scale == 0.0 { diff } else { diff / scale };
        self.worst = self.worst.max(rel);
        if tolerance > 0.0 && rel <= tolerance {
            self.near.push(format!("{what} ({rel:.1e})"));
        } else {
            let first = g
                .iter()
                .zip(&w)
                .position(|(a, b)| a.to_bits() != b.to_bits())
                .unwrap();
            self.failures.push(format!(
                "{what}: element {first} is {:?} ({:08x}), torch {:?} ({:08x}); largest relative difference {rel:e}\n  ours  {g:?}\n  torch {w:?}",
                g[first],
                g[first].to_bits(),
                w[first],
                w[first].to_bits()
            ));
        }
    }

    fn text(&mut self, what: &str, got: &str, want: &str) {
        self.total += 1;
        if got == want {
            self.exact += 1;
        } else {
            self.failures
                .push(format!("{what}:\n--- torch\n{want}\n--- ours\n{got}"));
        }
    }

    fn report(&self, label: &str) {
        println!(
            "{label}: {} compared, {} exact, worst relative difference {:e}",
            self.total, self.exact, self.worst
        );
        if !self.near.is_empty() {
            println!("  within tolerance only: {}", self.near.join(", "));
        }
        assert!(
            self.failures.is_empty(),
            "{label}: {} differ from torch:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

// ------------------------------------------------------------------ init

fn kwarg(case: &Value, key: &str, default: f64) -> f64 {
    case["kwargs"][key].as_f64().unwrap_or(default)
}

fn kwarg_str<'a>(case: &'a Value, key: &str, default: &'a str) -> &'a str {
    case["kwargs"][key].as_str().unwrap_or(default)
}

/// `nn.init.<fn>(w, **kwargs)` with torch's defaults.
fn run_init(case: &Value, w: &Tensor) {
    let f = case["fn"].as_str().unwrap();
    match f {
        "kaiming_uniform_" | "kaiming_normal_" => {
            let (a, mode, nl) = (
                kwarg(case, "a", 0.0),
                kwarg_str(case, "mode", "fan_in"),
                kwarg_str(case, "nonlinearity", "leaky_relu"),
            );
            if f == "kaiming_uniform_" {
                init::kaiming_uniform_(w, a, mode, nl);
            } else {
                init::kaiming_normal_(w, a, mode, nl);
            }
        }
        "xavier_uniform_" => {
            init::xavier_uniform_(w, kwarg(case, "gain", 1.0));
        }
        "xavier_normal_" => {
            init::xavier_normal_(w, kwarg(case, "gain", 1.0));
        }
        "uniform_" => {
            init::uniform_(w, kwarg(case, "a", 0.0), kwarg(case, "b", 1.0));
        }
        "normal_" => {
            init::normal_(w, kwarg(case, "mean", 0.0), kwarg(case, "std", 1.0));
        }
        "constant_" => {
            init::constant_(w, kwarg(case, "val", f64::NAN));
        }
        "zeros_" => {
            init::zeros_(w);
        }
        "ones_" => {
            init::ones_(w);
        }
        other => panic!("init function {other} is not in this test"),
    }
}

#[test]
fn init_matches_torch_bit_for_bit() {
    let _generator = lock_generator();
    let doc = doc();
    let mut tally = Tally::new();
    for case in cases(&doc, "init") {
        let id = id(case);
        manual_seed(case["seed"].as_u64().unwrap());
        let before: Vec<Linear> = case["before"]
            .as_array()
            .unwrap()
            .iter()
            .map(|io| {
                let io = usizes(io);
                Linear::new(io[0], io[1])
            })
            .collect();
        let w = match before.first() {
            Some(lin) => lin.weight(),
            None => Tensor::zeros(usizes(&case["shape"])),
        };
        run_init(case, &w);
        if let Some(lin) = before.first() {
            init::zeros_(&lin.bias());
        }
        tally.check(id, &w, &record(&case["result"]), 0.0);
        tally.check(
            &format!("{id} (the next torch.rand(3))"),
            &Tensor::rand([3]),
            &record(&case["next_rand"]),
            0.0,
        );
        if let Some(printed) = case["printed"].as_str() {
            tally.text(&format!("{id} printed"), &w.to_string(), printed);
        }
    }
    tally.report("nn::init");
}

#[test]
fn init_errors_and_gains_match_torch() {
    let _generator = lock_generator();
    let doc = doc();
    let mut tally = Tally::new();
    for case in cases(&doc, "init_error") {
        let id = id(case);
        let got = if case["fn"] == "calculate_gain" {
            let nl = case["nonlinearity"].as_str().unwrap().to_string();
            panic_message(move || {
                init::calculate_gain(&nl, None);
            })
        } else {
            let w = Tensor::zeros(usizes(&case["shape"]));
            panic_message(|| run_init(case, &w))
        };
        tally.text(id, &got, &torch_message(case["error"].as_str().unwrap()));
    }
    for case in cases(&doc, "gain") {
        let got = init::calculate_gain(
            case["nonlinearity"].as_str().unwrap(),
            case["param"].as_f64(),
        );
        let want: f64 = case["repr"].as_str().unwrap().parse().unwrap();
        tally.text(id(case), &format!("{got:?}"), &format!("{want:?}"));
    }
    tally.report("init errors and gains");
}

// ------------------------------------------------------------------ dropout

#[test]
fn dropout_masks_match_torch_bit_for_bit() {
    let _generator = lock_generator();
    let doc = doc();
    let mut tally = Tally::new();
    for case in cases(&doc, "dropout") {
        let id = id(case);
        let n = case["n"].as_u64().unwrap() as usize;
        let p = case["p"].as_f64().unwrap();
        manual_seed(case["seed"].as_u64().unwrap());
        let x = Tensor::from_vec((1..=n).map(|v| v as f32).collect::<Vec<_>>(), [n]);
        let with_grad = !case["grad"].is_null();
        if with_grad {
            x.requires_grad_(true);
        }
        let y = F::dropout(&x, p, case["training"].as_bool().unwrap());
        tally.check(id, &y, &record(&case["output"]), 0.0);
        if with_grad {
            let grad_fn = y.grad_fn().map(|f| f.name().to_string());
            tally.text(
                &format!("{id} grad_fn"),
                grad_fn.as_deref().unwrap_or("None"),
                case["grad_fn"].as_str().unwrap(),
            );
            (&y * &Tensor::linspace(-1.0, 1.0, n)).sum().backward();
            tally.check(
                &format!("{id} grad"),
                &x.grad().unwrap(),
                &record(&case["grad"]),
                0.0,
            );
        }
        tally.check(
            &format!("{id} (the next torch.rand(3))"),
            &Tensor::rand([3]),
            &record(&case["next_rand"]),
            0.0,
        );
    }
    tally.report("dropout");
}

#[test]
fn model_eval_and_train_switch_dropout_as_torch() {
    let _generator = lock_generator();
    let doc = doc();
    let case = cases(&doc, "dropout_model")[0];
    let mut tally = Tally::new();
    manual_seed(0);
    let model = sequential![
        Linear::new(4, 8),
        ReLU::new(),
        Dropout::new(0.5),
        Linear::new(8, 2)
    ];
    let x = Tensor::ones([3, 4]);
    let outputs = &case["outputs"];
    tally.text(
        "train",
        &model.forward(&x).to_string(),
        outputs["train"].as_str().unwrap(),
    );
    model.eval();
    tally.text(
        "eval",
        &model.forward(&x).to_string(),
        outputs["eval"].as_str().unwrap(),
    );
    let flags: Vec<bool> = model.modules().iter().map(|m| m.training()).collect();
    tally.text(
        "training after eval()",
        &format!("{flags:?}"),
        &case["training_after_eval"].to_string().replace(',', ", "),
    );
    model.train();
    tally.text(
        "train again",
        &model.forward(&x).to_string(),
        outputs["train_again"].as_str().unwrap(),
    );
    let flags: Vec<bool> = model.modules().iter().map(|m| m.training()).collect();
    tally.text(
        "training after train()",
        &format!("{flags:?}"),
        &case["training_after_train"].to_string().replace(',', ", "),
    );
    tally.check(
        "next rand",
        &Tensor::rand([3]),
        &record(&case["next_rand"]),
        0.0,
    );
    tally.report("dropout in a model");
}

// ------------------------------------------------------------------ optimizers

/// A Python number from the kwargs as the [`Scalar`] that prints the same.
fn scalar(v: &Value) -> Scalar {
    match v {
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Number(n) if n.is_f64() => Scalar::Float(n.as_f64().unwrap()),
        Value::Number(n) => Scalar::Int(n.as_i64().unwrap()),
        other => panic!("not a number: {other}"),
    }
}

enum Opt {
    Sgd(SGD),
    Adam(Adam),
    AdamW(AdamW),
}

impl Opt {
    fn build(kind: &str, kwargs: &Value, params: Vec<Tensor>) -> Opt {
        let get = |k: &str| kwargs.get(k).filter(|v| !v.is_null());
        let flag = |k: &str| get(k).and_then(Value::as_bool).unwrap_or(false);
        let lr = get("lr").map(scalar).unwrap_or(Scalar::Float(1e-3));
        match kind {
            "SGD" => {
                let mut o = SGD::new(params, lr);
                if let Some(v) = get("momentum") {
                    o = o.momentum(scalar(v));
                }
                if let Some(v) = get("dampening") {
                    o = o.dampening(scalar(v));
                }
                if let Some(v) = get("weight_decay") {
                    o = o.weight_decay(scalar(v));
                }
                Opt::Sgd(o.nesterov(flag("nesterov")).maximize(flag("maximize")))
            }
            "Adam" | "AdamW" => {
                macro_rules! adam_like {
                    ($o:expr) => {{
                        let mut o = $o;
                        if let Some(b) = get("betas") {
                            o = o.betas(scalar(&b[0]), scalar(&b[1]));
                        }
                        if let Some(v) = get("eps") {
                            o = o.eps(scalar(v));
                        }
                        if let Some(v) = get("weight_decay") {
                            o = o.weight_decay(scalar(v));
                        }
                        o.amsgrad(flag("amsgrad")).maximize(flag("maximize"))
                    }};
                }
                if kind == "Adam" {
                    Opt::Adam(adam_like!(Adam::new(params, lr)))
                } else {
                    Opt::AdamW(adam_like!(AdamW::new(params, lr)))
                }
            }
            other => panic!("optimizer {other} is not in this test"),
        }
    }

    fn as_dyn(&mut self) -> &mut dyn Optimizer {
        match self {
            Opt::Sgd(o) => o,
            Opt::Adam(o) => o,
            Opt::AdamW(o) => o,
        }
    }

    /// `optimizer.state[p]`: (key, tensor or number).
    fn state(&self, p: &Tensor) -> Vec<(&'static str, Result<Tensor, f64>)> {
        let adam_state = match self {
            Opt::Sgd(o) => {
                return o
                    .momentum_buffer(p)
                    .map(|b| ("momentum_buffer", Ok(b)))
                    .into_iter()
                    .collect();
            }
            Opt::Adam(o) => o.state(p),
            Opt::AdamW(o) => o.state(p),
        };
        match adam_state {
            None => Vec::new(),
            Some(s) => {
                let mut v = vec![
                    ("step", Err(s.step)),
                    ("exp_avg", Ok(s.exp_avg.clone())),
                    ("exp_avg_sq", Ok(s.exp_avg_sq.clone())),
                ];
                if let Some(m) = &s.max_exp_avg_sq {
                    v.push(("max_exp_avg_sq", Ok(m.clone())));
                }
                v
            }
        }
    }
}

#[test]
fn optimizers_with_weight_decay_match_torch_bit_for_bit() {
    let _generator = lock_generator();
    let doc = doc();
    let mut tally = Tally::new();
    for case in cases(&doc, "optimizer") {
        let id = id(case);
        let spec = &case["optimizer"];
        let names = strings(&case["param_names"]);
        let params: Vec<Tensor> = names
            .iter()
            .map(|n| record(&case["params_initial"][n]).requires_grad_(true))
            .collect();
        let mut opt = Opt::build(
            spec["type"].as_str().unwrap(),
            &spec["kwargs"],
            params.clone(),
        );
        tally.text(
            &format!("{id} repr"),
            &opt.as_dyn().to_string(),
            spec["repr"].as_str().unwrap(),
        );
        for (k, grads) in case["grads_per_step"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            for (n, p) in names.iter().zip(&params) {
                p.set_grad(Some(record(&grads[n])));
            }
            opt.as_dyn().step();
            for (n, p) in names.iter().zip(&params) {
                let what = format!("{id} step {k} {n}");
                tally.check(&what, p, &record(&case["params_after_step"][k][n]), 1e-6);
                let want = &case["state_after_step"][k][n];
                for (key, value) in opt.state(p) {
                    match value {
                        Ok(t) => {
                            tally.check(&format!("{what}.{key}"), &t, &record(&want[key]), 1e-6)
                        }
                        Err(v) => tally.text(
                            &format!("{what}.{key}"),
                            &v.to_string(),
                            &want[key].as_f64().unwrap().to_string(),
                        ),
                    }
                }
            }
        }
    }
    tally.report("optimizers");
}

// ------------------------------------------------------------------ schedulers

#[test]
fn schedulers_match_torch() {
    let _generator = lock_generator();
    let doc = doc();
    let mut tally = Tally::new();
    for case in cases(&doc, "scheduler") {
        let id = id(case);
        let p = Tensor::zeros([2]).requires_grad_(true);
        let spec = &case["optimizer"];
        let mut opt = Opt::build(
            spec["type"].as_str().unwrap(),
            &spec["kwargs"],
            vec![p.clone()],
        );
        let kwargs = &case["scheduler"]["kwargs"];
        let gamma = kwargs["gamma"].as_f64().unwrap_or(0.1);
        let mut sched: Box<dyn LRScheduler> = match case["scheduler"]["type"].as_str().unwrap() {
            "StepLR" => Box::new(StepLR::new(
                opt.as_dyn(),
                kwargs["step_size"].as_u64().unwrap() as usize,
                gamma,
            )),
            "MultiStepLR" => Box::new(MultiStepLR::new(
                opt.as_dyn(),
                &usizes(&kwargs["milestones"]),
                gamma,
            )),
            "ExponentialLR" => Box::new(ExponentialLR::new(opt.as_dyn(), gamma)),
            "CosineAnnealingLR" => Box::new(CosineAnnealingLR::new(
                opt.as_dyn(),
                kwargs["T_max"].as_u64().unwrap() as usize,
                kwargs["eta_min"].as_f64().unwrap_or(0.0),
            )),
            other => panic!("scheduler {other} is not in this test"),
        };
        let mut got = vec![sched.get_last_lr()[0]];
        for _ in 0..case["last_lr"].as_array().unwrap().len() - 1 {
            p.set_grad(Some(Tensor::ones([2])));
            opt.as_dyn().step();
            sched.step();
            got.push(sched.get_last_lr()[0]);
        }
        let want: Vec<f64> = strings(&case["last_lr_repr"])
            .iter()
            .map(|r| r.trim_matches(['[', ']']).parse().unwrap())
            .collect();
        tally.text(
            &format!("{id} get_last_lr()"),
            &format!("{got:?}"),
            &format!("{want:?}"),
        );
        tally.text(
            &format!("{id} optimizer"),
            &opt.as_dyn().to_string(),
            case["optimizer_repr"].as_str().unwrap(),
        );
        tally.text(
            &format!("{id} last_epoch"),
            &sched.last_epoch().to_string(),
            &case["last_epoch"].to_string(),
        );
    }
    // scheduler.step() before optimizer.step(): torch warns (on stderr here)
    // and the schedule still moves.
    let case = cases(&doc, "scheduler_warning")[0];
    let opt = SGD::new(vec![Tensor::zeros([2]).requires_grad_(true)], 0.1);
    let mut sched = StepLR::new(&opt, 1, 0.1);
    sched.step();
    let want: f64 = case["last_lr_repr"]
        .as_str()
        .unwrap()
        .trim_matches(['[', ']'])
        .parse()
        .unwrap();
    tally.text(
        "sched/warning last lr",
        &format!("{:?}", sched.get_last_lr()),
        &format!("{:?}", [want]),
    );
    tally.report("schedulers");
}

// ------------------------------------------------------------------ clipping

/// Parameters with the case's gradients (`null`: no gradient).
fn params_with_grads(case: &Value) -> Vec<Tensor> {
    case["shapes"]
        .as_array()
        .unwrap()
        .iter()
        .zip(case["grads"].as_array().unwrap())
        .map(|(shape, grad)| {
            let p = Tensor::zeros(usizes(shape)).requires_grad_(true);
            if !grad.is_null() {
                p.set_grad(Some(record(grad)));
            }
            p
        })
        .collect()
}

#[test]
fn clip_grad_norm_matches_torch() {
    let _generator = lock_generator();
    let doc = doc();
    let mut tally = Tally::new();
    for case in cases(&doc, "clip") {
        let id = id(case);
        let params = params_with_grads(case);
        let norm_type = match case["norm_type"].as_str().unwrap() {
            "inf" => f64::INFINITY,
            s => s.parse().unwrap(),
        };
        let total = clip_grad_norm_(&params, case["max_norm"].as_f64().unwrap(), norm_type);
        // A sum of squares (or of powers) is order-dependent: within 1e-5.
        tally.check(
            &format!("{id} total norm"),
            &total,
            &record(&case["total_norm"]),
            1e-5,
        );
        tally.text(
            &format!("{id} printed"),
            &total.to_string(),
            case["printed"].as_str().unwrap(),
        );
        for (i, (p, want)) in params
            .iter()
            .zip(case["grads_after"].as_array().unwrap())
            .enumerate()
        {
            match (p.grad(), want.is_null()) {
                (None, true) => {}
                (Some(g), false) => tally.check(&format!("{id} grad {i}"), &g, &record(want), 1e-5),
                (g, _) => tally
                    .failures
                    .push(format!("{id} grad {i}: ours {g:?}, torch {want}")),
            }
        }
    }
    for case in cases(&doc, "clip_value") {
        let params = params_with_grads(case);
        clip_grad_value_(&params, case["clip_value"].as_f64().unwrap());
        for (i, (p, want)) in params
            .iter()
            .zip(case["grads_after"].as_array().unwrap())
            .enumerate()
        {
            tally.check(
                &format!("{} grad {i}", id(case)),
                &p.grad().unwrap(),
                &record(want),
                0.0,
            );
        }
    }
    let case = cases(&doc, "clip_error")[0];
    let p = Tensor::zeros([3]).requires_grad_(true);
    p.set_grad(Some(record(&case["grad"])));
    tally.text(
        id(case),
        &panic_message(|| {
            clip_grad_norm_with(std::slice::from_ref(&p), 1.0, 2.0, true);
        }),
        &torch_message(case["error"].as_str().unwrap()),
    );
    tally.report("gradient clipping");
}

// ------------------------------------------------------------------ containers

/// A module from a spec `[type, args…]`.
fn build(spec: &Value) -> Box<dyn Module> {
    let s = spec.as_array().unwrap();
    let int = |i: usize| s[i].as_u64().unwrap() as usize;
    match s[0].as_str().unwrap() {
        "Linear" => Box::new(Linear::with_bias(
            int(1),
            int(2),
            s.get(3).and_then(Value::as_bool).unwrap_or(true),
        )),
        "ReLU" => Box::new(ReLU::new()),
        "Tanh" => Box::new(Tanh::new()),
        "Sigmoid" => Box::new(Sigmoid::new()),
        "Identity" => Box::new(Identity::new()),
        "Dropout" => Box::new(Dropout::new(s[1].as_f64().unwrap())),
        "Sequential" | "ModuleList" | "ModuleDict" => build_root(spec).into_module(),
        other => panic!("module {other} is not in this test"),
    }
}

/// A container being edited by a program.
enum Root {
    Seq(Sequential),
    List(ModuleList),
    Dict(ModuleDict),
}

fn build_root(spec: &Value) -> Root {
    let s = spec.as_array().unwrap();
    let items = s[1].as_array().unwrap();
    match s[0].as_str().unwrap() {
        "Sequential" => {
            let mut seq = Sequential::new();
            for item in items {
                seq.push_boxed(build(item));
            }
            Root::Seq(seq)
        }
        "ModuleList" => {
            let mut list = ModuleList::new();
            for item in items {
                list.push_boxed(build(item));
            }
            Root::List(list)
        }
        "ModuleDict" => {
            let mut dict = ModuleDict::new();
            for item in items {
                dict.insert_shared(item[0].as_str().unwrap(), build(&item[1]).into());
            }
            Root::Dict(dict)
        }
        other => panic!("container {other} is not in this test"),
    }
}

impl Root {
    fn as_module(&self) -> &dyn Module {
        match self {
            Root::Seq(m) => m,
            Root::List(m) => m,
            Root::Dict(m) => m,
        }
    }

    fn into_module(self) -> Box<dyn Module> {
        match self {
            Root::Seq(m) => Box::new(m),
            Root::List(m) => Box::new(m),
            Root::Dict(m) => Box::new(m),
        }
    }

    fn len(&self) -> usize {
        match self {
            Root::Seq(m) => m.len(),
            Root::List(m) => m.len(),
            Root::Dict(m) => m.len(),
        }
    }
}

/// A Python slice `[start:stop:step]` from `["slice", start, stop, step]`.
fn py_slice(op: &[Value]) -> Slice {
    Slice::new(op[1].as_i64(), op[2].as_i64(), op[3].as_i64().unwrap_or(1))
}

/// Applies one operation of a program; returns a note (a repr) if it makes one.
fn apply_op(root: Root, op: &[Value], notes: &mut Vec<String>) -> Root {
    let module = |v: &Value| build(v);
    match (op[0].as_str().unwrap(), root) {
        ("append", Root::Seq(mut m)) => {
            m.push_boxed(module(&op[1]));
            Root::Seq(m)
        }
        ("append", Root::List(mut m)) => {
            m.push_boxed(module(&op[1]));
            Root::List(m)
        }
        ("insert", Root::Seq(mut m)) => {
            m.insert(op[1].as_i64().unwrap(), Boxed(module(&op[2])));
            Root::Seq(m)
        }
        ("insert", Root::List(mut m)) => {
            m.insert(op[1].as_i64().unwrap(), Boxed(module(&op[2])));
            Root::List(m)
        }
        ("extend", Root::Seq(mut m)) => {
            let mut more = Sequential::new();
            for s in op[1].as_array().unwrap() {
                more.push_boxed(module(s));
            }
            m.extend(more);
            Root::Seq(m)
        }
        ("extend", Root::List(mut m)) => {
            let mut more = ModuleList::new();
            for s in op[1].as_array().unwrap() {
                more.push_boxed(module(s));
            }
            m.extend(more);
            Root::List(m)
        }
        ("slice", Root::Seq(m)) => Root::Seq(m.slice(py_slice(op))),
        ("slice", Root::List(m)) => Root::List(m.slice(py_slice(op))),
        ("pop", Root::Seq(mut m)) => {
            notes.push(m.pop(op[1].as_i64().unwrap()).to_string());
            Root::Seq(m)
        }
        ("pop", Root::List(mut m)) => {
            notes.push(m.pop(op[1].as_i64().unwrap()).to_string());
            Root::List(m)
        }
        ("pop", Root::Dict(mut m)) => {
            notes.push(m.pop(op[1].as_str().unwrap()).to_string());
            Root::Dict(m)
        }
        ("index", Root::Seq(m)) => {
            notes.push(m[op[1].as_i64().unwrap()].to_string());
            Root::Seq(m)
        }
        ("index", Root::List(m)) => {
            notes.push(m[op[1].as_i64().unwrap()].to_string());
            Root::List(m)
        }
        ("index", Root::Dict(m)) => {
            notes.push(m[op[1].as_str().unwrap()].to_string());
            Root::Dict(m)
        }
        ("set", Root::Dict(mut m)) => {
            m.insert_shared(op[1].as_str().unwrap(), module(&op[2]).into());
            Root::Dict(m)
        }
        ("child_eval", Root::Seq(m)) => {
            m[op[1].as_i64().unwrap()].eval();
            Root::Seq(m)
        }
        ("eval", root) => {
            root.as_module().eval();
            root
        }
        ("train", root) => {
            root.as_module().train();
            root
        }
        (other, _) => panic!("operation {other} is not in this test"),
    }
}

/// A boxed module as a module (for `insert`, which takes one).
struct Boxed(Box<dyn Module>);

impl nn_core::nn::ModuleInfo for Boxed {
    fn class_name(&self) -> String {
        self.0.class_name()
    }
    fn extra_repr(&self) -> String {
        self.0.extra_repr()
    }
    fn named_children(&self) -> Vec<(String, &dyn Module)> {
        self.0.named_children()
    }
    fn own_parameters(&self) -> Vec<(String, Tensor)> {
        self.0.own_parameters()
    }
    fn set_own_training(&self, training: bool) {
        self.0.set_own_training(training)
    }
    fn own_training(&self) -> Option<bool> {
        self.0.own_training()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self.0.as_any()
    }
}

impl Module for Boxed {
    fn forward(&self, input: &Tensor) -> Tensor {
        self.0.forward(input)
    }
    fn repr(&self) -> String {
        self.0.repr()
    }
}

/// `[[name, m.training] for name, m in model.named_modules()]`, printed.
fn training_flags(m: &dyn Module) -> String {
    fn walk(prefix: &str, m: &dyn Module, out: &mut Vec<String>) {
        out.push(format!("[\"{prefix}\", {}]", m.training()));
        for (name, child) in m.named_children() {
            let full = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}.{name}")
            };
            walk(&full, child, out);
        }
    }
    let mut flags = Vec::new();
    walk("", m, &mut flags);
    format!("[{}]", flags.join(", "))
}

#[test]
fn containers_print_and_register_as_torch() {
    let _generator = lock_generator();
    let doc = doc();
    let mut tally = Tally::new();
    for case in cases(&doc, "container") {
        let id = id(case);
        manual_seed(0);
        let mut root = build_root(&case["build"]);
        let mut notes = Vec::new();
        for op in case["ops"].as_array().unwrap() {
            root = apply_op(root, op.as_array().unwrap(), &mut notes);
        }
        let m = root.as_module();
        tally.text(
            &format!("{id} repr"),
            &m.repr(),
            case["repr"].as_str().unwrap(),
        );
        tally.text(
            &format!("{id} state_dict keys"),
            &format!("{:?}", m.state_dict().keys()),
            &format!("{:?}", strings(&case["state_dict_keys"])),
        );
        tally.text(
            &format!("{id} len"),
            &root.len().to_string(),
            &case["len"].to_string(),
        );
        tally.text(
            &format!("{id} parameters"),
            &m.num_parameters().to_string(),
            &case["num_parameters"].to_string(),
        );
        tally.text(
            &format!("{id} training"),
            &training_flags(m),
            &case["training"].to_string().replace(',', ", "),
        );
        tally.text(
            &format!("{id} notes"),
            &format!("{notes:?}"),
            &format!("{:?}", strings(&case["notes"])),
        );
    }
    tally.report("containers");
}

#[test]
fn container_errors_match_torch() {
    let _generator = lock_generator();
    let doc = doc();
    let mut tally = Tally::new();
    for case in cases(&doc, "container_error") {
        let got = match case["what"].as_str().unwrap() {
            "modulelist_forward" => panic_message(|| {
                module_list![ReLU::new()].forward(&Tensor::ones([1]));
            }),
            "modulelist_index" => panic_message(|| {
                let _ = &module_list![ReLU::new()][3];
            }),
            "sequential_index" => panic_message(|| {
                let _ = &sequential![ReLU::new()][-2];
            }),
            "sequential_insert" => panic_message(|| {
                sequential![ReLU::new()].insert(3, ReLU::new());
            }),
            "moduledict_key" => panic_message(|| {
                let _ = &module_dict! { "a" => ReLU::new() }["b"];
            }),
            other => panic!("{other} is not in this test"),
        };
        tally.text(
            id(case),
            &got,
            &torch_message(case["error"].as_str().unwrap()),
        );
    }
    tally.report("container errors");
}

// ------------------------------------------------------------------ custom models

/// `class MLP(nn.Module)` of train_cases.py: its depth is a parameter.
#[allow(clippy::upper_case_acronyms)] // the class name torch prints
#[derive(Module)]
struct MLP {
    layers: ModuleList,
    act: ReLU,
}

impl MLP {
    fn new(sizes: &[usize]) -> MLP {
        MLP {
            layers: sizes.windows(2).map(|w| Linear::new(w[0], w[1])).collect(),
            act: ReLU::new(),
        }
    }
}

impl Module for MLP {
    fn forward(&self, x: &Tensor) -> Tensor {
        let mut x = x.clone();
        for layer in &self.layers.slice(..-1) {
            x = self.act.forward(&layer.forward(&x));
        }
        self.layers[-1].forward(&x)
    }
}

/// `class Heads(nn.Module)`: a `ModuleDict` of output heads.
#[derive(Module)]
struct Heads {
    body: Sequential,
    heads: ModuleDict,
    drop: Dropout,
}

impl Heads {
    fn new() -> Heads {
        Heads {
            body: sequential![Linear::new(3, 4), Tanh::new()],
            heads: module_dict! { "cls" => Linear::new(4, 2), "reg" => Linear::new(4, 1) },
            drop: Dropout::new(0.25),
        }
    }
}

impl Module for Heads {
    fn forward(&self, x: &Tensor) -> Tensor {
        let h = self.drop.forward(&self.body.forward(x));
        Tensor::cat(
            &[self.heads["cls"].forward(&h), self.heads["reg"].forward(&h)],
            1,
        )
    }
}

/// `class Blocks(nn.Module)`: residual blocks in a `ModuleList`.
#[derive(Module)]
struct Blocks {
    inp: Linear,
    blocks: ModuleList,
    out: Linear,
}

impl Blocks {
    fn new(depth: usize) -> Blocks {
        Blocks {
            inp: Linear::new(2, 8),
            blocks: (0..depth)
                .map(|_| sequential![Linear::new(8, 8), ReLU::new()])
                .collect(),
            out: Linear::new(8, 1),
        }
    }
}

impl Module for Blocks {
    fn forward(&self, x: &Tensor) -> Tensor {
        let mut x = self.inp.forward(x);
        for block in &self.blocks {
            x = &x + &block.forward(&x);
        }
        self.out.forward(&x)
    }
}

/// `class Tied(nn.Module)`: one `Linear` used twice (weight sharing).
#[derive(Module)]
struct Tied {
    first: std::sync::Arc<dyn Module>,
    blocks: ModuleList,
}

impl Tied {
    fn new() -> Tied {
        let shared: std::sync::Arc<dyn Module> = std::sync::Arc::new(Linear::new(3, 3));
        let mut blocks = ModuleList::new();
        blocks.push_shared(shared.clone());
        blocks.append(Linear::new(3, 1));
        Tied {
            first: shared,
            blocks,
        }
    }
}

impl Module for Tied {
    fn forward(&self, x: &Tensor) -> Tensor {
        let h = self.blocks[0].forward(&self.first.forward(x).relu()).relu();
        self.blocks[1].forward(&h)
    }
}

#[test]
fn custom_models_with_containers_match_torch() {
    let _generator = lock_generator();
    let doc = doc();
    let mut tally = Tally::new();
    for case in cases(&doc, "custom") {
        let id = id(case);
        manual_seed(0);
        let model: Box<dyn Module> = match id {
            "custom/mlp_2_8_8_1" => Box::new(MLP::new(&[2, 8, 8, 1])),
            "custom/mlp_4_3" => Box::new(MLP::new(&[4, 3])),
            "custom/heads" => Box::new(Heads::new()),
            "custom/blocks_3" => Box::new(Blocks::new(3)),
            "custom/tied" => Box::new(Tied::new()),
            other => panic!("custom model {other} is not in this test"),
        };
        model.eval();
        tally.text(
            &format!("{id} repr"),
            &model.repr(),
            case["repr"].as_str().unwrap(),
        );
        tally.text(
            &format!("{id} state_dict keys"),
            &format!("{:?}", model.state_dict().keys()),
            &format!("{:?}", strings(&case["state_dict_keys"])),
        );
        tally.text(
            &format!("{id} parameters"),
            &model.num_parameters().to_string(),
            &case["num_parameters"].to_string(),
        );
        let names: Vec<String> = model
            .named_parameters()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        tally.text(
            &format!("{id} named_parameters"),
            &format!("{names:?}"),
            &format!("{:?}", strings(&case["named_parameters"])),
        );
        let y = model.forward(&record(&case["input"]));
        tally.check(&format!("{id} output"), &y, &record(&case["output"]), 1e-5);
        tally.text(
            &format!("{id} printed output"),
            &y.to_string(),
            case["output_printed"].as_str().unwrap(),
        );
    }
    tally.report("custom models");
}
