"""A trained model: network, scaling and names, ready to predict on raw rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import features as featmod
from .data import Scaling
from .network import Network


@dataclass
class Model:
    """What a model file holds (see nnviz/io/document.py for the file format)."""

    network: Network
    scaling: Scaling
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    task: str
    target_columns: tuple[str, ...] = ()
    training: dict = field(default_factory=dict)

    @property
    def arch(self):
        return self.network.arch

    @property
    def features(self) -> tuple[str, ...]:
        """The input features computed from the raw columns (empty: the raw columns are the inputs)."""
        return self.scaling.features

    @property
    def input_labels(self) -> tuple[str, ...]:
        """The network inputs' names (the features' when there are features; see features.labels)."""
        return featmod.labels(self.scaling.features, self.input_names)

    def predict(self, X_raw: np.ndarray) -> np.ndarray:
        """Outputs for raw input rows, in the targets' own units."""
        X_raw = np.asarray(X_raw, dtype=np.float64)
        if X_raw.ndim != 2 or X_raw.shape[1] != len(self.input_names):
            got = X_raw.shape[1] if X_raw.ndim == 2 else X_raw.ndim
            raise ValueError(f"the model takes {len(self.input_names)} inputs ({', '.join(self.input_names)}), got {got}")
        return self.scaling.outputs(self.network.predict(self.scaling.inputs(X_raw)))

    def predict_labels(self, X_raw: np.ndarray) -> list[str] | None:
        """Class names of the largest output (classes only)."""
        if self.task != "classes":
            return None
        idx = self.predict(X_raw).argmax(axis=1)
        return [self.output_names[i] for i in idx]
