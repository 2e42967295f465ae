"""PyTorch's beginner tutorial "Build the Neural Network"
(https://pytorch.org/tutorials/beginner/basics/buildmodel_tutorial.html),
as nn-core/examples/tutorial_build_model.rs ports it: the network is built for
the 8×8 digits that ship with nn-core (8*8 inputs where the tutorial has
FashionMNIST's 28*28, which need a download), `torch.manual_seed(0)` first,
the CPU as the device. tools/reference/tutorials.py runs it and stores its
output for nn-core/tests/tutorials.rs.
"""

import torch
from torch import nn

torch.manual_seed(0)

# Get Device for Training: the CPU, as nn-core.
device = "cpu"
print(f"Using {device} device")


# Define the Class
class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8 * 8, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)

X = torch.rand(1, 8, 8, device=device)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")

# Model Layers: a sample minibatch of 3 images of size 8x8.
input_image = torch.rand(3, 8, 8)
print(input_image.size())

# nn.Flatten
flatten = nn.Flatten()
flat_image = flatten(input_image)
print(flat_image.size())

# nn.Linear
layer1 = nn.Linear(in_features=8 * 8, out_features=20)
hidden1 = layer1(flat_image)
print(hidden1.size())

# nn.ReLU
print(f"Before ReLU: {hidden1}\n\n")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1}")

# nn.Sequential
seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(20, 10))
input_image = torch.rand(3, 8, 8)
logits = seq_modules(input_image)

# nn.Softmax
softmax = nn.Softmax(dim=1)
pred_probab = softmax(logits)
print(pred_probab.sum(dim=1))

# Model Parameters
print("Model structure: ", model, "\n\n")

for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
