"""Reference cases for nn-core's training tools and containers, from torch 2.15.

Writes nn-core/tests/reference/train-cases.json, which nn-core/tests/train_cases.rs
replays (the Rust tests never need torch). Run from the repository root:

    python3 tools/reference/train_cases.py

What it records (every case has a unique `id` and a `kind`):

* `init`: `torch.nn.init.<fn>_(w, **kwargs)` on a fresh float32 tensor after
  `torch.manual_seed(seed)` (optionally after building `nn.Linear`s first), with
  the resulting bits and the next `torch.rand(3)` (so the number of draws
  consumed is checked too).
* `init_error`: the message of the exception an init call raises.
* `gain`: `nn.init.calculate_gain(nonlinearity, param)`.
* `dropout`: `F.dropout(x, p, training)` on `x = arange(1, n+1)` after
  `manual_seed(seed)`: output bits, grad_fn, the gradient of `(y * w).sum()`,
  and the next `torch.rand(3)`.
* `optimizer`: a few steps of SGD/Adam/AdamW with given gradients (the format
  of `shared/pytorch-reference/grad-cases.json`): parameters and state after
  every step, and `str(optimizer)`.
* `scheduler`: `StepLR`/`MultiStepLR`/`ExponentialLR`/`CosineAnnealingLR` over an SGD or Adam
  optimizer: `repr(get_last_lr())` after construction and after each
  `optimizer.step(); scheduler.step()`, and `str(optimizer)` at the end.
* `scheduler_warning`: the warning torch gives when `scheduler.step()` comes
  before `optimizer.step()`.
* `clip`: `clip_grad_norm_(params, max_norm, norm_type)`: the returned total
  norm and the clipped gradients; `clip_value` for `clip_grad_value_`;
  `clip_error` for the non-finite error.
* `container`: a Sequential/ModuleList/ModuleDict built and edited by a small
  program (a JSON list of operations that the Rust test interprets the same
  way): `repr`, `state_dict` keys, `len`, and each module's `training` flag.
* `custom`: models with a ModuleList/ModuleDict field (the Rust test declares
  the same structs with `#[derive(Module)]`): repr, state_dict keys, and the
  output on a fixed input after `manual_seed(0)`.
"""

import contextlib
import io
import json
import math
import os
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import init

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
torch.set_num_threads(1)

OUT = os.path.join(
    os.path.dirname(__file__), "..", "..", "nn-core", "tests", "reference", "train-cases.json"
)

cases = []


def rec(t):
    """A float32 tensor as {dtype, shape, bits} (bits: 8 hex digits, row-major)."""
    t = t.detach().contiguous().to(torch.float32)
    bits = t.view(torch.int32).flatten().tolist()
    return {
        "dtype": "float32",
        "shape": list(t.shape),
        "bits": [format(b & 0xFFFFFFFF, "08x") for b in bits],
    }


def add(kind, id, **fields):
    cases.append({"id": id, "kind": kind, **fields})


# ---------------------------------------------------------------- nn.init

INIT_FNS = {
    "kaiming_uniform_": init.kaiming_uniform_,
    "kaiming_normal_": init.kaiming_normal_,
    "xavier_uniform_": init.xavier_uniform_,
    "xavier_normal_": init.xavier_normal_,
    "uniform_": init.uniform_,
    "normal_": init.normal_,
    "constant_": init.constant_,
    "zeros_": init.zeros_,
    "ones_": init.ones_,
}

INIT_CALLS = [
    ("kaiming_uniform_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_uniform_", {"a": 0.2, "nonlinearity": "leaky_relu"}),
    ("kaiming_normal_", {}),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {"nonlinearity": "tanh"}),
    ("xavier_uniform_", {}),
    ("xavier_uniform_", {"gain": init.calculate_gain("tanh")}),
    ("xavier_normal_", {}),
    ("xavier_normal_", {"gain": 2.0}),
    ("uniform_", {}),
    ("uniform_", {"a": -0.1, "b": 0.1}),
    ("normal_", {}),
    ("normal_", {"mean": 0.5, "std": 0.01}),
    ("constant_", {"val": 0.3}),
    ("zeros_", {}),
    ("ones_", {}),
]

