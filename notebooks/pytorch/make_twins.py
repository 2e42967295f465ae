"""Writes the PyTorch twins of the course notebooks (01, 02, 04, 05): the same
lesson, cell for cell, in IPython + PyTorch. bench/cells.py runs them beside
ours; their printed blocks are the ones the Rust notebooks reproduce.

    python3 notebooks/pytorch/make_twins.py     # rewrites the .ipynb files here

A cell is `(kind, source)` or `(kind, source, tags)`: a tagged twin cell and
the Rust cell of the same tag print the same text (run_twin.py records the
twin's, tests/notebooks/test_notebooks.py compares).
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

PLOT_HELPERS = '''\
import matplotlib.pyplot as plt

def plot_activation(f, lo, hi, name):
    """The activation and its derivative (by autograd), as plot::activation draws them."""
    x = torch.linspace(lo, hi, 201, requires_grad=True)
    y = f(x)
    y.sum().backward()
    plt.figure(figsize=(6, 3.5))
    plt.plot(x.detach(), y.detach(), label=name)
    plt.plot(x.detach(), x.grad, "--", label=name + "'")
    plt.legend()
    plt.title(name)
    plt.show()'''

NB01 = [
    ("markdown", "# 1 · Linear layers: `nn.Linear` (PyTorch twin of the Rust lesson)"),
    ("code", "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n" + PLOT_HELPERS),
    ("code", """torch.manual_seed(0)
x = torch.tensor([[1.0, -1.0],
                  [0.0,  1.0],
                  [0.0,  0.0]])

in_features = x.shape[1]  # = 2
out_features = 5

m = nn.Linear(in_features, out_features)
y = m(x)"""),
    ("code", "print(m.weight.size())\nprint(m.weight)"),
    ("code", "print(m.bias.size())\nprint(m.bias)"),
    ("code", "print(y.size())\nprint(y)"),
    ("code", 'plot_activation(F.relu, -5.0, 5.0, "ReLU")'),
    ("code", """torch.manual_seed(0)
x = torch.tensor([1.0, -1.0])

net = nn.Linear(2, 3)

print("input : {}".format(x))
print("--------------------------------")

print("Weight : {}".format(net.weight))
print("Bias : {}".format(net.bias))
print("--------------------------------")

output = net.forward(x)
y = x.matmul(net.weight.t()) + net.bias

print("output : {}".format(output))
print("y : {}".format(y))
print("--------------------------------")

activation = F.relu(output)
print("activation : {}".format(activation))"""),
    ("code", """torch.manual_seed(0)
x = torch.tensor([1.0, -1.0])

net = nn.Sequential(
    nn.Linear(2, 3),
    nn.ReLU(),
)

print("input : {}".format(x))
print("--------------------------------")
print("network structure : {}".format(net))
print("--------------------------------")
print("Weight : {}".format(net[0].weight))
print("Bias : {}".format(net[0].bias))
print("Activation function : {}".format(net[1]))
print("--------------------------------")

activation = net.forward(x)
print("activation : {}".format(activation))

print("--------------------------------")
output = torch.matmul(x, net[0].weight.t()) + net[0].bias
print("internal output : {}".format(output))
print("ReLU(output) :{}".format(torch.nn.ReLU().forward(output)))"""),
    ("code", """class NeuralNetwork(nn.Module):
    def __init__(self, n_inputs, n_outputs):
        super().__init__()
        self.l1 = nn.Linear(n_inputs, n_outputs)
        self.act1 = nn.ReLU()

    def forward(self, x):
        x = self.l1(x)
        return self.act1(x)"""),
    ("code", """torch.manual_seed(0)
model = NeuralNetwork(2, 3)
x = torch.tensor([1.0, -1.0])
activation = model.forward(x)

print("input : {}".format(x))
print("--------------------------------")
print("Weight : {}".format(model.l1.weight))
print("Bias : {}".format(model.l1.bias))
print("Activation function : {}".format(model.act1))
print("--------------------------------")
print("activation : {}".format(activation))
print("--------------------------------")
output = torch.matmul(x, model.l1.weight.t()) + model.l1.bias
print("internal output : {}".format(output))
print("ReLU(output) :{}".format(torch.nn.ReLU().forward(output)))"""),
    ("code", """print(model)
