"""The loss landscape (core/landscape.py): the grid is the training mse of the moved weights, 0 is
the current weights, the PCA directions are the path's principal components and the path ends at
the current weights; random directions are filter-normalised; a model file's run is replayed
exactly, or refused in one line."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import landscape as L
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.landscape_figures import contours, landscape_scene
from nnviz.core.network import split_flat

S = Settings(data="iris", hidden=(6, 6), iterations=600, seed=2)


def _mse(arch, params, X, Y):
    """The training mse of flat weights ``params``, forward pass written out here (sigmoid layers)."""
    H = X
    for W in split_flat(np.asarray(params, dtype=float), arch.shapes):
        H = 1.0 / (1.0 + np.exp(-(np.c_[np.ones(len(H)), H] @ W)))
    return float(np.mean((Y - H) ** 2))


@pytest.fixture(scope="module")
def run():
    exp = Experiment(S)
    traj = L.trajectory_of(exp, L.path_iterations(0, 600, 60))
    return exp, traj


def test_the_trajectory_is_the_run_itself(run):
    exp, traj = run
    assert traj.iterations[0] == 0 and traj.iterations[-1] == 600 and np.all(np.diff(traj.iterations) > 0)
    assert np.array_equal(traj.params[-1], exp.network.params)
    for k in (1, 5, len(traj.iterations) // 2):
        other = Experiment(S)
        other.session.run(int(traj.iterations[k]))
        assert np.array_equal(traj.params[k], other.network.params)


def test_the_grid_is_the_mse_of_the_moved_weights(run):
    exp, traj = run
    land = L.compute(exp.arch, exp.network.params, 600, exp.X_train, exp.Y_train, "pca", 21, traj)
    c = land.a.size // 2
    assert land.a[c] == 0 and land.b[c] == 0
    assert abs(land.current - _mse(exp.arch, exp.network.params, exp.X_train, exp.Y_train)) < 1e-12
    assert abs(land.current - exp.evaluate().mse) < 1e-12
    for i, j in ((0, 0), (3, 17), (c, 2), (20, c), (11, 12)):
        moved = exp.network.params + land.a[i] * land.d1 + land.b[j] * land.d2
        assert abs(land.values[i, j] - _mse(exp.arch, moved, exp.X_train, exp.Y_train)) < 1e-12
    # along d1 only the error changes with a: the row through the centre is not flat
    assert np.ptp(land.values[:, c]) > 1e-3


def test_pca_directions_are_the_paths_principal_components_and_the_path_ends_at_the_current_weights(run):
    exp, traj = run
    land = L.compute(exp.arch, exp.network.params, 600, exp.X_train, exp.Y_train, "pca", 11, traj)
    M = traj.params - traj.params.mean(axis=0)
    vals, vecs = np.linalg.eigh(M.T @ M)
    for d, v in ((land.d1, vecs[:, -1]), (land.d2, vecs[:, -2])):
        assert abs(np.linalg.norm(d) - 1) < 1e-12 and abs(abs(d @ v) - 1) < 1e-9
    assert abs(land.d1 @ land.d2) < 1e-12
    assert land.explained[0] == pytest.approx(vals[-1] / vals.sum(), rel=1e-9)
    # each point's coordinates are its dot products with the directions; the end is the current weights
    for k in (0, 7, len(traj.iterations) - 1):
        want = [(traj.params[k] - exp.network.params) @ d for d in (land.d1, land.d2)]
        assert np.allclose(land.path[k], want, atol=1e-10)
    assert np.array_equal(land.path[-1], land.coords(exp.network.params))
    assert np.abs(land.path[-1]).max() < 1e-12
    assert (land.path[-1] - land.path[0]) @ [1, 0] > 0  # the path runs towards +PC1
    assert abs(land.a[-1]) == pytest.approx(1.25 * np.abs(land.path[:, 0]).max())


def test_random_directions_are_filter_normalised(run):
    exp, _ = run
    land = L.compute(exp.arch, exp.network.params, 600, exp.X_train, exp.Y_train, "random", 5,
                     rng=np.random.default_rng(7))
    for d in (land.d1, land.d2):
        for D, W in zip(split_flat(d, exp.arch.shapes), exp.network.weights, strict=True):
            assert np.allclose(np.linalg.norm(D, axis=0), np.linalg.norm(W, axis=0), rtol=1e-12)
    assert land.path.shape == (0, 2) and list(land.a) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    again = L.compute(exp.arch, exp.network.params, 600, exp.X_train, exp.Y_train, "random", 5,
                      rng=np.random.default_rng(7))
    assert np.array_equal(land.values, again.values)  # seeded


def test_sizes_and_directions_are_checked():
    for bad in (4, 1, 203, 40):
        with pytest.raises(ValueError, match="odd number"):
            L.check_size(bad)
    with pytest.raises(ValueError, match="unknown directions"):
        L.check_directions("pcb")


def test_a_model_files_run_is_replayed_exactly_or_refused():
    exp = Experiment(S)
    exp.session.run(600)
    model = exp.model()
    land, notes = L.of_model(model, "pca", 9)
    assert "replayed the recorded run: 600 iterations" in notes[0]
    assert land.current == pytest.approx(model.training["mse"], abs=1e-12) and len(notes) == 1
    assert np.abs(land.path[-1]).max() < 1e-12
    # a test split is not in the record: the replay trains on other rows and is refused
    split = Experiment(S.with_(test_fraction=0.2))
    split.session.run(600)
    with pytest.raises(ValueError, match="cannot be replayed") as err:
        L.of_model(split.model(), "pca", 9, what="m.json")
    assert "\n" not in str(err.value) and str(err.value).startswith("m.json cannot be replayed")
    # random directions need only the rows; the record's mse then measured on all of them is said
    land, notes = L.of_model(split.model(), "random", 9)
    assert any("its record says" in n for n in notes)
    imported = exp.model()
    imported.training = {"imported_from": "x.onnx"}
    with pytest.raises(ValueError, match="imported from x.onnx"):
        L.of_model(imported, "pca", 9)


def test_contours_of_a_bowl_are_circles():
    a = b = np.linspace(-2, 2, 41)
    V = a[:, None] ** 2 + b[None, :] ** 2
    lines = contours(a, b, V, 1.0)
    assert len(lines) == 1
    ring = lines[0]
    assert np.array_equal(ring[0], ring[-1])  # closed
    assert np.abs(np.hypot(ring[:, 0], ring[:, 1]) - 1).max() < 0.01
    assert len(ring) > 40


def test_the_figure_draws_the_map_the_path_and_the_marks(run):
    from nnviz.core.diagram import Circle, Polyline

    exp, traj = run
    land = L.compute(exp.arch, exp.network.params, 600, exp.X_train, exp.Y_train, "pca", 11, traj)
    scene = landscape_scene(land, "t", shown=(300, land.coords(traj.params[len(traj.params) // 2])))
    rings = [c for c in scene.items if isinstance(c, Circle)]
    assert len(rings) == 2  # the start and the current weights
    paths = [p for p in scene.items if isinstance(p, Polyline) and p.width > 2]
    assert len(paths) == 1 and len(paths[0].points) == len(traj.iterations)
