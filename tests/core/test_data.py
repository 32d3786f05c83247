"""Data sets, CSV parsing, R-style standardisation and splits."""

import numpy as np
import pytest

from nnviz.core import data


def test_builtins_have_the_documented_shapes():
    toy = data.builtin("toy")
    assert toy.X.shape == (8, 3) and toy.T.shape == (8, 2) and toy.task == "binary"
    iris = data.builtin("iris")
    assert iris.X.shape == (150, 4) and iris.output_names == ("setosa", "versicolor", "virginica")
    assert iris.input_names == ("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width")
    assert iris.T.sum(axis=0).tolist() == [50, 50, 50]
    for name in ("xor", "circles", "spiral", "gaussian"):
        ds = data.builtin(name, noise=0.2, seed=3)
        assert ds.X.shape == (200, 2) and ds.task == "classes"
        assert np.array_equal(ds.X, data.builtin(name, noise=0.2, seed=3).X)
        assert not np.array_equal(ds.X, data.builtin(name, noise=0.2, seed=4).X)


def test_unknown_builtin_lists_the_names():
    with pytest.raises(ValueError, match="unknown data set 'nope'.*iris"):
        data.load("nope")


def test_csv_text_target_is_one_hot_in_sorted_order():
    ds = data.parse_csv("a,b,kind\n1,2,zeta\n3,4,alpha\n5,6,mid\n", "t.csv")
    assert ds.output_names == ("alpha", "mid", "zeta")
    assert ds.T.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert ds.input_names == ("a", "b") and ds.task == "classes"


def test_csv_numeric_target_is_regression_unless_asked():
    text = "a,y\n1,3\n2,1\n3,2\n4,10\n"
    assert data.parse_csv(text).task == "regression"
    ds = data.parse_csv(text, classify=True)
    assert ds.task == "classes" and ds.output_names == ("1", "2", "3", "10")
    assert data.parse_csv("a,y\n1,0\n2,1\n").task == "binary"


def test_csv_target_by_name_and_several_targets():
    ds = data.parse_csv("y1,a,y2,b\n1,2,3,4\n5,6,7,8\n", target="y1,y2")
    assert ds.input_names == ("a", "b") and ds.output_names == ("y1", "y2")
    assert ds.X.tolist() == [[2, 4], [6, 8]]


@pytest.mark.parametrize("text,where", [
    ("", "empty"),
    ("a,b\n", "no data rows"),
    ("a,b\n1,2\n3\n", "line 3: 1 fields"),
    ("a,b,c\n1,x,z\n", "line 2, column 'b': 'x' is not a finite number"),
    ("a,b,c\n1,,z\n", "line 2, column 'b': missing value"),
    ("a,b,c\n1,NaN,z\n", "line 2, column 'b': missing value"),
    ("a,b,c\n1,inf,z\n", "line 2, column 'b'"),
    ("1,2,3\n4,5,6\n", "header"),
    ("a,a\n1,2\n", "appears twice"),
    ("a,y\n1,k\n2,k\n", "single class"),
])
def test_csv_errors_say_where(text, where):
    with pytest.raises(ValueError) as info:
        data.parse_csv(text, "bad.csv")
    msg = str(info.value)
    assert msg.startswith("bad.csv") and where in msg and "\n" not in msg


def test_unknown_target_column():
    with pytest.raises(ValueError, match="no column named 'zz'"):
        data.parse_csv("a,b\n1,2\n", "f.csv", target="zz")


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        data.load(str(tmp_path / "gone.csv"))
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02")
    with pytest.raises(ValueError, match="not a text file"):
        data.load(str(tmp_path / "bin.csv"))


def test_standardisation_is_r_scale_and_keeps_constant_columns():
    ds = data.parse_csv("a,b,y\n1,5,0\n2,5,1\n3,5,0\n6,5,1\n")
    sc = data.fit_scaling(ds)
    # R: scale(c(1, 2, 3, 6)) -> centre 3, scale sd(c(1,2,3,6)) = sqrt(14/3)
    assert sc.x_center.tolist() == [3.0, 5.0]
    assert sc.x_scale[0] == pytest.approx(np.sqrt(14 / 3), rel=1e-15)
    assert sc.x_scale[1] == 1.0  # constant column: centred, not divided
    Z = sc.inputs(ds.X)
    assert np.isfinite(Z).all() and (Z[:, 1] == 0).all()
    off = data.fit_scaling(ds, standardize=False)
    assert np.array_equal(off.inputs(ds.X), ds.X)


def test_regression_targets_are_scaled_and_come_back():
    ds = data.parse_csv("a,y\n1,10\n2,30\n3,20\n")
    sc = data.fit_scaling(ds, output_activation="sigmoid")
    Y = sc.targets(ds.T)
    assert Y.min() == 0 and Y.max() == 1
    np.testing.assert_allclose(sc.outputs(Y), ds.T)
    lin = data.fit_scaling(ds, output_activation="linear")
    np.testing.assert_allclose(lin.outputs(lin.targets(ds.T)), ds.T)


