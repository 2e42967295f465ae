//! PyTorch's beginner tutorial "Automatic Differentiation with
//! torch.autograd"
//! (<https://pytorch.org/tutorials/beginner/basics/autogradqs_tutorial.html>),
//! line for line with nn-core.
//!
//! What differs from the tutorial, and why:
//! - `manual_seed(0)` at the start, so that `w` and `b` — and every printed
//!   number — are those of the PyTorch twin,
//!   `tools/reference/tutorials/autograd.py` (`nn-core/tests/tutorials.rs`
//!   compares the two outputs);
//! - a `grad_fn` prints as `<AddBackward0>`, without Python's
//!   `object at 0x…` address, and booleans as `true`/`false`;
//! - torch's keyword arguments are methods: `backward_with(&v)` for
//!   `backward(v)`, `backward_options(..)` for `backward(v, retain_graph=True)`,
//!   `Tensor::eye_rect(4, 5)` for `torch.eye(4, 5)`. The data set the tutorial
//!   series uses (FashionMNIST) plays no part here.
//!
//! Run: `cargo run -p nn-core --example tutorial_autograd`

use nn_core::autograd::BackwardOptions;
use nn_core::prelude::*;

fn main() {
    manual_seed(0);

    // The simplest one-layer neural network: input x, parameters w and b,
    // and a loss function.
    let x = Tensor::ones([5]); // input tensor
    let y = Tensor::zeros([3]); // expected output
    let w = Tensor::randn([5, 3]).requires_grad_(true);
    let b = Tensor::randn([3]).requires_grad_(true);
    let z = x.matmul(&w) + &b;
    let loss = F::binary_cross_entropy_with_logits(&z, &y);

    // Tensors, Functions and Computational graph: each tensor made by an
    // operation keeps the function that computes its gradient.
    println!("Gradient function for z = {}", z.grad_fn().unwrap());
    println!("Gradient function for loss = {}", loss.grad_fn().unwrap());

    // Computing Gradients: d(loss)/dw and d(loss)/db.
    loss.backward();
    println!("{}", w.grad().unwrap());
    println!("{}", b.grad().unwrap());

    // Disabling Gradient Tracking: under no_grad, nothing is recorded.
    let z = x.matmul(&w) + &b;
    println!("{}", z.requires_grad());

    let z = no_grad(|| x.matmul(&w) + &b);
    println!("{}", z.requires_grad());

    // The same with detach().
    let z = x.matmul(&w) + &b;
    let z_det = z.detach();
    println!("{}", z_det.requires_grad());

    // Optional Reading: Tensor Gradients and Jacobian Products. backward
    // with a vector v computes vᵀ·J; gradients accumulate across calls.
    let inp = Tensor::eye_rect(4, 5).requires_grad_(true);
    let out = (&inp + 1.0).pow(2.0).t();
    let ones_retaining = || BackwardOptions {
        gradient: Some(Tensor::ones_like(&out)),
        retain_graph: true,
    };
    out.backward_options(ones_retaining());
    println!("First call\n{}", inp.grad().unwrap());
    out.backward_options(ones_retaining());
    println!("\nSecond call\n{}", inp.grad().unwrap());
    inp.grad().unwrap().zero_();
    out.backward_options(ones_retaining());
    println!("\nCall after zeroing gradients\n{}", inp.grad().unwrap());
}
