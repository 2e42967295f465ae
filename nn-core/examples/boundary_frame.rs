//! The time to draw one frame of a live decision boundary
//! (`plot::decision_boundary(&model, &x, &y).to_svg()`): the forward pass
//! over the 128 × 80 grid, the regions and the SVG, for the MLP of a
//! classification lesson (2 → 64 → 64 → 3) on 300 spiral points.
//!
//! Run: `cargo run --release -p nn-core --example boundary_frame [FRAMES]`
//! (docs/display.md gives the figures).

use nn_core::prelude::*;
use std::time::Instant;

fn main() {
    let frames: usize = std::env::args()
        .nth(1)
        .map_or(50, |s| s.parse().expect("FRAMES is a number"));
    nn_core::set_num_threads(1);
    manual_seed(0);
    // Three interleaved spirals, 100 points each.
    let per = 100;
    let noise = Tensor::randn([3 * per]).to_vec::<f32>();
    let mut points = Vec::new();
    for c in 0..3 {
        for i in 0..per {
            let r = i as f32 / per as f32;
            let t = c as f32 * 4.2 + r * 4.0 + noise[c * per + i] * 0.2;
            points.extend([r * t.sin(), r * t.cos()]);
        }
    }
    let x = Tensor::from_vec(points, [3 * per, 2]);
    let y = Tensor::from_vec(
        (0..3 * per as i64)
            .map(|i| i / per as i64)
            .collect::<Vec<_>>(),
        [3 * per],
    );
    let model = sequential![
        Linear::new(2, 64),
        ReLU::new(),
        Linear::new(64, 64),
        ReLU::new(),
        Linear::new(64, 3),
    ];
    let mut optimizer = Adam::new(model.parameters(), 0.01);
    for _ in 0..200 {
        optimizer.zero_grad();
        CrossEntropyLoss::new()
            .forward(&model.forward(&x), &y)
            .backward();
        optimizer.step();
    }

    let time = |f: &dyn Fn() -> usize| {
        f(); // warm up
        let start = Instant::now();
        let mut bytes = 0;
        for _ in 0..frames {
            bytes = f();
        }
        (start.elapsed().as_secs_f64() * 1e3 / frames as f64, bytes)
    };
    let (figure_ms, _) = time(&|| {
        let _ = plot::decision_boundary(&model, &x, &y);
        0
    });
    let (frame_ms, bytes) = time(&|| plot::decision_boundary(&model, &x, &y).to_svg().len());
    println!("decision boundary, {frames} frames, 1 thread:");
    println!("  figure (forward passes, regions): {figure_ms:.2} ms");
    println!(
        "  frame (figure + SVG):              {frame_ms:.2} ms, {} kB of SVG",
        bytes / 1000
    );
}
