"""The notebook pipeline end to end: make, papermill, file contracts, incremental rebuilds."""

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from cqdt import kernels, runner
from cqdt.cli import main as cqdt_main
from cqdt.errors import CqdtError
from cqdt.pipeline import load_year

from .conftest import ROOT, project_env, run_cli

PILLARS = load_year(2021).pillars  # the steps of a year come from its catalogue


def results(root: Path, year: int, group: str) -> pd.DataFrame:
    return pd.read_csv(root / "build" / str(year) / "results" / f"{group}.csv", dtype={"code": str}).set_index("code")


def test_2021_consolidated_results_hold_the_published_figures(built_2021):
    root = built_2021.parents[1]
    departments, districts = results(root, 2021, "department"), results(root, 2021, "district")
    assert list(departments.index[:2]) == ["SBN01", "SBN15"]
    assert departments.loc["SBN01", "total"].round(2) == 117.69 and departments.loc["SBN15", "total"].round(2) == 117.08
    assert set(departments.index[-2:]) == {"SBN18", "SBN19"}
    assert list(districts.index[[0, 1, -2, -1]]) == ["622", "639", "629", "626"]
    assert [round(v, 2) for v in districts["total"].iloc[[0, 1, -2, -1]]] == [148.43, 148.07, 127.61, 122.52]
    communes = results(root, 2021, "commune")
    assert communes["total"].idxmax() == "23566" and communes["total"].max().round(2) == 60.90
    summary = json.loads((root / "build/2021/results/summary.json").read_text(encoding="utf-8"))
    indicators = {i["id"]: i for i in summary["indicators"]}
    assert indicators["ho_so_tiep_nhan"]["value"] == 508364
    for pillar in PILLARS:
        manifest = json.loads((root / "build/2021/pillars" / pillar / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["year"] == 2021 and manifest["pillar"] == pillar and manifest["rows"] > 0


def test_2022_results_hold_the_published_figures_and_the_comparison(built_2022):
    root = built_2022.parents[1]
    departments, districts = results(root, 2022, "department"), results(root, 2022, "district")
    assert [round(v, 3) for v in departments["total"].iloc[[0, 1, 2, -1]]] == [118.348, 117.512, 117.355, 100.32]
    assert list(districts.index[[0, 1, 2, -1]]) == ["622", "634", "639", "631"]
    assert departments["level"].value_counts().to_dict() == {"I": 16, "II": 2, "III": 2}
    # Sở TT&TT: 117,69 (2021) → 118,348 (2022); first both years.
    assert departments.loc["SBN01", "total_change"] == pytest.approx(118.348 - 117.69, abs=6e-3)
    assert departments.loc["SBN01", "rank_change"] == 0


def test_strict_wrapper_rejects_unknown_parameters(tmp_path):
    with pytest.raises(CqdtError) as caught:
        runner.execute("presence", tmp_path / "out.ipynb", {"year": 2021, "build": "", "nam": 2021})
    message = str(caught.value.issues[0])
    assert "sổ tay «presence» không có tham số nam" in message and "build, year" in message
    assert not (tmp_path / "out.ipynb").exists()


def test_a_failing_cell_names_the_notebook_and_the_cell(project_copy, monkeypatch, tmp_path):
    broken = project_copy / "notebooks" / "broken.py"
    broken.write_text('# %% tags=["parameters"]\nyear = 2021\nbuild = ""\n\n# %%\nx = 1\n\n# %%\n'
                      'raise ValueError("số liệu hỏng")\n', encoding="utf-8")
    monkeypatch.setattr(runner, "NOTEBOOKS", project_copy / "notebooks")
    with pytest.raises(CqdtError) as caught:
        runner.execute("broken", tmp_path / "broken.ipynb", {"year": 2021})
    message = str(caught.value.issues[0])
    assert "sổ tay «broken» lỗi ở ô số 3 (ô bắt đầu bằng «raise ValueError" in message
    assert message.endswith("(ValueError): số liệu hỏng")
    assert not (tmp_path / "broken.ipynb").exists()


def test_a_kernel_that_dies_is_named_in_vietnamese(project_copy, monkeypatch, tmp_path):
    dying = project_copy / "notebooks" / "dying.py"
    dying.write_text('# %% tags=["parameters"]\nyear = 2021\n\n# %%\nimport os\nos._exit(1)\n', encoding="utf-8")
    monkeypatch.setattr(runner, "NOTEBOOKS", project_copy / "notebooks")
    with pytest.raises(CqdtError) as caught:
        runner.execute("dying", tmp_path / "dying.ipynb", {"year": 2021})
    message = str(caught.value.issues[0])
    assert message.startswith("nhân Python (kernel) của sổ tay «dying» đã dừng hoặc không khởi động được")
    assert not (tmp_path / "dying.ipynb").exists()


def test_kernels_started_together_talk_through_sockets_of_their_own(project_copy, monkeypatch, tmp_path):
    """Two kernels at once (as under make -j2) cannot pick the same TCP port: they use socket files,
    each in its own folder."""
    manager = runner.ipc_kernel_manager(str(tmp_path / "sockets"))(kernel_name="python3")
    assert manager.transport == "ipc" and manager.ip == str(tmp_path / "sockets" / "kernel")
    quick = project_copy / "notebooks" / "quick.py"
    quick.write_text('# %% tags=["parameters"]\nyear = 2021\n\n# %%\nyear * 2\n', encoding="utf-8")
    monkeypatch.setattr(runner, "NOTEBOOKS", project_copy / "notebooks")
    outputs = [tmp_path / f"quick-{i}.ipynb" for i in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda out: runner.execute("quick", out, {"year": 2021}), outputs))
    for output in outputs:
        cells = nbformat.read(output, as_version=4).cells
        assert cells[-1].outputs[0]["data"]["text/plain"] == "4042"


def write_notebook(root: Path, name: str, code: str) -> None:
    (root / "notebooks" / f"{name}.py").write_text(f'# %% tags=["parameters"]\nyear = 2021\nbuild = ""\n\n# %%\n{code}\n',
                                                   encoding="utf-8")


def test_steps_and_kernels_forked_from_the_builds_warm_process_compute_fail_by_name_and_leave_nothing(
        project_copy, monkeypatch, tmp_path, capsys):
    """Under `make report` each notebook step and each kernel is forked from a warm process of the
    build, which imported the libraries they use (cqdt.kernels): a kernel runs in the notebook's
    folder, a step's failing cell and a dying kernel are named as without it, and when the build ends
    the warm process and its forks are gone."""
    write_notebook(project_copy, "whose", 'import os, sys\nprint(os.getppid(), "pandas" in sys.modules, os.getcwd())')
    write_notebook(project_copy, "step", 'import os\nrunner = os.environ["JPY_PARENT_PID"]\n'
                                         'print(open(f"/proc/{runner}/stat").read().rsplit(")", 1)[1].split()[1])')
    write_notebook(project_copy, "broken", "x = 1\n\n# %%\nraise ValueError('số liệu hỏng')")
    write_notebook(project_copy, "dying", "import os\nos._exit(1)")
    monkeypatch.setattr(runner, "NOTEBOOKS", project_copy / "notebooks")
    for name, value in project_env(project_copy).items():  # the warm process is the copy's, as in its build
        monkeypatch.setenv(name, value)
    with kernels.owned_kernels() as variables:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        folder = Path(variables[kernels.FOLDER_VARIABLE])
        # A step that wants no kernel (the render) is not forked, and starts no warm process, before
        # one serves.
        assert kernels.run_forked(["render", "--year", "2021"], start=False) is None and not folder.exists()
        # The build's first step (make's list of steps) starts it: the ingest and notebooks come next.
        # Run in this process, the warm process's parent, as the build's owner is (a subreaper).
        assert cqdt_main(["steps", "--year", "2021"]) == 0 and "PILLARS" in capsys.readouterr().out
        started = int((folder / "zygote.pid").read_text())
        outputs = [tmp_path / f"whose-{i}.ipynb" for i in range(2)]
        with ThreadPoolExecutor(max_workers=2) as pool:  # two at once, as under make -j2: one warm process
            list(pool.map(lambda out: runner.execute("whose", out, {"year": 2021}), outputs))
        warm = int((folder / "zygote.pid").read_text())
        assert warm == started
        for output in outputs:
            printed = nbformat.read(output, as_version=4).cells[-1].outputs[0]["text"]
            assert printed == f"{warm} True {project_copy / 'notebooks'}\n"

        def step(name: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "cqdt", "notebook", "--year", "2021", "--name", name,
                                   "--output", str(tmp_path / f"{name}.ipynb")], cwd=project_copy,
                                  capture_output=True, text=True, check=False)
        done = step("step")
        assert done.returncode == 0, done.stderr
        runner_parent = nbformat.read(tmp_path / "step.ipynb", as_version=4).cells[-1].outputs[0]["text"]
        assert runner_parent == f"{warm}\n"  # the step itself ran in a fork of the warm process
        failed = step("broken")
        assert failed.returncode == 2 and not (tmp_path / "broken.ipynb").exists()
        assert "sổ tay «broken» lỗi ở ô số 3 (ô bắt đầu bằng «raise ValueError" in failed.stderr
        missing = step("khong-co")  # a fork that ends at once: its pid and exit status arrive together
        assert missing.returncode == 2 and "không tìm thấy sổ tay" in missing.stderr
        with pytest.raises(CqdtError) as caught:
            runner.execute("dying", tmp_path / "dying.ipynb", {"year": 2021})
        assert str(caught.value.issues[0]).startswith("nhân Python (kernel) của sổ tay «dying» đã dừng")
    assert not folder.exists() and not Path(f"/proc/{warm}").exists()  # ended and reaped


