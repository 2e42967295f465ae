//! The course's regression lesson, replayed against torch 2.15's trace in
//! `shared/pytorch-reference/notebook-trace.json`:
//!
//! ```python
//! torch.manual_seed(0)
//! x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
//! y = x.pow(2) + 0.2 * torch.rand(x.size())
//! net = nn.Sequential(nn.Linear(1, H), nn.ReLU(), nn.Linear(H, 1))
//! optimizer = torch.optim.SGD(net.parameters(), lr=0.2)   # or Adam(lr=0.01)
//! loss_func = nn.MSELoss()
//! for t in range(200):
//!     prediction = net(x)
//!     loss = loss_func(prediction, y)      # loss_per_step[t]
//!     optimizer.zero_grad()
//!     loss.backward()
//!     optimizer.step()
//! final_loss = loss_func(net(x), y)
//! ```
//!
//! The data `y` must match bit for bit. The losses drift from torch's by
//! float32 rounding (MKL sums a `Linear(H, 1)` layer in an order no simple
//! loop reproduces, rng.md §8), so each run prints how many per-step losses
//! are bit-exact and the largest relative drift, and the final loss must be
//! within 1e-5 relative of torch's (the issue's acceptance criterion).
//!
//! If the reference file is absent, the test prints why and passes.

use nn_core::prelude::*;
use serde_json::Value;

const TRACE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/pytorch-reference/notebook-trace.json"
);

fn bits(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| u32::from_str_radix(h.as_str().unwrap(), 16).unwrap())
        .collect()
}

/// One run of the trace file, e.g. `SGD_lr0.2_h10`: optimizer, learning
/// rate and hidden width, read from its key.
struct Run {
    key: String,
    optimizer: String,
    lr: f64,
    hidden: usize,
}

impl Run {
    fn parse(key: &str) -> Option<Run> {
        let mut parts = key.split('_');
        let optimizer = parts.next()?.to_string();
        let lr = parts.next()?.strip_prefix("lr")?.parse().ok()?;
        let hidden = parts.next()?.strip_prefix('h')?.parse().ok()?;
        Some(Run {
            key: key.to_string(),
            optimizer,
            lr,
            hidden,
        })
    }
}

/// The lesson's data: `x` (100 × 1) and `y`, drawn after `manual_seed(seed)`.
fn data(seed: u64) -> (Tensor, Tensor) {
    manual_seed(seed);
    let x = Tensor::linspace(-1.0, 1.0, 100).unsqueeze(1);
    let y = &x.pow(2.0) + &(&Tensor::rand(x.size()) * 0.2);
    (x, y)
}

#[test]
fn regression_lesson_matches_torch() {
    let doc: Value = match std::fs::read_to_string(TRACE) {
        Ok(text) => serde_json::from_str(&text).expect("notebook-trace.json is valid JSON"),
        Err(e) => {
            println!("skipped: {TRACE} not found ({e})");
            return;
        }
    };
    let runs: Vec<Run> = doc
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.is_object())
        .map(|(k, _)| Run::parse(k).unwrap_or_else(|| panic!("run key {k:?} is not OPT_lrLR_hH")))
        .collect();
    assert!(!runs.is_empty(), "no run in {TRACE}");
    let mut failures = Vec::new();
    for run in &runs {
        let trace = &doc[&run.key];
        let (x, y) = data(trace["seed"].as_u64().unwrap());

        let want_y = bits(&trace["y_bits"]);
        let got_y: Vec<u32> = y.to_vec::<f32>().iter().map(|v| v.to_bits()).collect();
        let y_exact = got_y.iter().zip(&want_y).filter(|(a, b)| a == b).count();
        if y_exact != want_y.len() {
            failures.push(format!(
                "{}: y matches torch in {y_exact}/{} elements",
                run.key,
                want_y.len()
            ));
        }

        let net = sequential![
            Linear::new(1, run.hidden),
            ReLU::new(),
            Linear::new(run.hidden, 1)
        ];
        let mut opt: Box<dyn Optimizer> = match run.optimizer.as_str() {
            "SGD" => Box::new(SGD::new(net.parameters(), run.lr)),
            "Adam" => Box::new(Adam::new(net.parameters(), run.lr)),
            other => panic!("{}: optimizer {other} is not implemented", run.key),
        };
        let loss_func = MSELoss::new();
        let want_losses = bits(&trace["loss_per_step_f32_bits"]);
        let (mut exact, mut worst, mut worst_at) = (0usize, 0f64, 0usize);
        for (t, &want) in want_losses.iter().enumerate() {
            let prediction = net.forward(&x);
            let loss = loss_func.forward(&prediction, &y);
            let got = loss.item() as f32;
            let want = f32::from_bits(want);
            if got.to_bits() == want.to_bits() {
                exact += 1;
            }
            let drift = f64::from((got - want).abs()) / f64::from(want.abs());
            if drift > worst {
                (worst, worst_at) = (drift, t);
            }
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        let final_loss = loss_func.forward(&net.forward(&x), &y).item();
        let want_final = f64::from(f32::from_bits(
            u32::from_str_radix(trace["final_loss_bits"].as_str().unwrap(), 16).unwrap(),
        ));
        let final_drift = (final_loss - want_final).abs() / want_final;
        let mut params_exact = 0;
        let mut params_total = 0;
        for (key, p) in net.named_parameters() {
            let want = bits(&trace["final_params_bits"][&key]);
            params_total += want.len();
            params_exact += p
                .to_vec::<f32>()
                .iter()
                .zip(&want)
                .filter(|(a, b)| a.to_bits() == **b)
                .count();
        }
        println!(
            "{}: y {y_exact}/{} bit-exact; losses {exact}/{} bit-exact, max relative drift {worst:.3e} (step {worst_at}); \
             final loss {final_loss} vs torch {want_final} (relative {final_drift:.3e}); final parameters {params_exact}/{params_total} bit-exact",
            run.key,
            want_y.len(),
            want_losses.len(),
        );
        if final_drift > 1e-5 {
            failures.push(format!(
                "{}: final loss {final_loss} is {final_drift:e} from torch's {want_final}",
                run.key
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
