"""Regenerate the ONNX test fixtures in this folder from small PyTorch models.

    pip install torch onnxscript     # not dependencies of nnviz; only this script needs them
    python tests/data/onnx/make_fixtures.py [NAME ...]    # all, or only the models named

Each model is exported with ``torch.onnx.export`` (the default exporter, or the older
TorchScript one where it says so) to ``<name>.onnx``; ``expected.npz`` holds, per model
that nnviz reads, the input rows ``<name>.X`` and PyTorch's outputs ``<name>.Y``.  The
tests (tests/io/test_onnx_import.py) need neither torch nor this script.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).resolve().parent


class Standardised(nn.Module):
    """(x - mean) / sd -> Linear -> Tanh -> Linear -> y * y_sd + y_mean (a regression)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([5.8, 3.0, 3.7, 1.2]))
        self.register_buffer("sd", torch.tensor([0.8, 0.4, 1.7, 0.7]))
        self.fc1, self.fc2 = nn.Linear(4, 5), nn.Linear(5, 1)
        self.y_sd, self.y_mean = 12.5, 100.0

    def forward(self, x):
        h = torch.tanh(self.fc1((x - self.mean) / self.sd))
        return self.fc2(h) * self.y_sd + self.y_mean


class ConstantMul(nn.Module):
    """A constant Mul between two layers, as in models that scale a hidden activation."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(3, 5), nn.Linear(5, 2)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.tanh(self.fc1(x)) * 0.5))


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.out = nn.Linear(4, 6), nn.Linear(6, 6), nn.Linear(6, 2)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        return self.out(torch.relu(self.fc2(h)) + h)


def batchnorm() -> nn.Module:
    m = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 2), nn.Sigmoid())
    bn = m[1]
    g = torch.Generator().manual_seed(7)
    bn.running_mean.copy_(torch.randn(8, generator=g))
    bn.running_var.copy_(torch.rand(8, generator=g) + 0.5)
    bn.weight.data.copy_(torch.randn(8, generator=g))
    bn.bias.data.copy_(torch.randn(8, generator=g))
    return m


# name: (model factory, number of inputs, exporter options, read by nnviz?)
MODELS = {
    "sigmoid_stack": (lambda: nn.Sequential(nn.Linear(4, 6), nn.Sigmoid(), nn.Linear(6, 5), nn.Sigmoid(),
                                            nn.Linear(5, 3), nn.Sigmoid()), 4, {}, True),
    "relu_softmax_torchscript": (lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3),
                                                       nn.Softmax(dim=1)), 4, {"dynamo": False, "opset_version": 17},
                                 True),
    "flatten_nobias_dropout": (lambda: nn.Sequential(nn.Flatten(), nn.Linear(4, 6, bias=False), nn.Dropout(0.3),
                                                     nn.ReLU(), nn.Linear(6, 1), nn.Sigmoid()), 4, {}, True),
    "batchnorm": (batchnorm, 4, {}, True),
    "batchnorm_torchscript": (batchnorm, 4, {"dynamo": False, "opset_version": 17, "do_constant_folding": False},
                              True),
    "standardised": (Standardised, 4, {}, True),
    "constant_mul": (ConstantMul, 3, {}, True),
    "external": (lambda: nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 4)), 32,
                 {"external_data": True}, True),
    "gelu": (lambda: nn.Sequential(nn.Linear(4, 6), nn.GELU(), nn.Linear(6, 2)), 4, {}, False),
    "gelu_erf_torchscript": (lambda: nn.Sequential(nn.Linear(4, 6), nn.GELU(), nn.Linear(6, 2)), 4,
                             {"dynamo": False, "opset_version": 17}, False),
    "residual": (Residual, 4, {}, False),
    "silu": (lambda: nn.Sequential(nn.Linear(4, 6), nn.SiLU(), nn.Linear(6, 2)), 4, {}, False),
    "silu_torchscript": (lambda: nn.Sequential(nn.Linear(4, 6), nn.SiLU(), nn.Linear(6, 2)), 4,
                         {"dynamo": False, "opset_version": 17}, False),
}


def main(names: list[str]) -> int:
    """Export the models named (all without names); expected.npz keeps the other models' rows."""
    torch.manual_seed(0)
    expected = {} if not names else dict(np.load(HERE / "expected.npz"))
    for name, (factory, p, options, readable) in MODELS.items():
        if names and name not in names:
            continue
        torch.manual_seed(sum(map(ord, name)))
        model = factory().eval()
        X = torch.randn(16, p) * 2
        path = HERE / f"{name}.onnx"
        for old in (path, HERE / f"{name}.onnx.data"):
            if old.exists():
                old.unlink()
        kw = dict(options)
        if kw.get("dynamo", True):
            kw.setdefault("external_data", False)
            kw.setdefault("dynamic_shapes", ({0: torch.export.Dim("N")},))
        else:
            kw.setdefault("dynamic_axes", {"input": {0: "N"}})
        torch.onnx.export(model, (X,), str(path), input_names=["input"], **kw)
        data = HERE / f"{name}.onnx.data"
        if data.exists() and data.stat().st_size == 0:
            data.unlink()
        if readable:
            with torch.no_grad():
                Y = model(X)
            expected[f"{name}.X"] = X.numpy().astype(np.float64)
            expected[f"{name}.Y"] = Y.numpy().astype(np.float64)
        print(f"{name}: {path.stat().st_size} bytes" + (f" + {data.stat().st_size} in {data.name}"
                                                         if data.exists() else ""), file=sys.stderr)
    np.savez(HERE / "expected.npz", **expected)
    return 0


if __name__ == "__main__":
    os.chdir(HERE)
    sys.exit(main(sys.argv[1:]))
