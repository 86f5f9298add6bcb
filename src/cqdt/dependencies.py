"""What a build step read, written as a make dependency file (as a compiler writes its .d files).

A step's dependencies are not listed by hand: the step's process, and the kernel of a notebook
step, record every project file they open for reading — params, catalogue, unit registry,
indicator config, templates, geo data, the previous year's workbooks, the package's own modules —
through a Python audit hook. make includes the result, so an edit of any of those files reruns the
step, and an edit of a file the step never read does not.

Files under build/ count only when an earlier step wrote them (their time is before this step
began): what the step, or the Chromium it drives, writes and reads back is not an input.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

# The kernel of a notebook step appends what it reads (and, for cqdt.timing, its moments) to the
# file this variable names: its journal, one "<kind> <text>" line each, read by the step's runner.
SINK_VARIABLE = "CQDT_JOURNAL"
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_IGNORED_PARTS = {".venv", ".git", "site-packages", ".ipynb_checkpoints", ".pytest_cache"}


class _Recorder:
    """The process's record of project files opened for reading (one per process: audit hooks
    cannot be removed, so the hook is installed once and switched by `active`)."""

    def __init__(self) -> None:
        self.roots: tuple[str, ...] = ()
        self.reads: set[str] = set()
        self.outputs: set[str] = set()
        self.sink = None
        self.started = time.time()
        self.active = False
        # Set while the hook itself writes (its journal's writes raise audit events too); per thread,
        # so that a file another thread opens meanwhile is still recorded (the render writes its
        # files in a thread of their own while the printer's thread works).
        self._local = threading.local()

    @property
    def _busy(self) -> bool:
        return getattr(self._local, "busy", False)

    @_busy.setter
    def _busy(self, busy: bool) -> None:
        self._local.busy = busy

    def hook(self, event: str, args: tuple) -> None:
        if event != "open" or not self.active or self._busy:
            return
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return
        self._busy = True  # the sink's own writes raise audit events too
        try:
            if _writes(mode, flags):  # what the step writes is its output, even if it reads it back
                self.note_output(os.path.abspath(os.fsdecode(path)))
            else:
                self._note(os.fsdecode(path))
        finally:
            self._busy = False

    def _note(self, path: str) -> None:
        path = _source_of(os.path.abspath(path))
        if path in self.reads or not path.startswith(self.roots):
            return
        parts = Path(path).parts
        if _IGNORED_PARTS.intersection(parts) or any(part.endswith(".egg-info") for part in parts):
            return
        self.reads.add(path)
        self.tell("read", path)

    def note_output(self, path: str) -> None:
        if path not in self.outputs and path.startswith(self.roots):
            self.outputs.add(path)
            self.tell("output", path)

    def tell(self, kind: str, text: str) -> None:
        if self.sink is not None:
            busy, self._busy = self._busy, True  # the journal's own writes raise audit events too
            try:
                self.sink.write(f"{kind} {text}\n")
                self.sink.flush()
            finally:
                self._busy = busy


_RECORDER = _Recorder()


def _writes(mode, flags) -> bool:
    if isinstance(mode, str):
        return any(letter in mode for letter in "wax+")
    return bool((flags or 0) & _WRITE_FLAGS)


def _source_of(path: str) -> str:
    """A module's compiled file stands for its source: an edit of the .py is what must rerun a step."""
    folder, name = os.path.split(path)
    if os.path.basename(folder) == "__pycache__" and name.endswith(".pyc"):
        return os.path.join(os.path.dirname(folder), name.split(".", 1)[0] + ".py")
    return path


def _package_root() -> str:
    return str(Path(__file__).resolve().parent)


