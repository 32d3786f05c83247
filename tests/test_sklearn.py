"""nnviz.sklearn: the estimators train nnviz's own networks and behave as scikit-learn asks."""

import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

import nnviz  # noqa: E402
from nnviz.sklearn import NNVizClassifier, NNVizRegressor  # noqa: E402

# skipped by check_estimator itself, and why: scikit-learn runs it only with SCIPY_ARRAY_API=1,
# and nnviz takes NumPy arrays only (its engine is NumPy and numba)
EXPECTED_SKIPS = {"check_array_api_input"}


def _iris():
    ds = nnviz.fit(data="iris", iterations=0).dataset
    return ds.X, np.array(ds.output_names)[ds.T.argmax(axis=1)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@pytest.mark.parametrize("estimator", [NNVizClassifier(iterations=2000), NNVizRegressor(iterations=2000)],
                         ids=["classifier", "regressor"])
def test_check_estimator(estimator):
    results = check_estimator(estimator, on_fail=None)
    failed = {r["check_name"]: str(r["exception"])[:200] for r in results if r["status"] == "failed"}
    assert not failed
    skipped = {r["check_name"] for r in results if r["status"] == "skipped"}
    assert skipped <= EXPECTED_SKIPS
    assert len(results) > 40


def test_the_classifier_is_nnviz_train_bit_for_bit():
    X, y = _iris()
    clf = NNVizClassifier(hidden=(6, 6), lr=0.02, iterations=3000).fit(X, y)
    run = nnviz.fit(data="iris", hidden=(6, 6), lr=0.02, iterations=3000)
    assert all(np.array_equal(W, V) for W, V in zip(clf.model_.network.weights, run.weights, strict=True))
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert list(clf.predict(X)) == run.predict_labels(X)
    p = clf.predict_proba(X)
    assert np.allclose(p.sum(axis=1), 1.0) and (p.argmax(axis=1) == run.predict(X).argmax(axis=1)).all()
    assert np.allclose(p, run.predict(X) / run.predict(X).sum(axis=1, keepdims=True), rtol=0, atol=1e-15)
    assert clf.score(X, y) == pytest.approx(np.mean(clf.predict(X) == y))
    assert clf.n_iter_ == 3000 and len(clf.loss_curve_) == 3000


def test_softmax_probabilities_are_the_outputs():
    X, y = _iris()
    clf = NNVizClassifier(output_activation="softmax", loss="ce", iterations=500).fit(X, y)
    assert np.array_equal(clf.predict_proba(X), clf.model_.predict(X))


def test_the_regressor_is_nnviz_fit_in_the_targets_units():
    rng = np.random.default_rng(3)
    X = rng.uniform(-2, 2, size=(80, 3))
    y = 50 + 10 * X[:, 0] - 4 * X[:, 1] ** 2
    reg = NNVizRegressor(hidden=(5,), output_activation="linear", iterations=3000).fit(X, y)
    run = nnviz.fit(X, y, hidden=(5,), output_activation="linear", iterations=3000)
    assert all(np.array_equal(W, V) for W, V in zip(reg.model_.network.weights, run.weights, strict=True))
    assert np.array_equal(reg.predict(X), run.predict(X)[:, 0]) and reg.predict(X).shape == (80,)
    assert reg.score(X, y) > 0.9
    two = NNVizRegressor(iterations=300).fit(X, np.column_stack([y, -y]))
    assert two.predict(X).shape == (80, 2)


def test_parameters_are_the_command_lines_options_and_reach_the_network():
    clf = NNVizClassifier(hidden=(4,), activation="tanh", iterations=10)
    params = clf.get_params()
    assert params["hidden"] == (4,) and params["iterations"] == 10 and params["lr"] == "auto"
    assert {"batch_size", "momentum", "threshold", "l1", "l2", "seed", "standardize", "algorithm"} <= set(params)
    X, y = _iris()
    clf.set_params(activation="relu", hidden=(3, 2)).fit(X, y)
    assert clf.model_.arch.hidden == (3, 2) and clf.model_.arch.activations == ("relu", "relu")
    assert clone(clf).get_params() == clf.get_params()
    with pytest.raises(TypeError, match="unknown setting"):
        nnviz.settings(hidden_layers=2)


def test_pipeline_cross_validation_and_grid_search():
    X, y = _iris()
    pipe = make_pipeline(StandardScaler(), NNVizClassifier(iterations=1500, standardize=False))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8
    grid = GridSearchCV(NNVizClassifier(iterations=800), {"hidden": [(2,), (6,)], "lr": [0.005, 0.02]}, cv=3)
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["hidden"] in [(2,), (6,)] and grid.best_score_ > 0.8
    assert grid.best_estimator_.model_.arch.hidden == grid.best_params_["hidden"]
    assert grid.predict(X).shape == (150,)


def test_pickle_keeps_the_model_and_dataframe_names():
    pd = pytest.importorskip("pandas")
    X, y = _iris()
    df = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    clf = NNVizClassifier(iterations=300).fit(df, y)
    assert list(clf.feature_names_in_) == ["sl", "sw", "pl", "pw"] and clf.model_.input_names == ("sl", "sw", "pl", "pw")
    again = pickle.loads(pickle.dumps(clf))
    assert not hasattr(again, "trainer_")
    assert np.array_equal(again.predict_proba(df), clf.predict_proba(df))
    assert np.shares_memory(again.model_.network.weights[0], again.model_.network.params)  # views of one vector
