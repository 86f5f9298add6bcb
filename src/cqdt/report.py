"""Build the year's HTML and PDF from the executed notebooks and publish them atomically."""

from __future__ import annotations

from pathlib import Path

from .config import PROJECT_ROOT
from .pipeline import load_year, resolve_build
from .pdf import PrintJob, print_pdfs
from .render import decision_print_html, publish, report_html, scorecards_print_html


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
    jobs = []
    for kind, page, pdf in (("quyet-dinh", decision_print_html(html), names[1]),
                            ("phieu", scorecards_print_html(html), names[2])):
        printable = staging / f"in-{kind}.html"
        printable.write_text(page, encoding="utf-8")
        jobs.append(PrintJob(printable, staging / pdf))
    print_pdfs(jobs, context.params.decision.date)
    destination = PROJECT_ROOT / "report" / str(year)
    publish({name: staging / name for name in names}, destination)
    return [destination / name for name in names]
