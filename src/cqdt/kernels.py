"""Notebook steps and kernels forked from one warm process, so that each starts with its libraries imported.

Every notebook step imported papermill and jupytext, and its kernel the notebooks' libraries
(pandas, matplotlib, IPython, the helpers): about four seconds of a core per notebook, six times per
build, on the critical path of each wave of notebooks. Within one `make report` (`python -m
cqdt.kernels -- make …`, which owns it), a warm process imports all of them once, as soon as the
ingest step (or the first notebook step) asks for it, and forks from there both the notebook steps
(`cqdt notebook` hands its command to a fork and waits for its exit status) and their kernels: a
fork is ready in a fraction of a second, with the state of a process that has only imported modules.
The render step, last, is forked too, from a warm process that already serves (a render-only rebuild
starts none), which meanwhile imported the render's libraries on a core the notebooks left idle.
Outside such a build (`cqdt notebook` alone, the tests' runner, JupyterLab) steps and kernels start as
before, and so do they in a build whose warm process cannot start (a module that fails to import:
the notebook then reports it, by cell).

The warm process lives only as long as the build that owns it, so nothing runs code older than the
build. Each fork is a session of its own and dies with the warm process; the warm process kills a fork
whose requester went away, and leaves when its owner does.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import importlib
import json
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

FOLDER_VARIABLE = "CQDT_KERNELS"  # the owning build's folder for the warm process's socket and files
OWNER_VARIABLE = "CQDT_KERNELS_OWNER"  # the pid of the owning build: the warm process leaves with it
# What a notebook step (`python -m cqdt notebook`: the first five) and a notebook's kernel (the
# others) import.
WARM_MODULES = ("cqdt.__main__", "cqdt.runner", "papermill", "jupytext", "nbclient",
                "ipykernel.kernelapp", "matplotlib_inline.backend_inline", "cqdt.notebook")
# What the render step imports on top, once the warm process serves and has nothing to do (the
# notebooks then run): the render step, forked last, starts with them. Libraries only: a module of
# the package imported here would be read by every notebook step, and an edit of a render module
# would rerun them all.
RENDER_LIBRARIES = ("nbconvert", "playwright.async_api", "pikepdf", "openpyxl", "docx", "psutil")
KERNEL_MODULE = "ipykernel_launcher"
_STARTUP_SECONDS = 120.0
_MESSAGE_BYTES = 1 << 20
_FORKED_STEP = False  # set in a step forked by the warm process: it runs its command itself


# The build's side: own the warm process for the length of a command (make).

def own_kernels(command: list[str]) -> int:
    """Run `command` (the build) owning a warm process, stopped when the command ends."""
    _adopt_orphans()
    with owned_kernels() as variables:
        child = subprocess.Popen(command, env=os.environ | variables)
        # Ctrl-C reaches make itself (the same process group); make decides, this process waits for it.
        signal.signal(signal.SIGINT, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda signum, _frame: child.send_signal(signum))
        status = child.wait()
    return _shell_status(status)


def _shell_status(status: int) -> int:
    """An exit status as a shell reports it: a process ended by signal N exits with 128 + N."""
    return status if status >= 0 else 128 - status


@contextlib.contextmanager
def owned_kernels() -> Iterator[dict[str, str]]:
    """The environment variables under which the notebook steps and kernels that this process's
    children start are forked from a warm process owned by this process, stopped (with its forks) on
    leaving."""
    # Named now, made by the first step that wants a kernel: a build killed before then (one that
    # only renders) leaves no folder behind; a killed build's warm process removes its own.
    folder = Path(tempfile.gettempdir()) / f"cqdt-kernels-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        yield {FOLDER_VARIABLE: str(folder), OWNER_VARIABLE: str(os.getpid())}
    finally:
        _stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


def _adopt_orphans() -> None:
    """Linux: this process adopts its descendants whose parent ended (the warm process outlives the
    step that started it), so that they stay within the build: its memory is measured with the
    build's (make bench), and the build ends only when they do."""
    _prctl(36, 1)  # PR_SET_CHILD_SUBREAPER


def _stop(folder: Path) -> None:
    """Stop the warm process (its forks die with it) and wait until it has ended."""
    try:
        pid = int((folder / "zygote.pid").read_text())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:  # our child: the step that started it ended first
                return
        except ChildProcessError:  # the child of a step still running: it reaps it
            if not _alive(folder):
                return
        time.sleep(0.02)


