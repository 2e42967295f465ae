//! Replays the optimizer cases of `shared/pytorch-reference/grad-cases.json`
//! (torch 2.15's own numbers): 5-step `SGD`/`Adam` trajectories with their
//! state (kind `optimizer`), the printed optimizers (`optimizer_repr`, and
//! `o_sgd`/`o_adam` of `print-cases.json`), and short training runs
//! (`training`: a `Sequential` MLP, `MSELoss`, `SGD`).
//!
//! Each tensor is compared bit for bit; when its bits differ, its largest
//! difference relative to the reference's largest magnitude must stay below
//! 1e-6 (optimizer steps) or 1e-5 (training runs, whose forward and backward
//! products MKL sums in its own order, rng.md §8). Each test prints how many
//! tensors were bit-exact and the worst case.
//!
//! If a reference file is absent (a checkout without `shared/`), each test
//! prints why it is skipped and passes.

use nn_core::prelude::*;
use serde_json::Value;

const GRAD_CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/pytorch-reference/grad-cases.json"
);
const PRINT_CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/pytorch-reference/print-cases.json"
);

/// The parsed reference file, or `None` (after printing why) if it is absent.
fn load(path: &str) -> Option<Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("reference file is valid JSON")),
        Err(e) => {
            println!("skipped: {path} not found ({e})");
            None
        }
    }
}

/// The cases of `kind`.
fn cases<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    doc["cases"]
        .as_array()
        .expect("a `cases` array")
        .iter()
        .filter(|c| c["kind"] == kind)
        .collect()
}