for name, p in model.named_parameters():
    print(name, list(p.shape))"""),
    ("code", """class NeuralNetworkSequential(nn.Module):
    def __init__(self, n_inputs, n_outputs):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_inputs, n_outputs), nn.ReLU())

    def forward(self, x):
        return self.net(x)"""),
    ("code", """torch.manual_seed(0)
model = NeuralNetworkSequential(2, 3)

print("--------------------------------")
print("network structure : {}".format(model))
print("--------------------------------")

x = torch.tensor([1.0, -1.0])
activation = model.forward(x)

print("input : {}".format(x))
print("--------------------------------")
print("Weight : {}".format(model.net[0].weight))
print("Bias : {}".format(model.net[0].bias))
print("Activation function : {}".format(model.net[1]))
print("--------------------------------")
print("activation : {}".format(activation))
print("--------------------------------")
output = torch.matmul(x, model.net[0].weight.t()) + model.net[0].bias
print("internal output : {}".format(output))
print("ReLU(output) :{}".format(torch.nn.ReLU().forward(output)))"""),
    ("code", 'plot_activation(torch.sigmoid, -6.0, 6.0, "Sigmoid")'),
    ("code", """class FeedForwardSequential(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(1, 4),  # hidden layer of 4 neurons, for an input of 1 element
            nn.Sigmoid(),
            nn.Linear(4, 6),  # hidden layer of 6 neurons
            nn.Sigmoid(),
            nn.Linear(6, 1),  # output layer of 1 neuron
        )

    def forward(self, x):
        return self.net(x)


def count_parameters(model):
    \"\"\"The number of parameters that training updates (those with a gradient).\"\"\"
    return sum(p.numel() for p in model.parameters() if p.requires_grad)"""),
    ("code", """torch.manual_seed(0)
model = FeedForwardSequential()

print("--------------------------------")
print("network structure : {}".format(model))
print("nb parameters : {}".format(count_parameters(model)))
print("--------------------------------")

x = torch.tensor([[1.0],
                  [2.0],
                  [3.0]])

activation = model.forward(x)

print("input : {} of size {}".format(x, x.size()))
print("--------------------------------")
print("[0] Weight : {}".format(model.net[0].weight))
print("[0] Bias : {}".format(model.net[0].bias))
print("--------------------------------")
print("[1] Activation function : {}".format(model.net[1]))
print("--------------------------------")
print("[2] Weight : {}".format(model.net[2].weight))
print("[2] Bias : {}".format(model.net[2].bias))
print("--------------------------------")
print("[3] Activation function : {}".format(model.net[3]))
print("--------------------------------")
print("[4] Weight : {}".format(model.net[4].weight))
print("[4] Bias : {}".format(model.net[4].bias))
print("--------------------------------")
print("activation : {} of size {}".format(activation, activation.size()))"""),
    ("code", "n = sum(p.numel() for p in model.parameters())\nprint(n)"),
    ("code", "model"),
    ("code", """print(torch.linspace(-1, 1, 100))

x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
print(x)"""),
]

NB02 = [
    ("markdown", "# 2 · Training a network (PyTorch twin of the Rust lesson)"),
    ("code", "import torch\nimport torch.nn as nn\nimport matplotlib.pyplot as plt"),
    ("code", """torch.manual_seed(0)
x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)  # shape [100, 1]
y = x.pow(2) + 0.2 * torch.rand(x.size())  # y = x² + 0.2·noise

print(x.size())
print(y[:5])"""),
    ("code", """plt.figure(figsize=(6, 3.5))
plt.scatter(x, y, s=8)
plt.title("the data: y = x² + 0.2·noise")
plt.xlabel("x")
plt.ylabel("y")
plt.show()"""),
    ("code", """net = nn.Sequential(
    nn.Linear(1, 10),
    nn.ReLU(),
    nn.Linear(10, 1),
)
loss_func = nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.2)

print(net)
print(optimizer)"""),
    ("code", """losses = []
for t in range(200):
    prediction = net(x)
    loss = loss_func(prediction, y)

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    losses.append(loss.item())
    if t % 20 == 0:
        print(t, loss)"""),
    ("code", """plt.figure(figsize=(6, 3.5))
plt.plot(losses)
plt.title("SGD, learning rate 0.2")
plt.xlabel("step")
plt.ylabel("loss")
plt.show()"""),
    ("code", """with torch.no_grad():
    prediction = net(x)
