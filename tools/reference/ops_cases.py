#!/usr/bin/env python3
"""Runs the indexing and selection ops of nn-core in PyTorch and stores what
torch gives as nn-core/tests/reference/ops-cases.json.

    python3 tools/reference/ops_cases.py        # torch 2.15.0, CPU

Every case is one call of one op on recorded inputs. The file keeps:

* the inputs (dtype, shape, values, float bit patterns, requires_grad);
* the outputs: each result tensor, its repr, the repr of the whole result
  (`torch.return_types.max(...)`, or a list of reprs for `split`/`chunk`),
  and the grad_fn name;
* the gradients of the inputs after `torch.autograd.backward(outputs,
  grad_outputs)` with recorded `grad_outputs`;
* what a second backward through the same graph does: torch's error, or the
  accumulated gradients (and the same after `retain_graph=True`);
* or, for bad input, the exception type and message.

nn-core/tests/ops_cases.rs replays every case through nn-core's public API.
"""

import json
import math
import os
import struct
import sys
import warnings

import torch

warnings.filterwarnings("ignore")
torch.set_num_threads(1)

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "nn-core", "tests", "reference", "ops-cases.json",
)

# ----------------------------------------------------------------- records


def f32_bits(v):
    return "%08x" % struct.unpack("<I", struct.pack("<f", v))[0]


def f64_bits(v):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]


def record(t):
    """A tensor as JSON: dtype, shape, values (and bits for floats)."""
    t = t.detach()
    rec = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)}
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.float32:
        rec["values"] = [repr(float(v)) for v in flat]
        rec["bits"] = [f32_bits(v) for v in flat]
    elif t.dtype == torch.float64:
        rec["values"] = [repr(float(v)) for v in flat]
        rec["bits"] = [f64_bits(v) for v in flat]
    elif t.dtype in (torch.int64, torch.bool):
        rec["values"] = flat
    else:
        raise ValueError(f"dtype {t.dtype} is not recorded")
    return rec


def input_record(t):
    rec = record(t)
    rec["requires_grad"] = t.requires_grad
    return rec


# ----------------------------------------------------------------- inputs

GEN = torch.Generator().manual_seed(1234)


def randn(*shape, dtype=torch.float32, grad=True):
    t = torch.randn(*shape, generator=GEN, dtype=torch.float64).to(dtype)
    # Round to 1/16: exact in both float widths, and readable in a diff.
    t = (t * 16).round() / 16
    return t.requires_grad_(grad) if dtype.is_floating_point else t


def ties(*shape, high=4, grad=False, dtype=torch.float32):
    """Small integers as floats: many ties, to check torch's tie order."""
    t = torch.randint(0, high, shape, generator=GEN).to(dtype)
    return t.requires_grad_(grad) if (grad and dtype.is_floating_point) else t


def randint(low, high, *shape):
    return torch.randint(low, high, shape, generator=GEN)


def mask(*shape):
    return torch.rand(*shape, generator=GEN) > 0.5


def long(v):
    return torch.tensor(v, dtype=torch.int64)


def grad_like(t):
    """A recorded gradient for an output: small exact halves, none zero."""
    n = t.numel()
    g = ((torch.arange(n, dtype=torch.float64) * 7) % 11 - 5) * 0.5
    g = torch.where(g == 0, torch.full_like(g, 0.25), g)
    return g.reshape(t.shape).to(t.dtype)


# ----------------------------------------------------------------- the ops

def index_entry(e, env):
    if isinstance(e, dict) and "tensor" in e:
        return env[e["tensor"]]
    if isinstance(e, dict):
        return slice(e.get("start"), e.get("stop"), e.get("step"))
    if e == "...":
        return Ellipsis
    return e  # int or None


