"""Command line: `python -m cqdt` / `cqdt` (help and messages in Vietnamese)."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
import traceback
from pathlib import Path

from .errors import CqdtError, Issue
from .paths import PROJECT_ROOT, check_year

LOG = PROJECT_ROOT / "build" / "cqdt.log"
# A command (and a build's notebook kernel) is a short batch process that keeps what it builds until
# it writes it: with Python's default thresholds the collector scans every live object again and
# again (18 full collections took 5 of the 21 s of a national-scale render's Python), for cycles
# that it finds just as well among the young objects.
BATCH_GC_THRESHOLDS = (100_000, 20, 100)


class VietnameseParser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "Cách dùng:", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "Cách dùng:", 1)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        message = message.replace("argument ", "tham số ").replace("the following arguments are required",
                                                                      "thiếu tham số bắt buộc")
        print(f"Lỗi: câu lệnh không hợp lệ ({message}). Xem thêm: python -m cqdt --help", file=sys.stderr)
        raise SystemExit(2)


def year_argument(text: str) -> int:
    """argparse's type for a year: the year checked, or the Vietnamese reason it is refused."""
    try:
        return check_year(text)
    except CqdtError as error:
        raise argparse.ArgumentTypeError(str(error.issues[0])) from None


def build_parser() -> VietnameseParser:
    parser = VietnameseParser(prog="cqdt", description="Đánh giá, xếp hạng mức độ Chính quyền điện tử tỉnh Gia Lai.")
    sub = parser.add_subparsers(dest="command", title="lệnh", metavar="LỆNH", parser_class=VietnameseParser)
    sub.required = True
    for name, text in [("validate", "kiểm tra số liệu đầu vào của một năm và in tóm tắt"),
                       ("ingest", "kiểm tra số liệu và tách theo trụ cột vào build/<năm>/inputs"),
                       ("steps", "in danh sách bước dựng của năm (các trụ cột theo danh mục) cho make"),
                       ("notebook", "chạy một sổ tay bằng papermill"),
                       ("render", "dựng báo cáo HTML và PDF vào report/<năm>/"),
                       ("registry", "ghi danh sách đơn vị và bảng kế thừa của năm từ các gói dữ liệu hành chính"),
                       ("forms", "tạo phiếu khảo sát Excel cho từng đơn vị"),
                       ("collect", "kiểm tra phiếu khảo sát đã nhận và tổng hợp vào data/<năm>/")]:
        command = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        command.add_argument("--year", type=year_argument, required=True, help="năm đánh giá, ví dụ 2021")
        if name in ("ingest", "notebook", "render"):
            command.add_argument("--build", default="", help="thư mục dựng (mặc định build/<năm>)")
            command.add_argument("--deps", default="", help="ghi các tệp bước này đã đọc thành tệp phụ thuộc cho make")
            command.add_argument("--target", default="", help="đích make mà tệp phụ thuộc mô tả")
        if name == "notebook":
            command.add_argument("--name", required=True, help="tên sổ tay trong notebooks/ (không có .py)")
            command.add_argument("--pillar", default="", help="trụ cột mà sổ tay chung (pillar) chấm điểm")
            command.add_argument("--output", required=True, help="tệp .ipynb kết quả")
        if name == "collect":
            command.add_argument("--out", default="", help="thư mục ghi (mặc định data/<năm>)")
        if name == "forms":
            command.add_argument("--out", default="", help="thư mục ghi phiếu (mặc định forms/<năm>)")
        if name == "collect":
            command.add_argument("--forms", required=True, help="thư mục chứa các phiếu đã nhận")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    if args.command in ("notebook", "render"):  # within make report, run by a fork of the build's warm process
        from . import kernels

        # The render wants no kernel: forked only from a warm process that the notebook steps of this
        # build made ready (a render-only rebuild starts none, which would take longer than its imports).
        status = kernels.run_forked(argv, start=args.command == "notebook")
        if status is not None:
            return status
    try:
        if getattr(args, "deps", ""):
            return _build_step(args)
        return COMMANDS[args.command](args)
    except CqdtError as error:
        print(error.report(), file=sys.stderr)
        return 2
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            return _unexpected(args)
        # The publish step only swaps complete folders: the published report stays as it was.
        where = f" khi ghi «{error.filename}»" if error.filename else ""
        print(f"Lỗi: hết dung lượng đĩa{where}. Hãy giải phóng dung lượng rồi chạy lại; báo cáo đã công bố "
              "trước đó không bị thay đổi.", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001
        return _unexpected(args)


def _unexpected(args) -> int:
    """The user sees a sentence, the log keeps the traceback (called while the error is handled)."""
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LOG.open("a", encoding="utf-8") as log:
        log.write(traceback.format_exc())
    print(f"Lỗi không mong đợi khi chạy lệnh «{args.command}». Chi tiết kỹ thuật đã ghi vào {LOG}.",
          file=sys.stderr)
    return 3


def _build_step(args) -> int:
    """Run a build step for make: write what it read as make's dependency file, and where its time
    went to build/<year>/timings/<step>.json (only when it succeeds)."""
    from . import dependencies, timing
    from .paths import resolve_build

    if not args.target:
        raise CqdtError("tùy chọn --deps cần kèm --target (đích make mà tệp phụ thuộc mô tả)")
    started = timing.process_started()
    depfile = Path(args.deps).absolute()
    kernel_journal = depfile.with_name(f"{depfile.stem}.journal")
    depfile.parent.mkdir(parents=True, exist_ok=True)  # the kernel appends to its journal there
    kernel_journal.unlink(missing_ok=True)
    dependencies.start(PROJECT_ROOT)
    if args.command == "notebook":
        os.environ[dependencies.SINK_VARIABLE] = str(kernel_journal)
    try:
        status = COMMANDS[args.command](args)
        if status == 0:
            build = resolve_build(args.year, args.build)
            reads = dependencies.recorded_reads(build, kernel_journal)
            dependencies.write_depfile(depfile, args.target, reads, PROJECT_ROOT)
            timing.write(build / "timings" / f"{depfile.stem}.json", depfile.stem, started,
                         timing.kernel_marks(kernel_journal))
        return status
    finally:
        kernel_journal.unlink(missing_ok=True)


def _validate(args) -> int:
    from .names import check_names
    from .pipeline import load_year, read_figures
    from .province import compute_indicator

    year = load_year(args.year)
    check_names(year)
    figures, province = read_figures(year)
    issues = []
    for spec in year.indicators:  # what make report computes from the province workbook, checked now
        try:
            compute_indicator(spec, figures, province, year.province_file())
        except CqdtError as error:
            issues += error.issues
    if issues:
        raise CqdtError(issues)
    print(f"Năm {args.year}: số liệu hợp lệ (danh mục {year.catalogue.id}).")
    for group, frame in figures.items():
        print(f"  - {year.catalogue.groups[group].label}: {len(frame)} đơn vị, {frame.shape[1]} cột số liệu")
    if year.province_file():
        print(f"  - Số liệu toàn tỉnh: {len(province)} chỉ số")
    return 0


def _ingest(args) -> int:
    from . import kernels
    from .paths import resolve_build
    from .pipeline import ingest, load_year

    kernels.start_early()  # the notebooks after this step want kernels; this step uses one core

    changed = ingest(load_year(args.year), resolve_build(args.year, args.build))
    updated = [p for p, flag in changed.items() if flag]
    print(f"Năm {args.year}: đã nạp số liệu; trụ cột thay đổi: {', '.join(updated) or 'không có'}.")
    return 0


def _notebook(args) -> int:
    from .runner import execute

    logging.getLogger("papermill").setLevel(logging.WARNING)
    parameters = {"year": args.year, "build": args.build} | ({"pillar": args.pillar} if args.pillar else {})
    shown = f"{args.name} ({args.pillar})" if args.pillar else args.name
    print(f"… chạy sổ tay {shown} (năm {args.year})", flush=True)
    execute(args.name, Path(args.output), parameters)
    return 0


def _steps(args) -> int:
    # Params and catalogue only: every build starts with this step, alone; the ingest step, next,
    # loads and checks the whole year (registry, indicators, inputs).
    from . import kernels
    from .catalogue import load_catalogue
    from .config import load_params
    from .runner import step_table

    # This step reruns only after an edit of params, a catalogue or a notebook, after which the ingest
    # reruns too (unless the catalogue is another year's) and starts the warm process for the
    # notebooks: it starts now instead, on the core this step leaves idle (a cold build's first
    # notebooks started 0,4 s sooner).
    kernels.start_early()
    params = load_params(args.year)
    pillars = [pillar.id for pillar in load_catalogue(params.catalogue_path()).pillars]
    print(step_table(pillars, params.ranking_notebook), end="")
    return 0


def _render(args) -> int:
    from . import timing
    from .pdf import Printer

    # Chromium first: it launches in its own processes (a second and more) while this one imports
    # the render step's modules (as long again), and the first page prints as soon as it is ready.
    with Printer() as printer:
        timing.mark("Chromium started")
        from .report import build_report

        paths = build_report(args.year, printer, args.build)
    for path in paths:
        print(f"Đã tạo {path.relative_to(PROJECT_ROOT)}")
    return 0


def _registry(args) -> int:
    import yaml

    from .config import load_params, params_path
    from .registry import build_registry

    params = load_params(args.year)
    if params.registry is None:
        raise CqdtError(Issue("tệp tham số không có mục «registry» (nguồn của danh sách đơn vị)",
                              file=params_path(args.year), column="registry"))
    target = params.path(params.units)
    note = build_registry(params.registry, params.path, target)
    note_path = target.with_name(target.stem + ".nguon.yaml")
    note_path.write_text("# Ghi bởi `python -m cqdt registry`: nguồn, số đơn vị và các trường hợp ngoại lệ.\n"
                         + yaml.safe_dump(note, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    counts = ", ".join(f"{count} đơn vị nhóm {group}" for group, count in note["units"].items())
    print(f"Đã ghi danh sách đơn vị năm {args.year} vào {target.relative_to(PROJECT_ROOT)} ({counts}); "
          + (f"bảng kế thừa vào {params.registry.succession}; " if params.registry.succession else "")
          + f"{len(note['exceptions'])} trường hợp ngoại lệ ghi trong {note_path.relative_to(PROJECT_ROOT)}.")
    return 0


def _forms(args) -> int:
    from .forms import write_forms
    from .pipeline import load_year

    out = Path(args.out) if args.out else PROJECT_ROOT / "forms" / str(args.year)
    written = write_forms(load_year(args.year), out)
    print(f"Đã tạo {len(written)} phiếu khảo sát năm {args.year} trong {out}.")
    return 0


def _collect(args) -> int:
    from .forms import collect
    from .pipeline import load_year

    year = load_year(args.year)
    folder = Path(args.forms)
    if not folder.is_dir():
        raise CqdtError(f"không tìm thấy thư mục phiếu «{folder}»")
    out = Path(args.out) if args.out else PROJECT_ROOT / "data" / str(args.year)
    result = collect(year, folder, out)
    print(f"Phiếu hợp lệ: {len(result.accepted)}; phiếu lỗi: {len(result.rejected)}; "
          f"đơn vị chưa có số liệu: {len(result.missing)}; nộp muộn: {len(result.late)}.")
    for path, issues in sorted(result.rejected.items()):
        print(f"\nPhiếu lỗi {path.name}:")
        for issue in issues:
            print(f"  - {issue}")
    if result.missing:
        print("\nĐơn vị chưa nộp phiếu: " + ", ".join(f"{u.name} ({u.code})" for u in result.missing))
    if result.province_missing:
        print("\nChưa có phiếu số liệu toàn tỉnh hợp lệ (tạo bằng make forms, thư mục toan-tinh/).")
    if result.late:
        print("\nPhiếu nộp sau hạn: " + ", ".join(p.name for p in result.late))
    for path in result.written:
        print(f"Đã cập nhật {path}")
    for path in result.backups:
        print(f"Bản cũ được sao lưu tại {path}")
    return 1 if result.rejected or result.missing or result.province_missing else 0


COMMANDS = {"registry": _registry, "validate": _validate, "steps": _steps, "ingest": _ingest, "notebook": _notebook, "render": _render,
            "forms": _forms, "collect": _collect}

if __name__ == "__main__":
    sys.exit(main())