print("final loss : {}".format(loss_func(prediction, y)))
plt.figure(figsize=(6, 3.5))
plt.scatter(x, y, s=8)
plt.plot(x, prediction, "r-")
plt.title("after 200 steps of SGD")
plt.show()"""),
    ("code", "print(net[2].weight)\nprint(net[2].bias)"),
    ("code", """torch.manual_seed(0)
x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
y = x.pow(2) + 0.2 * torch.rand(x.size())
net = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1))
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
print(optimizer)

adam_losses = []
for t in range(200):
    loss = loss_func(net(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    adam_losses.append(loss.item())
    if t % 20 == 0:
        print(t, loss)
with torch.no_grad():
    prediction = net(x)
print("final loss : {}".format(loss_func(prediction, y)))"""),
    ("code", """plt.figure(figsize=(6, 3.5))
plt.plot(losses, label="SGD (lr 0.2)")
plt.plot(adam_losses, label="Adam (lr 0.01)")
plt.title("loss per step")
plt.xlabel("step")
plt.ylabel("MSE")
plt.legend()
plt.show()"""),
    ("code", """plt.figure(figsize=(6, 3.5))
plt.scatter(x, y, s=8)
plt.plot(x, prediction, "r-")
plt.title("after 200 steps of Adam")
plt.show()"""),
]

# Notebook 04's twin. The data sets are nn-core's, written as PyTorch code in
# tools/reference/datasets.py (same seed, same points; the digits from the
# same file).
PLOT_HELPERS_04 = """\
import matplotlib.pyplot as plt

def plot_decision_boundary(model, x, y, title=None):
    \"\"\"The plane coloured by the predicted class, the points by their class
    (plot::decision_boundary).\"\"\"
    lo, hi = x.min(dim=0).values - 0.2, x.max(dim=0).values + 0.2
    gx, gy = torch.meshgrid(torch.linspace(lo[0], hi[0], 128), torch.linspace(lo[1], hi[1], 80), indexing="xy")
    with torch.no_grad():
        pred = model(torch.stack([gx.flatten(), gy.flatten()], dim=1)).argmax(dim=1)
        correct = (model(x).argmax(dim=1) == y).sum().item()
    plt.figure(figsize=(6.4, 4))
    plt.contourf(gx, gy, pred.view(gx.shape), alpha=0.3, cmap="tab10", vmin=0, vmax=9)
    plt.scatter(x[:, 0], x[:, 1], c=y, s=10, cmap="tab10", vmin=0, vmax=9)
    plt.title(title or "Decision boundary (accuracy {:.1f}%)".format(100 * correct / len(y)))
    plt.show()

def plot_images(images, titles):
    \"\"\"A row (or rows of 10) of grayscale images, ink in white (plot::images).\"\"\"
    n = len(images)
    cols = min(n, 10)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(cols, 1.2 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        ax.imshow(image, cmap="gray")
        ax.set_title(title, fontsize=8)
    plt.show()"""

NB04 = [
    ("markdown", "# 4 · Classification (PyTorch twin of the Rust lesson)"),
    ("code", """import sys
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split

sys.path.insert(0, "../../tools/reference")  # nn-core's data sets, as PyTorch code
from datasets import load_digits, make_spirals
""" + PLOT_HELPERS_04),
    ("code", """torch.manual_seed(0)
x, y = make_spirals(300, 3, 0.2)

print(x.size())
print(x[:5])
print(y[:5])""", ["spirals-data"]),
    ("code", """model = nn.Sequential(
    nn.Linear(2, 64),
    nn.ReLU(),
    nn.Linear(64, 64),
    nn.ReLU(),
    nn.Linear(64, 3),
)
print(model)""", ["spirals-model"]),
    ("code", """logits = model(x[:5])
print(logits)
print(logits.softmax(dim=1))
print(logits.argmax(dim=1))""", ["spirals-scores"]),
    ("code", """loss_fn = nn.CrossEntropyLoss()
print(loss_fn(model(x), y))""", ["spirals-loss"]),
    ("code", "plot_decision_boundary(model, x, y)"),
    ("code", """dataset = TensorDataset(x, y)
loader = DataLoader(dataset, batch_size=32, shuffle=True)
print("{} batches of up to 32 points".format(len(loader)))

xb, yb = next(iter(loader))  # the first batch of an epoch
print(xb.size(), yb.size())
print(yb)""", ["spirals-batch"]),
    ("code", """optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
losses, accuracies = [], []

for epoch in range(1, 41):
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    with torch.no_grad():
        scores = model(x)
        loss, correct = loss_fn(scores, y).item(), (scores.argmax(dim=1) == y).sum().item()
    accuracy = 100 * correct / 300
    losses.append(loss)
    accuracies.append(accuracy)
    if epoch % 5 == 0:
        print(f"epoch {epoch:2}  loss {loss:.4f}  accuracy {accuracy:.1f}%")
# The Rust lesson redraws the boundary while it trains (LiveFigure); here, once after.
plot_decision_boundary(model, x, y)""", ["train-spirals"]),
    ("code", """fig, (left, right) = plt.subplots(1, 2, figsize=(7.2, 3))
left.plot(losses)
left.set_title("Loss")
left.set_xlabel("epoch")
right.plot(accuracies, color="tab:orange")
right.set_title("Accuracy")
right.set_xlabel("epoch")
plt.show()"""),
    ("code", """images, labels = load_digits()
print(images.size(), labels.size())
print(images[0].view(8, 8))
print(labels[:20])""", ["digits-data"]),
    ("code", "plot_images(images[:30].view(-1, 8, 8), [str(l.item()) for l in labels[:30]])"),
    ("code", """torch.manual_seed(0)
digits = TensorDataset(images / 16.0, labels)
train_set, test_set = random_split(digits, [0.8, 0.2])
print("train: {} images, test: {} images".format(len(train_set), len(test_set)))

train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
test_loader = DataLoader(test_set, batch_size=1000)  # the whole test set in one batch, in order""", ["digits-split"]),
    ("code", """model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
print(model)""", ["digits-model"]),
    ("code", """def test_accuracy(model, loader):
    correct, total = 0, 0
    for xb, yb in loader:
        with torch.no_grad():
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
        total += yb.numel()
    return 100 * correct / total"""),
    ("code", """optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(1, 16):
    total = 0.0
    for xb, yb in train_loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    train_loss = total / len(train_loader)
    print(f"epoch {epoch:2}  train loss {train_loss:.4f}  test accuracy {test_accuracy(model, test_loader):.1f}%")""", ["train-digits"]),
    ("code", """x_test, y_test = next(iter(test_loader))
with torch.no_grad():
    pred = model(x_test).argmax(dim=1)
counts = torch.zeros(10, 10, dtype=torch.int64)
for t, p in zip(y_test, pred):
    counts[t, p] += 1
plt.imshow(counts, cmap="Blues")
plt.xlabel("predicted")
plt.ylabel("true")
plt.title("Confusion matrix (accuracy {:.1f}%)".format(100 * counts.trace().item() / len(y_test)))
plt.show()"""),
    ("code", """wrong = pred != y_test
print("{} misclassified of {}".format(wrong.sum().item(), y_test.numel()))
print("predicted: {}".format(pred[wrong]))
print("true     : {}".format(y_test[wrong]))

titles = ["pred {}\\ntrue {}".format(p, t) for p, t in zip(pred[wrong].tolist(), y_test[wrong].tolist())]
plot_images(x_test[wrong].view(-1, 8, 8), titles)""", ["misclassified"]),
]


# Notebook 05's twin: the digits from tools/reference/datasets.py.
NB05 = [
    ("markdown", "# 5 · Convolutional networks (PyTorch twin of the Rust lesson)"),
    ("code", """import sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader, random_split
import matplotlib.pyplot as plt

sys.path.insert(0, "../../tools/reference")  # nn-core's data sets, as PyTorch code
from datasets import load_digits

# One thread: torch's convolutions add in an order that depends on the thread
# count, and the trainings below print the numbers of the 1-thread run.
torch.set_num_threads(1)"""),
    ("code", """x, y = load_digits()
images = x.view(-1, 1, 8, 8) / 16.0
print(images.size())
print(y[:10])""", ["twin-digits"]),
    ("code", """fig, axes = plt.subplots(1, 10, figsize=(8, 1.2))
for k, ax in enumerate(axes):
    ax.imshow(images[k, 0], cmap="gray")
    ax.set_title(int(y[k]))
    ax.axis("off")
plt.show()"""),
    ("code", """image = images[0, 0]  # the first digit, [8, 8]
kernel = torch.tensor([[-1.0, 0.0, 1.0],
                       [-1.0, 0.0, 1.0],
                       [-1.0, 0.0, 1.0]])

sums = []
for i in range(6):
    for j in range(6):
        patch = image[i:i + 3, j:j + 3]  # the 3×3 pixels under the filter
        sums.append((patch * kernel).sum())
by_hand = torch.stack(sums).view(6, 6)
print(by_hand)""", ["twin-by-hand"]),
    ("code", """conv = nn.Conv2d(1, 1, 3, bias=False)
with torch.no_grad():
    conv.weight.copy_(kernel.view(1, 1, 3, 3))
print(conv)
with torch.no_grad():
    out = conv(image.view(1, 1, 8, 8))
print(out.size())
print((out.view(6, 6) - by_hand).abs().max())""", ["twin-conv2d"]),
    ("code", """fig, axes = plt.subplots(1, 3, figsize=(9, 3))
axes[0].imshow(image, cmap="gray"); axes[0].set_title("the image")
m = kernel.abs().max()
axes[1].imshow(kernel, cmap="RdBu_r", vmin=-m, vmax=m); axes[1].set_title("the filter")
m = out.abs().max()
axes[2].imshow(out[0, 0], cmap="RdBu_r", vmin=-m, vmax=m); axes[2].set_title("the output")
plt.show()"""),
    ("code", """x1 = image.view(1, 1, 8, 8)
print(F.conv2d(x1, conv.weight, None, stride=1, padding=0).size())
print(F.conv2d(x1, conv.weight, None, stride=1, padding=1).size())
print(F.conv2d(x1, conv.weight, None, stride=2, padding=1).size())""", ["twin-shapes"]),
    ("code", """with torch.no_grad():
    edges = F.conv2d(x1, conv.weight, None, stride=1, padding=1)  # [1, 1, 8, 8]
print(edges.view(8, 8))
print(nn.MaxPool2d(2)(edges).view(4, 4))
print(nn.AvgPool2d(2)(edges).view(4, 4))""", ["twin-pooling"]),
    ("code", """torch.manual_seed(0)
digits = TensorDataset(images, y)
train, test = random_split(digits, [0.8, 0.2])
train_loader = DataLoader(train, batch_size=64, shuffle=True)
x_test, y_test = next(iter(DataLoader(test, batch_size=len(test))))
print("{} training images in {} batches of up to 64, {} test images".format(len(train), len(train_loader), len(test)))
print(x_test.size())""", ["twin-split"]),
    ("code", """def correct(model, x, y):
    \"\"\"How many of the images x the model classifies right (in eval mode, without a graph).\"\"\"
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).sum().item()


def fit(model, loader, x_test, y_test, epochs):
    \"\"\"Trains with Adam (lr 0.01); prints the mean loss of each epoch and the final test accuracy.\"\"\"
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses, accuracies = [], []
    for epoch in range(1, epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        right = correct(model, x_test, y_test)
        losses.append(total / len(loader))
        accuracies.append(right / len(y_test))
        print(f"epoch {epoch:2}: loss {losses[-1]:.2f}")
    print(f"test accuracy: {correct(model, x_test, y_test)}/{len(y_test)}")
    return losses, accuracies"""),
    ("code", """torch.manual_seed(0)
mlp = nn.Sequential(
    nn.Flatten(),
    nn.Linear(64, 32),
    nn.ReLU(),
    nn.Linear(32, 10),
)
print(mlp)
print("parameters: {}".format(sum(p.numel() for p in mlp.parameters())))
mlp_curves = fit(mlp, train_loader, x_test, y_test, 10)""", ["twin-mlp"]),
    ("code", """torch.manual_seed(0)
cnn = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(64, 10),
)
print(cnn)
print("parameters: {}".format(sum(p.numel() for p in cnn.parameters())))""", ["twin-cnn"]),
    ("code", """h = x_test[:64]
print(f"input {h.size()}")
with torch.no_grad():
    for i, layer in enumerate(cnn):
        h = layer(h)
        print(f"({i}) {type(layer).__name__:<9} -> {h.size()}")""", ["twin-cnn-shapes"]),
    ("code", "cnn_curves = fit(cnn, train_loader, x_test, y_test, 10)", ["twin-train-cnn"]),
    ("code", """fig, axes = plt.subplots(1, 2, figsize=(8, 3))
axes[0].plot(cnn_curves[0]); axes[0].set_title("Loss")
axes[1].plot(cnn_curves[1]); axes[1].set_title("Accuracy")
plt.show()"""),
    ("code", """for name, model in [("MLP", mlp), ("CNN", cnn)]:
    n = sum(p.numel() for p in model.parameters())
    print(f"{name}: {n} parameters, {correct(model, x_test, y_test)} of {len(y_test)} test digits right")""", ["twin-compare"]),
    ("code", """w = cnn[0].weight.detach()
m = w.abs().max()
fig, axes = plt.subplots(1, 8, figsize=(8, 1.4))
for k, ax in enumerate(axes):
    ax.imshow(w[k, 0], cmap="RdBu_r", vmin=-m, vmax=m)
    ax.set_title(k)
    ax.axis("off")
plt.show()"""),
    ("code", """digit = x_test[:1]
print(f"label: {y_test[0]}")
with torch.no_grad():
    after_conv1 = cnn[:1](digit)
    after_pool1 = cnn[:3](digit)
    after_conv2 = cnn[:5](digit)
print(after_conv1.size(), after_pool1.size(), after_conv2.size())""", ["twin-feature-maps"]),
    ("code", """def show_maps(maps, title):
    m = maps.abs().max()
    c = maps.shape[1]
    fig, axes = plt.subplots((c + 7) // 8, min(c, 8), figsize=(8, 1.2 * ((c + 7) // 8)))
    for k, ax in enumerate(axes.flat):
        ax.imshow(maps[0, k], cmap="RdBu_r", vmin=-m, vmax=m)
        ax.set_title(k)
        ax.axis("off")
    fig.suptitle(title)
    plt.show()

show_maps(after_conv1, "after conv1")
show_maps(cnn[:2](digit).detach(), "after conv1 and ReLU")
show_maps(after_pool1, "after max-pooling")
show_maps(after_conv2, "after conv2 and ReLU")"""),
    ("code", """bn = nn.BatchNorm2d(2)
print(bn)
batch = torch.arange(16).float().view(2, 2, 2, 2)  # 2 images, 2 channels, 2×2
out = bn(batch)  # training mode: the batch's own statistics
print(out)
for name, b in bn.named_buffers():
    print(name, b)""", ["twin-batchnorm"]),
    ("code", """bn.eval()  # evaluation mode: the running statistics
print(bn(batch))""", ["twin-batchnorm-eval"]),
    ("code", """torch.manual_seed(0)
bn_cnn = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1),
    nn.BatchNorm2d(8),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1),
    nn.BatchNorm2d(16),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(64, 10),
)
print(bn_cnn)
print("parameters: {}".format(sum(p.numel() for p in bn_cnn.parameters())))
bn_curves = fit(bn_cnn, train_loader, x_test, y_test, 10)""", ["twin-bn-cnn"]),
    ("code", """plt.figure(figsize=(6, 3.5))
for name, curves in [("MLP", mlp_curves), ("CNN", cnn_curves), ("CNN + BatchNorm2d", bn_curves)]:
    plt.plot(range(1, 11), curves[1], label=name)
plt.title("test accuracy")
plt.xlabel("epoch")
plt.legend()
plt.show()"""),
]


def notebook(cells):
    return {
        "cells": [
            {"cell_type": kind, "id": f"cell-{i}", "metadata": {"tags": tags[0]} if tags else {}}
            | {"source": text.splitlines(keepends=True)}
            | ({"execution_count": None, "outputs": []} if kind == "code" else {})
            for i, (kind, text, *tags) in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


if __name__ == "__main__":
    for name, cells in [
        ("01-linear-layers.ipynb", NB01),
        ("02-training-a-network.ipynb", NB02),
        ("04-classification.ipynb", NB04),
        ("05-convolutional-networks.ipynb", NB05),
    ]:
        (HERE / name).write_text(json.dumps(notebook(cells), indent=1, ensure_ascii=False) + "\n")
        print("wrote", HERE / name)
