//! PyTorch's beginner tutorial "Build the Neural Network"
//! (<https://pytorch.org/tutorials/beginner/basics/buildmodel_tutorial.html>),
//! line for line with nn-core.
//!
//! What differs from the tutorial, and why:
//! - the network is built for the 8×8 handwritten digits that ship with
//!   nn-core (`data::load_digits`; `tutorial_optimization` trains it on
//!   them), not for FashionMNIST's 28×28 images, which need a download: its
//!   layers take 8*8 inputs where the tutorial's take 28*28, and the random
//!   "images" below are 8×8;
//! - `manual_seed(0)` at the start, so that the random weights and images —
//!   and so every printed number — are those of the PyTorch twin,
//!   `tools/reference/tutorials/build_model.py`
//!   (`nn-core/tests/tutorials.rs` compares the two outputs);
//! - nn-core computes on the CPU: there is no device to choose.
//!
//! Run: `cargo run -p nn-core --example tutorial_build_model`

use nn_core::prelude::*;

/// The tutorial's network: a flatten, then three linear layers with ReLU
/// between them, 10 scores out (one per class).
#[derive(Module)]
struct NeuralNetwork {
    flatten: Flatten,
    linear_relu_stack: Sequential,
}

impl NeuralNetwork {
    fn new() -> NeuralNetwork {
        NeuralNetwork {
            flatten: Flatten::new(),
            linear_relu_stack: sequential![
                Linear::new(8 * 8, 512),
                ReLU::new(),
                Linear::new(512, 512),
                ReLU::new(),
                Linear::new(512, 10),
            ],
        }
    }
}

impl Module for NeuralNetwork {
    fn forward(&self, x: &Tensor) -> Tensor {
        let x = self.flatten.forward(x);
        self.linear_relu_stack.forward(&x)
    }
}

fn main() {
    manual_seed(0);

    // Get Device for Training: nn-core runs on the CPU.
    let device = "cpu";
    println!("Using {device} device");

    // Define the Class: an instance of NeuralNetwork, printed.
    let model = NeuralNetwork::new();
    println!("{model}");

    // Calling the model on the input returns a 10-dimensional tensor with
    // raw predicted values for each class; Softmax makes probabilities.
    let x = Tensor::rand([1, 8, 8]);
    let logits = model.forward(&x);
    let pred_probab = Softmax::new(1).forward(&logits);
    let y_pred = pred_probab.argmax(1);
    println!("Predicted class: {y_pred}");

    // Model Layers: a sample minibatch of 3 images of size 8x8.
    let input_image = Tensor::rand([3, 8, 8]);
    println!("{}", input_image.size());

    // nn.Flatten: each 2D 8x8 image becomes 64 pixel values.
    let flatten = Flatten::new();
    let flat_image = flatten.forward(&input_image);
    println!("{}", flat_image.size());

    // nn.Linear
    let layer1 = Linear::new(8 * 8, 20);
    let hidden1 = layer1.forward(&flat_image);
    println!("{}", hidden1.size());

    // nn.ReLU
    println!("Before ReLU: {hidden1}\n\n");
    let hidden1 = ReLU::new().forward(&hidden1);
    println!("After ReLU: {hidden1}");

    // nn.Sequential: an ordered container of modules (the same flatten and
    // layer1: a module's clone shares its parameters).
    let seq_modules = sequential![flatten, layer1, ReLU::new(), Linear::new(20, 10)];
    let input_image = Tensor::rand([3, 8, 8]);
    let logits = seq_modules.forward(&input_image);

    // nn.Softmax: logits scaled to [0, 1], summing to 1 along dim 1.
    let softmax = Softmax::new(1);
    let pred_probab = softmax.forward(&logits);
    println!("{}", pred_probab.sum_dim(1, false));

    // Model Parameters: each parameter's size and its first two rows.
    println!("Model structure:  {model} \n\n");
    for (name, param) in model.named_parameters() {
        println!(
            "Layer: {name} | Size: {} | Values : {} \n",
            param.size(),
            param.i(..2)
        );
    }
}
