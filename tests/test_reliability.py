"""Atomic publishing, reproducible builds, provenance, and escaping of untrusted text."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from cqdt import runner
from cqdt.errors import CqdtError
from cqdt.render import publish

from .conftest import ROOT, project_env, run_make, set_news_items

OUTPUTS = ["bao-cao-cqdt-2021.html", "bao-cao-cqdt-2021.pdf"]


def snapshot(root: Path) -> dict[str, bytes]:
    return {name: (root / "report" / "2021" / name).read_bytes() for name in OUTPUTS}


def provenance(root: Path) -> dict:
    return json.loads((root / "build" / "2021" / "provenance.json").read_text(encoding="utf-8"))


def kill_make_when(root: Path, marker: str, delay: float) -> str:
    """Start `make report`, kill its whole process group shortly after `marker` is printed."""
    process = subprocess.Popen(["make", "-C", str(root), "report", "YEAR=2021"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=project_env(root), start_new_session=True)
    seen = []
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            time.sleep(delay)
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return "".join(seen)


def processes_left(root: Path, seconds: float = 10.0) -> list[str]:
    """The live processes of builds of `root` (their environment names the project), after waiting up
    to `seconds` for those of a killed build (a notebook's warm process, kernels) to notice."""
    deadline = time.monotonic() + seconds
    while True:
        left = []
        for folder in Path("/proc").glob("[0-9]*"):
            try:
                variables = (folder / "environ").read_bytes().split(b"\0")
                zombie = (folder / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
                command = (folder / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if f"CQDT_ROOT={root}".encode() in variables and not zombie:
                left.append(command)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


@pytest.mark.slow
def test_killed_builds_keep_the_report_and_clean_builds_are_identical(built_copy):
    project_copy = built_copy  # built once for the session, in another folder
    first, first_provenance = snapshot(project_copy), provenance(project_copy)

    set_news_items(project_copy, 7)
    output = kill_make_when(project_copy, "chạy sổ tay presence", 2.0)
    assert "chạy sổ tay presence" in output
    assert snapshot(project_copy) == first  # killed while notebooks ran: nothing published changed
    assert processes_left(project_copy) == []  # nor is a kernel or the kernels' warm process left running

    run_make(project_copy, "report", "YEAR=2021")  # no manual cleanup needed
    changed = snapshot(project_copy)
    assert changed != first
    digest = "data/2021/so-ban-nganh.xlsx"
    assert provenance(project_copy)["files"][digest] != first_provenance["files"][digest]
    assert provenance(project_copy)["files"][digest] in changed[OUTPUTS[0]].decode("utf-8")

    (project_copy / "src/cqdt/assets/report.css").touch()  # rerenders only
    output = kill_make_when(project_copy, "dựng báo cáo", 1.5)
    assert snapshot(project_copy) == changed  # killed while rendering: still the last good report
    assert processes_left(project_copy) == []
    run_make(project_copy, "report", "YEAR=2021")

    shutil.copy(ROOT / "data/2021/so-ban-nganh.xlsx", project_copy / "data/2021/so-ban-nganh.xlsx")
    shutil.rmtree(project_copy / "build")
    run_make(project_copy, "report", "YEAR=2021")
    assert snapshot(project_copy) == first  # two clean builds of the same inputs: byte-identical
    assert provenance(project_copy) == first_provenance


def test_publish_recovers_from_a_kill_between_its_two_renames(tmp_path):
    destination = tmp_path / "report" / "2021"
    (tmp_path / "report" / ".2021.old").mkdir(parents=True)
    (tmp_path / "report" / ".2021.old" / "a.html").write_text("cũ", encoding="utf-8")
    fresh = tmp_path / "fresh.html"
    fresh.write_text("mới", encoding="utf-8")
    publish({"a.html": fresh}, destination)
    assert (destination / "a.html").read_text(encoding="utf-8") == "mới"
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == ["2021"]


@pytest.mark.slow  # starts a notebook kernel
def test_parameters_cannot_inject_code(tmp_path):
    marker = tmp_path / "pwned"
    hostile = f'x"\nimport pathlib; pathlib.Path("{marker}").touch()\n#'
    with pytest.raises(CqdtError) as caught:
        runner.execute("presence", tmp_path / "out.ipynb", {"year": 2021, "build": hostile})
    assert "thư mục dựng chỉ được gồm chữ không dấu" in str(caught.value.issues[0])
    assert not marker.exists()
    assert not list(ROOT.glob('x"*')) and not list((ROOT / "build").glob('x"*'))
    with pytest.raises(CqdtError) as caught:
        runner.execute("presence", tmp_path / "out.ipynb", {"year": 2021, "build": "../../tmp"})
    assert "đường dẫn nằm ngoài thư mục build/ của dự án" in str(caught.value.issues[0])


def test_publish_swaps_the_folders_in_one_step(tmp_path, monkeypatch):
    """The published folder is never renamed away: the new one takes its place by an exchange."""
    destination = tmp_path / "report" / "2021"
    destination.mkdir(parents=True)
    (destination / "a.html").write_text("cũ", encoding="utf-8")
    fresh = tmp_path / "fresh.html"
    fresh.write_text("mới", encoding="utf-8")
    renamed = []
    original = Path.rename
    monkeypatch.setattr(Path, "rename", lambda self, target: renamed.append(self) or original(self, target))
    publish({"a.html": fresh}, destination)
    assert renamed == []  # no rename of report/2021 aside: it was exchanged
    assert (destination / "a.html").read_text(encoding="utf-8") == "mới"
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == ["2021"]


def test_a_full_disk_is_reported_in_vietnamese_with_the_path(monkeypatch, capsys):
    """ENOSPC while a step writes: a sentence naming the file, exit 2, never a traceback."""
    import errno

    from cqdt import cli

    def full(_args):
        raise OSError(errno.ENOSPC, "No space left on device", "build/2021/render/bao-cao-cqdt-2021.pdf")

    monkeypatch.setitem(cli.COMMANDS, "validate", full)
    assert cli.main(["validate", "--year", "2021"]) == 2
    shown = capsys.readouterr().err
    assert "hết dung lượng đĩa khi ghi «build/2021/render/bao-cao-cqdt-2021.pdf»" in shown
    assert "Traceback" not in shown


def test_the_build_folder_is_a_path_as_typed_inside_build(monkeypatch):
    """«build/2021» means the project's build/2021 (it meant build/build/2021 before); a bare «2021»
    or a folder outside build/ is refused with a message that shows how to write it."""
    from cqdt import paths

    assert paths.resolve_build(2021, "") == ROOT / "build" / "2021"
    assert paths.resolve_build(2021, "build/2021") == ROOT / "build" / "2021"
    assert paths.resolve_build(2021, "build/thu-nghiem/") == ROOT / "build" / "thu-nghiem"
    assert paths.resolve_build(2021, str(ROOT / "build" / "thu-nghiem")) == ROOT / "build" / "thu-nghiem"
    for typed in ("2021", "build", "report/2021", "/tmp/build", "build/../notebooks"):
        with pytest.raises(CqdtError) as caught:
            paths.resolve_build(2021, typed)
        assert "ví dụ build/2021 hoặc build/thu-nghiem" in str(caught.value.issues[0]), typed


def test_saving_a_notebook_from_jupyterlab_changes_nothing():
    """JupyterLab saves a notebook through jupytext with the project's jupytext.toml: the saved text
    is the file as it is (no jupytext version line that changes with each upgrade)."""
    import jupytext
    from jupytext.config import load_jupytext_config

    for notebook in sorted((ROOT / "notebooks").glob("*.py")):
        config = load_jupytext_config(str(notebook))
        saved = jupytext.writes(jupytext.read(notebook), fmt="py:percent", config=config)
        assert "jupytext_version:" not in saved and saved == notebook.read_text(encoding="utf-8"), notebook.name
