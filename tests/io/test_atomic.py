"""Atomic writes: permissions kept, symbolic links written through, every OSError one line."""

import os
import stat
import sys

import numpy as np
import pytest

from nnviz import cli
from nnviz.gui import figures
from nnviz.io import atomic

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc, /sys and /dev/full")


def _one_line(exc_info, *parts):
    msg = str(exc_info.value)
    assert "\n" not in msg
    for p in parts:
        assert p in msg, msg
    return msg


def test_new_file_gets_the_umask_and_no_temporary_file_is_left(tmp_path):
    old = os.umask(0o027)
    try:
        atomic.write_text(tmp_path / "a.txt", "hello\n")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").read_text() == "hello\n"
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_existing_file_keeps_its_permissions(tmp_path):
    p = tmp_path / "m.json"
    p.write_text("old")
    p.chmod(0o600)
    atomic.write_text(p, "new")
    assert p.read_text() == "new" and stat.S_IMODE(p.stat().st_mode) == 0o600
    p.chmod(0o664)
    atomic.write_bytes(p, b"newer")
    assert stat.S_IMODE(p.stat().st_mode) == 0o664


def test_a_symbolic_link_is_written_through(tmp_path):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = real_dir / "model.json"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    atomic.write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "real"]
    assert [p.name for p in real_dir.iterdir()] == ["model.json"]
    # a link to a file that does not exist yet creates the file where the link points
    dangling = tmp_path / "next.json"
    dangling.symlink_to(real_dir / "next-target.json")
    atomic.write_text(dangling, "x")
    assert dangling.is_symlink() and (real_dir / "next-target.json").read_text() == "x"


def test_figures_write_through_the_same_helper(tmp_path):
    assert not hasattr(figures, "_atomic")
    target = tmp_path / "h.csv"
    target.write_text("")
    target.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    figures.export_history_csv(np.array([0, 1]), np.array([0.5, 0.25]), link)
    assert link.is_symlink() and target.read_text() == "iteration,mse\n0,0.5\n1,0.25\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_missing_folder_and_a_folder_as_the_file(tmp_path):
    with pytest.raises(ValueError) as info:
        atomic.write_text(tmp_path / "nope" / "m.json", "x")
    _one_line(info, "m.json", "the folder", "does not exist")
    with pytest.raises(ValueError) as info:
        atomic.write_text(tmp_path, "x")
    _one_line(info, str(tmp_path), "is a folder")
    (tmp_path / "f").write_text("")
    with pytest.raises(ValueError) as info:
        atomic.write_text(tmp_path / "f" / "m.json", "x")
    _one_line(info, "is a file, not a folder")


@linux
@pytest.mark.parametrize("path", ["/proc/m.json", "/sys/m.json"])
def test_a_folder_that_cannot_be_written(path):
    with pytest.raises(ValueError) as info:
        atomic.write_text(path, "x")
    _one_line(info, path, "cannot write")
    with pytest.raises(ValueError) as info:
        atomic.check_writable(path)
    _one_line(info, path, "cannot write")


@linux
def test_a_full_disk_and_devices(tmp_path):
    with pytest.raises(ValueError) as info:
        atomic.write_text("/dev/full", "x" * 10000)
    _one_line(info, "/dev/full", "No space left on device")
    atomic.write_text("/dev/null", "x")  # a device is written in place, not replaced
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    atomic.check_writable("/dev/null")


def test_a_failed_rename_leaves_the_old_file(tmp_path, monkeypatch):
    p = tmp_path / "m.csv"
    p.write_text("old")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(ValueError) as info:
        atomic.write_text(p, "new")
    _one_line(info, str(p), "cannot write (No space left on device)")
    assert p.read_text() == "old" and [q.name for q in tmp_path.iterdir()] == ["m.csv"]


def test_check_writable_leaves_nothing_behind(tmp_path):
    atomic.check_writable(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="does not exist"):
        atomic.check_writable(tmp_path / "no" / "m.json")


def test_read_limit(tmp_path):
    p = tmp_path / "big.json"
    p.write_bytes(b"x" * 100)
    assert atomic.read_bytes(p, limit=100) == b"x" * 100
    with pytest.raises(ValueError, match="100 bytes is too large"):
        atomic.read_bytes(p, limit=99)
    with pytest.raises(ValueError, match="no such file"):
        atomic.read_bytes(tmp_path / "none", limit=10)


