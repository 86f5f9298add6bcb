"""Benchmark of the report build against the notebook floor (run by `make bench`).

Prints one table. Every figure is the median of RUNS runs, with min and max, measured on
this machine in one run of this script:
  floor        papermill executing as many empty notebooks (a parameters cell only) as the
               pipeline has, scheduled like make (pillars two at a time, then ranking), plus
               rendering an empty document as the report is rendered
               (nbconvert with the project's template, then Chromium printing the PDF);
  render floor the empty document alone, rendered and printed as the report is;
  cold         `make report YEAR=2021` after removing build/ (environment installed), with where
               its time goes: each step's own record (build/2021/timings/<step>.json) split into
               the step's start (Python, its imports), kernel start, kernel imports, work in the
               cells, and the end (saving, recording what the step read);
  no-op        the same command again, nothing changed;
  render only  after an edit of the report's stylesheet (the render step only reruns);
  one pillar   after changing one cell of one pillar's input, and which notebooks reran;
  national     a synthetic year at the scale of a whole country (1.300 departments, 700 districts,
               10.600 communes, written by the project's generator): wall time, peak memory of the
               largest process and of all processes together (sampled), HTML and PDF sizes, page
               counts and the time the HTML takes to open in Chromium (BENCH_NATIONAL_RUNS runs,
               default 1; 0 skips it: it takes several minutes).
"""

from __future__ import annotations

import json
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
import numpy as np
from openpyxl import load_workbook

from cqdt import timing
from cqdt.formatting import vn_number
from cqdt.pipeline import load_year

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NATIONAL_RUNS = int(os.environ.get("BENCH_NATIONAL_RUNS", "1"))
NATIONAL_SIZE = {"departments": 1300, "districts": 700, "communes": 10600}
SIZE_LABELS = {"departments": "sở", "districts": "huyện", "communes": "xã"}
PILLARS = load_year(2021).pillars  # the steps of the year, from its catalogue
IGNORE = shutil.ignore_patterns(".venv", "build", "report", ".git", "__pycache__", "*.egg-info", "forms")


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def number(value: float, decimals: int = 2) -> str:
    return vn_number(value, decimals)


def summary(values: list[float], unit: str = " s", decimals: int = 2) -> str:
    """Median (min, max), Vietnamese number format."""
    return (f"{number(statistics.median(values), decimals)}{unit} "
            f"(min {number(min(values), decimals)}, max {number(max(values), decimals)})")


def project_copy(folder: Path) -> Path:
    shutil.copytree(ROOT, folder, ignore=IGNORE)
    os.symlink(ROOT / ".venv", folder / ".venv")
    # The copy runs its own code: compiled once here, as an installed package is, not in the build.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder / "src")], check=True)
    return folder


def make(root: Path) -> str:
    env = {**os.environ, "CQDT_ROOT": str(root), "PYTHONPATH": str(root / "src")}  # the copy's own code
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
    """An empty executed notebook through the report's own exporter and PDF printer."""
    code = ("import sys, datetime, nbformat; from pathlib import Path; "
            "from cqdt.render import page_frame, report_exporter; from cqdt.pdf import print_pdfs; "
            "exporter = report_exporter(exclude_input=True); "
            "nb = nbformat.read(sys.argv[1], as_version=4); "
            "body, _ = exporter.from_notebook_node(nb, resources={'cqdt': page_frame('trống') | {'css': '', 'js': ''}}); "
            "Path(sys.argv[2]).write_text(body); "
            "print_pdfs({Path(sys.argv[3]): body}, datetime.date(2022, 7, 29))")
    subprocess.run([sys.executable, "-c", code, str(folder / "empty-0.ipynb"), str(folder / "empty.html"),
                    str(folder / "empty.pdf")], check=True, capture_output=True)


def floor_once(folder: Path) -> tuple[float, float]:
    """The floor of a whole build, and of its render step alone."""
    sources = [folder / f"empty-{i}.ipynb" for i in range(len(PILLARS) + 1)]  # the pillars and ranking
    for source in sources:
        empty_notebook(source)

    def notebooks() -> None:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda s: run_empty(s, s.with_suffix(".out.ipynb")), sources[:len(PILLARS)]))
        for source in sources[len(PILLARS):]:
            run_empty(source, source.with_suffix(".out.ipynb"))
    notebook_floor = timed(notebooks)
    render_floor = timed(lambda: render_empty(folder))
    return notebook_floor + render_floor, render_floor


