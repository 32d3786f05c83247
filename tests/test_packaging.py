"""Packaging: the wheel and the sdist install into a fresh virtual environment and run; the sdist
carries the test suite, its data, the example notebook and the README's pictures; the metadata
says what the README says (numba is the extra ``fast``).

Offline: the fresh venv gets nnviz from the wheel (or the sdist) with ``--no-deps --no-index``,
and its dependencies from this environment through a .pth file, so the test needs no network.
With NNVIZ_TEST_NETWORK=1 a second test installs the wheel and the sdist with their
dependencies from PyPI (minutes, and about 400 MB).
"""

import email
import os
import shutil
import site
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".git", ".venv", "build", "dist", "__pycache__", ".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _source_copy(dest: Path) -> Path:
    """The project's files without venvs, caches and build output (the build writes next to them)."""
    def ignore(folder, names):
        return [n for n in names if n in SKIP or n.endswith(".egg-info")]
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def _build(tmp: Path) -> tuple[Path, Path]:
    src = _source_copy(tmp / "src")
    dist = tmp / "dist"
    for cmd, cwd in (([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(src),
                       "-w", str(dist)], None),
                     ([sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_sdist({str(dist)!r})"],
                      src)):
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"{cmd}: {r.stdout[-2000:]}{r.stderr[-2000:]}"
    return next(dist.glob("nnviz-*.whl")), next(dist.glob("nnviz-*.tar.gz"))


def _venv(where: Path, borrow: bool) -> Path:
    """A fresh venv; ``borrow``: this environment's packages visible after its own (a .pth file)."""
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(where)], check=True,
                   capture_output=True, timeout=600)
    py = where / "bin" / "python"
    if borrow:
        own = subprocess.run([str(py), "-c", "import site; print(site.getsitepackages()[0])"], check=True,
                             capture_output=True, text=True).stdout.strip()
        Path(own, "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return py


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _run(cmd, cwd, **kw):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, env=_env(), timeout=900, **kw)
    assert r.returncode == 0, f"{cmd}: {r.stdout[-2000:]}{r.stderr[-2000:]}"
    return r.stdout


def _check_installed(py: Path, cwd: Path) -> None:
    where = _run([py, "-c", "import nnviz; print(nnviz.__file__)"], cwd)
    assert where.startswith(str(py.parent.parent)), where  # the venv's nnviz, not the source tree's
    out = _run([py.parent / "nnviz", "train", "--data", "iris", "--iterations", "300", "--json"], cwd)
    assert '"architecture": "4-6-6-3"' in out
    _run([py.parent / "nnviz", "train", "--data", "toy", "--iterations", "50", "--export", cwd / "m.json", "--quiet"],
         cwd)
    code = _run([py.parent / "nnviz", "convert", "--model", cwd / "m.json", "--to", "numpy", "--out", "-"], cwd)
    assert "def predict(X):" in code
    assert "complete -o filenames" in _run([py.parent / "nnviz", "completion", "bash"], cwd)
    api = ("import nnviz; r = nnviz.fit(data='toy', iterations=20); print(r.iteration, r.model.task); "
           "from importlib import resources; print((resources.files('nnviz.gui.share') / 'nnviz.svg').is_file())")
    assert _run([py, "-c", api], cwd).split() == ["20", "binary", "True"]


@pytest.mark.slow
def test_wheel_and_sdist_install_offline_and_the_sdist_runs_the_tests(tmp_path):
    wheel, sdist = _build(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "nnviz/data/iris.csv" in names and "nnviz/gui/share/nnviz.svg" in names and "nnviz/sklearn.py" in names
    meta = email.message_from_bytes(zipfile.ZipFile(wheel).read("nnviz-0.1.0.dist-info/METADATA"))
    requires = meta.get_all("Requires-Dist")
    assert not any(r.startswith(("numba", "scipy")) and "extra ==" not in r for r in requires)  # numba: an extra
    assert any(r.startswith("numba") and 'extra == "fast"' in r for r in requires)
    assert {"fast", "sklearn", "onnx", "film", "test"} <= set(meta.get_all("Provides-Extra"))
    assert meta.get_all("Project-URL") and "Framework :: Jupyter" in meta.get_all("Classifier")
    assert "## Install" in meta.get_payload() and "## Python API" in meta.get_payload()
    members = tarfile.open(sdist).getnames()
    top = members[0].split("/")[0]
    for needed in ("tests/conftest.py", "tests/gui/conftest.py", "tests/test_api.py", "examples/nnviz.ipynb",
                   "assets/iris.png", "README.md", "LICENSE", "MANIFEST.in", ".ci/run", "nnviz/data/iris.csv"):
        assert f"{top}/{needed}" in members, needed
    assert any(m.startswith(f"{top}/tests/data/onnx/") for m in members)
    assert not any("__pycache__" in m or ".egg-info/" in m and "/tests/" in m for m in members)

    # the wheel, in a fresh venv
    py = _venv(tmp_path / "venv-wheel", borrow=True)
    _run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    _check_installed(py, work)
    # the sdist: built into a wheel, installed in another fresh venv, and its own tests run
    unpacked = tmp_path / "sdist"
    tarfile.open(sdist).extractall(unpacked, filter="data")
    from_sdist = tmp_path / "from-sdist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    str(unpacked / top), "-w", str(from_sdist)], check=True, capture_output=True, timeout=600)
    built = next(from_sdist.glob("nnviz-*.whl"))
    assert sorted(zipfile.ZipFile(built).namelist()) == sorted(names)
    py2 = _venv(tmp_path / "venv-sdist", borrow=True)
    _run([py2, "-m", "pip", "install", "-q", "--no-deps", "--no-index", built], tmp_path)
    safe = ["-P"] if sys.version_info >= (3, 11) else []  # -P: not the sdist's nnviz from the current folder
    out = _run([py2, *safe, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_api.py",
                "tests/core/test_reference.py", "-k", "not slow and not readme"], unpacked / top)
    assert " passed" in out and "failed" not in out
    if safe:
        where = _run([py2, *safe, "-c", "import nnviz; print(nnviz.__file__)"], unpacked / top)
        assert where.startswith(str(py2.parent.parent))  # the tests ran against the installed nnviz


@pytest.mark.network
@pytest.mark.skipif(os.environ.get("NNVIZ_TEST_NETWORK") != "1", reason="set NNVIZ_TEST_NETWORK=1 (downloads ~400 MB)")
def test_pip_install_from_pypi_into_a_fresh_venv(tmp_path):
    wheel, sdist = _build(tmp_path)
    for name, artefact in (("wheel", wheel), ("sdist", sdist)):
        py = _venv(tmp_path / f"venv-{name}", borrow=False)
        _run([py, "-m", "pip", "install", "-q", artefact], tmp_path)
        work = tmp_path / f"work-{name}"
        work.mkdir()
        _check_installed(py, work)
        listed = _run([py, "-m", "pip", "list", "--format=freeze"], work).lower()
        assert "numba" not in listed and "pyside6" in listed  # numba only with nnviz[fast]