def test_a_warm_process_that_cannot_import_leaves_kernels_to_start_as_usual(project_copy, monkeypatch, tmp_path):
    """A package module that fails to import (an edit in progress) stops the warm process, not the
    build: the kernel starts as usual, and a notebook importing that module reports it by cell."""
    (project_copy / "src/cqdt/charts.py").write_text("def broken(:\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(project_copy / "src"))
    write_notebook(project_copy, "whose", 'import os, sys\nprint(os.getppid(), "pandas" in sys.modules)')
    monkeypatch.setattr(runner, "NOTEBOOKS", project_copy / "notebooks")
    with kernels.owned_kernels() as variables:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        output = runner.execute("whose", tmp_path / "whose.ipynb", {"year": 2021})
        assert (Path(variables[kernels.FOLDER_VARIABLE]) / "zygote.failed").exists()
    assert nbformat.read(output, as_version=4).cells[-1].outputs[0]["text"] == f"{os.getpid()} False\n"


def run_as_in_jupyterlab(root: Path, name: str) -> None:
    notebook = jupytext.read(root / "notebooks" / f"{name}.py")
    NotebookClient(notebook, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(root / "notebooks")}}).execute()
    assert not [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def test_source_notebooks_run_with_their_default_parameters(built_copy, monkeypatch):
    """As an analyst would in JupyterLab: open a notebook and run all cells. A pillar notebook before
    any build reads the workbooks itself; the ranking reads the pillars' outputs."""
    monkeypatch.setenv("CQDT_ROOT", str(built_copy))
    monkeypatch.setenv("PYTHONPATH", str(built_copy / "src"))
    shutil.rmtree(built_copy / "build/2021/inputs")
    shutil.rmtree(built_copy / "build/2021/pillars/presence")
    run_as_in_jupyterlab(built_copy, "presence")
    assert (built_copy / "build/2021/inputs/presence.json").is_file()
    run_as_in_jupyterlab(built_copy, "ranking")
    table = results(built_copy, 2021, "department")
    assert table.index[0] == "SBN01" and round(table["total"].iloc[0], 2) == 117.69


def cli(*args: str) -> subprocess.CompletedProcess:
    return run_cli(ROOT, *args)


def test_cli_validate_prints_a_summary():
    result = cli("validate", "--year", "2021")
    assert result.returncode == 0
    assert "Sở, ban, ngành: 20 đơn vị" in result.stdout and "Xã, phường, thị trấn: 220 đơn vị" in result.stdout


def test_cli_rejects_bad_years_in_vietnamese():
    result = cli("validate", "--year", "../x")
    assert result.returncode == 2 and "YEAR phải là một năm gồm 4 chữ số" in result.stderr
    result = cli("validate", "--year", "2030")
    assert result.returncode == 2 and "chưa có tệp tham số cho năm 2030" in result.stderr and "2030.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_help_is_vietnamese():
    result = cli("--help")
    assert "Cách dùng:" in result.stdout and "kiểm tra số liệu đầu vào" in result.stdout


@pytest.mark.parametrize("year", ["`touch {marker}`", "$(touch {marker})", "$(shell touch {marker})",
                                  '2021 ]] || touch {marker}; [[ 1', "2021; touch {marker}"])
def test_make_never_runs_a_year_as_shell_code(tmp_path, year):
    marker = tmp_path / "ran"
    result = subprocess.run(["make", "-s", "-C", str(ROOT), "validate", f"YEAR={year.format(marker=marker)}"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "YEAR phải là một năm gồm 4 chữ số" in result.stderr
    assert not marker.exists()


def test_make_collect_passes_the_forms_folder_as_data(tmp_path):
    marker = tmp_path / "ran"
    result = subprocess.run(["make", "-s", "-C", str(ROOT), "collect", "YEAR=2021",
                             f'FORMS=x"; touch {marker}; echo "'], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and not marker.exists()
    assert "x\"; touch" in result.stderr  # the folder named as given, which does not exist