def measured_floor(scratch: Path, run: int, attempts: int = 2) -> tuple[float, float]:
    """floor_once, measured again from the start in a fresh folder when one of its empty notebooks
    fails: the floor's kernels are stock ones listening on TCP ports, and two started together can
    collide (seen once: an empty notebook exiting with status 1). A failed measurement is dropped, never
    counted (a retried notebook inside it would make the floor look longer)."""
    for attempt in range(1, attempts + 1):
        folder = scratch / f"floor-{run}-{attempt}"
        folder.mkdir()
        try:
            return floor_once(folder)
        except subprocess.CalledProcessError as failure:
            error = (failure.stderr or b"").decode(errors="replace").strip().splitlines()[-3:]
            print(f"Lần đo mức sàn {run + 1} bị bỏ: một sổ tay rỗng lỗi (mã {failure.returncode}): "
                  f"{' / '.join(error)}", file=sys.stderr)
    raise SystemExit(f"Không đo được mức sàn sau {attempts} lần thử; xem lỗi ở trên.")


PHASES = ["khởi động bước", "khởi động kernel", "nạp thư viện trong kernel", "tính toán trong các ô", "kết thúc"]


def step_phases(record: dict) -> dict[str, float]:
    """A step's seconds by phase, from its timing record (see cqdt.timing)."""
    at = {m["label"]: m["at"] for m in record["marks"]}
    total = record["seconds"]
    if "first cell started" not in at:  # ingest, render: their own moments
        return {"tổng": total}
    # A kernel forked from the build's warm process (cqdt.kernels) has the helpers before its first cell.
    imported = at.get("kernel: helpers imported", at["first cell started"])
    return {"tổng": total, PHASES[0]: at["papermill start"],
            PHASES[1]: at["first cell started"] - at["papermill start"],
            PHASES[2]: imported - at["first cell started"],
            PHASES[3]: at["last cell ended"] - imported,
            PHASES[4]: total - at["last cell ended"]}


def read_timings(root: Path) -> dict[str, dict]:
    folder = root / "build" / "2021" / "timings"
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*.json")}


def print_breakdown(runs: list[dict[str, dict]]) -> None:
    """Median seconds per step and phase over the cold builds, in the order the steps started."""
    first = runs[0]
    steps = sorted(first, key=lambda name: first[name]["started"])
    print("\nThời gian từng bước của lần dựng từ đầu (trung vị, giây):")
    print(f"  {'bước':16} {'tổng':>6}  " + "  ".join(PHASES))
    for step in steps:
        phases = [step_phases(run[step]) for run in runs if step in run]
        row = {key: statistics.median(p[key] for p in phases) for key in phases[0]}
        cells = "  ".join(f"{number(row[p]) if p in row else '':>{len(p)}}" for p in PHASES)
        print(f"  {step:16} {number(row['tổng']):>6}  {cells}")
    for step in ("ingest", "render"):
        marks = [m for m in first[step]["marks"] if m["label"] != "import cqdt"]
        print(f"  {step}: " + "; ".join(f"{m['label']} lúc {number(m['at'])} s" for m in marks))


def change_stylesheet(root: Path, run: int) -> None:
    with (root / "src/cqdt/assets/report.css").open("a", encoding="utf-8") as css:
        css.write(f"\n/* bench {run} */\n")


def change_one_pillar(root: Path, value: int) -> None:
    path = root / "data/2021/so-ban-nganh.xlsx"
    book = load_workbook(path)
    sheet = book["Hiện diện"]
    column = next(c.column for c in sheet[1] if c.value == "so_tin_bai_dang")
    sheet.cell(row=3, column=column).value = value
    book.save(path)


