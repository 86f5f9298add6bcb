"""Build the year's HTML and PDF from the executed notebooks and publish them atomically."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import timing
from .fragments import decision_document, front_matter, provenance_html
from .paths import PROJECT_ROOT, resolve_build
from .pdf import Printer, yield_processor
from .pipeline import load_year
from .printparts import print_parts
from .provenance import with_templates
from .render import (
    decision_print_html,
    publish,
    report_html,
    report_title,
    scorecards_print_html,
    scorecards_title,
    with_contents,
    with_scorecards,
)
from .scorecards import YearScorecards, card_markup, scorecards_html


def report_names(year: int) -> tuple[str, str, str, str, str]:
    """The HTML report, the decision PDF, the separate scorecards PDF, the Word draft of the decision
    and the Excel appendices."""
    stem = f"bao-cao-cqdt-{year}"
    return (f"{stem}.html", f"{stem}.pdf", f"phieu-ket-qua-don-vi-{year}.pdf", f"du-thao-quyet-dinh-{year}.docx",
            f"phu-luc-{year}.xlsx")


def build_report(year: int, printer: Printer, build: str = "") -> list[Path]:
    """The year's report, its PDFs printed by `printer` (started by the caller, so that Chromium
    launches while this step imports its modules)."""
    context = load_year(year)
    out = resolve_build(year, build)
    staging = out / "render"
    shutil.rmtree(staging, ignore_errors=True)  # no part of an earlier build is printed or published
    staging.mkdir(parents=True)
    names = report_names(year)
    dated = context.params.decision.date
    # Chromium lays out the printed scorecards (which need no notebook) while Python assembles the
    # report with nbconvert, then the decision while Python writes the rest. The build waits on the
    # decision: the scorecards' renderer yields the processor to it.
    scorecards = YearScorecards(context, out)
    printed = card_markup(context, scorecards.cards(printed=True))
    cards = printer.submit(print_parts(scorecards_print_html(scorecards_html(context, printed),
                                                             scorecards_title(context))),
                           staging / names[2], dated, yielding=True)
    cards.add_done_callback(lambda _done: timing.mark("scorecards PDF printed"))
    document = decision_document(context, scorecards.tables, scorecards.changes)
    front = front_matter(document)
    record = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    analysis = report_html(context, out / "notebooks", front, [provenance_html(with_templates(record))])
    timing.mark("notebooks assembled (nbconvert)")
    decision = printer.submit(print_parts(decision_print_html(analysis)), staging / names[1], dated, last=True)
    decision.add_done_callback(lambda _done: timing.mark("decision PDF printed"))

    def write_the_rest() -> None:
        # python-docx and XlsxWriter: needed only from here on, imported after the decision is submitted.
        from .appendices_xlsx import write_appendices_xlsx
        from .decision_docx import write_decision_docx

        write_decision_docx(document, staging / names[3], report_title(context, "Dự thảo quyết định"))
        write_appendices_xlsx(document, staging / names[4], report_title(context, "Phụ lục quyết định"))
        timing.mark("Word draft and Excel appendices written")
        rest = card_markup(context, scorecards.cards(printed=False))
        html = with_contents(with_scorecards(analysis, scorecards_html(context, printed, rest)))
        (staging / names[0]).write_text(html, encoding="utf-8")
        timing.mark("HTML written")

    # Nothing waits on these files before the decision is printed: they are written by a thread that
    # yields the processor to the decision's renderer (render-only rebuilds of 2021, three alternating
    # series of 8: medians 0,14–0,17 s sooner).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cqdt-writer", initializer=yield_processor) as writer:
        writer.submit(write_the_rest).result()
    decision.result()
    cards.result()
    destination = PROJECT_ROOT / "report" / str(year)
    publish({name: staging / name for name in names}, destination)
    timing.mark("published")
    return [destination / name for name in names]
