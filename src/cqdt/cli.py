"""Command line: `python -m cqdt` / `cqdt` (help and messages in Vietnamese)."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from pathlib import Path

from .config import PROJECT_ROOT, check_year
from .errors import CqdtError

LOG = PROJECT_ROOT / "build" / "cqdt.log"


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


def _year(text: str) -> int:
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
                       ("notebook", "chạy một sổ tay bằng papermill"),
                       ("render", "dựng báo cáo HTML và PDF vào report/<năm>/"),
                       ("data", "sinh lại bộ số liệu tái dựng của một năm")]:
        command = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        command.add_argument("--year", type=_year, required=True, help="năm đánh giá, ví dụ 2021")
        if name in ("ingest", "notebook", "render"):
            command.add_argument("--build", default="", help="thư mục dựng (mặc định build/<năm>)")
        if name == "notebook":
            command.add_argument("--name", required=True, help="tên sổ tay trong notebooks/ (không có .py)")
            command.add_argument("--output", required=True, help="tệp .ipynb kết quả")
        if name == "data":
            command.add_argument("--out", default="", help="thư mục ghi (mặc định data/<năm>)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CqdtError as error:
        print(error.report(), file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 — the user sees a sentence, the log keeps the traceback
        LOG.parent.mkdir(parents=True, exist_ok=True)
        with LOG.open("a", encoding="utf-8") as log:
            log.write(traceback.format_exc())
        print(f"Lỗi không mong đợi khi chạy lệnh «{args.command}». Chi tiết kỹ thuật đã ghi vào {LOG}.",
              file=sys.stderr)
        return 3


def _validate(args) -> int:
    from .pipeline import load_year, read_figures

    year = load_year(args.year)
    figures, province = read_figures(year)
    print(f"Năm {args.year}: số liệu hợp lệ (danh mục {year.catalogue.id}).")
    for group, frame in figures.items():
        print(f"  - {year.catalogue.groups[group].label}: {len(frame)} đơn vị, {frame.shape[1]} cột số liệu")
    print(f"  - Số liệu toàn tỉnh: {len(province)} chỉ số")
    return 0


def _ingest(args) -> int:
    from .notebook import resolve_build
    from .pipeline import ingest, load_year

    changed = ingest(load_year(args.year), resolve_build(args.year, args.build))
    updated = [p for p, flag in changed.items() if flag]
    print(f"Năm {args.year}: đã nạp số liệu; trụ cột thay đổi: {', '.join(updated) or 'không có'}.")
    return 0


def _notebook(args) -> int:
    from .runner import execute

    logging.getLogger("papermill").setLevel(logging.WARNING)
    print(f"… chạy sổ tay {args.name} (năm {args.year})", flush=True)
    execute(args.name, Path(args.output), {"year": args.year, "build": args.build})
    return 0


def _render(args) -> int:
    from .report import build_report

    paths = build_report(args.year, args.build)
    for path in paths:
        print(f"Đã tạo {path.relative_to(PROJECT_ROOT)}")
    return 0


def _data(args) -> int:
    from .config import load_params
    from .generate import generate_year, verify_against_published

    params = load_params(args.year)
    out = Path(args.out) if args.out else PROJECT_ROOT / "data" / str(args.year)
    frames = generate_year(args.year, out, params)
    problems = verify_against_published(args.year, frames, params)
    if problems:
        raise CqdtError("; ".join(problems))
    print(f"Đã sinh số liệu tái dựng năm {args.year} vào {out}; khớp mọi số liệu đã công bố.")
    return 0


COMMANDS = {"validate": _validate, "ingest": _ingest, "notebook": _notebook, "render": _render, "data": _data}

if __name__ == "__main__":
    sys.exit(main())
