//! The workloads of `../shared/pytorch-reference/bench_torch.py`, one for one,
//! and of `bench/bench_conv_torch.py` (convolutional networks), each with 1
//! and 2 threads (`nn_core::set_num_threads`).
//!
//! Run: `cargo bench -p nn-core --bench workloads` (add a name to run one
//! workload: `-- matmul_1024`). Criterion keeps each result in
//! `target/criterion/<workload>/<threads>/new/estimates.json`; the benchmark
//! ids are the keys of bench_torch.py's JSON, so `bench/compare.sh` can put
//! the two side by side. `NN_BENCH_QUICK=1` shortens every measurement.
//! `interrupt_check_x1000` times nn-core's interrupt check alone (for
//! `bench/interrupt_cost.py`; no torch counterpart).

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use nn_core::prelude::*;
use std::hint::black_box;
use std::time::Duration;

include!("common/regression_net.rs");

/// One training step, in bench_torch.py's order.
type Step = Box<dyn FnMut()>;

/// Builds a workload's step (seeding and setting up as bench_torch.py does).
type Setup = fn() -> Step;

/// (a), (a'): x = linspace(-1, 1, 100) as a column, y = x² + 0.2·rand, a net
/// of Linear-ReLU layers, MSELoss, SGD(lr=0.2) or Adam(lr=0.01).
fn regression_setup(hidden: &[usize], adam: bool) -> Step {
    manual_seed(0);
    let x = Tensor::linspace(-1.0, 1.0, 100).unsqueeze(1);
    let y = &x.pow(2.0) + &(Tensor::rand(x.size()) * 0.2);
    let (net, mut optimizer) = regression_net(hidden, adam);
    let loss_func = MSELoss::new();
    Box::new(move || {
        let prediction = net.forward(&x);
        let loss = loss_func.forward(&prediction, &y);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    })
}

/// (b): MLP 784-128-10 (ReLU), batch 64 of random data, CrossEntropyLoss, SGD(lr=0.01).
fn mlp_setup() -> Step {
    manual_seed(0);
    let net = sequential![Linear::new(784, 128), ReLU::new(), Linear::new(128, 10)];
    let x = Tensor::randn([64, 784]);
    let target = Tensor::randint(0, 10, [64]);
    let mut optimizer = SGD::new(net.parameters(), 0.01);
    let loss_func = CrossEntropyLoss::new();
    Box::new(move || {
        let out = net.forward(&x);
        let loss = loss_func.forward(&out, &target);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    })
}

/// (d), (d'): forward of Linear(1,4)-Sigmoid-Linear(4,6)-Sigmoid-Linear(6,1) on a batch of 3.
fn ffn_forward_setup(grad: bool) -> Step {
    manual_seed(0);
    let ffn = sequential![
        Linear::new(1, 4),
        Sigmoid::new(),
        Linear::new(4, 6),
        Sigmoid::new(),
        Linear::new(6, 1)
    ];
    let x = tensor![[1.0], [2.0], [3.0]];
    if grad {
        Box::new(move || {
            black_box(ffn.forward(&x));
        })
    } else {
        Box::new(move || {
            no_grad(|| black_box(ffn.forward(&x)));
        })
    }
}

fn matmul_setup(n: usize) -> Step {
    let a = Tensor::randn([n, n]);
    let b = Tensor::randn([n, n]);
    Box::new(move || {
        black_box(a.mm(&b));
    })
}

fn elementwise_setup(f: fn(&Tensor) -> Tensor) -> Step {
    let x = Tensor::randn([1_000_000]);
    Box::new(move || {
        black_box(f(&x));
    })
}

/// The digits CNN of the course: Conv2d(1,8,3,pad 1)-ReLU-MaxPool2d(2)-
/// Conv2d(8,16,3,pad 1)-ReLU-MaxPool2d(2)-Flatten-Linear(64,10).
fn digits_cnn() -> Sequential {
    sequential![
        Conv2d::new(1, 8, 3).padding(1),
        ReLU::new(),
        MaxPool2d::new(2),
        Conv2d::new(8, 16, 3).padding(1),
        ReLU::new(),
        MaxPool2d::new(2),
        Flatten::new(),
        Linear::new(64, 10)
    ]
}

