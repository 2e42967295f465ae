"""PyTorch's beginner tutorial "Optimizing Model Parameters"
(https://pytorch.org/tutorials/beginner/basics/optimization_tutorial.html), as
nn-core/examples/tutorial_optimization.rs ports it: the 8×8 digits that ship
with nn-core (tools/reference/datasets.py's load_digits, pixels / 16 as
ToTensor scales them, an 80/20 random_split) instead of FashionMNIST, which
needs a download; 8*8 inputs; with 23 batches an epoch instead of 938, the
loss printed every 5 batches instead of every 100 and a learning rate of 0.1
instead of 1e-3; `torch.manual_seed(0)` first.
tools/reference/tutorials.py runs it and stores its output for
nn-core/tests/tutorials.rs.
"""

import os
import sys

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from datasets import load_digits  # noqa: E402

torch.manual_seed(0)

# Prerequisite code: the data (digits for FashionMNIST) and the model.
images, labels = load_digits()
digits = TensorDataset(images.view(-1, 8, 8) / 16.0, labels)
training_data, test_data = random_split(digits, [0.8, 0.2])


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


# Hyperparameters
learning_rate = 1e-1
batch_size = 64

train_dataloader = DataLoader(training_data, batch_size=batch_size)
test_dataloader = DataLoader(test_data, batch_size=batch_size)

model = NeuralNetwork()

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)


def train_loop(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        if batch % 5 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0

    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()

    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")


epochs = 10
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    train_loop(train_dataloader, model, loss_fn, optimizer)
    test_loop(test_dataloader, model, loss_fn)
print("Done!")
