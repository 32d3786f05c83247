"""scikit-learn estimators on nnviz's engine: ``NNVizClassifier`` and ``NNVizRegressor``
(``pip install 'nnviz[sklearn]'``).

Their keyword arguments are ``nnviz train``'s options, with its defaults (``hidden=(6, 6)``,
``activation="sigmoid"``, ``output_activation="sigmoid"``, ``loss="sse"``, ``algorithm="gd"``,
``lr="auto"``, ``iterations=50_000``, ``seed=1`` ...), so an estimator trains exactly the
network ``nnviz train`` trains on the same rows.  They work in a ``Pipeline``, in
``cross_val_score`` and ``GridSearchCV`` and pass ``check_estimator`` (tests/test_sklearn.py).

* The classifier encodes the classes one-hot, one output per class in ``classes_`` order (sorted,
  as R's factor levels and a CSV file's text labels).  ``predict_proba`` is the network's outputs,
  which a softmax output gives as probabilities; sigmoid outputs (the post's) are divided by their
  sum per row so that each row sums to 1 (the order, hence ``predict``, is unchanged).
* The regressor takes one target or several (``y`` of shape (n, k)); targets are scaled as
  ``nnviz train`` scales them (to [0, 1] by their range for a sigmoid output, by R's ``scale()``
  for a linear one) and predictions come back in their own units.
* After ``fit``: ``model_`` (an ``nnviz.Model``: save it, export it as code), ``trainer_`` (the
  run: its error history, ``summary()``), ``n_iter_``, ``loss_curve_`` (the training mse by
  iteration, thinned for long runs), ``n_features_in_`` and, from a DataFrame,
  ``feature_names_in_`` (the model's input names).  ``show()`` opens the window on the run.

A pickled estimator keeps ``model_`` and drops the run (``trainer_``): ``show(data=...)`` then
needs the rows.  Not here: ``sample_weight``, ``partial_fit``, sparse input.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as exc:  # pragma: no cover - said to the user in one line
    raise ImportError("nnviz.sklearn needs scikit-learn 1.6 or newer: pip install 'nnviz[sklearn]'") from exc

from . import api
from .core.experiment import Experiment
from .core.network import Network

# the estimators' parameters: nnviz train's options that shape a run on given rows
PARAMETERS = ("hidden", "activation", "output_activation", "loss", "algorithm", "lr", "momentum", "batch_size",
              "threshold", "iterations", "seed", "standardize", "features", "l1", "l2", "lr_schedule",
              "validation_fraction", "patience", "engine", "dtype")


class _NNVizEstimator(BaseEstimator):
    """What both estimators share: the parameters, fit, and the fitted network."""

    def __init__(self, hidden=(6, 6), activation="sigmoid", output_activation="sigmoid", loss="sse", algorithm="gd",
                 lr="auto", momentum=0.0, batch_size=None, threshold=None, iterations=50_000, seed=1,
                 standardize=True, features=(), l1=0.0, l2=0.0, lr_schedule="constant", validation_fraction=0.0,
                 patience=None, engine="auto", dtype="float64"):
        self.hidden = hidden
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
        self.algorithm = algorithm
        self.lr = lr
        self.momentum = momentum
        self.batch_size = batch_size
        self.threshold = threshold
        self.iterations = iterations
        self.seed = seed
        self.standardize = standardize
        self.features = features
        self.l1 = l1
        self.l2 = l2
        self.lr_schedule = lr_schedule
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.engine = engine
        self.dtype = dtype

    _classify = False

    def _fit(self, X, y, name: str):
        if X.shape[0] < 2:
            raise ValueError(f"nnviz needs at least 2 samples to train on (got {X.shape[0]} sample)")
        ds = api.dataset(X, y, classify=self._classify, name=name)
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            ds = replace(ds, input_names=tuple(str(n) for n in names))
        settings = api.settings(name, **{p: getattr(self, p) for p in PARAMETERS})
        trainer = api.Trainer(Experiment(settings, dataset=ds)).train()
        if trainer.stopped == "diverged":
            hint = trainer.snapshot.hint if trainer.snapshot is not None else ""
            warnings.warn(f"training diverged: {hint or 'lower the learning rate'}", ConvergenceWarning, stacklevel=3)
        self.trainer_ = trainer
        self.model_ = trainer.model
        self.n_iter_ = trainer.iteration
        self.loss_curve_ = trainer.history[1]
        return self

    def _outputs(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def show(self, data=None, **options):
        """Open the window on the fitted network's run (see ``nnviz.show``); ``data`` for an unpickled one."""
        check_is_fitted(self, "model_")
        run = getattr(self, "trainer_", None)
        if run is not None and data is None:
            return api.show(run, **options)
        return api.show(self.model_, data, **options)

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("trainer_", None)  # the run holds the training engine's buffers: not pickled
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        model = self.__dict__.get("model_")
        if model is not None:  # the weights are views of one parameter vector again
            self.model_ = replace(model, network=Network(model.network.arch, model.network.params))


class NNVizClassifier(ClassifierMixin, _NNVizEstimator):
    """A multilayer perceptron classifier trained by nnviz (see the module's doc)."""

    _classify = True

    def fit(self, X, y):
        """Train on the rows X (n, p) and their class labels y (n,)."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        return self._fit(X, y, "classifier")

    def predict_proba(self, X) -> np.ndarray:
        """Each class's probability (columns in ``classes_`` order): the softmax outputs, or the
        sigmoid outputs divided by their sum per row."""
        out = np.clip(self._outputs(X), 0.0, None)
        if self.model_.arch.output_activation == "softmax":
            return out
        total = out.sum(axis=1, keepdims=True)
        k = out.shape[1]
        return np.divide(out, total, out=np.full_like(out, 1.0 / k), where=total > 0)

    def predict(self, X) -> np.ndarray:
        """The class of the largest output for each row."""
        out = self._outputs(X)  # checks first that the estimator is fitted
        return self.classes_[out.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


class NNVizRegressor(RegressorMixin, _NNVizEstimator):
    """A multilayer perceptron regressor trained by nnviz (see the module's doc)."""

    def fit(self, X, y):
        """Train on the rows X (n, p) and their targets y (n,) or (n, k)."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        self._one_target = y.ndim == 1
        return self._fit(X, y, "regressor")

    def predict(self, X) -> np.ndarray:
        """The predicted targets, in their own units: (n,) for one target, (n, k) for several."""
        out = self._outputs(X)
        return out[:, 0] if self._one_target else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = False
        return tags
