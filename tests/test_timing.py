"""Where a build step's time goes: its moments, as make bench reads them (unit tests)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from cqdt import timing


def test_a_fresh_process_knows_when_it_started():
    before = time.time()
    code = "import time; from cqdt import timing; print(timing.process_started(), time.time())"
    started, now = map(float, subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                             check=True).stdout.split())
    assert before - 0.05 <= started <= now
    assert now - started < 5


def test_moments_are_written_in_order_from_the_process_start(tmp_path, monkeypatch):
    monkeypatch.setattr(timing, "_MARKS", [])  # this process's other moments are not this step's
    started = time.time() - 2
    sink = tmp_path / "presence.journal"
    sink.write_text(f"read /x.yaml\ntime {started + 1.5:.6f} helpers imported\n", encoding="utf-8")
    timing.mark("papermill start", started + 1.0)
    timing.write(tmp_path / "presence.json", "presence", started, timing.kernel_marks(sink))
    record = json.loads((tmp_path / "presence.json").read_text(encoding="utf-8"))
    marks = [(m["label"], m["at"]) for m in record["marks"]]
    assert marks == [("papermill start", 1.0), ("kernel: helpers imported", 1.5)]
    assert record["step"] == "presence" and 2 <= record["seconds"] < 10
