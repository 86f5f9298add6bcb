"""Where a build step's time goes: named moments of the step, written to
build/<year>/timings/<step>.json, which `make bench` reads.

A step marks its own moments (`mark`); a notebook's kernel marks its moments too (the package
import started, the notebook helpers imported) in its journal (see cqdt.dependencies), so that the
runner can tell kernel start, imports and work apart.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from . import dependencies

_MARKS: list[tuple[str, float]] = []


def mark(label: str, moment: float | None = None) -> None:
    moment = time.time() if moment is None else moment
    _MARKS.append((label, moment))
    dependencies.tell("time", f"{moment:.6f} {label}")


_STARTED: list[float] = []  # a step forked by the build's warm process: when its requester started


def restart(started: float) -> None:
    """In a step forked by the warm process (cqdt.kernels): the step started when the process that
    asked for it did, and the warm process's moments are not the step's."""
    _MARKS.clear()
    _STARTED[:] = [started]


def process_started() -> float:
    """When this process started (Linux: its age from /proc, in clock ticks since boot), or now
    where that cannot be read."""
    if _STARTED:
        return _STARTED[0]
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
        return time.time() - age
    except (OSError, ValueError, IndexError, AttributeError):
        return time.time()


def kernel_marks(sink: Path) -> list[tuple[str, float]]:
    """The moments a kernel wrote in its journal."""
    marks = []
    for kind, text in dependencies.journal(sink):
        if kind == "time":
            moment, _, label = text.partition(" ")
            marks.append((f"kernel: {label}", float(moment)))
    return marks


def write(path: Path, step: str, started: float, extra: list[tuple[str, float]] = ()) -> None:
    """The step's moments, in seconds from the start of its process."""
    marks = sorted([*_MARKS, *extra], key=lambda item: item[1])
    record = {"step": step, "started": started, "finished": time.time(),
              "marks": [{"label": label, "at": round(moment - started, 4)} for label, moment in marks]}
    record["seconds"] = round(record["finished"] - started, 4)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def steps_since(folder: Path, since: float) -> set[str]:
    """The steps that ran since `since`: those whose record in `folder` (build/<year>/timings) was
    written after it."""
    return {path.stem for path in folder.glob("*.json")
            if json.loads(path.read_text(encoding="utf-8"))["finished"] >= since}