/// LeNet-5 with ReLU and max pooling, on 28×28 inputs.
fn lenet() -> Sequential {
    sequential![
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
    ]
}

/// One training step of `net` on a batch of 64 random `[c, h, w]` images
/// with random labels: forward, CrossEntropyLoss, backward, SGD(lr=0.01).
fn cnn_train_setup(net: fn() -> Sequential, image: [usize; 3]) -> Step {
    manual_seed(0);
    let net = net();
    let x = Tensor::randn([64, image[0], image[1], image[2]]);
    let target = Tensor::randint(0, 10, [64]);
    let mut optimizer = SGD::new(net.parameters(), 0.01);
    let loss_func = CrossEntropyLoss::new();
    Box::new(move || {
        let out = net.forward(&x);
        let loss = loss_func.forward(&out, &target);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    })
}

/// LeNet-5's forward pass on a batch of 64, under `no_grad` (inference).
fn lenet_forward_setup() -> Step {
    manual_seed(0);
    let net = lenet();
    let x = Tensor::randn([64, 1, 28, 28]);
    Box::new(move || {
        no_grad(|| black_box(net.forward(&x)));
    })
}

/// Conv2d(32, 32, 3, padding=1) alone on `randn(64, 32, 32, 32)`, under `no_grad`.
fn conv_large_setup() -> Step {
    manual_seed(0);
    let conv = Conv2d::new(32, 32, 3).padding(1);
    let x = Tensor::randn([64, 32, 32, 32]);
    Box::new(move || {
        no_grad(|| black_box(conv.forward(&x)));
    })
}

/// The workloads: bench_torch.py's JSON key and how to build one step.
fn workloads() -> Vec<(&'static str, Setup)> {
    vec![
        ("reg_1_10_1", || regression_setup(&[10], false)),
        ("reg_1_64_64_1", || regression_setup(&[64, 64], false)),
        ("reg_1_10_1_adam", || regression_setup(&[10], true)),
        ("mlp_784_128_10_b64", mlp_setup),
        ("matmul_512", || matmul_setup(512)),
        ("matmul_1024", || matmul_setup(1024)),
        ("ffn_fwd_grad", || ffn_forward_setup(true)),
        ("ffn_fwd_nograd", || ffn_forward_setup(false)),
        ("relu_1e6", || elementwise_setup(Tensor::relu)),
        ("sigmoid_1e6", || elementwise_setup(Tensor::sigmoid)),
        ("cnn_digits_b64", || cnn_train_setup(digits_cnn, [1, 8, 8])),
        ("lenet_fwd_b64", lenet_forward_setup),
        ("lenet_train_b64", || cnn_train_setup(lenet, [1, 28, 28])),
        ("conv2d_3x3_64x32x32x32", conv_large_setup),
    ]
}

fn bench(c: &mut Criterion) {
    let quick = std::env::var_os("NN_BENCH_QUICK").is_some();
    for (key, setup) in workloads() {
        let mut group = c.benchmark_group(key);
        group.warm_up_time(Duration::from_millis(if quick { 300 } else { 1000 }));
        group.measurement_time(Duration::from_secs(if quick { 1 } else { 3 }));
        group.sample_size(if quick { 10 } else { 30 });
        if key.starts_with("matmul") || key.starts_with("conv2d") || key.starts_with("lenet") {
            // Milliseconds per call: equal-sized samples instead of 1, 2, 3… calls.
            group.sampling_mode(SamplingMode::Flat);
        }
        for threads in [1, 2] {
            // Built on first use: a filtered-out workload costs nothing.
            let mut step: Option<Step> = None;
            group.bench_function(BenchmarkId::from_parameter(threads), |b| {
                nn_core::set_num_threads(threads);
                b.iter(step.get_or_insert_with(setup))
            });
        }
        group.finish();
    }
}

/// One interrupt point's cost (`bench/interrupt_cost.py`): nn-core's points
/// are `check_interrupt`'s load and branch, inlined; 1,000 per iteration.
fn interrupt_check(c: &mut Criterion) {
    c.bench_function("interrupt_check_x1000", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                nn_core::notebook::check_interrupt();
                black_box(());
            }
        })
    });
}

criterion_group!(benches, bench, interrupt_check);
criterion_main!(benches);
