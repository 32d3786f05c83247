"""The ``Dataset``: raw numeric inputs ``X`` (n, p) and targets encoded as numbers ``T`` (n, k),
with their names.  No reading, no scaling (see csv_reader.py, builtin_sets.py, scaling.py).

Targets: one-hot columns for classes (one per class name, in sorted order like R's factor
levels), 0/1 columns for independent binary targets, the raw values for regression.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

TASKS = ("classes", "binary", "regression")


@dataclass(frozen=True)
class Dataset:
    """Raw inputs and encoded targets, with their names."""

    name: str
    X: np.ndarray
    T: np.ndarray
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    task: str
    target_columns: tuple[str, ...] = ()
    description: str = ""
    source: str = ""  # a path for CSV files, "" for built-ins
    # edited ("custom") data: the name of the data it was edited from, and which rows are
    # test rows (a fixed split, True = test; None: split by the settings' test fraction)
    origin: str = ""
    test_rows: np.ndarray | None = None
    notes: tuple[str, ...] = ()  # what reading the file skipped (rows of empty fields), for the user

    @property
    def n(self) -> int:
        return self.X.shape[0]

    def labels(self) -> np.ndarray | None:
        """Class index of each row (classes only)."""
        return self.T.argmax(axis=1) if self.task == "classes" else None

    @property
    def custom(self) -> bool:
        """Edited by hand (points added, moved or deleted on the decision map)."""
        return bool(self.origin)

    @property
    def title(self) -> str:
        """How the window names the data: "custom (from circles)" once edited."""
        return f"custom (from {self.origin})" if self.origin else (Path(self.source).name if self.source else self.name)

    def subset(self, rows: np.ndarray) -> Dataset:
        return replace(self, X=self.X[rows], T=self.T[rows], test_rows=None)
