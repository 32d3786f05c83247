"""nnviz install-desktop: the entry and the icon shipped in the package, where desktops look."""

import xml.etree.ElementTree as ET

from nnviz.cli import main


def test_install_desktop_writes_the_entry_and_the_icon(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["install-desktop"]) == 0
    entry = (tmp_path / "applications" / "nnviz.desktop").read_text()
    lines = dict(line.split("=", 1) for line in entry.splitlines() if "=" in line)
    assert lines["Type"] == "Application" and lines["Icon"] == "nnviz"
    assert lines["Exec"].endswith("nnviz-gui %f")  # the file a desktop opens with it
    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "nnviz.svg"
    assert ET.parse(icon).getroot().tag.endswith("svg")
    assert "nnviz.desktop" in capsys.readouterr().out


def test_install_desktop_into_a_place_that_cannot_be_written_is_one_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert main(["install-desktop"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: cannot create") and err.count("\n") == 1


def test_install_desktop_registers_the_session_type(tmp_path, monkeypatch, capsys):
    import shutil

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["install-desktop"]) == 0
    entry = (tmp_path / "applications" / "nnviz.desktop").read_text()
    lines = dict(line.split("=", 1) for line in entry.splitlines() if "=" in line)
    assert "application/x-nnviz" in lines["MimeType"].split(";")
    xml = tmp_path / "mime" / "packages" / "nnviz.xml"
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    kind = ET.parse(xml).getroot().find("m:mime-type", ns)
    assert kind.get("type") == "application/x-nnviz"
    assert kind.find("m:glob", ns).get("pattern") == "*.nnviz"
    assert "nnviz.xml" in capsys.readouterr().out
    if shutil.which("update-mime-database"):  # the desktop's cache knows the type now
        assert "application/x-nnviz:*.nnviz" in (tmp_path / "mime" / "globs2").read_text()


def test_exec_line_quotes_a_path_with_spaces():
    from nnviz.desktop import exec_line

    assert exec_line("/opt/nnviz/bin/nnviz-gui") == "/opt/nnviz/bin/nnviz-gui %f"
    assert exec_line("/home/a b/.venv/bin/nnviz-gui") == '"/home/a b/.venv/bin/nnviz-gui" %f'
