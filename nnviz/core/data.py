"""Data sets: the built-ins, CSV files, standardisation and train/test splits.

A ``Dataset`` holds raw numeric inputs ``X`` (n, p) and targets already
encoded as numbers ``T`` (n, k): one-hot columns for classes (one per class
name, in sorted order like R's factor levels), 0/1 columns for independent
binary targets, the raw values for regression.  Scaling for the network
(R's ``scale()`` on the inputs, a range or z-score on regression targets) is
a ``Scaling`` kept with the model, so new rows are transformed the same way.

Not here: missing-value imputation (a missing cell is an error), categorical
*inputs* (only targets may be text).
"""

from __future__ import annotations

from pathlib import Path

from .builtin_sets import (BUILTINS, FUNCTIONS, GAUSS_MIX, GENERATED, PACKAGED, builtin, gauss_mix_value,
                           make_circles, make_function, make_gauss_mix, make_gaussian, make_plane, make_spiral,
                           make_xor)
from .csv_reader import (FASTCSV_FROM, PLAIN_CHUNK, control_character, load_csv, load_inputs, parse_csv,
                         parse_inputs, suggest_target)
from .dataset import TASKS, Dataset
from .scaling import Scaling, fit_scaling, split

__all__ = ["BUILTINS", "FASTCSV_FROM", "FUNCTIONS", "GAUSS_MIX", "GENERATED", "PACKAGED", "PLAIN_CHUNK", "TASKS",
           "Dataset", "Scaling", "builtin", "control_character", "fit_scaling", "gauss_mix_value", "load",
           "load_csv", "load_inputs", "make_circles", "make_function", "make_gauss_mix", "make_gaussian",
           "make_plane", "make_spiral", "make_xor", "parse_csv", "parse_inputs", "split", "suggest_target"]


def load(spec: str, target=None, classify: bool = False, noise: float = 0.1, seed: int = 0) -> Dataset:
    """A built-in by name, or a CSV file by path."""
    if spec in BUILTINS:
        if target is not None:
            raise ValueError(f"--target is for CSV files; the built-in {spec!r} has its targets")
        return builtin(spec, noise=noise, seed=seed)
    if spec.lower().endswith(".csv") or Path(spec).exists():
        return load_csv(spec, target, classify)
    return builtin(spec)  # raises the "unknown data set" message