def run_op(op, env, kw):
    x = env.get("x")
    if op == "index_select":
        return x.index_select(kw["dim"], env["index"])
    if op == "gather":
        return x.gather(kw["dim"], env["index"])
    if op == "scatter":
        return x.scatter(kw["dim"], env["index"], env["src"])
    if op == "scatter_value":
        return x.scatter(kw["dim"], env["index"], kw["value"])
    if op == "scatter_add":
        return x.scatter_add(kw["dim"], env["index"], env["src"])
    if op == "scatter_":
        return x.scatter_(kw["dim"], env["index"], env["src"])
    if op == "scatter_value_":
        return x.scatter_(kw["dim"], env["index"], kw["value"])
    if op == "scatter_add_":
        return x.scatter_add_(kw["dim"], env["index"], env["src"])
    if op == "masked_fill":
        return x.masked_fill(env["mask"], kw["value"])
    if op == "masked_fill_":
        return x.masked_fill_(env["mask"], kw["value"])
    if op == "masked_select":
        return x.masked_select(env["mask"])
    if op == "index":
        return x[tuple(index_entry(e, env) for e in kw["index"])]
    if op == "topk":
        return x.topk(kw["k"], dim=kw["dim"], largest=kw["largest"], sorted=kw["sorted"])
    # `stable=` picks torch's other overload (SortBackward1): passed only
    # when true, as nn-core's sort_stable/argsort_stable.
    if op == "sort":
        if kw["stable"]:
            return x.sort(dim=kw["dim"], descending=kw["descending"], stable=True)
        return x.sort(dim=kw["dim"], descending=kw["descending"])
    if op == "argsort":
        if kw["stable"]:
            return x.argsort(dim=kw["dim"], descending=kw["descending"], stable=True)
        return x.argsort(dim=kw["dim"], descending=kw["descending"])
    if op == "cumsum":
        return x.cumsum(kw["dim"])
    if op == "chunk":
        return x.chunk(kw["chunks"], kw["dim"])
    if op == "split":
        return x.split(kw["split_size"], kw["dim"])
    if op == "split_with_sizes":
        return x.split(kw["sizes"], kw["dim"])
    if op == "repeat":
        return x.repeat(*kw["sizes"])
    if op in ("std", "var"):
        f = getattr(x, op)
        if kw.get("dim") is None and "correction" not in kw and "keepdim" not in kw:
            return f()
        return f(dim=kw.get("dim"), correction=kw.get("correction", 1), keepdim=kw.get("keepdim", False))
    if op == "one_hot":
        return torch.nn.functional.one_hot(x, kw["num_classes"])
    if op in ("max_dim", "min_dim"):
        return getattr(x, op[:3])(kw["dim"], keepdim=kw["keepdim"])
    if op in ("argmax", "argmin"):
        return getattr(x, op)(kw["dim"], keepdim=kw["keepdim"])
    if op in ("argmax_all", "argmin_all"):
        return getattr(x, op[:6])()
    # Ops that already existed, to check what a second backward does.
    if op == "add":
        return x + env["y"]
    if op == "add_scalar":
        return x + 2.0
    if op == "sub":
        return x - env["y"]
    if op == "mul":
        return x * env["y"]
    if op == "mul_scalar":
        return x * 2.0
    if op == "div":
        return x / env["y"]
    if op == "div_scalar":
        return x / 2.0
    if op == "rsub_scalar":
        return 1.0 - x
    if op == "neg":
        return -x
    if op in ("exp", "log", "sqrt", "abs", "relu", "sigmoid", "tanh", "sin", "cos",
              "reciprocal", "t", "clone", "sum", "mean", "max", "min", "square"):
        return getattr(x, op)()
    if op == "pow":
        return x.pow(2.0)
    if op == "clamp":
        return x.clamp(-0.5, 0.5)
    if op == "leaky_relu":
        return torch.nn.functional.leaky_relu(x, 0.1)
    if op == "sum_dim":
        return x.sum(kw["dim"])
    if op == "mean_dim":
        return x.mean(kw["dim"])
    if op == "reshape":
        return x.reshape(kw["shape"])
    if op == "unsqueeze":
        return x.unsqueeze(kw["dim"])
    if op == "squeeze":
        return x.squeeze()
    if op == "transpose":
        return x.transpose(0, 1)
    if op == "permute":
        return x.permute(*kw["dims"])
    if op == "expand":
        return x.expand(*kw["shape"])
    if op == "select":
        return x.select(kw["dim"], kw["index"])
    if op == "narrow":
        return x.narrow(kw["dim"], kw["start"], kw["length"])
    if op == "cat":
        return torch.cat([x, env["y"]], 0)
    if op == "stack":
        return torch.stack([x, env["y"]], 0)
    if op == "double":
        return x.double()
    if op == "matmul":
        return x.matmul(env["y"])
    if op == "softmax":
        return x.softmax(kw["dim"])
    if op == "log_softmax":
        return x.log_softmax(kw["dim"])
    if op == "where":
        return torch.where(env["mask"], x, env["y"])
    if op == "linear":
        return torch.nn.functional.linear(x, env["w"], env.get("b"))
    if op == "mse_loss":
        return torch.nn.functional.mse_loss(x, env["y"])
    if op == "cross_entropy":
        return torch.nn.functional.cross_entropy(x, env["target"])
    raise ValueError(f"unknown op {op}")


def json_safe(v):
    """Infinities and NaN as strings: JSON has no literal for them."""
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v


def python_text(op, kw):
    """A readable line saying what the case runs."""
    args = ", ".join(f"{k}={v!r}" for k, v in kw.items())
    return f"{op}({args})"


# ----------------------------------------------------------------- cases

CASES = []


def outputs_of(result):
    """The result as (list of tensors, repr of the whole, kind)."""
    if isinstance(result, torch.Tensor):
        return [result], repr(result), "tensor"
    if isinstance(result, tuple) and hasattr(result, "values") and hasattr(result, "indices"):
        return [result.values, result.indices], repr(result), "values_indices"
    if isinstance(result, (tuple, list)):
        return list(result), [repr(t) for t in result], "tensors"
    raise TypeError(type(result))


def backward(outs, grads, retain):
    pairs = [(o, g) for o, g in zip(outs, grads) if g is not None]
    torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs], retain_graph=retain)


