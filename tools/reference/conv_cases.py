"""Generates nn-core/tests/reference/conv-cases.json (and small-cnn.safetensors
beside it) from PyTorch: convolution, pooling, normalisation, embedding and
padding, checked by nn-core/tests/conv_cases.rs.

Run from the repository root (needs torch 2.15 and safetensors):

    python3 tools/reference/conv_cases.py

Every input is drawn from torch's generator right after `manual_seed(seed)`
(randn, in the order the case lists them), so the Rust test regenerates the
same inputs bit for bit with nn-core's `manual_seed` and `Tensor::randn`
instead of reading them from the file. Outputs and gradients are stored as
little-endian float32 bytes in base64 (`b64`), or, above MAX_FULL values, as
a summary (sum, sum of magnitudes, largest magnitude and values at sampled
positions). Integer tensors (pooling indices) are plain lists.

Sections:
  ops          forward output, grad_fn name and the gradients of every input
               (input, weight, bias) for `y.backward(gy)` with gy = randn
  errors       the message of PyTorch's exception for bad shapes and arguments
  modules      printed text, state_dict keys and shapes, and the values right
               after construction under a seed (bit-exact: SHA-256 of the
               float32 bytes plus the first values)
  batch_norm   running statistics after several steps in train mode, then
               outputs in eval mode
  networks     a small CNN end to end (forward, loss, parameter gradients,
               and the loss after SGD steps)
  safetensors  a CNN trained a few steps in PyTorch, saved with
               safetensors.torch.save_file, and its outputs in eval mode
"""

import base64
import hashlib
import json
import math
import os
import struct
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

warnings.filterwarnings("ignore")
torch.set_num_threads(1)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT_DIR = os.path.join(ROOT, "nn-core", "tests", "reference")
MAX_FULL = 2048


def floats_b64(t):
    t = t.detach().contiguous().flatten()
    fmt = "<%d%s" % (t.numel(), "d" if t.dtype == torch.float64 else "f")
    return base64.b64encode(struct.pack(fmt, *t.tolist())).decode()


