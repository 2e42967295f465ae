//! PyTorch's beginner tutorial "Optimizing Model Parameters"
//! (<https://pytorch.org/tutorials/beginner/basics/optimization_tutorial.html>),
//! line for line with nn-core.
//!
//! What differs from the tutorial, and why:
//! - FashionMNIST (60,000 + 10,000 images of 28×28, a download) is not
//!   available offline: the data are the 1,797 handwritten digits of 8×8 that
//!   ship with nn-core (`data::load_digits`), pixels scaled to [0, 1] as
//!   `ToTensor` does, cut by `random_split` into 80 % for training and 20 %
//!   for testing (FashionMNIST comes already split). The network takes 8*8
//!   inputs where the tutorial's takes 28*28;
//! - with 23 batches an epoch instead of 938, the loss is printed every 5
//!   batches rather than every 100, and the learning rate is 0.1 rather than
//!   1e-3 (which leaves the network at 24 % accuracy after 10 epochs of so
//!   few steps);
//! - `manual_seed(0)` at the start, so that the split, the initial weights —
//!   and every printed number — are those of the PyTorch twin,
//!   `tools/reference/tutorials/optimization.py` (`nn-core/tests/tutorials.rs`
//!   compares the two outputs, to the last printed digit but for rounding).
//!
//! Run: `cargo run -p nn-core --example tutorial_optimization`

use nn_core::prelude::*;

/// The tutorial's network (from "Build the Neural Network").
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

type Loader = DataLoader<(Tensor, Tensor)>;

/// One epoch of training: the loss of every 5th batch is printed.
fn train_loop(
    dataloader: &Loader,
    size: usize,
    model: &mut NeuralNetwork,
    loss_fn: &CrossEntropyLoss,
    optimizer: &mut SGD,
    batch_size: usize,
) {
    // Set the model to training mode - important for batch normalization and
    // dropout layers. Unnecessary in this situation but added for best practices.
    model.train();
    for (batch, (x, y)) in dataloader.iter().enumerate() {
        // Compute prediction and loss
        let pred = model.forward(&x);
        let loss = loss_fn.forward(&pred, &y);

        // Backpropagation
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();

        if batch % 5 == 0 {
            let (loss, current) = (loss.item(), batch * batch_size + x.shape()[0]);
            println!("loss: {loss:>7.6}  [{current:>5}/{size:>5}]");
        }
    }
}

/// The loss and accuracy on the test set.
fn test_loop(
    dataloader: &Loader,
    size: usize,
    model: &mut NeuralNetwork,
    loss_fn: &CrossEntropyLoss,
) {
    // Set the model to evaluation mode - important for batch normalization and
    // dropout layers. Unnecessary in this situation but added for best practices.
    model.eval();
    let num_batches = dataloader.len();
    let (mut test_loss, mut correct) = (0.0, 0.0);

    // Evaluating the model under no_grad ensures that no gradients are computed.
    no_grad(|| {
        for (x, y) in dataloader {
            let pred = model.forward(&x);
            test_loss += loss_fn.forward(&pred, &y).item();
            correct += pred.argmax(1).eq(&y).to_dtype(DType::Float32).sum().item();
        }
    });

    test_loss /= num_batches as f64;
    correct /= size as f64;
    println!(
        "Test Error: \n Accuracy: {:>0.1}%, Avg loss: {test_loss:>8.6} \n",
        100.0 * correct
    );
}

fn main() {
    manual_seed(0);

    // Prerequisite code: the data (digits for FashionMNIST) and the model.
    let (images, labels) = data::load_digits();
    let digits = TensorDataset::new((images.view([-1, 8, 8]) / 16.0, labels));
    let [training_data, test_data] = random_split(&digits, [0.8, 0.2]);

    // Hyperparameters (the tutorial's learning rate is 1e-3, for 40 times as
    // many batches an epoch)
    let learning_rate = 1e-1;
    let batch_size = 64;

    let train_dataloader = DataLoader::new(&training_data, batch_size);
    let test_dataloader = DataLoader::new(&test_data, batch_size);

    let mut model = NeuralNetwork::new();

    // Loss Function: CrossEntropyLoss combines LogSoftmax and NLLLoss.
    let loss_fn = CrossEntropyLoss::new();

    // Optimizer: stochastic gradient descent.
    let mut optimizer = SGD::new(model.parameters(), learning_rate);

    // Full Implementation
    let epochs = 10;
    for t in 0..epochs {
        println!("Epoch {}\n-------------------------------", t + 1);
        train_loop(
            &train_dataloader,
            training_data.len(),
            &mut model,
            &loss_fn,
            &mut optimizer,
            batch_size,
        );
        test_loop(&test_dataloader, test_data.len(), &mut model, &loss_fn);
    }
    println!("Done!");
}
