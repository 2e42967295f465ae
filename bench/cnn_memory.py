"""torch's side of nn-core/examples/cnn_memory.rs: LeNet-5 (ReLU, max pooling)
on a batch of 64 random 1x28x28 images, CrossEntropyLoss, SGD, STEPS steps
(default 200), printing the resident set size before the loop and its peak
after it."""
import sys

import torch
import torch.nn as nn


def status_kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])


steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
torch.set_num_threads(1)
torch.manual_seed(0)
net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                    nn.Linear(84, 10))
x = torch.randn(64, 1, 28, 28)
target = torch.randint(0, 10, (64,))
optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
loss_func = nn.CrossEntropyLoss()
before = status_kb("VmRSS:")
for _ in range(steps):
    out = net(x)
    loss = loss_func(out, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"torch: {steps} steps, final loss {loss.item():.4f}; RSS before the loop {before} kB, "
      f"peak {status_kb('VmHWM:')} kB")
