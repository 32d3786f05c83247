"""Runs > Compare with R's neuralnet in the window: both runs in the Runs table (R when installed)."""

from __future__ import annotations

import pytest

from nnviz.io import rcompare


def test_without_r_the_window_says_what_to_install(make_window, qtbot, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("NNVIZ_RSCRIPT", raising=False)
    w = make_window(data="toy", iterations=50)
    assert not w.runs.compare_with_neuralnet()
    assert w.last_error == rcompare.R_MISSING and w.runs.rjob is None


def test_what_neuralnet_cannot_do_is_refused_first(make_window, qtbot):
    w = make_window(data="toy", activation=("relu",), iterations=50)
    assert not w.runs.compare_with_neuralnet()
    assert "relu" in w.last_error and "\n" not in w.last_error


def test_the_comparison_adds_both_runs_to_the_table(make_window, qtbot):
    try:
        rcompare.find_r()
    except ValueError as exc:
        pytest.skip(f"needs R and neuralnet: {exc}")
    w = make_window(data="toy", hidden=(6, 6), lr=0.02, iterations=300)
    w.step(40)  # the comparison starts from the run's start weights, not from here
    qtbot.waitUntil(lambda: w.latest.iteration == 40, timeout=10_000)
    assert w.runs.compare_with_neuralnet()
    qtbot.waitUntil(lambda: w.runs.rjob is None, timeout=120_000)
    result = w.runs.last_rcompare
    assert result.neuralnet.steps == 301 and result.nnviz.steps == 301
    assert result.max_weight_difference < 1e-12
    kinds = [r.origin for r in w.runs_panel.runs]
    assert len(kinds) == 2 and "neuralnet" in w.runs_panel.runs[1].origin
    assert w.latest.iteration == 40  # the window's own run is untouched
