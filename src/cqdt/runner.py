"""A strict papermill wrapper: known parameters only, and a failing cell fails the build by name.

jupytext, nbformat and papermill are imported where a notebook is run: `cqdt steps`, which every build
starts with, only needs the step table from here (half a second less)."""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from . import timing
from .errors import CqdtError, Issue
from .paths import NOTEBOOKS

if TYPE_CHECKING:
    import nbformat

GENERIC_PILLAR = "pillar"  # the parameterized notebook of a pillar without a narrative of its own


def pillar_notebook(pillar: str) -> str:
    """The notebook that runs a pillar: its own narrative, or the generic one (with `pillar` set)."""
    return pillar if (NOTEBOOKS / f"{pillar}.py").is_file() else GENERIC_PILLAR


def step_table(pillars: list[str], ranking_notebook: str) -> str:
    """The year's steps for make: the pillars in catalogue order and the notebook of each, and the
    notebook of the ranking step (the year's params name it)."""
    lines = ["# Written by `python -m cqdt steps` from the year's catalogue and params; do not edit.",
             f"PILLARS := {' '.join(pillars)}"]
    lines += [f"NOTEBOOK_{pillar} := {pillar_notebook(pillar)}" for pillar in pillars]
    lines.append(f"NOTEBOOK_ranking := {ranking_notebook}")
    return "\n".join(lines) + "\n"


def source_notebook(name: str, step: str = "") -> nbformat.NotebookNode:
    """The notebook's source, its cells numbered after the step it runs (the generic pillar notebook
    runs once per pillar: its cells must keep ids of their own in the assembled page)."""
    import jupytext

    path = NOTEBOOKS / f"{name}.py"
    if not path.is_file():
        raise CqdtError(Issue("không tìm thấy sổ tay", file=path))
    notebook = jupytext.read(path)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for index, cell in enumerate(notebook.cells):  # stable ids: reproducible executed notebooks and HTML
        cell.id = f"{step or name}-{index}"
    return notebook


def declared_parameters(notebook: nbformat.NotebookNode, scratch: Path) -> set[str]:
    import nbformat
    import papermill

    nbformat.write(notebook, scratch)
    return set(papermill.inspect_notebook(str(scratch)))


def execute(name: str, output: Path, parameters: dict[str, object]) -> Path:
    """Execute notebooks/<name>.py with parameters into output (written only when it succeeds)."""
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    source = output.with_name(f".{output.stem}.source.ipynb")
    partial = output.with_name(f".{output.stem}.partial.ipynb")
    notebook = source_notebook(name, output.stem)
    declared = declared_parameters(notebook, source)
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise CqdtError(Issue(f"sổ tay «{name}» không có tham số {', '.join(unknown)}; các tham số hợp lệ: "
                              f"{', '.join(sorted(declared))}"))
    timing.mark("papermill start")
    try:
        with tempfile.TemporaryDirectory(prefix="cqdt-kernel-") as sockets:
            executed = papermill.execute_notebook(
                str(source), str(partial), parameters=parameters, kernel_name="python3", progress_bar=False,
                cwd=str(NOTEBOOKS), log_output=False, kernel_manager_class=ipc_kernel_manager(sockets),
                # The notebook is complete once its last cell ran: the kernel is stopped at once
                # instead of being asked to and waited for.
                shutdown_kernel="immediate",
                # Written once, when it ends (or fails: papermill writes it with the error before
                # raising), not before and after every cell: each write serialises the whole
                # notebook, charts included, between two cells.
                request_save_on_cell_execute=False)
    except PapermillExecutionError as error:
        # papermill inserted one cell (the injected parameters) before the failing one, so the
        # 0-based index in the executed notebook is the 1-based position in the source notebook.
        raise CqdtError(Issue(f"sổ tay «{name}» lỗi ở ô số {error.cell_index} (ô bắt đầu bằng "
                              f"«{_first_line(error.source)}») ({error.ename}): {_detail(error.evalue)}")) from None
    except (DeadKernelError, RuntimeError) as error:
        if not isinstance(error, DeadKernelError) and "kernel" not in str(error).lower():
            raise
        raise CqdtError(Issue(f"nhân Python (kernel) của sổ tay «{name}» đã dừng hoặc không khởi động được "
                              f"({type(error).__name__}: {_detail(str(error))}); hãy chạy lại lệnh")) from None
    finally:
        source.unlink(missing_ok=True)
    mark_cells(executed)
    os.replace(partial, output)
    return output


def mark_cells(executed: nbformat.NotebookNode) -> None:
    """When the first cell started (the kernel was ready) and the last ended, from papermill's record."""
    cells = [c.metadata.get("papermill", {}) for c in executed.cells]
    starts = [c["start_time"] for c in cells if c.get("start_time")]
    ends = [c["end_time"] for c in cells if c.get("end_time")]
    if starts and ends:
        timing.mark("first cell started", _epoch(min(starts)))
        timing.mark("last cell ended", _epoch(max(ends)))


def _epoch(iso: str) -> float:
    moment = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


def ipc_kernel_manager(sockets: str):
    """A kernel manager whose kernel talks to papermill through socket files in `sockets`, a folder of
    its own, instead of TCP ports: two kernels started at once under `make -j2` could pick the same
    free port, and one died with «ZMQError: Address already in use»."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IpcKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: object) -> None:
            """Within `make report`, a kernel forked from the build's warm process (cqdt.kernels),
            with its libraries already imported; elsewhere a kernel started as usual."""
            from . import kernels

            forked = kernels.fork_kernel(kernel_cmd, kw.get("env"), kw.get("cwd"))
            if forked is None:
                await super()._async_launch_kernel(kernel_cmd, **kw)
                return
            provisioner = self.provisioner
            provisioner.process, provisioner.pid, provisioner.pgid = forked, forked.pid, forked.pid
            provisioner.cwd = kw.get("cwd")
            self._reconcile_connection_info(provisioner.connection_info)

        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @default("ip")
        def _default_ip(self) -> str:
            return os.path.join(sockets, "kernel")

    return IpcKernelManager


def _detail(text: str) -> str:
    """The error's text on one line; a CqdtError's list of problems without its heading."""
    lines = [line.strip().lstrip("- ") for line in (text or "").splitlines() if line.strip()]
    if lines and (lines[0] == "Lỗi:" or lines[0].startswith("Phát hiện")):
        lines = lines[1:]
    return "; ".join(lines)


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""