/// A TENSOR RECORD as a float32 tensor (its `bits` are authoritative).
fn record(r: &Value) -> Tensor {
    assert_eq!(
        r["dtype"], "float32",
        "only float32 records are expected here"
    );
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

/// A Python number from the `kwargs` as the [`Scalar`] that prints the same.
fn scalar(v: &Value) -> Scalar {
    match v {
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Number(n) if n.is_f64() => Scalar::Float(n.as_f64().unwrap()),
        Value::Number(n) => Scalar::Int(n.as_i64().unwrap()),
        other => panic!("not a number: {other}"),
    }
}

/// Either optimizer, built from a case's `optimizer` {type, kwargs}.
enum Opt {
    Sgd(SGD),
    Adam(Adam),
}

impl Opt {
    fn build(spec: &Value, params: Vec<Tensor>) -> Opt {
        let kwargs = spec["kwargs"].as_object().expect("kwargs");
        let get = |k: &str| kwargs.get(k);
        let flag = |k: &str| get(k).and_then(Value::as_bool).unwrap_or(false);
        match spec["type"].as_str().unwrap() {
            "SGD" => {
                let mut o = SGD::new(params, get("lr").map(scalar).unwrap_or(Scalar::Float(1e-3)));
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
            "Adam" => {
                let mut o = Adam::new(params, get("lr").map(scalar).unwrap_or(Scalar::Float(1e-3)));
                if let Some(b) = get("betas") {
                    o = o.betas(scalar(&b[0]), scalar(&b[1]));
                }
                if let Some(v) = get("eps") {
                    o = o.eps(scalar(v));
                }
                if let Some(v) = get("weight_decay") {
                    o = o.weight_decay(scalar(v));
                }
                Opt::Adam(o.amsgrad(flag("amsgrad")).maximize(flag("maximize")))
            }
            other => panic!("optimizer type {other} is not implemented"),
        }
    }

    fn as_dyn(&mut self) -> &mut dyn Optimizer {
        match self {
            Opt::Sgd(o) => o,
            Opt::Adam(o) => o,
        }
    }

    /// `optimizer.state[p]` as (key, tensor or number) pairs.
    fn state(&self, p: &Tensor) -> Vec<(&'static str, Result<Tensor, f64>)> {
        match self {
            Opt::Sgd(o) => o
                .momentum_buffer(p)
                .map(|b| ("momentum_buffer", Ok(b)))
                .into_iter()
                .collect(),
            Opt::Adam(o) => match o.state(p) {
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
            },
        }
    }
}

/// Comparison of one computed tensor with torch's: exact bits, or the
/// largest difference relative to the reference's largest magnitude.
struct Tally {
    exact: usize,
    total: usize,
    worst: f64,
    worst_at: String,
    failures: Vec<String>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            exact: 0,
            total: 0,
            worst: 0.0,
            worst_at: String::new(),
            failures: Vec::new(),
        }
    }

    fn check(&mut self, what: String, got: &Tensor, want: &Tensor, tolerance: f64) {
        self.check_scaled(what, got, want, tolerance, 0.0);
    }

    /// [`check`](Self::check) with the relative scale at least `scale_floor`.
    fn check_scaled(
        &mut self,
        what: String,
        got: &Tensor,
        want: &Tensor,
        tolerance: f64,
        scale_floor: f64,
    ) {
        self.total += 1;
        if got.shape() != want.shape() {
            self.failures.push(format!(
                "{what}: shape {} but torch has {}",
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
        let scale = w.iter().fold(scale_floor, |m, v| m.max(f64::from(v.abs())));
        let diff = g
            .iter()
            .zip(&w)
            .fold(0f64, |m, (a, b)| m.max(f64::from((a - b).abs())));
        let rel = if scale == 0.0 { diff } else { diff / scale };
        if rel > self.worst {
            self.worst = rel;
            self.worst_at = what.clone();
        }
        if rel.is_nan() || rel > tolerance {
            self.failures.push(format!(
                "{what}: relative difference {rel:e} > {tolerance:e}\n  got   {g:?}\n  torch {w:?}"
            ));
        }
    }

    fn report(&self, label: &str) {
        println!(
            "{label}: {} tensors compared, {} bit-exact, {} within tolerance only; worst {:e}{}",
            self.total,
            self.exact,
            self.total - self.exact - self.failures.len(),
            self.worst,
            if self.worst_at.is_empty() {
                String::new()
            } else {
                format!(" ({})", self.worst_at)
            }
        );
        assert!(
            self.failures.is_empty(),
            "{} differ from torch:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

#[test]
fn optimizer_trajectories_match_torch() {
    let Some(doc) = load(GRAD_CASES) else { return };
    let mut tally = Tally::new();
    let mut exact_cases = 0;
    let all = cases(&doc, "optimizer");
    for case in &all {
        let id = case["id"].as_str().unwrap();
        let names: Vec<&str> = case["param_names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        let params: Vec<Tensor> = names
            .iter()
            .map(|n| record(&case["params_initial"][n]).requires_grad_(true))
            .collect();
        let mut opt = Opt::build(&case["optimizer"], params.clone());
        let exact_before = tally.exact;
        let total_before = tally.total;
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
                let want = record(&case["params_after_step"][k][n]);
                tally.check(format!("{id} step {k} {n}"), p, &want, 1e-6);
                let want_state = case["state_after_step"][k][n].as_object().unwrap();
                let got_state = opt.state(p);
                let got_keys: Vec<&str> = got_state.iter().map(|(k, _)| *k).collect();
                let mut want_keys: Vec<&str> = want_state.keys().map(String::as_str).collect();
                let mut sorted_got = got_keys.clone();
                sorted_got.sort();
                want_keys.sort();
                assert_eq!(sorted_got, want_keys, "{id} step {k} {n}: state keys");
                for (key, value) in got_state {
                    match value {
                        Ok(t) => tally.check(
                            format!("{id} step {k} {n}.{key}"),
                            &t,
                            &record(&want_state[key]),
                            1e-6,
                        ),
                        Err(number) => {
                            assert_eq!(
                                number,
                                want_state[key].as_f64().unwrap(),
                                "{id} step {k} {n}.{key}"
                            )
                        }
                    }
                }
            }
        }
        if tally.exact - exact_before == tally.total - total_before {
            exact_cases += 1;
        }
    }
    println!(
        "optimizer cases: {} replayed, {exact_cases} bit-exact in every tensor",
        all.len()
    );
    assert!(!all.is_empty(), "no optimizer case found");
    tally.report("optimizer trajectories");
}

#[test]
fn optimizers_print_like_torch() {
    let Some(doc) = load(GRAD_CASES) else { return };
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut compare = |id: &str, spec: &Value, want: &str| {
        let mut opt = Opt::build(spec, vec![Tensor::zeros([1]).requires_grad_(true)]);
        let got = opt.as_dyn().to_string();
        checked += 1;
        if got != want {
            failures.push(format!("{id}:\n--- torch\n{want}\n--- ours\n{got}"));
        }
    };
    for case in cases(&doc, "optimizer_repr")
        .into_iter()
        .chain(cases(&doc, "optimizer"))
        .chain(cases(&doc, "training"))
    {
        compare(
            case["id"].as_str().unwrap(),
            &case["optimizer"],
            case["optimizer"]["repr"].as_str().unwrap(),
        );
    }
    if let Some(print) = load(PRINT_CASES) {
        for (id, spec) in [
            ("o_sgd", r#"{"type": "SGD", "kwargs": {"lr": 0.2}}"#),
            ("o_adam", r#"{"type": "Adam", "kwargs": {"lr": 0.01}}"#),
        ] {
            let case = print["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
                .expect("print case");
            compare(
                id,
                &serde_json::from_str(spec).unwrap(),
                case["repr"].as_str().unwrap(),
            );
        }
    }
    println!(
        "optimizer reprs: {checked} checked, {} differ",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A module of a case's `modules` spec.
fn build_module(spec: &Value) -> Box<dyn Module> {
    match spec["type"].as_str().unwrap() {
        "Linear" => Box::new(Linear::with_bias(
            spec["in_features"].as_u64().unwrap() as usize,
            spec["out_features"].as_u64().unwrap() as usize,
            spec["bias"].as_bool().unwrap_or(true),
        )),
        "ReLU" => Box::new(ReLU::new()),
        "Sigmoid" => Box::new(Sigmoid::new()),
        "Tanh" => Box::new(Tanh::new()),
        "Sequential" => {
            let mut seq = Sequential::new();
            for layer in spec["layers"].as_array().unwrap() {
                seq.push_boxed(build_module(layer));
            }
            Box::new(seq)
        }
        other => panic!("module type {other} is not implemented in this test"),
    }
}

#[test]
fn training_runs_match_torch() {
    let Some(doc) = load(GRAD_CASES) else { return };
    let mut tally = Tally::new();
    let all = cases(&doc, "training");
    for case in &all {
        let id = case["id"].as_str().unwrap();
        let modules = case["modules"].as_object().unwrap();
        assert_eq!(modules.len(), 1, "{id}: one model");
        let (name, spec) = modules.iter().next().unwrap();
        let net = build_module(spec);
        assert_eq!(
            net.repr(),
            spec["repr"].as_str().unwrap(),
            "{id}: module repr"
        );
        // parameters copied from inputs 'net.<key>' under no_grad
        no_grad(|| {
            for (key, p) in net.named_parameters() {
                p.copy_(&record(&case["inputs"][format!("{name}.{key}")]));
            }
        });
        let (x, y) = (record(&case["inputs"]["x"]), record(&case["inputs"]["y"]));
        assert_eq!(case["loss"]["type"], "MSELoss", "{id}: loss");
        let loss_fn = MSELoss::new();
        assert_eq!(loss_fn.to_string(), case["loss"]["repr"].as_str().unwrap());
        let mut opt = Opt::build(&case["optimizer"], net.parameters());
        let names: Vec<String> = case["param_names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().into())
            .collect();
        let params = net.named_parameters();
        let param = |full: &str| -> Tensor {
            let key = full.strip_prefix(&format!("{name}.")).unwrap();
            params.iter().find(|(k, _)| k == key).unwrap().1.clone()
        };
        for k in 0..case["steps"].as_u64().unwrap() as usize {
            let loss = loss_fn.forward(&net.forward(&x), &y);
            tally.check(
                format!("{id} loss {k}"),
                &loss,
                &record(&case["loss_per_step"][k]),
                1e-5,
            );
            opt.as_dyn().zero_grad();
            loss.backward();
            // A bias gradient sums the batch's terms and may cancel to far
            // below them (net.2.bias.grad is 5.6e-4 at step 3 of the first
            // run, from terms near 0.05), so gradients are measured against
            // the step's largest gradient rather than each one's own size.
            let want_grads: Vec<Tensor> = names
                .iter()
                .map(|n| record(&case["grads_per_step"][k][n]))
                .collect();
            let step_scale = want_grads
                .iter()
                .flat_map(|g| g.to_vec::<f32>())
                .fold(0f64, |m, v| m.max(f64::from(v.abs())));
            for (n, want) in names.iter().zip(&want_grads) {
                let g = param(n).grad().expect("a gradient after backward");
                tally.check_scaled(
                    format!("{id} step {k} {n}.grad"),
                    &g,
                    want,
                    1e-5,
                    step_scale,
                );
            }
            opt.as_dyn().step();
            for n in &names {
                tally.check(
                    format!("{id} step {k} {n}"),
                    &param(n),
                    &record(&case["params_after_step"][k][n]),
                    1e-5,
                );
            }
        }
        for n in &names {
            tally.check(
                format!("{id} final {n}"),
                &param(n),
                &record(&case["final_params"][n]),
                1e-5,
            );
        }
        let final_loss = loss_fn.forward(&net.forward(&x), &y);
        tally.check(
            format!("{id} final loss"),
            &final_loss,
            &record(&case["final_loss"]),
            1e-5,
        );
    }
    println!("training cases: {} replayed", all.len());
    assert!(!all.is_empty(), "no training case found");
    tally.report("training runs (losses, gradients, parameters)");
}
