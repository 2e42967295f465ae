//! Peak memory of a convolutional training loop: LeNet-5 (ReLU, max
//! pooling) on a batch of 64 random 1×28×28 images, CrossEntropyLoss, SGD,
//! `STEPS` steps (default 200) — benchmark (g)'s training step, repeated.
//!
//! Prints the resident set size before the loop and its peak after it, from
//! /proc/self/status (Linux). `bench/memory.sh` runs this and torch's same
//! loop (`bench/cnn_memory.py`) under `/usr/bin/time -v`.
//!
//! Run: `cargo run --release -p nn-core --example cnn_memory [STEPS]`

use nn_core::prelude::*;

/// A line of /proc/self/status such as `VmHWM:  1234 kB`, in kB.
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .map_or(200, |s| s.parse().expect("STEPS is a number"));
    nn_core::set_num_threads(1);
    manual_seed(0);
    let net = sequential![
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
    ];
    let x = Tensor::randn([64, 1, 28, 28]);
    let target = Tensor::randint(0, 10, [64]);
    let mut optimizer = SGD::new(net.parameters(), 0.01);
    let loss_func = CrossEntropyLoss::new();
    let before = status_kb("VmRSS:");
    let mut loss = 0.0;
    for _ in 0..steps {
        let out = net.forward(&x);
        let l = loss_func.forward(&out, &target);
        optimizer.zero_grad();
        l.backward();
        optimizer.step();
        loss = l.item();
    }
    let peak = status_kb("VmHWM:");
    println!(
        "nn-core: {steps} steps, final loss {loss:.4}; RSS before the loop {} kB, peak {} kB",
        before.map_or("?".into(), |v| v.to_string()),
        peak.map_or("?".into(), |v| v.to_string())
    );
}