@linux
def test_cli_refuses_an_unwritable_export_before_training(capsys):
    code = cli.main(["train", "--data", "toy", "--iterations", "100000000", "--export", "/proc/m.json", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("nnviz: error: /proc/m.json: cannot write") and err.count("\n") == 1


@linux
def test_cli_predict_to_a_full_disk(tmp_path, capsys):
    m = tmp_path / "m.json"
    assert cli.main(["train", "--data", "toy", "--hidden", "2", "--iterations", "5", "--export", str(m), "--quiet"]) == 0
    rows = tmp_path / "rows.csv"
    rows.write_text("x1,x2,x3\n0,1,0\n")
    assert cli.main(["predict", "--model", str(m), "--data", str(rows), "--output", "/dev/full"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: /dev/full: cannot write (No space left on device)") and err.count("\n") == 1


# -- durability: what is renamed into place is on disk first, and the rename after -------------

def _record_key_syncs(monkeypatch) -> list:
    """os.fsync / os.fdatasync and os.replace record, in order, the (device, inode) they act on."""
    events = []
    real = {name: getattr(os, name) for name in ("fsync", "fdatasync", "replace")}

    def key(st):
        return st.st_dev, st.st_ino

    def sync(name):
        def call(fd):
            events.append(("sync", key(os.fstat(fd))))
            return real[name](fd)
        return call

    def replace(src, dst, *args, **kwargs):
        events.append(("replace", key(os.stat(src))))
        return real["replace"](src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", sync("fsync"))
    monkeypatch.setattr(os, "fdatasync", sync("fdatasync"))
    monkeypatch.setattr(os, "replace", replace)
    return events


def _record_syncs(monkeypatch) -> list[tuple[str, str]]:
    """Every fsync (with what the descriptor is: a file's path, or a folder's) and every rename,
    in order, as the atomic writer makes them."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", str(src)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


def _assert_durable(events, path):
    """The file's data was synced before the rename that put it at ``path``, its folder after."""
    st, folder = os.stat(path), os.stat(os.path.dirname(os.path.realpath(path)))
    file_key, folder_key = (st.st_dev, st.st_ino), (folder.st_dev, folder.st_ino)
    assert ("replace", file_key) in events, events
    at = events.index(("replace", file_key))
    assert ("sync", file_key) in events[:at], "the file was not synced before it was renamed into place"
    assert ("sync", folder_key) in events[at + 1:], "the folder was not synced after the rename"


@pytest.mark.parametrize("write", [
    lambda p: atomic.write_bytes(p, b"\x00\x01"),
    lambda p: atomic.write_text(p, "text\n"),
    lambda p: figures.export_history_csv(np.array([0, 1]), np.array([0.5, 0.25]), p),
], ids=["write_bytes", "write_text", "history csv"])
def test_atomic_writes_sync_the_file_then_the_folder(tmp_path, monkeypatch, write):
    events = _record_key_syncs(monkeypatch)
    path = tmp_path / "out.csv"
    write(path)
    _assert_durable(events, path)
    path.write_text("old")  # over an existing file too
    events.clear()
    write(path)
    _assert_durable(events, path)


def test_a_model_file_is_synced(tmp_path, monkeypatch):
    from nnviz import io as nnio
    from nnviz.core.experiment import Experiment, Settings

    model = Experiment(Settings(data="toy", hidden=(2,))).model()
    events = _record_key_syncs(monkeypatch)
    nnio.save(model, tmp_path / "m.json")
    _assert_durable(events, tmp_path / "m.json")


def test_write_with_syncs_what_produce_wrote(tmp_path, monkeypatch):
    events = _record_key_syncs(monkeypatch)
    path = tmp_path / "figure.svg"

    def produce(tmp):  # as a Qt writer does: write by name, close, no sync
        with open(tmp, "w") as fh:
            fh.write("<svg/>")

    atomic.write_with(path, produce)
    _assert_durable(events, path)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="names descriptors through Linux /proc")
@pytest.mark.parametrize("how", ["write_with", "write_text"])
def test_every_write_is_durable_file_then_folder(tmp_path, monkeypatch, how):
    """The written file is synced before its rename, and its folder after it (issue 24, item 8):
    a figure's or a film's producer writes a file by name and syncs nothing itself."""
    events = _record_syncs(monkeypatch)
    dest = tmp_path / "fig.png"
    if how == "write_with":
        def produce(tmp: str) -> None:  # as Qt's image writer does: by name, no fsync
            with open(tmp, "wb") as fh:
                fh.write(b"\x89PNG picture")
        atomic.write_with(dest, produce)
    else:
        atomic.write_text(dest, "text")
    renamed = [e for e in events if e[0] == "replace"]
    assert len(renamed) == 1
    tmp = renamed[0][1]
    at = events.index(renamed[0])
    assert ("fsync", os.path.realpath(tmp)) in events[:at], events  # the data, before the rename
    assert ("fsync", os.path.realpath(tmp_path)) in events[at:], events  # the new name, after it
    assert dest.exists()
