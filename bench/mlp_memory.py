"""torch's side of nn-core/examples/mlp_memory.rs: the MLP of benchmark (b)
(784-128-10, batch 64, CrossEntropyLoss, SGD), STEPS steps (default 2000),
printing the resident set size before the loop and its peak after it."""
import sys

import torch
import torch.nn as nn


def status_kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])


steps = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
torch.set_num_threads(1)
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
x = torch.randn(64, 784)
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