def synthetic_registry(path: Path, departments: int, districts: int, communes: int, seed: int = 1) -> None:
    """A registry of the given size, in the 2021 catalogue's three groups (the scale of a whole country)."""
    rng = np.random.default_rng(seed)
    per_district = 1 + rng.multinomial(communes - districts, rng.dirichlet(np.full(districts, 8.0)))
    lines = ["group,code,name,local_name,parent_code"]
    lines += [f"department,SBN{i:04d},Sở tổng hợp số {i},," for i in range(1, departments + 1)]
    lines += [f"district,H{i:04d},Huyện tổng hợp số {i},," for i in range(1, districts + 1)]
    number = 0
    for district, count in enumerate(per_district, start=1):
        for _ in range(int(count)):
            number += 1
            lines.append(f"commune,X{number:05d},Xã tổng hợp số {number},,H{district:04d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")



def national_project(folder: Path) -> Path:
    root = project_copy(folder)
    env = {**os.environ, "CQDT_ROOT": str(root), "PYTHONPATH": str(root / "src")}
    synthetic_registry(root / "data/reference/units.csv", **NATIONAL_SIZE)
    params = (root / "params/2021.yaml").read_text(encoding="utf-8")
    (root / "params/2099.yaml").write_text(params.replace("year: 2021", "year: 2099").replace("data/2021/", "data/2099/"),
                                           encoding="utf-8")
    subprocess.run([sys.executable, "-m", "tools.reconstruct", "--year", "2099"], cwd=root, env=env, check=True,
                   capture_output=True)
    return root


def national_once(root: Path) -> dict[str, float]:
    """One cold national-scale build; memory is sampled twice a second over every process of
    the build (make, the notebooks' kernels, Chromium's renderers, which getrusage cannot see)."""
    import psutil

    shutil.rmtree(root / "build", ignore_errors=True)
    env = {**os.environ, "CQDT_ROOT": str(root), "PYTHONPATH": str(root / "src")}
    sampler = MemorySampler()
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        build = psutil.Popen(["make", "report", "YEAR=2099"], cwd=root, env=env, stdout=log, stderr=log)
        while build.poll() is None:
            sampler.sample([build, *build.children(recursive=True)])
            time.sleep(0.5)
        wall = time.perf_counter() - start
        if build.returncode:
            log.seek(0)
            raise SystemExit(f"Dựng năm quy mô toàn quốc thất bại:\n{log.read().decode(errors='replace')}")
    folder = root / "report" / "2099"
    html = folder / "bao-cao-cqdt-2099.html"
    return {"wall": wall, "peak": sampler.largest / 2**20, "together": sampler.together / 2**20,
            "html": html.stat().st_size, "pdf": (folder / "bao-cao-cqdt-2099.pdf").stat().st_size,
            "pages": pages(folder / "bao-cao-cqdt-2099.pdf"), "card_pages": pages(folder / "phieu-ket-qua-don-vi-2099.pdf"),
            **open_in_browser(html)}


class MemorySampler:
    """The largest resident set of one process, and the largest sum over processes of proportional
    sets (shared pages split among their users: what the build takes from the machine).

    A proportional set is read from /proc/<pid>/smaps_rollup, which walks every page of the process:
    50 ms for a 700 MB process, and read for every process twice a second the sampler took 9 of the
    2 cores' 140 core-seconds of a national build. It is read again only when the process's
    resident set (cheap: /proc/<pid>/statm) moved by more than MOVED bytes, or after STALE seconds;
    in between, the process's proportional set is its last one plus the change of its resident set
    (an upper bound when the change is shared pages)."""

    MOVED = 16 << 20
    STALE = 5.0

    def __init__(self) -> None:
        self.largest = self.together = 0
        self._read: dict[int, tuple[int, int, float]] = {}  # pid: resident, proportional, when read

    def sample(self, processes: list) -> None:
        import psutil

        now, together = time.monotonic(), 0
        for process in processes:
            try:  # a process may end between listing and measuring
                resident = process.memory_info().rss
                read = self._read.get(process.pid)
                if read is None or abs(resident - read[0]) > self.MOVED or now - read[2] > self.STALE:
                    full = process.memory_full_info()
                    read = self._read[process.pid] = (full.rss, full.pss, now)
                    resident = full.rss
            except psutil.Error:
                continue
            self.largest = max(self.largest, resident)
            together += read[1] + resident - read[0]
        self.together = max(self.together, together)


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def open_in_browser(html: Path) -> dict[str, float]:
    """Seconds until the report page has loaded in headless Chromium, and its commune rows."""
    from playwright.sync_api import sync_playwright

    from cqdt.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(html.as_uri(), wait_until="load", timeout=0)
        seconds = time.perf_counter() - start
        rows = page.locator("#bang-iii tbody tr[data-code]").count()
        browser.close()
    return {"open": seconds, "rows": rows}