def case(id, op, inputs, tolerance=False, retain=False, **kw):
    """Runs `op` on `inputs` (name -> tensor) and records what torch does."""
    env = {k: (v.detach().clone().requires_grad_(v.requires_grad) if isinstance(v, torch.Tensor) else v)
           for k, v in inputs.items()}
    c = {
        "id": id,
        "op": op,
        "python": python_text(op, kw),
        "kwargs": {k: json_safe(v) for k, v in kw.items()},
        "inputs": {k: input_record(v) for k, v in env.items()},
    }
    if tolerance:
        c["tolerance"] = True
    try:
        result = run_op(op, env, kw)
    except Exception as e:  # noqa: BLE001 - the exception is the record
        c["error"] = {"type": type(e).__name__, "message": str(e)}
        CASES.append(c)
        return c
    outs, whole, kind = outputs_of(result)
    c["kind"] = kind
    c["outputs"] = [record(o) for o in outs]
    c["reprs"] = [repr(o) for o in outs]
    c["repr"] = whole
    c["grad_fns"] = [o.grad_fn.name() if o.grad_fn is not None else None for o in outs]
    leaves = {k: v for k, v in env.items() if isinstance(v, torch.Tensor) and v.requires_grad}
    differentiable = [o.requires_grad for o in outs]
    if leaves and any(differentiable):
        grads = [grad_like(o) if d else None for o, d in zip(outs, differentiable)]
        c["grad_outputs"] = [record(g) if g is not None else None for g in grads]
        if retain:
            c["retain_graph"] = True
        backward(outs, grads, retain)
        c["grads"] = {k: record(v.grad) if v.grad is not None else None for k, v in leaves.items()}
        try:
            backward(outs, grads, False)
            c["second_backward"] = {
                "grads": {k: record(v.grad) if v.grad is not None else None for k, v in leaves.items()}
            }
        except RuntimeError as e:
            c["second_backward"] = {"error": str(e)}
    CASES.append(c)
    return c