# The requester's side: a step or kernel forked by the warm process, seen as a process.

class ForkedProcess:
    """A step or kernel forked by the warm process, with the part of `subprocess.Popen` that a
    kernel provisioner uses. The warm process writes two lines to the connection that asked for it:
    the fork's pid, and its exit status when it ends (nothing if the warm process itself ended)."""

    stdin = stdout = stderr = None

    def __init__(self, connection: socket.socket) -> None:
        self.connection, self.returncode, self._received = connection, None, b""
        self.pid = int(self._line() or b"")  # ValueError: no fork was made

    def poll(self) -> int | None:
        if self.returncode is None and (b"\n" in self._received or select.select([self.connection], [], [], 0)[0]):
            self._read_status()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.connection.settimeout(timeout)
            self._read_status()
        return self.returncode

    def _read_status(self) -> None:
        line = self._line()
        self.returncode = int(line) if line is not None else -signal.SIGKILL  # the warm process ended
        self.connection.close()

    def _line(self) -> bytes | None:
        """The next line from the warm process; None at the end of the connection."""
        while b"\n" not in self._received:
            chunk = self.connection.recv(64)
            if not chunk:
                return None
            self._received += chunk
        line, self._received = self._received.split(b"\n", 1)
        return line

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def start_early() -> None:
    """Within a build that owns a warm process: start it now, while the step calling this works on
    one core and the next steps will want kernels."""
    folder = os.environ.get(FOLDER_VARIABLE)
    if folder and not (Path(folder) / "zygote.pid").exists():
        with contextlib.suppress(OSError):  # the notebooks' kernels will start as usual
            _start_once(Path(folder))


def fork_kernel(command: list[str], env: dict[str, str] | None, cwd: str | None) -> ForkedProcess | None:
    """The kernel `command` would start, forked by the owning build's warm process (started now if
    it is not yet); None outside such a build, for another kernel, or when the warm process failed."""
    if KERNEL_MODULE not in command:
        return None
    # As jupyter_client's launcher adds for a kernel that is not independent (its parent's pid).
    env = dict(env or os.environ) | {"JPY_PARENT_PID": str(os.getpid())}
    return _fork({"kind": "kernel", "argv": command[command.index(KERNEL_MODULE) + 1:], "env": env,
                  "cwd": str(cwd or os.getcwd())})


def run_forked(argv: list[str], start: bool = True) -> int | None:
    """Exit status of `cqdt <argv>` run by a fork of the owning build's warm process, as this process
    would have run it; None outside such a build, in such a fork, or when the warm process failed.
    With start=False, None also when the warm process does not serve yet: a step that needs no
    kernel (the render) is forked only from a warm process the build already made ready."""
    if _FORKED_STEP:
        return None
    from . import timing

    # A step that wants no kernel comes after the notebooks: the warm process prepares for none after it.
    forked = _fork({"kind": "step", "argv": argv, "env": dict(os.environ), "cwd": os.getcwd(),
                    "started": timing.process_started(), "last": not start}, start)
    if forked is None:
        return None
    return _shell_status(forked.wait())


def _fork(request: dict, start: bool = True) -> ForkedProcess | None:
    folder = os.environ.get(FOLDER_VARIABLE)
    connection = _connect(Path(folder), start) if folder else None
    if connection is None:
        return None
    # As jupyter_client starts a kernel: our output and errors, and no input of ours.
    nothing = os.open(os.devnull, os.O_RDONLY)
    try:
        socket.send_fds(connection, [json.dumps(request).encode() + b"\n"], [nothing, 1, 2])
        return ForkedProcess(connection)
    except (OSError, ValueError):
        connection.close()
        return None
    finally:
        os.close(nothing)


def _identity() -> str:
    """What a fork must share with its requester: the Python, the project and the package's code."""
    return json.dumps([sys.executable, os.environ.get("CQDT_ROOT", ""), os.environ.get("PYTHONPATH", "")])


def _connect(folder: Path, start: bool = True) -> socket.socket | None:
    """A connection to the build's warm process, started if need be (unless start is False: then
    None when it does not serve yet); None if it failed, or if it runs another Python, project or
    package code than this process (a command run by hand with the variables of a build of another
    copy)."""
    address = folder / "zygote.sock"
    if not address.exists() and not start:
        return None
    if not address.exists():
        try:
            _start_once(folder)
        except OSError:
            return None
    deadline = time.monotonic() + _STARTUP_SECONDS
    while not address.exists():
        if (folder / "zygote.failed").exists() or time.monotonic() > deadline or not _alive(folder):
            return None
        time.sleep(0.02)
    try:
        if (folder / "zygote.id").read_text(encoding="utf-8") != _identity():
            return None
    except OSError:  # the warm process ended meanwhile, and removed its folder
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(address))
    except OSError:
        connection.close()
        return None
    return connection