def print_national(results: list[dict[str, float]]) -> None:
    def spread(key: str, scale: float = 1, unit: str = "", decimals: int = 1) -> str:
        return summary([r[key] / scale for r in results], unit, decimals)
    size = ", ".join(f"{number(v, 0)} {SIZE_LABELS[k]}" for k, v in NATIONAL_SIZE.items())
    print(f"\nQuy mô toàn quốc ({size}; {len(results)} lần):")
    print(f"  thời gian dựng                          {spread('wall', 1, ' s')}")
    print(f"  bộ nhớ đỉnh, tiến trình lớn nhất        {spread('peak', 1, ' MB', 0)}")
    print(f"  bộ nhớ đỉnh, mọi tiến trình cộng lại   {spread('together', 1, ' MB', 0)} (PSS: phần dùng chung chia đều)")
    print(f"  HTML                                    {spread('html', 1024 * 1024, ' MB')}; mở trong Chromium "
          f"{spread('open', 1, ' s')}, {spread('rows', 1, ' dòng xã', 0)}")
    print(f"  PDF quyết định                          {spread('pdf', 1024 * 1024, ' MB')}; {spread('pages', 1, ' trang', 0)}")
    print(f"  PDF phiếu kết quả                       {spread('card_pages', 1, ' trang', 0)}")


def main() -> None:
    floors, render_floors, colds, noops, renders, ones, timings = [], [], [], [], [], [], []
    reran_render, reran_one = set(), set()
    with tempfile.TemporaryDirectory() as scratch:
        root = project_copy(Path(scratch) / "project")
        for run in range(RUNS):
            floor, render_floor = measured_floor(Path(scratch), run)
            floors.append(floor)
            render_floors.append(render_floor)
            shutil.rmtree(root / "build", ignore_errors=True)
            colds.append(timed(lambda: make(root)))
            timings.append(read_timings(root))
            noops.append(timed(lambda: make(root)))
            change_stylesheet(root, run)
            since = time.time()
            renders.append(timed(lambda: make(root)))
            reran_render = steps_run(root, since)
            change_one_pillar(root, 40 + run)
            since = time.time()
            ones.append(timed(lambda: make(root)))
            reran_one = steps_run(root, since)
    floor, render_floor = statistics.median(floors), statistics.median(render_floors)
    print(f"Máy: {os.cpu_count()} lõi; Python {sys.version.split()[0]}; {RUNS} lần đo mỗi chỉ số "
          "(trung vị, nhỏ nhất, lớn nhất)\n")
    print(f"{f'mức sàn ({len(PILLARS) + 1} sổ tay rỗng + dựng tài liệu rỗng)':48} {summary(floors)}")
    print(f"{'mức sàn của bước dựng báo cáo (tài liệu rỗng)':48} {summary(render_floors)}")
    print(f"{'dựng từ đầu: make report YEAR=2021':48} {summary(colds)}  = "
          f"{number(statistics.median(colds) / floor)} × mức sàn")
    print(f"{'dựng lại khi không có gì thay đổi':48} {summary(noops)}")
    print(f"{'dựng lại sau khi sửa bảng định dạng (CSS)':48} {summary(renders)}  = "
          f"{number(statistics.median(renders) / render_floor)} × mức sàn dựng báo cáo; "
          f"bước chạy lại: {', '.join(sorted(reran_render))}")
    print(f"{'dựng lại sau khi đổi số liệu một trụ cột':48} {summary(ones)}  "
          f"bước chạy lại: {', '.join(s for s in ['ingest', *PILLARS, 'ranking', 'render'] if s in reran_one)}")
    print_breakdown(timings)
    if NATIONAL_RUNS:
        with tempfile.TemporaryDirectory() as scratch:
            root = national_project(Path(scratch) / "national")
            print_national([national_once(root) for _ in range(NATIONAL_RUNS)])


def steps_run(root: Path, since: float) -> set[str]:
    """The steps a rebuild ran: those whose timing record it rewrote."""
    return timing.steps_since(root / "build" / "2021" / "timings", since)


if __name__ == "__main__":
    main()