# 2-D shapes on both sides of randn's 16-element block path, a large one,
# and a 3-D one (a receptive field of 5).
INIT_SHAPES = [(3, 2), (4, 4), (8, 3), (128, 10), (4, 3, 5)]

for seed in (0, 1, 42):
    for shape in INIT_SHAPES:
        if seed != 0 and shape == (128, 10):
            continue  # one seed is enough for the large shape (keeps the file small)
        for fn, kwargs in INIT_CALLS:
            if seed != 0 and fn in ("constant_", "zeros_", "ones_"):
                continue
            torch.manual_seed(seed)
            w = torch.empty(shape)
            INIT_FNS[fn](w, **kwargs)
            add(
                "init",
                f"init/{fn}{'/' + ','.join(f'{k}={v}' for k, v in kwargs.items()) if kwargs else ''}/{'x'.join(map(str, shape))}/seed{seed}",
                seed=seed,
                fn=fn,
                kwargs=kwargs,
                shape=list(shape),
                before=[],
                result=rec(w),
                next_rand=rec(torch.rand(3)),
            )

# 1-D tensors (uniform_/normal_/constant_ need no fans) and parameters of a
# Linear initialised again, after the Linear's own draws.
for seed in (0, 7):
    for fn, kwargs in [("uniform_", {"a": -1.0, "b": 1.0}), ("normal_", {"std": 0.02}), ("zeros_", {})]:
        torch.manual_seed(seed)
        w = torch.empty(5)
        INIT_FNS[fn](w, **kwargs)
        add(
            "init",
            f"init/{fn}/1d5/seed{seed}",
            seed=seed,
            fn=fn,
            kwargs=kwargs,
            shape=[5],
            before=[],
            result=rec(w),
            next_rand=rec(torch.rand(3)),
        )
    torch.manual_seed(seed)
    lin = nn.Linear(4, 3)
    init.kaiming_normal_(lin.weight, mode="fan_out", nonlinearity="relu")
    init.zeros_(lin.bias)
    add(
        "init",
        f"init/after_linear/seed{seed}",
        seed=seed,
        fn="kaiming_normal_",
        kwargs={"mode": "fan_out", "nonlinearity": "relu"},
        shape=[3, 4],
        before=[[4, 3]],
        result=rec(lin.weight),
        next_rand=rec(torch.rand(3)),
        printed=str(lin.weight),
    )