def test_split_is_seeded_and_stratified():
    iris = data.builtin("iris")
    train, test = data.split(iris, 0.2, seed=5)
    assert test.n == 30 and train.n == 120
    assert test.T.sum(axis=0).tolist() == [10, 10, 10]
    again, _ = data.split(iris, 0.2, seed=5)
    assert np.array_equal(train.X, again.X)
    assert data.split(iris, 0.0)[1] is None
    with pytest.raises(ValueError, match="test fraction"):
        data.split(iris, 1.0)


def test_suggest_target(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("kind,u,v\nx,1,2\ny,3,4\n")
    assert data.suggest_target(p) == "kind"
    p.write_text("u,v,y\n1,2,3\n3,4,5\n")
    assert data.suggest_target(p) == "y"
    p.write_text("k1,k2,v\nx,a,2\ny,b,4\n")
    assert data.suggest_target(p) == "v"


def test_a_column_of_equal_values_is_constant_whatever_the_rounding():
    """0.1 summed 150 times is not 15: the sd computed is rounding noise, not a spread."""
    rows = "".join(f"{0.1},{i},{i % 2}\n" for i in range(150))
    ds = data.parse_csv("a,b,y\n" + rows)
    sc = data.fit_scaling(ds)
    assert sc.x_scale[0] == 1.0 and sc.x_center[0] == 0.1
    assert (sc.inputs(ds.X)[:, 0] == 0).all()
    assert sc.inputs(np.array([[0.2, 3.0]]))[0, 0] == pytest.approx(0.1)


def test_linear_targets_are_scaled_as_r_does_with_n_minus_1():
    ds = data.parse_csv("a,y\n1,10\n2,30\n3,20\n")
    lin = data.fit_scaling(ds, output_activation="linear")
    # R: scale(c(10, 30, 20)) -> (y - 20) / sd, sd = sqrt((100 + 100 + 0) / 2) = 10
    np.testing.assert_allclose(lin.targets(ds.T)[:, 0], [-1.0, 1.0, 0.0], rtol=0, atol=1e-15)
    sig = data.fit_scaling(ds, output_activation="sigmoid")
    np.testing.assert_allclose(sig.targets(ds.T)[:, 0], [0.0, 1.0, 0.5], rtol=0, atol=1e-15)


def test_values_near_the_largest_float_are_one_line_with_the_file(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("a,b,y\n1e308,1,x\n-1e308,2,z\n1.5e308,3,x\n")
    ds = data.load_csv(path)
    with pytest.raises(ValueError, match=r"huge.csv: column 'a' has values too large to standardise"):
        data.fit_scaling(ds)


def test_every_class_keeps_a_training_row_in_a_split():
    ds = data.parse_csv("a,b,y\n1,2,x\n3,4,z\n5,6,x\n7,8,z\n9,1,w\n2,2,x\n3,3,z\n")
    train, test = data.split(ds, 0.6, seed=1)
    assert set(train.labels()) == {0, 1, 2}  # w, x, z all trained on
    assert (train.T.argmax(axis=1) == ds.output_names.index("w")).sum() == 1


def test_the_uci_builtins_have_their_published_shapes_and_classes():
    # class counts as the UCI pages / scikit-learn's DESCR publish them
    digits = data.builtin("digits")
    assert digits.X.shape == (1797, 64) and digits.task == "classes"
    assert digits.output_names == tuple("0123456789")
    assert digits.T.sum(axis=0).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert digits.input_names[:2] == ("pixel_0_0", "pixel_0_1") and digits.input_names[-1] == "pixel_7_7"
    assert digits.X.min() == 0 and digits.X.max() == 16 and np.array_equal(digits.X, digits.X.round())
    # the first image is a 0: its fourth row of pixels (images[0][3] in scikit-learn)
    assert digits.labels()[0] == 0 and digits.X[0, 24:32].tolist() == [0, 4, 12, 0, 0, 8, 8, 0]
    wine = data.builtin("wine")
    assert wine.X.shape == (178, 13) and wine.output_names == ("class_0", "class_1", "class_2")
    assert wine.T.sum(axis=0).tolist() == [59, 71, 48]
    assert wine.input_names[0] == "alcohol" and wine.input_names[-1] == "proline"
    assert wine.X[0].tolist()[:3] == [14.23, 1.71, 2.43] and wine.X[0, -1] == 1065
    bc = data.builtin("breast-cancer")
    assert bc.X.shape == (569, 30) and bc.task == "classes" and bc.output_names == ("benign", "malignant")
    assert bc.T.sum(axis=0).tolist() == [357, 212]
    assert bc.input_names[0] == "mean radius" and bc.input_names[-1] == "worst fractal dimension"
    dia = data.builtin("diabetes")
    assert dia.X.shape == (442, 10) and dia.T.shape == (442, 1) and dia.task == "regression"
    assert dia.input_names == ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
    assert dia.X[0].tolist() == [59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87] and dia.T[0, 0] == 151
    assert dia.T.min() == 25 and dia.T.max() == 346
    for ds in (digits, wine, bc, dia):
        assert ds.source == "" and ds.description == data.BUILTINS[ds.name]
        assert data.load(ds.name).X.shape == ds.X.shape
