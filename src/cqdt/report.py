"""Build the year's HTML and PDF from the executed notebooks and publish them atomically."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .config import PROJECT_ROOT
from .notebook import resolve_build
from .pipeline import load_year
from .render import SCORECARDS_CSS, decision_print_html, publish, report_html, scorecards_print_html, write_pdf


def report_names(year: int) -> tuple[str, str, str]:
    """The HTML report, the decision PDF and the separate scorecards PDF."""
    stem = f"bao-cao-cqdt-{year}"
    return f"{stem}.html", f"{stem}.pdf", f"phieu-ket-qua-don-vi-{year}.pdf"


def build_report(year: int, build: str = "") -> list[Path]:
    context = load_year(year)
    out = resolve_build(year, build)
    executed = out / "notebooks"
    staging = out / "render"
    staging.mkdir(parents=True, exist_ok=True)
    names = report_names(year)
    html = report_html(context, executed)
    (staging / names[0]).write_text(html, encoding="utf-8")
    with ProcessPoolExecutor(max_workers=2) as pool:  # the two PDFs are laid out on separate cores
        jobs = [pool.submit(write_pdf, decision_print_html(html), staging / names[1]),
                pool.submit(write_pdf, scorecards_print_html(html), staging / names[2], SCORECARDS_CSS)]
        for job in jobs:
            job.result()
    destination = PROJECT_ROOT / "report" / str(year)
    publish({name: staging / name for name in names}, destination)
    return [destination / name for name in names]
