"""Files that are not data: refused from their type or header, in one line, without blocking."""

import os

import pytest

from nnviz.core import data


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null"])
def test_devices_are_refused_before_reading(path):
    if not os.path.exists(path):
        pytest.skip(f"no {path} here")
    with pytest.raises(ValueError, match="not a regular file"):
        data.load_csv(path)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="pipe.csv: not a regular file"):
        data.load_csv(fifo)
    assert data.suggest_target(fifo) is None


def test_a_column_without_a_name_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,,y\n1,2,x\n3,4,z\n")
    with pytest.raises(ValueError, match=r"x.csv: line 1: column 2 has no name"):
        data.load_csv(path)


def test_predict_inputs_named_twice_are_refused(tmp_path):
    path = tmp_path / "new.csv"
    path.write_text("a,a,b\n1,2,3\n")
    with pytest.raises(ValueError, match="the column 'a' appears twice"):
        data.load_inputs(path, ("a", "b"))
