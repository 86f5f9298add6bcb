"""Benchmark of the report build against the notebook floor (run by `make bench`).

Prints one table. Every figure is the median of RUNS runs, with min and max, measured on
this machine in one run of this script:
  floor        papermill executing as many empty notebooks (a parameters cell only) as the
               pipeline has, scheduled like make (pillars two at a time, then ranking and
               scorecards), plus nbconvert + WeasyPrint rendering an empty document;
  cold         `make report YEAR=2021` after removing build/ (environment installed);
  no-op        the same command again, nothing changed;
  one pillar   after changing one cell of one pillar's input, and which notebooks reran.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PILLARS = ["readiness", "presence", "interaction", "transaction", "transformation"]
IGNORE = shutil.ignore_patterns(".venv", "build", "report", ".git", "__pycache__", "*.egg-info", "forms")


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} s  (min {min(values):.2f}, max {max(values):.2f})"


def project_copy(folder: Path) -> Path:
    shutil.copytree(ROOT, folder, ignore=IGNORE)
    os.symlink(ROOT / ".venv", folder / ".venv")
    return folder


def make(root: Path) -> str:
    env = {**os.environ, "CQDT_ROOT": str(root)}
    done = subprocess.run(["make", "-C", str(root), "report", "YEAR=2021"], capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout + done.stderr


def empty_notebook(path: Path) -> None:
    cell = nbformat.v4.new_code_cell("year = 2021\nbuild = ''", metadata={"tags": ["parameters"]})
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


def run_empty(source: Path, output: Path) -> None:
    code = ("import papermill, sys; papermill.execute_notebook(sys.argv[1], sys.argv[2], "
            "parameters={'year': 2021, 'build': ''}, kernel_name='python3', progress_bar=False)")
    subprocess.run([sys.executable, "-c", code, str(source), str(output)], check=True, capture_output=True)


def render_empty(folder: Path) -> None:
    code = ("import sys, nbformat; from pathlib import Path; from nbconvert import HTMLExporter; "
            "from importlib import resources; from cqdt.render import write_pdf; "
            "templates = resources.files('cqdt') / 'templates' / 'nbconvert'; "
            "exporter = HTMLExporter(template_name='cqdt', extra_template_basedirs=[str(templates)], "
            "exclude_input=True); "
            "nb = nbformat.read(sys.argv[1], as_version=4); "
            "body, _ = exporter.from_notebook_node(nb, resources={'cqdt': {'version': '', 'css': '', 'js': '', "
            "'title': 'trống'}}); "
            "Path(sys.argv[2]).write_text(body); write_pdf(body, Path(sys.argv[3]))")
    subprocess.run([sys.executable, "-c", code, str(folder / "empty-0.ipynb"), str(folder / "empty.html"),
                    str(folder / "empty.pdf")], check=True, capture_output=True)


def floor_once(folder: Path) -> float:
    sources = [folder / f"empty-{i}.ipynb" for i in range(len(PILLARS) + 2)]
    for source in sources:
        empty_notebook(source)

    def schedule() -> None:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda s: run_empty(s, s.with_suffix(".out.ipynb")), sources[:len(PILLARS)]))
        for source in sources[len(PILLARS):]:
            run_empty(source, source.with_suffix(".out.ipynb"))
        render_empty(folder)
    return timed(schedule)


def change_one_pillar(root: Path, value: int) -> None:
    path = root / "data/2021/so-ban-nganh.xlsx"
    book = load_workbook(path)
    sheet = book["Hiện diện"]
    column = next(c.column for c in sheet[1] if c.value == "so_tin_bai_dang")
    sheet.cell(row=3, column=column).value = value
    book.save(path)


def main() -> None:
    floors, colds, noops, ones, reran = [], [], [], [], set()
    with tempfile.TemporaryDirectory() as scratch:
        root = project_copy(Path(scratch) / "project")
        for run in range(RUNS):
            folder = Path(scratch) / f"floor-{run}"
            folder.mkdir()
            floors.append(floor_once(folder))
            shutil.rmtree(root / "build", ignore_errors=True)
            colds.append(timed(lambda: make(root)))
            noops.append(timed(lambda: make(root)))
            change_one_pillar(root, 40 + run)
            output = []
            ones.append(timed(lambda: output.append(make(root))))
            reran = {n for n in [*PILLARS, "ranking", "scorecards"] if f"chạy sổ tay {n} " in output[0]}
    floor = statistics.median(floors)
    print(f"Máy: {os.cpu_count()} lõi; Python {sys.version.split()[0]}; {RUNS} lần đo mỗi chỉ số\n")
    print(f"{'floor (7 sổ tay rỗng + dựng tài liệu rỗng)':46} {summary(floors)}")
    print(f"{'cold make report YEAR=2021':46} {summary(colds)}  = {statistics.median(colds) / floor:.2f} × floor")
    print(f"{'no-op rebuild':46} {summary(noops)}")
    print(f"{'rebuild after one pillar input changed':46} {summary(ones)}  reran: {', '.join(sorted(reran))}")


if __name__ == "__main__":
    main()