def _start_once(folder: Path) -> None:
    """Start the warm process unless another step of the build already did."""
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid():
        raise PermissionError(folder)  # not the folder this build named: no kernel is forked there
    with (folder / "zygote.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / "zygote.pid").exists():
            return
        from .dependencies import SINK_VARIABLE

        env = {name: value for name, value in os.environ.items() if name != SINK_VARIABLE}  # a step's own
        with (folder / "zygote.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "cqdt.kernels", "--serve", str(folder)], env=env, cwd=os.getcwd(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        (folder / "zygote.pid").write_text(str(process.pid))


def _alive(folder: Path) -> bool:
    """Whether the warm process still runs."""
    try:
        return _runs(int((folder / "zygote.pid").read_text()))
    except (OSError, ValueError):
        return False


def _runs(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, ended but not yet reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc: alive as far as kill tells


# The warm process.

def serve(folder: Path) -> None:
    """Import what notebook steps and kernels import, then fork one per request until the owning
    build ends."""
    from . import dependencies
    from .cli import BATCH_GC_THRESHOLDS  # a step's module (WARM_MODULES): not for the build's owner
    from .paths import PROJECT_ROOT

    owner = int(os.environ[OWNER_VARIABLE])
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does: IPython puts the kernel's working folder back
    try:
        # What a kernel sets before matplotlib is imported, so that the import is the kernel's own.
        os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        dependencies.start(PROJECT_ROOT)  # the files the imports read are every kernel's reads too
        for module in WARM_MODULES:
            importlib.import_module(module)
        # The imported modules are never garbage: frozen, no fork's collection scans them again (nor
        # touches, and so copies, their pages).
        gc.freeze()
        gc.set_threshold(*BATCH_GC_THRESHOLDS)
        (folder / "zygote.id").write_text(_identity(), encoding="utf-8")
        listener = _listen(folder / "zygote.sock")
    except BaseException:
        (folder / "zygote.failed").touch()
        raise
    try:
        _serve_forever(listener, owner, list(RENDER_LIBRARIES))
    finally:
        if not _runs(owner):  # killed with its build: nobody else removes the folder
            shutil.rmtree(folder, ignore_errors=True)


def _listen(address: Path) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staging = address.with_name(address.name + ".new")
    listener.bind(str(staging))
    listener.listen(16)
    staging.rename(address)  # the socket appears ready to accept, never half made
    return listener


def _serve_forever(listener: socket.socket, owner: int, idle_imports: list[str]) -> None:
    """Fork for each request until the owner ends. Meanwhile import `idle_imports` for the build's
    last step, on a core the notebooks leave idle: when fewer notebook steps run than the machine
    has cores, and no request came for half a second (a step asks for its kernel a few tenths of a
    second after it is forked). One library at a time, looking for a request between two: a request
    waits at most for one library's import."""
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    children: dict[int, socket.socket] = {}  # each fork, and the connection that asked for it
    steps: set[int] = set()  # the forks that are steps (the others are their kernels)
    cores = os.cpu_count() or 1
    try:
        importing = False
        while _runs(owner):
            ready = select.select([listener, wake_read, *children.values()], [], [], 0 if importing else 0.5)[0]
            importing = not ready and bool(idle_imports) and len(steps) < cores
            if importing:
                _import_quietly(idle_imports.pop(0))
                continue
            if wake_read in ready:
                os.read(wake_read, 512)
            _reap(children)
            steps &= children.keys()
            for connection in [c for c in ready if c in children.values()]:
                _requester_gone(children, connection)  # a requester says nothing after its request
            if listener in ready and (forked := _fork_for(listener, children, (wake_read, wake_write))):
                pid, request = forked
                if request["kind"] == "step":
                    steps.add(pid)
                if request.get("last"):
                    idle_imports.clear()  # too late: the last step imports what it still lacks
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _import_quietly(module: str) -> None:
    """Import a library for the forks to come; one that fails is imported (and reported) by the step
    that needs it, as without a warm process."""
    with contextlib.suppress(Exception):
        importlib.import_module(module)


def _reap(children: dict[int, socket.socket]) -> None:
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        connection = children.pop(pid, None)
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
            connection.close()


def _requester_gone(children: dict[int, socket.socket], connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        if connection.recv(1):
            return
    pid = next(pid for pid, c in children.items() if c is connection)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)  # reaped, and its status sent nowhere, at the next SIGCHLD


def _fork_for(listener: socket.socket, children: dict[int, socket.socket],
              pipe: tuple[int, ...]) -> tuple[int, dict] | None:
    """The fork made for the next request, and the request; None for a request that could not be read."""
    connection, _ = listener.accept()
    try:
        request, fds = _request(connection)
    except (OSError, ValueError):  # the requester hears the connection close, and starts its own
        connection.close()
        return None
    ready_read, ready_write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(ready_read)
        for inherited in (listener, connection, *children.values()):
            os.close(inherited.detach())  # detached: no socket object closes a number reused later
        for fd in pipe:
            os.close(fd)
        _become(request, fds, ready_write)
    os.close(ready_write)
    os.read(ready_read, 1)  # the fork leads a session of its own before its pid is handed out
    os.close(ready_read)
    for fd in fds:
        os.close(fd)
    children[pid] = connection
    connection.sendall(f"{pid}\n".encode())
    return pid, request


def _request(connection: socket.socket) -> tuple[dict, list[int]]:
    """A request (one line of JSON) and the requester's input, output and errors sent with it."""
    connection.settimeout(10)
    message, fds, _flags, _address = socket.recv_fds(connection, _MESSAGE_BYTES, 3)
    try:
        while not message.endswith(b"\n"):
            more = connection.recv(_MESSAGE_BYTES)
            if not more:
                raise ValueError("the request ended before its end of line")
            message += more
        if len(fds) != 3:
            raise ValueError("a request comes with its input, output and errors")
        request = json.loads(message)
    except (OSError, ValueError):
        for fd in fds:
            os.close(fd)
        raise
    connection.settimeout(None)
    return request, fds


def _become(request: dict, fds: list[int], ready: int) -> None:
    """In the forked child: the process the request describes, in its folder, with its environment,
    output and errors. Never returns."""
    status = 1
    try:
        os.setsid()  # signals to the fork's group reach it and what it starts, nothing else
        _die_with_parent()
        os.write(ready, b"1")
        os.close(ready)
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        status = (_step if request["kind"] == "step" else _kernel)(request)
    except SystemExit as leaving:
        status = leaving.code if isinstance(leaving.code, int) else 1
    except BaseException:  # noqa: BLE001 — the fork's stderr is the requester's, which shows it
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _step(request: dict) -> int:
    """`python -m cqdt <argv>`, as the step that asked would have run it."""
    global _FORKED_STEP
    from . import cli, timing

    _FORKED_STEP = True
    timing.restart(request["started"])
    timing.mark("forked by the build's warm process")
    sys.argv = ["cqdt", *request["argv"]]
    return cli.main(request["argv"])


def _kernel(request: dict) -> int:
    """The kernel that `python -m ipykernel_launcher` would be."""
    from ipykernel import kernelapp

    from . import dependencies

    dependencies.continue_in_kernel()
    sys.argv = [KERNEL_MODULE, *request["argv"]]
    # Two settings ipykernel read from the environment when the warm process imported it.
    environment = {"parent_handle": "JPY_PARENT_PID", "interrupt": "JPY_INTERRUPT_EVENT"}
    settings = {trait: int(os.environ.get(name) or 0) for trait, name in environment.items()}
    kernelapp.launch_new_instance(argv=request["argv"], **settings)
    return 0


def _die_with_parent() -> None:
    """Linux: the fork is killed when the warm process ends, however it ends."""
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # it ended before that was set
        os._exit(1)


def _prctl(option: int, value: int) -> None:
    """Linux's process control (elsewhere nothing: forks then end with their requesters only)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(option, value)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        serve(Path(argv[1]))
        return 0
    command = argv[1:] if argv[:1] == ["--"] else argv
    return own_kernels(command)


if __name__ == "__main__":
    # The package's module, not this copy of it run as __main__: the state of a fork (a step
    # knows it is one) must be where the package's other modules look.
    from cqdt import kernels  # noqa: PLW0406 — deliberately the imported module, see above

    sys.exit(kernels.main(sys.argv[1:]))
