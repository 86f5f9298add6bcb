"""What a build step read, as make's dependency file (unit tests: no build, no kernel)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from cqdt import dependencies


def record_in_child(root: Path, script: str) -> str:
    """Run `script` in a fresh Python process that records the reads of project `root` into a
    dependency file for target «target», and return that file's text."""
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from cqdt import dependencies
        root = Path({str(root)!r})
        dependencies.start(root)
        {textwrap.indent(textwrap.dedent(script), "        ").strip()}
        reads = dependencies.recorded_reads(root / "build", None)
        dependencies.write_depfile(root / "step.d", "target", reads, root)
    """)
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "CQDT_ROOT": str(root)})
    return (root / "step.d").read_text(encoding="utf-8")


def prerequisites(depfile: str) -> list[str]:
    rule = depfile.split("\n\n", 1)[0]
    return [line.strip().rstrip(" \\") for line in rule.splitlines()[1:] if line.strip()]


def test_reads_are_recorded_and_writes_are_not(tmp_path):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "2021.yaml").write_text("year: 2021\n", encoding="utf-8")
    depfile = record_in_child(tmp_path, """
        (root / "params" / "2021.yaml").read_text()
        (root / "written.txt").write_text("x")
        open(root / "both.txt", "w").write("y")
        (root / "both.txt").read_text()
    """)
    names = prerequisites(depfile)
    assert "params/2021.yaml" in names
    assert "written.txt" not in names and "both.txt" not in names
    assert depfile.startswith("target: \\\n")
    assert "\nparams/2021.yaml:\n" in depfile  # an empty rule: a deleted input reruns the step



def test_a_file_read_in_one_thread_while_another_is_inside_the_hook_is_recorded(tmp_path):
    """The render writes its files in a thread of its own while the printer's thread works: the
    hook's guard against its own writes holds for the thread that is writing, not for the others."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "quyet-dinh.j2").write_text("{{ so }}", encoding="utf-8")
    depfile = record_in_child(tmp_path, """
        import threading
        dependencies._RECORDER._busy = True  # this thread is inside the hook, writing its journal
        reader = threading.Thread(target=(root / "templates" / "quyet-dinh.j2").read_text)
        reader.start()
        reader.join()
        dependencies._RECORDER._busy = False
    """)
    assert "templates/quyet-dinh.j2" in prerequisites(depfile)

def test_files_outside_the_project_and_in_the_environment_are_left_out(tmp_path):
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text("", encoding="utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("", encoding="utf-8")
    names = prerequisites(record_in_child(tmp_path, f"""
        (root / ".venv" / "lib.py").read_text()
        Path({str(outside)!r}).read_text()
    """))
    assert not [n for n in names if ".venv" in n or "outside" in n]


def test_the_package_modules_a_step_imported_are_recorded_as_sources(tmp_path):
    names = prerequisites(record_in_child(tmp_path, "import cqdt.scoring"))
    package = Path(dependencies.__file__).parent
    assert str(package / "scoring.py") in names and str(package / "catalogue.py") in names
    assert str(package / "render.py") not in names
    assert not [n for n in names if n.endswith(".pyc")]


def test_build_files_count_only_when_an_earlier_step_wrote_them(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    earlier = build / "earlier.json"
    earlier.write_text("{}", encoding="utf-8")
    past = time.time() - 60
    os.utime(earlier, (past, past))
    names = prerequisites(record_in_child(tmp_path, """
        import subprocess
        (root / "build" / "earlier.json").read_text()
        # written by another process during the step (as Chromium writes a PDF), then read back
        subprocess.run(["sh", "-c", f"echo x > {root / 'build' / 'during.pdf'}"], check=True)
        (root / "build" / "during.pdf").read_bytes()
    """))
    assert "build/earlier.json" in names and "build/during.pdf" not in names


def test_make_names_are_escaped(tmp_path):
    odd = tmp_path / "a b$c#d.yaml"
    odd.write_text("", encoding="utf-8")
    dependencies.write_depfile(tmp_path / "x.d", "target", [odd], tmp_path)
    assert "a\\ b$$c\\#d.yaml" in (tmp_path / "x.d").read_text(encoding="utf-8")


def test_a_kernels_reads_reach_the_step_through_its_sink(tmp_path):
    (tmp_path / "catalogue.yaml").write_text("", encoding="utf-8")
    sink = tmp_path / "step.journal"
    code = (f"from pathlib import Path; from cqdt import dependencies; "
            f"dependencies.start(Path({str(tmp_path)!r}), Path({str(sink)!r})); "
            f"Path({str(tmp_path / 'catalogue.yaml')!r}).read_text()")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert f"read {tmp_path / 'catalogue.yaml'}" in sink.read_text(encoding="utf-8").splitlines()
    names = [str(p) for p in dependencies.recorded_reads(tmp_path / "build", sink)]
    assert str(tmp_path / "catalogue.yaml") in names