def start(project_root: Path, sink: Path | None = None) -> None:
    """Record from now on the files this process opens in the project (and in the package, which
    lives elsewhere when the project is a copy). With a sink, each is also appended to it at once,
    so that a kernel's reads survive however the kernel ends."""
    recorder = _RECORDER
    if not recorder.active:
        sys.addaudithook(recorder.hook)
    recorder.roots = (str(project_root.resolve()) + os.sep, _package_root() + os.sep)
    recorder.reads, recorder.outputs = set(), set()
    recorder.started = time.time()
    recorder.active = True
    if sink is not None:
        recorder.sink = open(sink, "a", encoding="utf-8")  # noqa: SIM115 — open while the kernel lives
    for module in list(sys.modules.values()):  # imported before the hook existed
        if isinstance(getattr(module, "__file__", None), str):
            recorder._note(module.__file__)


def start_in_kernel() -> None:
    """Called on import of the package: a notebook kernel started by a build step records its reads."""
    sink = os.environ.get(SINK_VARIABLE)
    if sink:
        from .paths import PROJECT_ROOT

        start(PROJECT_ROOT, Path(sink))


def continue_in_kernel() -> None:
    """In a kernel forked from the warm process (cqdt.kernels), which recorded what its imports read:
    those reads are this kernel's too, and what it reads from now on goes to its journal."""
    recorder = _RECORDER
    sink = os.environ.get(SINK_VARIABLE)
    if not sink or not recorder.active:
        start_in_kernel()
        return
    recorder.sink = open(sink, "a", encoding="utf-8")  # noqa: SIM115 — open while the kernel lives
    recorder.started = time.time()
    for path in sorted(recorder.reads):
        recorder.tell("read", path)
    for path in sorted(recorder.outputs):
        recorder.tell("output", path)


def tell(kind: str, text: str) -> None:
    """A line for the runner, in a kernel's journal (nothing outside a kernel of a build step)."""
    _RECORDER.tell(kind, text)


def journal(sink: Path | None) -> list[tuple[str, str]]:
    """The kernel's journal: (kind, text) per line."""
    if sink is None or not sink.is_file():
        return []
    return [tuple(line.split(" ", 1)) for line in sink.read_text(encoding="utf-8").splitlines() if " " in line]


def note_output(path: Path) -> None:
    """A file this step writes (its earlier content may be read to compare): never an input."""
    if _RECORDER.active:
        _RECORDER.note_output(os.path.abspath(path))


def recorded_reads(build: Path, kernel_sink: Path | None = None) -> list[Path]:
    """The inputs read so far (by this process and the kernel that reported to `kernel_sink`):
    existing files, without this step's outputs, and without files under build/ written since the
    step began."""
    recorder = _RECORDER
    reads, outputs = set(recorder.reads), set(recorder.outputs)
    for kind, name in journal(kernel_sink):
        if kind in ("read", "output"):
            (reads if kind == "read" else outputs).add(name)
    build_prefix = str(build.resolve()) + os.sep
    kept = []
    for name in sorted(reads - outputs):
        path = Path(name)
        if not path.is_file():
            continue
        if name.startswith(build_prefix) and path.stat().st_mtime >= recorder.started:
            continue
        kept.append(path)
    return kept


def write_depfile(depfile: Path, target: str, reads: list[Path], root: Path) -> None:
    """A make rule `target: reads…`, and an empty rule per read so that a deleted file reruns the
    step instead of stopping make (gcc's -MP). Written before the target, so never newer than it."""
    names = [_make_name(path, root) for path in reads]
    lines = [f"{target}: \\"] + [f"  {name} \\" for name in names] + [""]
    lines += [f"{name}:" for name in names]
    depfile.parent.mkdir(parents=True, exist_ok=True)
    temporary = depfile.with_name(depfile.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(depfile)


def _make_name(path: Path, root: Path) -> str:
    try:
        name = str(path.relative_to(root.resolve()))
    except ValueError:
        name = str(path)
    return name.replace("\\", "\\\\").replace(" ", "\\ ").replace("#", "\\#").replace("$", "$$").replace(":", "\\:")
