import numpy as np

from nnviz.core.snapshot import History, frozen


def test_history_is_bounded_and_evenly_sampled():
    h = History(capacity=1000)
    for start in range(0, 1_000_000, 7919):
        x = np.arange(start, min(start + 7919, 1_000_000))
        h.extend(x, x * 2.0)
    assert len(h) <= 1000
    assert len(h) > 400
    d = np.diff(h.x)
    assert (d == h.stride).all() and h.x[0] == 0
    assert np.array_equal(h.y, h.x * 2.0)


def test_history_small_runs_are_kept_whole():
    h = History(capacity=100)
    h.extend(np.arange(50), np.ones(50))
    assert len(h) == 50 and h.stride == 1
    h.clear()
    assert len(h) == 0


def test_frozen_is_a_read_only_copy():
    a = np.ones(3)
    f = frozen(a)
    a[0] = 5
    assert f[0] == 1 and not f.flags.writeable


def test_sparse_history_keeps_irregular_points_and_halves_when_full():
    from nnviz.core.snapshot import History

    h = History(capacity=8, sparse=True)
    h.extend([3, 7, 11, 19, 23], [1, 2, 3, 4, 5])
    assert list(h.x) == [3, 7, 11, 19, 23]
    h.extend([29, 31, 37, 41, 43], [6, 7, 8, 9, 10])
    assert len(h) <= 8 and h.x[-1] == 43 and (np.diff(h.x) > 0).all()
    assert set(h.x) <= {3, 7, 11, 19, 23, 29, 31, 37, 41, 43}