def error_of(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 - the message is the point
        return f"{type(e).__name__}: {e}"
    raise AssertionError("expected an error")


for i, (fn, shape, kwargs) in enumerate(
    [
        ("kaiming_uniform_", (5,), {}),
        ("xavier_normal_", (5,), {}),
        ("kaiming_normal_", (3, 2), {"mode": "fan_avg"}),
        ("kaiming_uniform_", (3, 2), {"nonlinearity": "gelu"}),
    ]
):
    add(
        "init_error",
        f"init_error/{i}",
        fn=fn,
        shape=list(shape),
        kwargs=kwargs,
        error=error_of(lambda: INIT_FNS[fn](torch.empty(shape), **kwargs)),
    )

for name, param in [
    ("linear", None),
    ("conv2d", None),
    ("sigmoid", None),
    ("tanh", None),
    ("relu", None),
    ("leaky_relu", None),
    ("leaky_relu", 0.2),
    ("leaky_relu", math.sqrt(5)),
    ("leaky_relu", 0),
    ("selu", None),
]:
    g = init.calculate_gain(name, param)
    add(
        "gain",
        f"gain/{name}/{param}",
        nonlinearity=name,
        param=param,
        value=float(g),
        repr=repr(g),
    )
add("init_error", "gain_error", fn="calculate_gain", nonlinearity="swish", error=error_of(lambda: init.calculate_gain("swish")))

# ---------------------------------------------------------------- dropout

for seed in (0, 1, 7):
    for n, p in [(20, 0.5), (16, 0.2), (100, 0.3), (7, 0.9), (40, 0.1), (1000, 0.5)]:
        torch.manual_seed(seed)
        x = torch.arange(1, n + 1, dtype=torch.float32).requires_grad_(True)
        y = F.dropout(x, p, training=True)
        w = torch.linspace(-1, 1, n)
        (y * w).sum().backward()
        add(
            "dropout",
            f"dropout/n{n}/p{p}/seed{seed}",
            seed=seed,
            n=n,
            p=p,
            training=True,
            output=rec(y),
            grad_fn=y.grad_fn.name(),
            grad=rec(x.grad),
            next_rand=rec(torch.rand(3)),
        )
for p in (0.0, 1.0):
    torch.manual_seed(0)
    x = torch.arange(1, 9, dtype=torch.float32)
    y = F.dropout(x, p, training=True)
    add(
        "dropout",
        f"dropout/n8/p{p}/edge",
        seed=0,
        n=8,
        p=p,
        training=True,
        output=rec(y),
        grad_fn=None,
        grad=None,
        next_rand=rec(torch.rand(3)),
    )
torch.manual_seed(0)
x = torch.arange(1, 9, dtype=torch.float32)
add(
    "dropout",
    "dropout/eval",
    seed=0,
    n=8,
    p=0.5,
    training=False,
    output=rec(F.dropout(x, 0.5, training=False)),
    grad_fn=None,
    grad=None,
    next_rand=rec(torch.rand(3)),
)

# A model with Dropout: train, eval, train again; the printed outputs.
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
x = torch.ones(3, 4)
outs = {}
outs["train"] = str(model(x))
model.eval()
outs["eval"] = str(model(x))
flags_eval = [m.training for m in model.modules()]
model.train()
outs["train_again"] = str(model(x))
add(
    "dropout_model",
    "dropout/model",
    outputs=outs,
    training_after_eval=flags_eval,
    training_after_train=[m.training for m in model.modules()],
    next_rand=rec(torch.rand(3)),
)

# ---------------------------------------------------------------- optimizers

OPT_CLASSES = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}
OPT_SPECS = [
    ("SGD", {"lr": 0.1, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.001}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.01, "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.01, "amsgrad": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.02, "betas": [0.8, 0.95], "eps": 1e-6, "weight_decay": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0, "maximize": True}),
    ("AdamW", {"lr": 1, "weight_decay": 0.5}),
]

for i, (kind, kwargs) in enumerate(OPT_SPECS):
    for seed in (0, 1):
        g = torch.Generator().manual_seed(1000 * i + seed)
        W = torch.randn(3, 4, generator=g).requires_grad_(True)
        b = torch.randn(4, generator=g).requires_grad_(True)
        params = {"W": W, "b": b}
        initial = {k: rec(v) for k, v in params.items()}
        py_kwargs = dict(kwargs)
        if "betas" in py_kwargs:
            py_kwargs["betas"] = tuple(py_kwargs["betas"])
        opt = OPT_CLASSES[kind]([W, b], **py_kwargs)
        grads, after, states = [], [], []
        for step in range(6):
            step_grads = {}
            for name, p in params.items():
                p.grad = torch.randn(p.shape, generator=g) * (1 + step)
                step_grads[name] = rec(p.grad)
            grads.append(step_grads)
            opt.step()
            after.append({k: rec(v) for k, v in params.items()})
            st = {}
            for name, p in params.items():
                s = {}
                for key, value in opt.state[p].items():
                    s[key] = float(value.item()) if key == "step" else rec(value)
                st[name] = s
            states.append(st)
        add(
            "optimizer",
            f"optim/{kind}/{','.join(f'{k}={v}' for k, v in kwargs.items())}/{seed}",
            optimizer={"type": kind, "kwargs": kwargs, "repr": str(opt)},
            param_names=["W", "b"],
            params_initial=initial,
            grads_per_step=grads,
            params_after_step=after,
            state_after_step=states,
        )

# ---------------------------------------------------------------- schedulers

SCHED_CLASSES = {
    "StepLR": torch.optim.lr_scheduler.StepLR,
    "MultiStepLR": torch.optim.lr_scheduler.MultiStepLR,
    "ExponentialLR": torch.optim.lr_scheduler.ExponentialLR,
    "CosineAnnealingLR": torch.optim.lr_scheduler.CosineAnnealingLR,
}
SCHED_SPECS = [
    ("SGD", {"lr": 0.1}, "StepLR", {"step_size": 2}),
    ("SGD", {"lr": 0.1}, "StepLR", {"step_size": 3, "gamma": 0.5}),
    ("SGD", {"lr": 1}, "StepLR", {"step_size": 1, "gamma": 0.9}),
    ("Adam", {"lr": 0.001}, "StepLR", {"step_size": 4, "gamma": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}, "MultiStepLR", {"milestones": [2, 5, 5, 8]}),
    ("Adam", {"lr": 0.01}, "MultiStepLR", {"milestones": [3, 6], "gamma": 0.5}),
    ("SGD", {"lr": 0.1}, "MultiStepLR", {"milestones": [0, 4]}),
    ("SGD", {"lr": 0.1}, "ExponentialLR", {"gamma": 0.9}),
    ("AdamW", {"lr": 0.003}, "ExponentialLR", {"gamma": 0.95}),
    ("SGD", {"lr": 0.1}, "CosineAnnealingLR", {"T_max": 5}),
    ("Adam", {"lr": 0.01}, "CosineAnnealingLR", {"T_max": 4, "eta_min": 0.001}),
    ("SGD", {"lr": 1}, "CosineAnnealingLR", {"T_max": 12, "eta_min": 0.05}),
]
for i, (okind, okw, skind, skw) in enumerate(SCHED_SPECS):
    p = torch.zeros(2, requires_grad=True)
    opt = OPT_CLASSES[okind]([p], **okw)
    sched = SCHED_CLASSES[skind](opt, **skw)
    last = [repr(sched.get_last_lr())]
    values = [sched.get_last_lr()[0]]
    for epoch in range(12):
        p.grad = torch.ones(2)
        opt.step()
        sched.step()
        last.append(repr(sched.get_last_lr()))
        values.append(sched.get_last_lr()[0])
    add(
        "scheduler",
        f"sched/{i}/{skind}",
        optimizer={"type": okind, "kwargs": okw},
        scheduler={"type": skind, "kwargs": skw},
        last_lr_repr=last,
        last_lr=values,
        optimizer_repr=str(opt),
        last_epoch=sched.last_epoch,
    )

p = torch.zeros(2, requires_grad=True)
opt = torch.optim.SGD([p], lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sched.step()
add(
    "scheduler_warning",
    "sched/warning",
    warnings=[f"{w.category.__name__}: {w.message}" for w in caught],
    last_lr_repr=repr(sched.get_last_lr()),
)

# ---------------------------------------------------------------- clipping

CLIP_SHAPES = [[(3, 2), (2,)], [(40, 10), (10,), (1, 10), (1,)], [(7,), (33,)], [(1000,)]]
for seed in (0, 1):
    for si, shapes in enumerate(CLIP_SHAPES):
        if seed != 0 and si in (1, 3):
            continue  # the large shapes once (keeps the file small)
        for max_norm, norm_type in [(1.0, 2.0), (0.5, 2.0), (100.0, 2.0), (1.0, 1.0), (0.1, float("inf")), (2.0, 3.0)]:
            g = torch.Generator().manual_seed(seed * 100 + si)
            params = [torch.randn(s, generator=g).requires_grad_(True) for s in shapes]
            grads_in = []
            for j, p in enumerate(params):
                if len(params) > 2 and j == 1:
                    grads_in.append(None)  # a parameter without a gradient
                    continue
                p.grad = torch.randn(p.shape, generator=g) * 3
                grads_in.append(rec(p.grad))
            total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
            add(
                "clip",
                f"clip/{si}/max{max_norm}/norm{norm_type}/seed{seed}",
                shapes=[list(s) for s in shapes],
                grads=grads_in,
                max_norm=max_norm,
                norm_type=str(norm_type),
                total_norm=rec(total),
                printed=str(total),
                grads_after=[rec(p.grad) if p.grad is not None else None for p in params],
            )
for seed in (0, 1):
    g = torch.Generator().manual_seed(seed)
    params = [torch.randn(4, 3, generator=g).requires_grad_(True), torch.randn(3, generator=g).requires_grad_(True)]
    grads_in = []
    for p in params:
        p.grad = torch.randn(p.shape, generator=g)
        grads_in.append(rec(p.grad))
    nn.utils.clip_grad_value_(params, 0.5)
    add(
        "clip_value",
        f"clip_value/seed{seed}",
        shapes=[[4, 3], [3]],
        grads=grads_in,
        clip_value=0.5,
        grads_after=[rec(p.grad) for p in params],
    )
p = torch.zeros(3, requires_grad=True)
p.grad = torch.tensor([1.0, float("nan"), 2.0])
add(
    "clip_error",
    "clip/nonfinite",
    grad=rec(p.grad),
    error=error_of(lambda: nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)),
)
p = torch.zeros(3, requires_grad=True)
add("clip", "clip/no_grads", shapes=[[3]], grads=[None], max_norm=1.0, norm_type="2.0",
    total_norm=rec(nn.utils.clip_grad_norm_([p], 1.0)), printed=str(nn.utils.clip_grad_norm_([p], 1.0)),
    grads_after=[None])

# ---------------------------------------------------------------- containers


def build(spec):
    """A module from a JSON spec: [type, args...]."""
    t = spec[0]
    if t == "Linear":
        return nn.Linear(spec[1], spec[2], bias=spec[3] if len(spec) > 3 else True)
    if t in ("ReLU", "Tanh", "Sigmoid", "Identity", "Flatten"):
        return getattr(nn, t)()
    if t == "Dropout":
        return nn.Dropout(spec[1])
    if t == "LeakyReLU":
        return nn.LeakyReLU(spec[1])
    if t == "Sequential":
        return nn.Sequential(*[build(s) for s in spec[1]])
    if t == "ModuleList":
        return nn.ModuleList([build(s) for s in spec[1]])
    if t == "ModuleDict":
        return nn.ModuleDict({k: build(s) for k, s in spec[1]})
    raise ValueError(t)


def run_program(root, ops):
    """Applies ops to root; returns (module, notes)."""
    notes = []
    for op in ops:
        name = op[0]
        if name == "append":
            root.append(build(op[1]))
        elif name == "insert":
            root.insert(op[1], build(op[2]))
        elif name == "extend":
            root.extend([build(s) for s in op[1]])
        elif name == "slice":
            root = root[slice(op[1], op[2], op[3])]
        elif name == "pop":
            notes.append(repr(root.pop(op[1])))
        elif name == "index":
            notes.append(repr(root[op[1]]))
        elif name == "set":
            root[op[1]] = build(op[2])
        elif name == "eval":
            root.eval()
        elif name == "train":
            root.train()
        elif name == "child_eval":
            root[op[1]].eval()
        else:
            raise ValueError(name)
    return root, notes


CONTAINER_PROGRAMS = [
    (["ModuleList", [["Linear", 2, 2]] * 3], []),
    (["ModuleList", [["Linear", 2, 2]] * 3 + [["ReLU"], ["ReLU"], ["Linear", 2, 2]]], []),
    (["ModuleList", [["Linear", 2, 3], ["Linear", 3, 3], ["Linear", 3, 1]]], []),
    (["ModuleList", []], []),
    (["ModuleList", [["Sequential", [["Linear", 4, 4], ["ReLU"]]]] * 2 + [["Linear", 4, 1, False]]], []),
    (["ModuleList", [["ModuleList", [["Tanh"]] * 2]] * 2], []),
    (["ModuleList", [["Linear", 2, 2]]], [["append", ["ReLU"]], ["extend", [["Linear", 2, 2], ["Linear", 2, 2]]], ["insert", 1, ["Tanh"]]]),
    (["ModuleList", [["Linear", 1, 2], ["ReLU"], ["Linear", 2, 3], ["ReLU"], ["Linear", 3, 1]]], [["slice", 1, None, None]]),
    (["ModuleList", [["Linear", 1, 2], ["ReLU"], ["Linear", 2, 3], ["ReLU"], ["Linear", 3, 1]]], [["slice", None, None, 2]]),
    (["ModuleList", [["Linear", 1, 2], ["ReLU"], ["Linear", 2, 3]]], [["pop", 1], ["index", -1]]),
    (["ModuleList", [["Linear", 1, 2], ["Dropout", 0.5], ["Linear", 2, 3]]], [["eval"]]),
    (["ModuleDict", [["fc", ["Linear", 2, 3]], ["act", ["ReLU"]], ["out", ["Linear", 3, 1]]]], []),
    (["ModuleDict", []], []),
    (["ModuleDict", [["b", ["Linear", 2, 2]], ["a", ["Tanh"]]]], [["set", "c", ["Sigmoid"]], ["set", "b", ["Linear", 2, 4]], ["index", "a"]]),
    (["ModuleDict", [["x", ["Linear", 2, 2]], ["y", ["Linear", 2, 2]]]], []),
    (["ModuleDict", [["enc", ["Sequential", [["Linear", 2, 4], ["ReLU"]]]], ["drop", ["Dropout", 0.2]]]], [["eval"], ["pop", "enc"]]),
    (["Sequential", [["Linear", 2, 2]] * 3], []),
    (["Sequential", [["Linear", 2, 2], ["Linear", 2, 2], ["ReLU"], ["Linear", 2, 2]]], [["slice", 1, 3, None]]),
    (["Sequential", [["Linear", 2, 2], ["ReLU"], ["Linear", 2, 3], ["ReLU"], ["Linear", 3, 1]]], [["slice", -2, None, None]]),
    (["Sequential", [["Linear", 2, 2], ["ReLU"], ["Linear", 2, 3], ["ReLU"], ["Linear", 3, 1]]], [["slice", None, None, 2]]),
    (["Sequential", [["Linear", 2, 2], ["ReLU"], ["Linear", 2, 3], ["ReLU"], ["Linear", 3, 1]]], [["slice", 0, -1, None]]),
    (["Sequential", [["Linear", 2, 4]]], [["append", ["ReLU"]], ["append", ["Linear", 4, 1]], ["insert", 1, ["Dropout", 0.1]], ["insert", -1, ["Tanh"]]]),
    (["Sequential", [["Linear", 2, 4], ["ReLU"]]], [["insert", 0, ["Identity"]], ["extend", [["Linear", 4, 4], ["Sigmoid"]]]]),
    (["Sequential", [["Linear", 2, 4], ["ReLU"], ["Linear", 4, 1]]], [["pop", 1], ["index", -1]]),
    (["Sequential", [["Linear", 2, 4], ["Dropout", 0.5], ["Sequential", [["Linear", 4, 4], ["Dropout", 0.1]]]]], [["eval"]]),
    (["Sequential", [["Linear", 2, 4], ["Dropout", 0.5], ["Sequential", [["Linear", 4, 4], ["Dropout", 0.1]]]]], [["eval"], ["train"]]),
    (["Sequential", [["Linear", 2, 4], ["Dropout", 0.5], ["Sequential", [["Linear", 4, 4], ["Dropout", 0.1]]]]], [["child_eval", 2]]),
    (["Sequential", [["Linear", 2, 4], ["Dropout", 0.5], ["Linear", 4, 1]]], [["eval"], ["slice", 1, None, None]]),
    (["ModuleList", [["Linear", 2, 4], ["Dropout", 0.5], ["Linear", 4, 1]]], [["eval"], ["slice", None, 2, None]]),
]
for i, (spec, ops) in enumerate(CONTAINER_PROGRAMS):
    torch.manual_seed(0)
    root, notes = run_program(build(spec), ops)
    add(
        "container",
        f"container/{i}/{spec[0]}",
        build=spec,
        ops=ops,
        repr=repr(root),
        state_dict_keys=list(root.state_dict().keys()),
        len=len(root),
        num_parameters=sum(p.numel() for p in root.parameters()),
        training=[[n, m.training] for n, m in root.named_modules()],
        notes=notes,
    )

for what, f in [
    ("modulelist_forward", lambda: nn.ModuleList([nn.ReLU()])(torch.ones(1))),
    ("modulelist_index", lambda: nn.ModuleList([nn.ReLU()])[3]),
    ("sequential_index", lambda: nn.Sequential(nn.ReLU())[-2]),
    ("sequential_insert", lambda: nn.Sequential(nn.ReLU()).insert(3, nn.ReLU())),
    ("moduledict_key", lambda: nn.ModuleDict({"a": nn.ReLU()})["b"]),
]:
    add("container_error", f"container_error/{what}", what=what, error=error_of(f))


# Custom models whose depth is a parameter (their Rust twins are in train_cases.rs).
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.act = nn.ReLU()

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x)


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 2), "reg": nn.Linear(4, 1)})
        self.drop = nn.Dropout(0.25)

    def forward(self, x):
        h = self.drop(self.body(x))
        return torch.cat([self.heads["cls"](h), self.heads["reg"](h)], dim=1)