def cases():
    torch.manual_seed(0)

    # ---------------------------------------------------------- index_select
    x = randn(4, 5)
    for dim, idx in [(0, [2, 0]), (1, [4, 4, 1]), (-1, [0]), (0, [3, 3, 3, 0]), (1, [])]:
        case(f"index_select/2d_dim{dim}_{len(idx)}", "index_select", {"x": x, "index": long(idx)}, dim=dim)
    case("index_select/1d", "index_select", {"x": randn(6), "index": long([5, 0, 2])}, dim=0)
    case("index_select/3d_dim1", "index_select", {"x": randn(2, 3, 4), "index": long([2, 0])}, dim=1)
    case("index_select/3d_dim2_dup", "index_select", {"x": randn(2, 3, 4), "index": long([1, 1, 3])}, dim=2)
    case("index_select/index_0d", "index_select", {"x": x, "index": long(1)}, dim=0)
    case("index_select/int64", "index_select", {"x": randint(-9, 9, 3, 4), "index": long([2, 1])}, dim=0)
    case("index_select/bool", "index_select", {"x": mask(3, 4), "index": long([0, 0])}, dim=1)
    case("index_select/float64", "index_select", {"x": randn(3, 2, dtype=torch.float64), "index": long([1])}, dim=0)
    case("index_select/no_grad", "index_select", {"x": randn(3, 2, grad=False), "index": long([1, 0])}, dim=0)
    case("index_select/err_float_index", "index_select", {"x": x, "index": torch.tensor([1.0])}, dim=0)
    case("index_select/err_bool_index", "index_select", {"x": x, "index": torch.tensor([True])}, dim=0)
    case("index_select/err_out_of_range", "index_select", {"x": x, "index": long([4])}, dim=0)
    case("index_select/err_negative", "index_select", {"x": x, "index": long([-1])}, dim=0)
    case("index_select/err_2d_index", "index_select", {"x": x, "index": long([[1]])}, dim=0)
    case("index_select/err_dim", "index_select", {"x": x, "index": long([1])}, dim=2)

    # ---------------------------------------------------------- gather
    x = randn(3, 4)
    case("gather/dim1", "gather", {"x": x, "index": long([[0, 1], [3, 3], [2, 0]])}, dim=1)
    case("gather/dim0", "gather", {"x": x, "index": long([[2, 1, 0, 0], [0, 0, 0, 0]])}, dim=0)
    case("gather/dim-1_smaller", "gather", {"x": x, "index": long([[1], [0]])}, dim=-1)
    case("gather/3d", "gather", {"x": randn(2, 3, 4), "index": randint(0, 3, 2, 2, 4)}, dim=1)
    case("gather/3d_dim2", "gather", {"x": randn(2, 3, 4), "index": randint(0, 4, 2, 3, 6)}, dim=2)
    case("gather/1d", "gather", {"x": randn(5), "index": long([4, 4, 0, 1])}, dim=0)
    case("gather/int64", "gather", {"x": randint(-5, 5, 2, 3), "index": long([[2], [1]])}, dim=1)
    case("gather/empty_index", "gather", {"x": x, "index": torch.zeros(3, 0, dtype=torch.int64)}, dim=1)
    case("gather/class_scores", "gather",
         {"x": randn(4, 3), "index": long([[2], [0], [1], [1]])}, dim=1)
    case("gather/err_out_of_range", "gather", {"x": x, "index": long([[0, 4]])}, dim=1)
    case("gather/err_negative", "gather", {"x": x, "index": long([[0, -1]])}, dim=1)
    case("gather/err_float_index", "gather", {"x": x, "index": torch.tensor([[0.0]])}, dim=1)
    case("gather/err_ndim", "gather", {"x": x, "index": long([0, 1])}, dim=1)
    case("gather/err_size", "gather", {"x": x, "index": torch.zeros(4, 2, dtype=torch.int64)}, dim=1)
    case("gather/err_size_dim0", "gather", {"x": x, "index": torch.zeros(2, 5, dtype=torch.int64)}, dim=0)
    case("gather/err_dim", "gather", {"x": x, "index": long([[0]])}, dim=3)

    # ---------------------------------------------------------- scatter
    z = randn(3, 5)
    # torch's backward fails when a src that requires grad is larger than the
    # index ("ScatterBackward0 returned an invalid gradient"), so the cases
    # with a larger src use one without grad, and src_fit matches the index.
    src = randn(3, 5, grad=False)
    case("scatter/dim1", "scatter", {"x": z, "index": long([[0, 4], [1, 2], [3, 0]]), "src": randn(3, 2)}, dim=1)
    case("scatter/dim0", "scatter", {"x": z, "index": long([[2, 0, 1, 1, 0]]), "src": src}, dim=0)
    case("scatter/src_no_grad", "scatter",
         {"x": z, "index": long([[1], [2], [0]]), "src": randn(3, 5, grad=False)}, dim=1)
    case("scatter/self_no_grad", "scatter",
         {"x": randn(3, 5, grad=False), "index": long([[1], [2], [0]]), "src": randn(3, 1)}, dim=1)
    case("scatter/src_larger", "scatter", {"x": z, "index": long([[1], [2], [0]]), "src": src}, dim=1)
    case("scatter/3d", "scatter",
         {"x": randn(2, 3, 4), "index": long([[[0, 1, 2, 3]], [[3, 2, 1, 0]]]), "src": randn(2, 1, 4)}, dim=2)
    case("scatter/one_hot_", "scatter_value_",
         {"x": torch.zeros(4, 3), "index": long([[2], [0], [1], [2]])}, dim=1, value=1.0)
    case("scatter/value", "scatter_value", {"x": z, "index": long([[0], [4], [2]])}, dim=1, value=-2.5)
    case("scatter/value_int64", "scatter_value",
         {"x": torch.zeros(2, 4, dtype=torch.int64), "index": long([[3, 1], [0, 0]])}, dim=1, value=7)
    case("scatter/inplace", "scatter_",
         {"x": torch.zeros(2, 4), "index": long([[3, 1], [0, 2]]), "src": randn(2, 2, grad=False)}, dim=1)
    case("scatter/err_out_of_range", "scatter", {"x": z, "index": long([[5]]), "src": src}, dim=1)
    case("scatter/err_negative", "scatter", {"x": z, "index": long([[-1]]), "src": src}, dim=1)
    case("scatter/err_float_index", "scatter", {"x": z, "index": torch.tensor([[1.0]]), "src": src}, dim=1)
    case("scatter/err_src_dtype", "scatter",
         {"x": z, "index": long([[1]]), "src": randn(3, 5, dtype=torch.float64)}, dim=1)
    case("scatter/err_size", "scatter", {"x": z, "index": long([[1, 1]]), "src": randn(1, 1)}, dim=1)
    case("scatter/err_ndim", "scatter", {"x": z, "index": long([1]), "src": src}, dim=1)
    case("scatter/err_leaf_inplace", "scatter_value_",
         {"x": randn(2, 3), "index": long([[0]])}, dim=1, value=1.0)

    case("scatter_add/dim1_dup", "scatter_add",
         {"x": z, "index": long([[0, 0, 4], [1, 1, 1], [3, 0, 3]]), "src": randn(3, 3)}, dim=1)
    case("scatter_add/dim0_dup", "scatter_add",
         {"x": z, "index": long([[2, 0, 1, 1, 0], [2, 2, 2, 0, 0]]), "src": randn(2, 5)}, dim=0)
    case("scatter_add/src_larger", "scatter_add",
         {"x": z, "index": long([[2, 0], [2, 2]]), "src": src}, dim=0)
    case("scatter_add/counts", "scatter_add",
         {"x": torch.zeros(4), "index": long([0, 3, 3, 1, 3, 0]), "src": torch.ones(6)}, dim=0)
    case("scatter_add/int64", "scatter_add",
         {"x": torch.zeros(3, dtype=torch.int64), "index": long([2, 2, 0]), "src": long([5, 6, 7])}, dim=0)
    case("scatter_add/inplace", "scatter_add_",
         {"x": torch.ones(2, 3), "index": long([[0, 0], [2, 1]]), "src": randn(2, 2, grad=False)}, dim=1)
    case("scatter_add/err_out_of_range", "scatter_add", {"x": z, "index": long([[3, 9]]), "src": src}, dim=1)

    # ---------------------------------------------------------- masked_fill / masked_select
    x = randn(3, 4)
    m = mask(3, 4)
    case("masked_fill/basic", "masked_fill", {"x": x, "mask": m}, value=0.5)
    case("masked_fill/neg_inf", "masked_fill", {"x": x, "mask": m}, value=-math.inf)
    case("masked_fill/broadcast_row", "masked_fill", {"x": x, "mask": mask(4)}, value=9.0)
    case("masked_fill/broadcast_col", "masked_fill", {"x": x, "mask": mask(3, 1)}, value=-1.0)
    case("masked_fill/int64", "masked_fill", {"x": randint(0, 9, 2, 3), "mask": mask(2, 3)}, value=-1)
    case("masked_fill/all_false", "masked_fill", {"x": x, "mask": torch.zeros(3, 4, dtype=torch.bool)}, value=3.0)
    case("masked_fill/inplace", "masked_fill_", {"x": randn(2, 3, grad=False), "mask": mask(2, 3)}, value=0.0)
    case("masked_fill/err_long_mask", "masked_fill", {"x": x, "mask": m.long()}, value=0.5)
    case("masked_fill/err_shape", "masked_fill", {"x": x, "mask": mask(3, 3)}, value=0.5)
    case("masked_fill/err_mask_bigger", "masked_fill", {"x": randn(4), "mask": mask(2, 4)}, value=0.5)
    case("masked_select/basic", "masked_select", {"x": x, "mask": m})
    case("masked_select/broadcast", "masked_select", {"x": x, "mask": mask(4)})
    case("masked_select/mask_bigger", "masked_select", {"x": randn(4), "mask": mask(2, 4)})
    case("masked_select/none", "masked_select", {"x": x, "mask": torch.zeros(3, 4, dtype=torch.bool)})
    case("masked_select/int64", "masked_select", {"x": randint(0, 9, 5), "mask": mask(5)})
    case("masked_select/err_long_mask", "masked_select", {"x": x, "mask": m.long()})
    case("masked_select/err_shape", "masked_select", {"x": x, "mask": mask(2, 4)})

    # ---------------------------------------------------------- advanced indexing
    x = randn(4, 5)
    x3 = randn(2, 3, 4)
    T = lambda name: {"tensor": name}  # noqa: E731
    S = lambda start=None, stop=None, step=None: {"start": start, "stop": stop, "step": step}  # noqa: E731
    case("index/mask_2d", "index", {"x": x, "m": x.detach() > 0}, index=[T("m")])
    case("index/mask_rows", "index", {"x": x, "m": long([1, 0, 1, 1]).bool()}, index=[T("m")])
    case("index/mask_cols", "index", {"x": x, "m": long([0, 1, 0, 0, 1]).bool()}, index=[S(), T("m")])
    case("index/mask_3d_first2", "index", {"x": x3, "m": mask(2, 3)}, index=[T("m")])
    case("index/mask_3d_last2", "index", {"x": x3, "m": mask(3, 4)}, index=["...", T("m")])
    case("index/mask_none", "index", {"x": x, "m": torch.zeros(4, 5, dtype=torch.bool)}, index=[T("m")])
    case("index/mask_then_slice", "index", {"x": x3, "m": long([1, 0, 1]).bool()}, index=[S(), T("m"), S(1, 3)])
    case("index/mask_int64_values", "index", {"x": randint(0, 9, 6), "m": mask(6)}, index=[T("m")])
    case("index/long_1d", "index", {"x": x, "i": long([2, 0, 2])}, index=[T("i")])
    case("index/long_negative", "index", {"x": x, "i": long([-1, 0])}, index=[T("i")])
    case("index/long_2d", "index", {"x": x, "i": long([[0, 1], [3, 3]])}, index=[T("i")])
    case("index/long_cols", "index", {"x": x, "i": long([4, 1])}, index=[S(), T("i")])
    case("index/slice_then_long", "index", {"x": x, "i": long([4, 1])}, index=[S(1, None), T("i")])
    case("index/two_longs", "index", {"x": x, "i": long([0, 1, 3]), "j": long([4, 4, 0])}, index=[T("i"), T("j")])
    case("index/two_longs_broadcast", "index",
         {"x": x, "i": long([[0], [2]]), "j": long([1, 3, 4])}, index=[T("i"), T("j")])
    case("index/3d_adjacent", "index", {"x": x3, "i": long([2, 0]), "j": long([1, 1])}, index=[S(), T("i"), T("j")])
    case("index/3d_separated", "index", {"x": x3, "i": long([1, 0]), "j": long([3, 2])}, index=[T("i"), S(), T("j")])
    case("index/int_then_long", "index", {"x": x3, "i": long([0, 3])}, index=[0, S(), T("i")])
    case("index/long_then_int", "index", {"x": x3, "i": long([1, 0])}, index=[T("i"), S(), 0])
    case("index/ellipsis_long", "index", {"x": x3, "i": long([3, 1])}, index=["...", T("i")])
    case("index/none_long", "index", {"x": x3, "i": long([1])}, index=[None, T("i")])
    case("index/long_none", "index", {"x": x3, "i": long([1, 1])}, index=[T("i"), None])
    case("index/long_0d", "index", {"x": x3, "i": long(1)}, index=[T("i")])
    case("index/bool_0d_true", "index", {"x": x, "m": torch.tensor(True)}, index=[T("m")])
    case("index/labels_pick", "index",
         {"x": randn(4, 3), "r": long([0, 1, 2, 3]), "c": long([2, 0, 1, 1])}, index=[T("r"), T("c")])
    case("index/long_mask_mix", "index",
         {"x": x3, "i": long([1, 0]), "m": long([1, 0, 0, 1]).bool()}, index=[T("i"), S(), T("m")])
    case("index/int64_values", "index", {"x": randint(-9, 9, 3, 4), "i": long([2, 2])}, index=[T("i")])
    case("index/err_out_of_range", "index", {"x": x, "i": long([4])}, index=[T("i")])
    case("index/err_out_of_range_dim1", "index", {"x": x, "i": long([1, -6])}, index=[S(), T("i")])
    case("index/err_float", "index", {"x": x, "i": torch.tensor([1.0])}, index=[T("i")])
    case("index/err_mask_shape", "index", {"x": x, "m": mask(3)}, index=[T("m")])
    case("index/err_mask_shape_dim1", "index", {"x": x3, "m": mask(2)}, index=[S(), T("m")])
    case("index/err_broadcast", "index", {"x": x, "i": long([0, 1]), "j": long([0, 1, 2])}, index=[T("i"), T("j")])
    case("index/err_too_many", "index", {"x": x, "i": long([0])}, index=[0, 0, T("i")])

    # ---------------------------------------------------------- topk
    x = randn(3, 6)
    for k, dim, largest, sorted_ in [(2, -1, True, True), (1, 1, True, True), (3, 0, False, True),
                                      (6, 1, True, True), (3, -1, False, True), (0, 1, True, True)]:
        case(f"topk/k{k}_dim{dim}_{'largest' if largest else 'smallest'}", "topk", {"x": x},
             k=k, dim=dim, largest=largest, sorted=sorted_)
    case("topk/1d", "topk", {"x": randn(7)}, k=3, dim=-1, largest=True, sorted=True)
    case("topk/3d_dim1", "topk", {"x": randn(2, 5, 3)}, k=2, dim=1, largest=True, sorted=True)
    case("topk/int64", "topk", {"x": randint(0, 20, 2, 8)}, k=3, dim=1, largest=True, sorted=True)
    case("topk/unsorted_small", "topk", {"x": randn(1, 9)}, k=4, dim=1, largest=True, sorted=False)
    for n, k in [(5, 2), (16, 3), (17, 5), (40, 7), (64, 1), (100, 1), (130, 2), (300, 4), (1000, 3), (33, 33)]:
        for largest in (True, False):
            for sorted_ in (True, False):
                case(f"topk/ties_n{n}_k{k}_{'largest' if largest else 'smallest'}_{'sorted' if sorted_ else 'unsorted'}",
                     "topk", {"x": ties(n, high=5)}, k=k, dim=0, largest=largest, sorted=sorted_)
    case("topk/ties_rows", "topk", {"x": ties(4, 30, high=3)}, k=4, dim=1, largest=True, sorted=True)
    case("topk/nan", "topk", {"x": torch.tensor([1.0, math.nan, 3.0, math.nan, 0.0])},
         k=3, dim=0, largest=True, sorted=True)
    case("topk/nan_smallest", "topk", {"x": torch.tensor([1.0, math.nan, 3.0, math.nan, 0.0])},
         k=4, dim=0, largest=False, sorted=True)
    case("topk/err_k", "topk", {"x": x}, k=7, dim=1, largest=True, sorted=True)
    case("topk/err_dim", "topk", {"x": x}, k=1, dim=2, largest=True, sorted=True)
    case("topk/err_bool", "topk", {"x": mask(4)}, k=1, dim=0, largest=True, sorted=True)

    # ---------------------------------------------------------- sort / argsort
    x = randn(3, 5)
    for dim, desc in [(-1, False), (-1, True), (0, False), (0, True)]:
        case(f"sort/dim{dim}_{'desc' if desc else 'asc'}", "sort", {"x": x}, dim=dim, descending=desc, stable=False)
    case("sort/1d", "sort", {"x": randn(8)}, dim=0, descending=False, stable=False)
    case("sort/3d", "sort", {"x": randn(2, 3, 4)}, dim=1, descending=True, stable=False)
    case("sort/int64", "sort", {"x": randint(-20, 20, 10)}, dim=0, descending=False, stable=False)
    case("sort/bool", "sort", {"x": mask(9)}, dim=0, descending=True, stable=False)
    case("sort/0d", "sort", {"x": torch.tensor(1.5, requires_grad=True)}, dim=0, descending=False, stable=False)
    for n in [8, 16, 17, 20, 33, 64, 200, 1000]:
        for desc in (False, True):
            for stable in (False, True):
                case(f"sort/ties_n{n}_{'desc' if desc else 'asc'}_{'stable' if stable else 'unstable'}", "sort",
                     {"x": ties(n, high=4)}, dim=0, descending=desc, stable=stable)
    case("sort/zeros_20", "sort", {"x": torch.zeros(20)}, dim=0, descending=False, stable=False)
    case("sort/ties_rows", "sort", {"x": ties(3, 40, high=3)}, dim=1, descending=False, stable=False)
    case("sort/ties_int64", "sort", {"x": randint(0, 3, 50)}, dim=0, descending=True, stable=False)
    case("sort/nan", "sort", {"x": torch.tensor([2.0, math.nan, -1.0, math.nan, 2.0])},
         dim=0, descending=False, stable=False)
    case("sort/nan_desc", "sort", {"x": torch.tensor([2.0, math.nan, -1.0, math.nan, 2.0])},
         dim=0, descending=True, stable=False)
    case("sort/err_dim", "sort", {"x": x}, dim=2, descending=False, stable=False)
    case("argsort/basic", "argsort", {"x": randn(2, 6)}, dim=1, descending=False, stable=False)
    case("argsort/desc_dim0", "argsort", {"x": randn(4, 3)}, dim=0, descending=True, stable=False)
    case("argsort/ties_unstable", "argsort", {"x": ties(30, high=3)}, dim=0, descending=False, stable=False)
    case("argsort/ties_stable", "argsort", {"x": ties(30, high=3)}, dim=0, descending=True, stable=True)

    # ---------------------------------------------------------- cumsum
    case("cumsum/1d", "cumsum", {"x": randn(6)}, dim=0)
    case("cumsum/2d_dim0", "cumsum", {"x": randn(3, 4)}, dim=0)
    case("cumsum/2d_dim1", "cumsum", {"x": randn(3, 4)}, dim=1)
    case("cumsum/3d_dim-2", "cumsum", {"x": randn(2, 3, 4)}, dim=-2)
    case("cumsum/rounding", "cumsum", {"x": torch.full((12,), 0.1, requires_grad=True)}, dim=0)
    case("cumsum/rounding_f64", "cumsum", {"x": torch.full((12,), 0.1, dtype=torch.float64)}, dim=0)
    case("cumsum/int64", "cumsum", {"x": randint(-5, 5, 7)}, dim=0)
    case("cumsum/bool", "cumsum", {"x": mask(7)}, dim=0)
    case("cumsum/0d", "cumsum", {"x": torch.tensor(2.5, requires_grad=True)}, dim=0)
    case("cumsum/err_dim", "cumsum", {"x": randn(3)}, dim=1)

    # ---------------------------------------------------------- chunk / split
    x = randn(7, 4)
    for chunks, dim in [(3, 0), (2, 1), (7, 0), (10, 0), (1, 0), (4, 1)]:
        case(f"chunk/{chunks}_dim{dim}", "chunk", {"x": x}, chunks=chunks, dim=dim)
    case("chunk/6_of_6", "chunk", {"x": randn(6)}, chunks=4, dim=0)
    case("chunk/err_zero", "chunk", {"x": x}, chunks=0, dim=0)
    case("chunk/err_dim", "chunk", {"x": x}, chunks=2, dim=2)
    for size, dim in [(3, 0), (2, 1), (7, 0), (10, 0), (1, 1)]:
        case(f"split/{size}_dim{dim}", "split", {"x": x}, split_size=size, dim=dim)
    case("split/with_sizes", "split_with_sizes", {"x": x}, sizes=[2, 0, 5], dim=0)
    case("split/with_sizes_dim1", "split_with_sizes", {"x": x}, sizes=[1, 3], dim=1)
    case("split/err_sizes_sum", "split_with_sizes", {"x": x}, sizes=[2, 2], dim=0)
    case("split/err_zero_size", "split", {"x": x}, split_size=0, dim=0)

    # ---------------------------------------------------------- repeat
    case("repeat/1d", "repeat", {"x": randn(3)}, sizes=[2], tolerance=True)
    case("repeat/1d_to_2d", "repeat", {"x": randn(3)}, sizes=[2, 2], tolerance=True)
    case("repeat/2d", "repeat", {"x": randn(2, 3)}, sizes=[3, 1], tolerance=True)
    case("repeat/2d_to_3d", "repeat", {"x": randn(2, 3)}, sizes=[2, 1, 2], tolerance=True)
    case("repeat/ones", "repeat", {"x": randn(2, 2)}, sizes=[1, 1], tolerance=True)
    case("repeat/zero", "repeat", {"x": randn(2, 2)}, sizes=[0, 2], tolerance=True)
    case("repeat/int64", "repeat", {"x": randint(0, 9, 2)}, sizes=[2, 3])
    case("repeat/0d", "repeat", {"x": torch.tensor(1.5, requires_grad=True)}, sizes=[3], tolerance=True)
    case("repeat/err_fewer_dims", "repeat", {"x": randn(2, 3)}, sizes=[2])

    # ---------------------------------------------------------- std / var
    x = randn(4, 5)
    for op in ("std", "var"):
        case(f"{op}/all", op, {"x": x}, tolerance=True)
        case(f"{op}/all_correction0", op, {"x": x}, correction=0, tolerance=True)
        case(f"{op}/dim0", op, {"x": x}, dim=0, tolerance=True)
        case(f"{op}/dim1_keepdim", op, {"x": x}, dim=1, keepdim=True, tolerance=True)
        case(f"{op}/dims_correction0", op, {"x": randn(2, 3, 4)}, dim=[0, 2], correction=0, tolerance=True)
        case(f"{op}/dim-1_correction2", op, {"x": randn(3, 6)}, dim=-1, correction=2, tolerance=True)
        case(f"{op}/float64", op, {"x": randn(3, 4, dtype=torch.float64)}, dim=1, tolerance=True)
        case(f"{op}/constant", op, {"x": torch.full((3, 4), 2.5, requires_grad=True)}, dim=1, tolerance=True)
        case(f"{op}/single", op, {"x": randn(1)}, tolerance=True)
        case(f"{op}/err_int64", op, {"x": randint(0, 5, 4)})
        case(f"{op}/err_dim", op, {"x": x}, dim=2)

    # ---------------------------------------------------------- one_hot
    case("one_hot/basic", "one_hot", {"x": long([0, 2, 1, 2])}, num_classes=3)
    case("one_hot/infer", "one_hot", {"x": long([3, 0, 1])}, num_classes=-1)
    case("one_hot/more_classes", "one_hot", {"x": long([1, 0])}, num_classes=5)
    case("one_hot/2d", "one_hot", {"x": long([[0, 1], [2, 0]])}, num_classes=-1)
    case("one_hot/0d", "one_hot", {"x": long(2)}, num_classes=4)
    case("one_hot/empty", "one_hot", {"x": torch.zeros(0, dtype=torch.int64)}, num_classes=3)
    case("one_hot/err_float", "one_hot", {"x": torch.tensor([1.0])}, num_classes=3)
    case("one_hot/err_too_big", "one_hot", {"x": long([0, 3])}, num_classes=3)
    case("one_hot/err_negative", "one_hot", {"x": long([0, -1])}, num_classes=3)
    case("one_hot/err_empty_infer", "one_hot", {"x": torch.zeros(0, dtype=torch.int64)}, num_classes=-1)

    # ---------------------------------------------------------- max / min / argmax along a dim
    x = randn(3, 4)
    for op in ("max_dim", "min_dim"):
        case(f"{op}/dim1", op, {"x": x}, dim=1, keepdim=False)
        case(f"{op}/dim0_keepdim", op, {"x": x}, dim=0, keepdim=True)
        case(f"{op}/ties", op, {"x": ties(3, 6, high=2, grad=True)}, dim=1, keepdim=False)
        case(f"{op}/3d", op, {"x": randn(2, 3, 2)}, dim=-1, keepdim=False)
        case(f"{op}/int64", op, {"x": randint(0, 9, 2, 5)}, dim=1, keepdim=False)
        case(f"{op}/0d", op, {"x": torch.tensor(0.5, requires_grad=True)}, dim=0, keepdim=False)
        case(f"{op}/err_dim", op, {"x": x}, dim=2, keepdim=False)
        case(f"{op}/err_empty", op, {"x": torch.zeros(2, 0)}, dim=1, keepdim=False)
    for op in ("argmax", "argmin"):
        case(f"{op}/dim1", op, {"x": x}, dim=1, keepdim=False)
        case(f"{op}/dim0_keepdim", op, {"x": x}, dim=0, keepdim=True)
        case(f"{op}/ties", op, {"x": ties(2, 7, high=2)}, dim=1, keepdim=False)
        case(f"{op}/all", f"{op}_all", {"x": x})

    # ---------------------------------------------------------- what a second backward does
    a, b = randn(2, 3), randn(2, 3)
    sq = randn(3, 3)
    pos = (randn(2, 3).detach().abs() + 0.5).requires_grad_()
    simple = [
        ("add", {"x": a, "y": b}, {}), ("add_scalar", {"x": a}, {}), ("sub", {"x": a, "y": b}, {}),
        ("mul", {"x": a, "y": b}, {}), ("mul_scalar", {"x": a}, {}), ("div", {"x": a, "y": pos}, {}),
        ("div_scalar", {"x": a}, {}), ("rsub_scalar", {"x": a}, {}), ("neg", {"x": a}, {}),
        ("exp", {"x": a}, {}), ("log", {"x": pos}, {}), ("sqrt", {"x": pos}, {}), ("abs", {"x": a}, {}),
        ("relu", {"x": a}, {}), ("sigmoid", {"x": a}, {}), ("tanh", {"x": a}, {}), ("sin", {"x": a}, {}),
        ("cos", {"x": a}, {}), ("reciprocal", {"x": pos}, {}), ("square", {"x": a}, {}),
        ("pow", {"x": a}, {}), ("clamp", {"x": a}, {}), ("leaky_relu", {"x": a}, {}),
        ("t", {"x": a}, {}), ("clone", {"x": a}, {}), ("sum", {"x": a}, {}), ("mean", {"x": a}, {}),
        ("max", {"x": a}, {}), ("min", {"x": a}, {}), ("sum_dim", {"x": a}, {"dim": 1}),
        ("mean_dim", {"x": a}, {"dim": 0}), ("reshape", {"x": a}, {"shape": [3, 2]}),
        ("unsqueeze", {"x": a}, {"dim": 0}), ("squeeze", {"x": randn(1, 3)}, {}),
        ("transpose", {"x": a}, {}), ("permute", {"x": randn(2, 3, 2)}, {"dims": [2, 0, 1]}),
        ("expand", {"x": randn(1, 3)}, {"shape": [2, 3]}), ("select", {"x": a}, {"dim": 0, "index": 1}),
        ("narrow", {"x": a}, {"dim": 1, "start": 1, "length": 2}), ("cat", {"x": a, "y": b}, {}),
        ("stack", {"x": a, "y": b}, {}), ("double", {"x": a}, {}), ("matmul", {"x": a, "y": sq}, {}),
        ("softmax", {"x": a}, {"dim": 1}), ("log_softmax", {"x": a}, {"dim": 1}),
        ("where", {"x": a, "y": b, "mask": mask(2, 3)}, {}),
        ("linear", {"x": a, "w": sq, "b": randn(3)}, {}), ("linear", {"x": a, "w": sq}, {}),
        ("linear", {"x": randn(2, 3, grad=False), "w": randn(3, 3, grad=False), "b": randn(3)}, {}),
        ("linear", {"x": randn(2, 2, 3), "w": sq, "b": randn(3)}, {}),
        ("mse_loss", {"x": a, "y": randn(2, 3, grad=False)}, {}),
        ("cross_entropy", {"x": a, "target": long([2, 0])}, {}),
        ("mul", {"x": a, "y": randn(2, 3, grad=False)}, {}),
    ]
    seen = {}
    for op, inputs, kw in simple:
        n = seen.get(op, 0)
        seen[op] = n + 1
        case(f"second_backward/{op}" + (f"_{n}" if n else ""), op, inputs, tolerance=True, **kw)
    case("second_backward/retain_exp", "exp", {"x": a}, retain=True)
    case("second_backward/retain_gather", "gather", {"x": randn(2, 3), "index": long([[1], [2]])}, dim=1, retain=True)
    case("second_backward/retain_sort", "sort", {"x": randn(5)}, dim=0, descending=False, stable=False, retain=True)


def main():
    cases()
    ids = [c["id"] for c in CASES]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit(f"duplicate case ids: {sorted(dup)}")
    doc = {
        "torch_version": torch.__version__.split("+")[0],
        "notes": "Generated by tools/reference/ops_cases.py; replayed by nn-core/tests/ops_cases.rs.",
        "count": len(CASES),
        "cases": CASES,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    errors = sum(1 for c in CASES if "error" in c)
    print(f"{len(CASES)} cases ({errors} errors) -> {os.path.relpath(OUT)} ({os.path.getsize(OUT) // 1024} KiB)")


if __name__ == "__main__":
    main()
