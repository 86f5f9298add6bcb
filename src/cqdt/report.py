"""Build the year's HTML and PDF from the executed notebooks and publish them atomically."""

from __future__ import annotations

from pathlib import Path

from .config import PROJECT_ROOT
from .notebook import resolve_build
from .pipeline import load_year
from .render import publish, report_html, write_pdf


def report_names(year: int) -> tuple[str, str]:
    stem = f"bao-cao-cqdt-{year}"
    return f"{stem}.html", f"{stem}.pdf"


def build_report(year: int, build: str = "") -> list[Path]:
    context = load_year(year)
    out = resolve_build(year, build)
    executed = out / "notebooks"
    staging = out / "render"
    staging.mkdir(parents=True, exist_ok=True)
    html_name, pdf_name = report_names(year)
    html = report_html(context, executed)
    (staging / html_name).write_text(html, encoding="utf-8")
    write_pdf(html, staging / pdf_name)
    destination = PROJECT_ROOT / "report" / str(year)
    publish({html_name: staging / html_name, pdf_name: staging / pdf_name}, destination)
    return [destination / html_name, destination / pdf_name]