class Blocks(nn.Module):
    def __init__(self, depth):
        super().__init__()
        self.inp = nn.Linear(2, 8)
        self.blocks = nn.ModuleList(nn.Sequential(nn.Linear(8, 8), nn.ReLU()) for _ in range(depth))
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        x = self.inp(x)
        for block in self.blocks:
            x = x + block(x)
        return self.out(x)


class Tied(nn.Module):
    """One Linear used twice: registered under two names, one parameter set."""

    def __init__(self):
        super().__init__()
        shared = nn.Linear(3, 3)
        self.first = shared
        self.blocks = nn.ModuleList([shared, nn.Linear(3, 1)])

    def forward(self, x):
        return self.blocks[1](torch.relu(self.blocks[0](torch.relu(self.first(x)))))


for cid, make, x in [
    ("custom/tied", lambda: Tied(), torch.tensor([[1.0, 0.5, -0.5]])),
    ("custom/mlp_2_8_8_1", lambda: MLP([2, 8, 8, 1]), torch.tensor([[0.5, -1.0], [2.0, 0.25], [0.0, 0.0]])),
    ("custom/mlp_4_3", lambda: MLP([4, 3]), torch.tensor([[1.0, 2.0, 3.0, 4.0]])),
    ("custom/heads", lambda: Heads(), torch.tensor([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]])),
    ("custom/blocks_3", lambda: Blocks(3), torch.tensor([[0.5, -1.0], [2.0, 0.25]])),
]:
    torch.manual_seed(0)
    model = make()
    model.eval()
    y = model(x)
    add(
        "custom",
        cid,
        repr=repr(model),
        state_dict_keys=list(model.state_dict().keys()),
        num_parameters=sum(p.numel() for p in model.parameters()),
        named_parameters=[n for n, _ in model.named_parameters()],
        input=rec(x),
        output=rec(y),
        output_printed=str(y),
    )

doc = {
    "notes": [
        "Made by tools/reference/train_cases.py; replayed by nn-core/tests/train_cases.rs.",
        "TENSOR RECORD {dtype, shape, bits}: float32 bit patterns (8 hex digits), row-major.",
    ],
    "torch_version": torch.__version__,
    "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    "count": len(cases),
    "cases": cases,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(doc, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(f"{len(cases)} cases -> {os.path.normpath(OUT)} ({os.path.getsize(OUT) // 1024} KiB)")
