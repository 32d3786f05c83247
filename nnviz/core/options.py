"""What the command line and the window share: Settings from parsed options, and the
JSON summary of a run.  Here, in the core, so that neither imports the other.
"""

from __future__ import annotations

import math

from .data import BUILTINS
from .experiment import Settings
from .model import Model
from .network import Architecture

# Settings fields that come from an option of the same name (the rest need a conversion).
_SAME_NAME = ("data", "target", "classify", "noise", "output_activation", "loss", "algorithm", "lr", "momentum",
              "batch_size", "threshold", "iterations", "seed", "test_fraction", "engine", "dtype",
              "l1", "l2", "lr_schedule", "validation_fraction", "patience")


def settings_from_options(opts, init: Model | None = None) -> Settings:
    """Settings from parsed options (an argparse Namespace or any object with those
    attributes); the architecture comes from the --init model when one is given."""
    known = set(Settings.__dataclass_fields__)
    kw = {k: getattr(opts, k) for k in _SAME_NAME if k in known and hasattr(opts, k)}
    kw["standardize"] = not getattr(opts, "no_standardize", False)
    hidden = getattr(opts, "hidden", None)
    features = getattr(opts, "features", None)
    s = Settings.parse(hidden=hidden, activation=getattr(opts, "activation", None), features=features, **kw)
    if init is not None:
        arch = init.arch
        if hidden is not None and tuple(s.hidden) != arch.hidden:
            raise ValueError(f"--hidden {hidden} does not match the --init model's hidden layers "
                             f"({','.join(map(str, arch.hidden)) or '0'})")
        if features is not None and s.features != init.scaling.features:
            raise ValueError(f"--features {features} does not match the --init model's features "
                             f"({','.join(init.scaling.features) or 'none'})")
        s = s.with_(features=init.scaling.features, hidden=arch.hidden, activation=arch.activations or ("sigmoid",),
                    output_activation=arch.output_activation, loss=arch.loss)
    return s


_INPUT_NAMES = {"--data": "the data", "--init": "the starting model", "--model": "the model"}


def own_inputs(args, *options: str) -> list[tuple[str, str | None]]:
    """The files the command reads, as ``refuse_own_input`` takes them: (how each is named, its path)
    for each option given (a built-in data set is no file)."""
    out = []
    for opt in options:
        value = getattr(args, opt[2:].replace("-", "_"), None)
        if value and value != "-" and not (opt == "--data" and value in BUILTINS):  # "-": stdin, no file
            out.append((f"{_INPUT_NAMES[opt]} ({opt} {value})", value))
    return out


def _finite(x):
    return x if x is None or math.isfinite(x) else None


def early_fields(snap) -> dict:
    """run_summary's ``early`` from a runner snapshot (with its hint)."""
    return {"best_iteration": snap.best_iteration, "best_validation_mse": snap.best_validation_mse,
            "stopped_at": snap.stopped_at, "learning_rate_now": snap.lr, "hint": getattr(snap, "hint", "")}


def run_summary(data: str, arch: Architecture, settings: Settings, iterations: int, scores, seconds: float,
                done: int, stopped: str | None, message: str = "", early: dict | None = None,
                learning_rate: float | None = None) -> dict:
    """The --json summary of ``nnviz train`` and ``nnviz gui``.  ``scores`` has mse, accuracy,
    test_mse, test_accuracy (and validation_mse; an Evaluation or a Snapshot); ``done`` iterations
    took ``seconds``.  Settings are those in force at the end of the run; ``learning_rate`` the
    number their lr stands for (what "auto" chose).  ``early``: the run's best_iteration,
    best_validation_mse, stopped_at (early stopping), learning_rate_now and hint."""
    early = early or {}
    return {
        "data": data,
        "architecture": arch.describe(),
        "features": list(settings.features) or None,
        "algorithm": settings.algorithm,
        "learning_rate": learning_rate if learning_rate is not None else settings.lr,
        "learning_rate_auto": settings.lr == "auto",
        "iterations": int(iterations),
        "mse": _finite(scores.mse),
        "accuracy": scores.accuracy,
        "test_mse": _finite(scores.test_mse),
        "test_accuracy": scores.test_accuracy,
        "seconds": seconds,
        "iterations_per_second": (done / seconds) if seconds > 0 else None,
        "stopped": stopped,
        "message": message or None,
        "seed": settings.seed,
        "regression": getattr(scores, "regression", None),
        "l1": settings.l1,
        "l2": settings.l2,
        "lr_schedule": settings.lr_schedule,
        "learning_rate_now": early.get("learning_rate_now"),
        "validation_fraction": settings.validation_fraction,
        "patience": settings.patience,
        "validation_mse": _finite(getattr(scores, "validation_mse", None)),
        "best_iteration": early.get("best_iteration"),
        "best_validation_mse": _finite(early.get("best_validation_mse")),
        "stopped_at": early.get("stopped_at"),
        "hint": early.get("hint") or None,  # what went wrong and what to try (advice.hint)
        "settings": settings.as_dict(),  # all of them: a kept run imported from this compares them all
    }
