"""Editing points of a two-input data set (the decision map's edits), and Undo/Redo."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import data as datamod
from nnviz.core import editing


def small():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    T = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    ds = datamod.Dataset("tiny", X, T, ("x1", "x2"), ("blue", "orange"), "classes", ("class",))
    return ds


def test_as_custom_puts_training_rows_first_and_keeps_the_split():
    ds = datamod.builtin("circles", seed=1)
    train, test = datamod.split(ds, 0.25, 1)
    c = editing.as_custom(train, test)
    assert c.custom and c.title == "custom (from circles)" and c.n == 200
    assert np.array_equal(c.X[:150], train.X) and np.array_equal(c.X[150:], test.X)
    tr, te = datamod.split(c, 0.5, 99)  # a fixed split: the fraction and seed no longer decide
    assert np.array_equal(tr.X, train.X) and np.array_equal(te.T, test.T)
    assert tr.test_rows is None and te.test_rows is None


def test_add_move_delete_change_exactly_the_rows_they_say():
    ds = small()
    train, test = datamod.split(ds, 0.0)
    c = editing.as_custom(train, test)
    c = editing.as_custom(*datamod.split(editing.add_point(c, 0.0, 0.0, 0), 0.0))  # still custom
    a = editing.add_point(c, 2.5, -1.0, 1)
    assert a.n == 6 and np.array_equal(a.X[5], [2.5, -1.0]) and np.array_equal(a.T[5], [0.0, 1.0])
    assert np.array_equal(a.X[:5], c.X) and c.n == 5  # the old data set is unchanged (for Undo)
    m = editing.move_point(a, 1, 7.0, 8.0)
    assert np.array_equal(m.X[1], [7.0, 8.0]) and np.array_equal(np.delete(m.X, 1, 0), np.delete(a.X, 1, 0))
    assert np.array_equal(m.T, a.T)
    d = editing.delete_point(m, 0)
    assert d.n == 5 and np.array_equal(d.X, m.X[1:]) and np.array_equal(d.T, m.T[1:])


def test_new_points_are_training_rows_before_the_test_rows():
    ds = datamod.builtin("xor", seed=2)
    train, test = datamod.split(ds, 0.2, 2)
    c = editing.add_point(editing.as_custom(train, test), 1.0, 2.0, 0)
    tr, te = datamod.split(c, 0.2, 2)
    assert tr.n == train.n + 1 and np.array_equal(tr.X[-1], [1.0, 2.0]) and np.array_equal(te.X, test.X)


def test_the_last_training_point_of_a_class_cannot_be_deleted():
    ds = small()
    c = editing.as_custom(ds, None)
    c = editing.delete_point(c, 1)  # orange: rows 1 and 2 -> one left
    with pytest.raises(ValueError, match="last training point of class 'orange'"):
        editing.delete_point(c, 1)
    c = editing.delete_point(c, 0)  # blue: two left -> one
    with pytest.raises(ValueError, match="class 'blue'"):
        editing.delete_point(c, 1)


def test_the_last_training_point_cannot_be_deleted_in_regression():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    ds = datamod.Dataset("r", X, np.array([[1.0], [2.0]]), ("a", "b"), ("y",), "regression", ("y",))
    c = editing.delete_point(editing.as_custom(ds, None), 0)
    with pytest.raises(ValueError, match="last training point"):
        editing.delete_point(c, 0)
    a = editing.add_point(c, 3.0, 4.0, 2.5)
    assert np.array_equal(a.T[:, 0], [2.0, 2.5])


def test_bad_edits_are_refused_with_one_line():
    c = editing.as_custom(small(), None)
    for bad in (lambda: editing.add_point(c, np.nan, 0.0, 0), lambda: editing.add_point(c, 0.0, 0.0, 2),
                lambda: editing.move_point(c, 9, 0.0, 0.0), lambda: editing.delete_point(c, -1)):
        with pytest.raises(ValueError) as exc:
            bad()
        assert "\n" not in str(exc.value)
    iris = datamod.builtin("iris")
    assert "two-input" in editing.edit_problem(iris)


def test_undo_and_redo_give_back_exactly_the_data_before():
    c0 = editing.as_custom(small(), None)
    stack = editing.EditStack()
    c1 = editing.add_point(c0, 1.0, 1.0, 0)
    stack.push(c0)
    c2 = editing.delete_point(c1, 0)
    stack.push(c1)
    assert stack.undo(c2) is c1 and stack.undo(c1) is c0 and stack.undo(c0) is None
    assert stack.redo(c0) is c1 and stack.can_redo
    c3 = editing.move_point(c1, 0, 9.0, 9.0)
    stack.push(c1)
    assert not stack.can_redo  # a new edit forgets what was undone
    assert stack.undo(c3) is c1