def enc(t):
    """A tensor record."""
    t = t.detach().contiguous()
    rec = {"shape": list(t.shape)}
    if t.dtype == torch.int64:
        rec["dtype"] = "int64"
        rec["values"] = t.flatten().tolist()
        return rec
    rec["dtype"] = "float64" if t.dtype == torch.float64 else "float32"
    if t.numel() <= MAX_FULL:
        rec["b64"] = floats_b64(t)
        return rec
    flat = t.flatten().double()
    step = max(1, t.numel() // 64)
    rec["summary"] = {
        "sum": flat.sum().item(),
        "abs_sum": flat.abs().sum().item(),
        "max_abs": flat.abs().max().item(),
        "samples": [[i, t.flatten()[i].item()] for i in range(0, t.numel(), step)],
    }
    return rec


def sha256(t):
    t = t.detach().contiguous().flatten().float()
    return hashlib.sha256(struct.pack("<%df" % t.numel(), *t.tolist())).hexdigest()


# --------------------------------------------------------------- inputs


def make_input(spec):
    """spec: {"shape": [...], "layout": "contiguous" | "transpose23" | "channels_last" | "step2",
    "kind": "randn" | "randint3"}. Returns (leaf, x): the leaf whose gradient is
    compared, and the (maybe non-contiguous) tensor given to the op."""
    shape, layout, kind = spec["shape"], spec.get("layout", "contiguous"), spec.get("kind", "randn")
    if layout == "transpose23":
        stored = shape[:2] + [shape[3], shape[2]]
    elif layout == "channels_last":
        stored = [shape[0]] + shape[2:] + [shape[1]]
    elif layout == "transpose12":
        stored = [shape[0], shape[2], shape[1]]
    else:
        stored = list(shape)
    if kind == "randint3":
        leaf = torch.randint(0, 3, stored).float()
    else:
        leaf = torch.randn(stored)
    leaf.requires_grad_(True)
    if layout == "transpose23":
        x = leaf.transpose(2, 3)
    elif layout == "channels_last":
        x = leaf.permute(0, 3, 1, 2)
    elif layout == "transpose12":
        x = leaf.transpose(1, 2)
    else:
        x = leaf
    assert list(x.shape) == list(shape), (x.shape, shape)
    return leaf, x


def run_case(case, forward, params):
    """Draws the input, then each parameter (randn of its shape, in order),
    runs forward, draws gy = randn(y.shape) and back-propagates."""
    torch.manual_seed(case["seed"])
    leaf, x = make_input(case["input"])
    tensors = {}
    for name, shape in params:
        tensors[name] = torch.randn(shape).requires_grad_(True)
    out = forward(x, tensors)
    indices = None
    if isinstance(out, tuple):
        out, indices = out
    case["grad_fn"] = out.grad_fn.name() if out.grad_fn is not None else None
    case["output"] = enc(out)
    if indices is not None:
        case["indices"] = enc(indices)
    gy = torch.randn(out.shape)
    out.backward(gy)
    grads = {"input": enc(leaf.grad) if leaf.grad is not None else None}
    for name, t in tensors.items():
        grads[name] = enc(t.grad) if t.grad is not None else None
    case["grads"] = grads
    case["params"] = [[n, list(s)] for n, s in params]
    return case


ops = []


def pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


def conv2d_case(cid, seed, shape, cout, k, stride=1, padding=0, dilation=1, groups=1, bias=True,
                layout="contiguous"):
    kh, kw = pair(k)
    cin = shape[-3]
    params = [("weight", [cout, cin // groups, kh, kw])]
    if bias:
        params.append(("bias", [cout]))
    args = {"stride": pair(stride), "padding": padding if isinstance(padding, str) else pair(padding),
            "dilation": pair(dilation), "groups": groups}
    case = {"id": cid, "op": "conv2d", "seed": seed, "input": {"shape": shape, "layout": layout}, "args": args,
            "exact": False}

    def fwd(x, p):
        return F.conv2d(x, p["weight"], p.get("bias"), stride, padding, dilation, groups)

    ops.append(run_case(case, fwd, params))


def conv1d_case(cid, seed, shape, cout, k, stride=1, padding=0, dilation=1, groups=1, bias=True,
                layout="contiguous"):
    cin = shape[-2]
    params = [("weight", [cout, cin // groups, k])]
    if bias:
        params.append(("bias", [cout]))
    args = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    case = {"id": cid, "op": "conv1d", "seed": seed, "input": {"shape": shape, "layout": layout}, "args": args,
            "exact": False}

    def fwd(x, p):
        return F.conv1d(x, p["weight"], p.get("bias"), stride, padding, dilation, groups)

    ops.append(run_case(case, fwd, params))


seed = 100


def next_seed():
    global seed
    seed += 1
    return seed


# Conv2d: sizes, strides, paddings, dilations, groups, layouts.
for n, c, h, w in [(1, 1, 5, 5), (2, 3, 7, 6), (3, 2, 8, 8), (1, 4, 9, 5), (2, 1, 6, 11)]:
    for cout, k in [(1, 1), (2, 3), (5, 3), (4, (2, 3))]:
        for stride, padding, dilation in [(1, 0, 1), (1, 1, 1), (2, 1, 1), (1, 2, 2), ((2, 1), (0, 1), 1),
                                          (3, 0, 1)]:
            kh, kw = pair(k)
            ph, pw = pair(padding)
            dh, dw = pair(dilation)
            if h + 2 * ph < dh * (kh - 1) + 1 or w + 2 * pw < dw * (kw - 1) + 1:
                continue
            if (n, c) == (1, 4) and (stride, padding) not in [(1, 0), (2, 1)]:
                continue
            conv2d_case(f"conv2d/{n}x{c}x{h}x{w}/out{cout}_k{k}_s{stride}_p{padding}_d{dilation}", next_seed(),
                        [n, c, h, w], cout, k, stride, padding, dilation)
for groups, c, cout in [(2, 4, 6), (4, 4, 4), (3, 6, 3), (2, 2, 4)]:
    for stride, padding in [(1, 1), (2, 0)]:
        conv2d_case(f"conv2d/groups{groups}/c{c}_out{cout}_s{stride}_p{padding}", next_seed(), [2, c, 7, 7],
                    cout, 3, stride, padding, 1, groups)
for padding in ["same", "valid"]:
    for k, d in [(3, 1), (4, 1), ((2, 5), 1), (3, 2), ((4, 3), (1, 2))]:
        conv2d_case(f"conv2d/{padding}/k{k}_d{d}", next_seed(), [2, 3, 7, 8], 4, k, 1, padding, d)
for layout in ["transpose23", "channels_last"]:
    for stride, padding in [(1, 1), (2, 0)]:
        conv2d_case(f"conv2d/{layout}/s{stride}_p{padding}", next_seed(), [2, 3, 6, 6], 4, 3, stride, padding,
                    layout=layout)
conv2d_case("conv2d/no_bias", next_seed(), [2, 3, 6, 6], 4, 3, 1, 1, bias=False)
conv2d_case("conv2d/no_bias_groups", next_seed(), [2, 4, 6, 6], 4, 3, 1, 1, groups=2, bias=False)
conv2d_case("conv2d/unbatched", next_seed(), [3, 6, 7], 4, 3, 1, 1)
conv2d_case("conv2d/unbatched_c1", next_seed(), [1, 8, 8], 8, 3, 1, 1)
conv2d_case("conv2d/1x1_stride1", next_seed(), [2, 5, 4, 4], 3, 1)
conv2d_case("conv2d/1x1_stride2", next_seed(), [2, 5, 5, 5], 3, 1, 2)
conv2d_case("conv2d/digits_conv1", next_seed(), [4, 1, 8, 8], 8, 3, 1, 1)
conv2d_case("conv2d/digits_conv2", next_seed(), [4, 8, 4, 4], 16, 3, 1, 1)
conv2d_case("conv2d/lenet_conv1", next_seed(), [2, 1, 28, 28], 6, 5, 1, 2)
conv2d_case("conv2d/lenet_conv2", next_seed(), [2, 6, 14, 14], 16, 5)
conv2d_case("conv2d/large_k_big_batch", next_seed(), [9, 3, 12, 12], 8, 3, 1, 1)
conv2d_case("conv2d/wide_channels", next_seed(), [2, 32, 6, 6], 24, 3, 1, 1)
conv2d_case("conv2d/kernel_equals_input", next_seed(), [2, 2, 3, 3], 3, 3)

# Conv1d.
for n, c, length in [(1, 1, 7), (2, 3, 10), (3, 4, 9)]:
    for cout, k in [(2, 1), (3, 3), (4, 4)]:
        for stride, padding, dilation in [(1, 0, 1), (1, 1, 1), (2, 2, 1), (1, 1, 2), (3, 0, 1)]:
            if length + 2 * padding < dilation * (k - 1) + 1:
                continue
            conv1d_case(f"conv1d/{n}x{c}x{length}/out{cout}_k{k}_s{stride}_p{padding}_d{dilation}", next_seed(),
                        [n, c, length], cout, k, stride, padding, dilation)
for padding in ["same", "valid"]:
    for k, d in [(3, 1), (4, 1), (3, 3)]:
        conv1d_case(f"conv1d/{padding}/k{k}_d{d}", next_seed(), [2, 3, 9], 2, k, 1, padding, d)
conv1d_case("conv1d/groups2", next_seed(), [2, 4, 9], 6, 3, 1, 1, 1, 2)
conv1d_case("conv1d/unbatched", next_seed(), [3, 8], 2, 3, 1, 1)
conv1d_case("conv1d/transposed_input", next_seed(), [2, 3, 8], 2, 3, 1, 1, layout="transpose12")
conv1d_case("conv1d/no_bias", next_seed(), [2, 3, 8], 2, 3, bias=False)


# Pooling.
def max_pool_case(cid, shape, k, stride=None, padding=0, dilation=1, ceil_mode=False, layout="contiguous",
                  kind="randn"):
    case = {"id": cid, "op": "max_pool2d", "seed": next_seed(), "input": {"shape": shape, "layout": layout, "kind": kind},
            "args": {"kernel_size": pair(k), "stride": pair(stride if stride is not None else k),
                     "padding": pair(padding), "dilation": pair(dilation), "ceil_mode": ceil_mode},
            "exact": True}
    ops.append(run_case(case, lambda x, p: F.max_pool2d(x, k, stride, padding, dilation, ceil_mode, True), []))


for shape in [[1, 1, 4, 4], [2, 3, 7, 7], [2, 2, 8, 5], [1, 2, 9, 10]]:
    for k, stride, padding, dilation, ceil in [(2, None, 0, 1, False), (3, 1, 1, 1, False), (3, 2, 1, 1, True),
                                               (2, 2, 0, 1, True), ((2, 3), (1, 2), (1, 1), 1, False),
                                               (2, 1, 0, 2, False), (3, 3, 1, 2, True)]:
        kh, kw = pair(k)
        dh, dw = pair(dilation)
        if shape[2] + 2 * pair(padding)[0] < dh * (kh - 1) + 1:
            continue
        max_pool_case(f"max_pool2d/{'x'.join(map(str, shape))}/k{k}_s{stride}_p{padding}_d{dilation}_c{ceil}",
                      shape, k, stride, padding, dilation, ceil)
max_pool_case("max_pool2d/ties", [2, 2, 6, 6], 2, kind="randint3")
max_pool_case("max_pool2d/ties_overlap", [1, 2, 6, 6], 3, 1, 1, kind="randint3")
max_pool_case("max_pool2d/unbatched", [3, 6, 6], 2)
max_pool_case("max_pool2d/transpose23", [2, 3, 6, 6], 2, layout="transpose23")
max_pool_case("max_pool2d/channels_last", [2, 3, 6, 6], 3, 2, 1, layout="channels_last")
max_pool_case("max_pool2d/digits", [4, 8, 8, 8], 2)


def avg_pool_case(cid, shape, k, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                  divisor_override=None, layout="contiguous"):
    case = {"id": cid, "op": "avg_pool2d", "seed": next_seed(), "input": {"shape": shape, "layout": layout},
            "args": {"kernel_size": pair(k), "stride": pair(stride if stride is not None else k),
                     "padding": pair(padding), "ceil_mode": ceil_mode, "count_include_pad": count_include_pad,
                     "divisor_override": divisor_override},
            "exact": True}
    ops.append(run_case(case, lambda x, p: F.avg_pool2d(x, k, stride, padding, ceil_mode, count_include_pad,
                                                        divisor_override), []))


for shape in [[1, 1, 4, 4], [2, 3, 7, 7], [2, 2, 8, 5]]:
    for k, stride, padding, ceil, include in [(2, None, 0, False, True), (3, 1, 1, False, True),
                                              (3, 1, 1, False, False), (3, 2, 1, True, True),
                                              (3, 2, 1, True, False), (2, 2, 0, True, True),
                                              ((2, 3), (1, 2), (1, 1), False, True)]:
        avg_pool_case(f"avg_pool2d/{'x'.join(map(str, shape))}/k{k}_s{stride}_p{padding}_c{ceil}_inc{include}",
                      shape, k, stride, padding, ceil, include)
avg_pool_case("avg_pool2d/divisor_override", [2, 2, 6, 6], 3, 2, 1, False, True, 4)
avg_pool_case("avg_pool2d/unbatched", [3, 6, 6], 2)
avg_pool_case("avg_pool2d/channels_last", [2, 3, 6, 6], 2, layout="channels_last")


def adaptive_case(cid, shape, size, layout="contiguous"):
    case = {"id": cid, "op": "adaptive_avg_pool2d", "seed": next_seed(), "input": {"shape": shape, "layout": layout},
            "args": {"output_size": size if isinstance(size, list) else pair(size)}, "exact": True}
    ops.append(run_case(case, lambda x, p: F.adaptive_avg_pool2d(x, size), []))


for shape in [[1, 1, 5, 5], [2, 3, 7, 7], [2, 2, 8, 5], [1, 2, 3, 9]]:
    for size in [1, 2, 3, (2, 4), (5, 3), (7, 7)]:
        adaptive_case(f"adaptive_avg_pool2d/{'x'.join(map(str, shape))}/out{size}", shape, size)
adaptive_case("adaptive_avg_pool2d/unbatched", [3, 6, 6], 2)
adaptive_case("adaptive_avg_pool2d/unbatched_1", [3, 6, 6], 1)
adaptive_case("adaptive_avg_pool2d/channels_last", [2, 3, 6, 6], 4, layout="channels_last")


# Normalisation (functional forms with explicit running statistics).
def batch_norm_case(cid, shape, training, affine=True, running=True, momentum=0.1, eps=1e-5):
    c = shape[1]
    params = []
    if affine:
        params += [("weight", [c]), ("bias", [c])]
    case = {"id": cid, "op": "batch_norm", "seed": next_seed(), "input": {"shape": shape},
            "args": {"training": training, "affine": affine, "running": running, "momentum": momentum, "eps": eps},
            "exact": False}

    def fwd(x, p):
        # running_mean = randn * 0.1 and running_var = rand + 0.5, drawn after the parameters.
        rm = torch.randn(c) * 0.1 if running else None
        rv = torch.rand(c) + 0.5 if running else None
        if running:
            case["running_mean"] = enc(rm)
            case["running_var"] = enc(rv)
        y = F.batch_norm(x, rm, rv, p.get("weight"), p.get("bias"), training, momentum, eps)
        if running:
            case["running_mean_after"] = enc(rm)
            case["running_var_after"] = enc(rv)
        return y

    ops.append(run_case(case, fwd, params))


for shape in [[4, 3], [5, 2, 7], [3, 4, 5, 5], [2, 3, 1, 6], [8, 1, 3, 3]]:
    for training in [True, False]:
        batch_norm_case(f"batch_norm/{'x'.join(map(str, shape))}/train{training}", shape, training)
batch_norm_case("batch_norm/no_affine", [4, 3, 3, 3], True, affine=False)
batch_norm_case("batch_norm/no_running", [4, 3, 3, 3], True, running=False)
batch_norm_case("batch_norm/no_affine_eval", [4, 3, 3, 3], False, affine=False)
batch_norm_case("batch_norm/eps_momentum", [4, 3, 3, 3], True, momentum=0.5, eps=1e-3)


def layer_norm_case(cid, shape, normalized, affine=True, bias=True, eps=1e-5):
    params = []
    if affine:
        params.append(("weight", normalized))
        if bias:
            params.append(("bias", normalized))
    case = {"id": cid, "op": "layer_norm", "seed": next_seed(), "input": {"shape": shape},
            "args": {"normalized_shape": normalized, "eps": eps}, "exact": False}
    ops.append(run_case(case, lambda x, p: F.layer_norm(x, normalized, p.get("weight"), p.get("bias"), eps), params))


for shape, normalized in [([4, 5], [5]), ([2, 3, 8], [8]), ([2, 3, 8], [3, 8]), ([6], [6]), ([3, 2, 2, 4], [2, 4])]:
    layer_norm_case(f"layer_norm/{'x'.join(map(str, shape))}/{'x'.join(map(str, normalized))}", shape, normalized)
layer_norm_case("layer_norm/no_affine", [3, 7], [7], affine=False)
layer_norm_case("layer_norm/no_bias", [3, 7], [7], bias=False)
layer_norm_case("layer_norm/eps", [3, 7], [7], eps=1e-2)


def embedding_case(cid, num, dim, indices, padding_idx=None):
    case = {"id": cid, "op": "embedding", "seed": next_seed(), "input": {"shape": [0]},
            "args": {"indices": indices, "padding_idx": padding_idx}, "exact": True}

    def fwd(_x, p):
        return F.embedding(torch.tensor(indices), p["weight"], padding_idx)

    ops.append(run_case(case, fwd, [("weight", [num, dim])]))


embedding_case("embedding/1d", 10, 3, [1, 2, 4, 5, 4, 3, 2, 9])
embedding_case("embedding/2d", 10, 3, [[1, 2, 4, 5], [4, 3, 2, 9]])
embedding_case("embedding/padding_idx", 10, 3, [[0, 2, 0, 5], [4, 0, 2, 0]], 0)
embedding_case("embedding/negative_padding_idx", 6, 4, [5, 1, 5, 2], -1)
embedding_case("embedding/scalar", 5, 2, 3)


def pad_case(cid, shape, pad, value=0.0):
    case = {"id": cid, "op": "pad", "seed": next_seed(), "input": {"shape": shape},
            "args": {"pad": pad, "value": value}, "exact": True}
    ops.append(run_case(case, lambda x, p: F.pad(x, pad, "constant", value), []))


def dropout2d_case(cid, shape, p):
    case = {"id": cid, "op": "dropout2d", "seed": next_seed(), "input": {"shape": shape},
            "args": {"p": p}, "exact": True}
    ops.append(run_case(case, lambda x, _: F.dropout2d(x, p, True), []))


dropout2d_case("dropout2d/4d", [4, 6, 3, 3], 0.5)
dropout2d_case("dropout2d/3d_as_n_c_l", [3, 5, 4], 0.25)
dropout2d_case("dropout2d/p0.9", [2, 8, 2, 2], 0.9)

pad_case("pad/last_dim", [2, 3], [1, 2])
pad_case("pad/two_dims", [2, 3, 4], [1, 0, 2, 1], 1.5)
pad_case("pad/three_dims", [2, 3, 4], [0, 1, 1, 0, 1, 1])
pad_case("pad/negative", [2, 5, 6], [-1, 2, 1, -2])

# ------------------------------------------------------------------ errors

errors = []


def error_case(cid, kind, spec, fn):
    try:
        fn()
    except Exception as ex:  # noqa: BLE001 - any exception's text is the reference
        errors.append({"id": cid, "kind": kind, **spec, "type": type(ex).__name__, "message": str(ex)})
        return
    raise SystemExit(f"{cid}: no error")


def conv_error(cid, x, w, b=None, **kw):
    spec = {"input": x, "weight": w, "bias": b, "args": kw}
    op = F.conv2d if len(w) == 4 else F.conv1d
    error_case(cid, "conv2d" if len(w) == 4 else "conv1d", spec,
               lambda: op(torch.zeros(x), torch.zeros(w), None if b is None else torch.zeros(b), **kw))


conv_error("conv2d/wrong_channels_unbatched", [3, 8, 8], [8, 1, 3, 3])
conv_error("conv2d/wrong_channels", [2, 3, 8, 8], [8, 1, 3, 3])
conv_error("conv2d/2d_input", [8, 8], [8, 1, 3, 3])
conv_error("conv2d/5d_input", [1, 1, 1, 2, 2], [8, 1, 3, 3])
conv_error("conv2d/kernel_too_big", [1, 1, 2, 2], [8, 1, 3, 3])
conv_error("conv2d/kernel_too_big_padded", [1, 1, 2, 4], [8, 1, 5, 3], padding=1)
conv_error("conv2d/groups_channels", [1, 4, 5, 5], [6, 2, 3, 3], groups=3)
conv_error("conv2d/bias_size", [1, 4, 5, 5], [6, 4, 3, 3], [5])
conv_error("conv2d/stride_zero", [1, 4, 5, 5], [6, 4, 3, 3], stride=0)
conv_error("conv2d/negative_padding", [1, 4, 5, 5], [6, 4, 3, 3], padding=-1)
conv_error("conv2d/dilation_zero", [1, 4, 5, 5], [6, 4, 3, 3], dilation=0)
conv_error("conv2d/same_strided", [1, 4, 5, 5], [6, 4, 3, 3], padding="same", stride=2)
conv_error("conv1d/wrong_channels", [2, 3, 8], [4, 2, 3])
conv_error("conv1d/1d_input", [8], [4, 2, 3])
conv_error("conv1d/kernel_too_big", [1, 2, 2], [4, 2, 3])


def module_error(cid, ctor, shape, build, dtype="float32"):
    def fn():
        m = build()
        m(torch.zeros(shape) if dtype == "float32" else torch.zeros(shape, dtype=torch.int64))
    error_case(cid, "module", {"module": ctor, "input": shape, "dtype": dtype}, fn)


def ctor_error(cid, ctor, build):
    error_case(cid, "constructor", {"module": ctor}, build)


module_error("Conv2d/wrong_channels", {"type": "Conv2d", "args": [1, 8, 3]}, [3, 8, 8], lambda: nn.Conv2d(1, 8, 3))
module_error("Conv1d/wrong_channels", {"type": "Conv1d", "args": [2, 4, 3]}, [2, 3, 8], lambda: nn.Conv1d(2, 4, 3))
ctor_error("Conv2d/in_groups", {"type": "Conv2d", "args": [3, 8, 3], "kwargs": {"groups": 2}},
           lambda: nn.Conv2d(3, 8, 3, groups=2))
ctor_error("Conv2d/out_groups", {"type": "Conv2d", "args": [4, 6, 3], "kwargs": {"groups": 4}},
           lambda: nn.Conv2d(4, 6, 3, groups=4))
ctor_error("Conv2d/same_strided", {"type": "Conv2d", "args": [1, 8, 3], "kwargs": {"stride": 2, "padding": "same"}},
           lambda: nn.Conv2d(1, 8, 3, stride=2, padding="same"))
ctor_error("Conv2d/bad_padding_string", {"type": "Conv2d", "args": [1, 8, 3], "kwargs": {"padding": "foo"}},
           lambda: nn.Conv2d(1, 8, 3, padding="foo"))
module_error("MaxPool2d/1d_input", {"type": "MaxPool2d", "args": [2]}, [8], lambda: nn.MaxPool2d(2))
module_error("MaxPool2d/too_small", {"type": "MaxPool2d", "args": [2]}, [1, 1, 1, 1], lambda: nn.MaxPool2d(2))
module_error("MaxPool2d/pad_too_big", {"type": "MaxPool2d", "args": [2], "kwargs": {"padding": 2}}, [1, 1, 8, 8],
             lambda: nn.MaxPool2d(2, padding=2))
module_error("MaxPool2d/stride_zero", {"type": "MaxPool2d", "args": [2], "kwargs": {"stride": 0}}, [1, 1, 8, 8],
             lambda: nn.MaxPool2d(2, stride=0))
module_error("AvgPool2d/pad_too_big", {"type": "AvgPool2d", "args": [2], "kwargs": {"padding": 2}}, [1, 1, 8, 8],
             lambda: nn.AvgPool2d(2, padding=2))
module_error("AvgPool2d/too_small", {"type": "AvgPool2d", "args": [3]}, [1, 1, 2, 2], lambda: nn.AvgPool2d(3))
module_error("AdaptiveAvgPool2d/1d_input", {"type": "AdaptiveAvgPool2d", "args": [2]}, [8],
             lambda: nn.AdaptiveAvgPool2d(2))
module_error("BatchNorm2d/3d_input", {"type": "BatchNorm2d", "args": [4]}, [2, 4, 3], lambda: nn.BatchNorm2d(4))
module_error("BatchNorm2d/wrong_channels", {"type": "BatchNorm2d", "args": [4]}, [2, 3, 3, 3],
             lambda: nn.BatchNorm2d(4))
module_error("BatchNorm2d/one_value", {"type": "BatchNorm2d", "args": [4]}, [1, 4, 1, 1], lambda: nn.BatchNorm2d(4))
module_error("BatchNorm1d/one_value", {"type": "BatchNorm1d", "args": [4]}, [1, 4], lambda: nn.BatchNorm1d(4))
module_error("BatchNorm1d/4d_input", {"type": "BatchNorm1d", "args": [4]}, [2, 4, 3, 3], lambda: nn.BatchNorm1d(4))
module_error("BatchNorm1d/wrong_features", {"type": "BatchNorm1d", "args": [4]}, [3, 5], lambda: nn.BatchNorm1d(4))
module_error("LayerNorm/wrong_shape", {"type": "LayerNorm", "args": [[4]]}, [3, 5], lambda: nn.LayerNorm(4))
module_error("LayerNorm/wrong_shape_2d", {"type": "LayerNorm", "args": [[2, 4]]}, [3, 5, 4],
             lambda: nn.LayerNorm((2, 4)))
ctor_error("Dropout2d/p", {"type": "Dropout2d", "args": [1.5]}, lambda: nn.Dropout2d(1.5))
ctor_error("Embedding/padding_idx", {"type": "Embedding", "args": [10, 3], "kwargs": {"padding_idx": 10}},
           lambda: nn.Embedding(10, 3, padding_idx=10))
ctor_error("Embedding/negative_padding_idx", {"type": "Embedding", "args": [10, 3], "kwargs": {"padding_idx": -11}},
           lambda: nn.Embedding(10, 3, padding_idx=-11))
error_case("embedding/out_of_range", "embedding", {"indices": [10], "num": 10, "dim": 3},
           lambda: F.embedding(torch.tensor([10]), torch.zeros(10, 3)))
error_case("embedding/negative", "embedding", {"indices": [-1], "num": 10, "dim": 3},
           lambda: F.embedding(torch.tensor([-1]), torch.zeros(10, 3)))
error_case("embedding/float_indices", "embedding_float", {"num": 10, "dim": 3},
           lambda: F.embedding(torch.tensor([1.0]), torch.zeros(10, 3)))

# ----------------------------------------------------------------- modules

MODULES = {
    "Conv1d": nn.Conv1d, "Conv2d": nn.Conv2d, "MaxPool2d": nn.MaxPool2d, "AvgPool2d": nn.AvgPool2d,
    "AdaptiveAvgPool2d": nn.AdaptiveAvgPool2d, "BatchNorm1d": nn.BatchNorm1d, "BatchNorm2d": nn.BatchNorm2d,
    "LayerNorm": nn.LayerNorm, "Dropout2d": nn.Dropout2d, "Embedding": nn.Embedding,
}


def build(ctor):
    args = [tuple(a) if isinstance(a, list) else a for a in ctor.get("args", [])]
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in ctor.get("kwargs", {}).items()}
    return MODULES[ctor["type"]](*args, **kwargs)


modules = []


def module_case(ctor, seeds=(0,)):
    for s in seeds:
        torch.manual_seed(s)
        m = build(ctor)
        sd = m.state_dict()
        entry = {
            "module": ctor, "seed": s, "repr": repr(m),
            "state_dict": [{"key": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""),
                            "sha256": sha256(v), "first": v.flatten()[:8].float().tolist()} for k, v in sd.items()],
            "parameters": [n for n, _ in m.named_parameters()],
            "buffers": [n for n, _ in m.named_buffers()],
            # The generator's next draw after construction: the same number of draws were made.
            "next_rand": torch.rand(1).item(),
        }
        modules.append(entry)


for ctor in [
    {"type": "Conv2d", "args": [1, 8, 3], "kwargs": {"padding": 1}},
    {"type": "Conv2d", "args": [1, 8, 3]},
    {"type": "Conv2d", "args": [8, 16, 3], "kwargs": {"padding": 1}},
    {"type": "Conv2d", "args": [3, 6, [3, 5]], "kwargs": {"stride": [2, 1], "padding": [1, 2], "dilation": 2,
                                                          "groups": 3, "bias": False}},
    {"type": "Conv2d", "args": [4, 6, 3], "kwargs": {"padding": "same", "groups": 2}},
    {"type": "Conv2d", "args": [4, 6, 4], "kwargs": {"padding": "valid"}},
    {"type": "Conv2d", "args": [1, 6, 5], "kwargs": {"padding": 2}},
    {"type": "Conv2d", "args": [6, 16, 5]},
    {"type": "Conv2d", "args": [32, 32, 3], "kwargs": {"padding": 1}},
    {"type": "Conv2d", "args": [2, 4, 1], "kwargs": {"bias": False}},
    {"type": "Conv1d", "args": [1, 8, 3]},
    {"type": "Conv1d", "args": [4, 6, 5], "kwargs": {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}},
    {"type": "Conv1d", "args": [3, 2, 4], "kwargs": {"padding": "same", "bias": False}},
    {"type": "MaxPool2d", "args": [2]},
    {"type": "MaxPool2d", "args": [3], "kwargs": {"stride": 2, "padding": 1, "ceil_mode": True}},
    {"type": "MaxPool2d", "args": [[2, 3]], "kwargs": {"stride": [1, 2], "dilation": 2, "return_indices": True}},
    {"type": "AvgPool2d", "args": [2]},
    {"type": "AvgPool2d", "args": [3], "kwargs": {"stride": 2, "padding": 1, "ceil_mode": True,
                                                 "count_include_pad": False}},
    {"type": "AvgPool2d", "args": [[2, 3]], "kwargs": {"stride": [1, 2]}},
    {"type": "AdaptiveAvgPool2d", "args": [1]},
    {"type": "AdaptiveAvgPool2d", "args": [[2, 3]]},
    {"type": "BatchNorm1d", "args": [4]},
    {"type": "BatchNorm2d", "args": [8]},
    {"type": "BatchNorm2d", "args": [3], "kwargs": {"eps": 0.001, "momentum": 0.2}},
    {"type": "BatchNorm2d", "args": [3], "kwargs": {"momentum": None}},
    {"type": "BatchNorm2d", "args": [3], "kwargs": {"affine": False}},
    {"type": "BatchNorm2d", "args": [3], "kwargs": {"track_running_stats": False}},
    {"type": "BatchNorm2d", "args": [3], "kwargs": {"bias": False}},
    {"type": "LayerNorm", "args": [8]},
    {"type": "LayerNorm", "args": [[2, 3]], "kwargs": {"eps": 1e-6, "elementwise_affine": False}},
    {"type": "LayerNorm", "args": [5], "kwargs": {"bias": False}},
    {"type": "Dropout2d", "args": []},
    {"type": "Dropout2d", "args": [0.25]},
    {"type": "Embedding", "args": [10, 3]},
    {"type": "Embedding", "args": [100, 16]},
    {"type": "Embedding", "args": [10, 3], "kwargs": {"padding_idx": 0}},
    {"type": "Embedding", "args": [10, 3], "kwargs": {"padding_idx": -1}},
]:
    module_case(ctor, seeds=(0, 1, 42) if ctor["type"] in ("Conv1d", "Conv2d", "Embedding") else (0,))

# ------------------------------------------------------- batch norm runs

batch_norm_runs = []


def batch_norm_run(cid, ctor, shape, steps=3):
    torch.manual_seed(next_seed())
    run = {"id": cid, "module": ctor, "seed": seed, "shape": shape, "steps": []}
    m = build(ctor)
    params = [p for p in m.parameters()]
    for p in params:  # non-trivial affine parameters: weight = 1 + 0.1 randn, bias = 0.1 randn
        with torch.no_grad():
            p.copy_(torch.randn(p.shape) * 0.1 + (1.0 if p is m.weight else 0.0))
    for _ in range(steps):
        x = torch.randn(shape).requires_grad_(True)
        y = m(x)
        gy = torch.randn(y.shape)
        m.zero_grad()
        y.backward(gy)
        step = {"output": enc(y), "grad_fn": y.grad_fn.name(), "grad_input": enc(x.grad),
                "grads": {n: enc(p.grad) for n, p in m.named_parameters()},
                "buffers": {n: enc(b) for n, b in m.named_buffers()}}
        run["steps"].append(step)
    m.eval()
    x = torch.randn(shape).requires_grad_(True)
    y = m(x)
    gy = torch.randn(y.shape)
    m.zero_grad()
    y.backward(gy)
    run["eval"] = {"output": enc(y), "grad_fn": y.grad_fn.name(), "grad_input": enc(x.grad),
                   "grads": {n: enc(p.grad) for n, p in m.named_parameters()},
                   "buffers": {n: enc(b) for n, b in m.named_buffers()}}
    batch_norm_runs.append(run)


batch_norm_run("BatchNorm2d(3)", {"type": "BatchNorm2d", "args": [3]}, [4, 3, 5, 5])
batch_norm_run("BatchNorm2d(2, momentum=None)", {"type": "BatchNorm2d", "args": [2], "kwargs": {"momentum": None}},
               [3, 2, 4, 4], steps=4)
batch_norm_run("BatchNorm2d(2, momentum=0.5, eps=0.001)",
               {"type": "BatchNorm2d", "args": [2], "kwargs": {"momentum": 0.5, "eps": 1e-3}}, [3, 2, 4, 4])
batch_norm_run("BatchNorm2d(3, affine=False)", {"type": "BatchNorm2d", "args": [3], "kwargs": {"affine": False}},
               [2, 3, 3, 3])
batch_norm_run("BatchNorm2d(3, track_running_stats=False)",
               {"type": "BatchNorm2d", "args": [3], "kwargs": {"track_running_stats": False}}, [2, 3, 3, 3])
batch_norm_run("BatchNorm1d(4)", {"type": "BatchNorm1d", "args": [4]}, [6, 4])
batch_norm_run("BatchNorm1d(3) on (N, C, L)", {"type": "BatchNorm1d", "args": [3]}, [4, 3, 5])
batch_norm_run("BatchNorm2d(16) digits-sized", {"type": "BatchNorm2d", "args": [16]}, [64, 16, 4, 4])

# ---------------------------------------------------------------- networks


def digits_cnn():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64, 10))


def bn_cnn():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Dropout(0.0), nn.Linear(64, 10))


def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


networks = []


def network_case(name, make, input_shape, steps=3, lr=0.05):
    torch.manual_seed(0)
    net = make()
    x = torch.randn(input_shape)
    target = torch.randint(0, 10, (input_shape[0],))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    out = net(x)
    loss = loss_fn(out, target)
    opt.zero_grad()
    loss.backward()
    case = {"id": name, "input": input_shape, "repr": repr(net), "output": enc(out), "loss": loss.item(),
            "grads": {n: enc(p.grad) for n, p in net.named_parameters()},
            "init_sha256": {n: sha256(p) for n, p in net.named_parameters()}}
    opt.step()
    losses = [loss.item()]
    for _ in range(steps - 1):
        out = net(x)
        loss = loss_fn(out, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    case["losses"] = losses
    networks.append(case)


network_case("digits_cnn", digits_cnn, [16, 1, 8, 8])
network_case("bn_cnn", bn_cnn, [16, 1, 8, 8])
network_case("lenet", lenet, [4, 1, 28, 28])

# ------------------------------------------------------------- safetensors

torch.manual_seed(7)
net = bn_cnn()
x = torch.randn(32, 1, 8, 8)
target = torch.randint(0, 10, (32,))
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for _ in range(5):
    loss = nn.CrossEntropyLoss()(net(x), target)
    opt.zero_grad()
    loss.backward()
    opt.step()
net.eval()
os.makedirs(OUT_DIR, exist_ok=True)
save_file(net.state_dict(), os.path.join(OUT_DIR, "small-cnn.safetensors"))
torch.manual_seed(8)
test_x = torch.randn(4, 1, 8, 8)
with torch.no_grad():
    test_y = net(test_x)
net.train()
with torch.no_grad():
    train_y = net(test_x)
safetensors_case = {"file": "small-cnn.safetensors", "repr": repr(net), "seed": 8, "input": [4, 1, 8, 8],
                    "keys": list(net.state_dict().keys()), "eval_output": enc(test_y),
                    "train_output": enc(train_y)}

doc = {
    "torch": torch.__version__,
    "generated_by": "tools/reference/conv_cases.py",
    "ops": ops,
    "errors": errors,
    "modules": modules,
    "batch_norm_runs": batch_norm_runs,
    "networks": networks,
    "safetensors": safetensors_case,
}
path = os.path.join(OUT_DIR, "conv-cases.json")
with open(path, "w") as f:
    json.dump(doc, f, separators=(",", ":"))
print(f"{path}: {len(ops)} op cases, {len(errors)} errors, {len(modules)} module cases, "
      f"{len(batch_norm_runs)} batch-norm runs, {len(networks)} networks; {os.path.getsize(path) / 1e6:.2f} MB",
      file=sys.stderr)
