"""The render step: the executed notebooks assembled into one HTML page (nbconvert, the project's
offline template), the page variants the PDFs print, and the atomic publication of report/<year>/.
Headless Chromium prints the pages (pdf.py); report.py runs the step. The HTML fragments the
notebooks display are in fragments.py: an edit here reruns the render only.
"""

from __future__ import annotations

import base64
import functools
import os
import re
import shutil
from html import escape, unescape
from importlib import resources
from pathlib import Path

from . import __version__
from .fragments import environment, template_cache
from .pdf import HEADING, heading_label
from .pipeline import Year

TEMPLATES = resources.files("cqdt") / "templates"


def _section(cell) -> str:
    tags = cell.get("metadata", {}).get("tags", [])
    if "hide" in tags or "parameters" in tags or "injected-parameters" in tags:
        return "hide"
    return next((t.split(":", 1)[1] for t in tags if t.startswith("section:")), "analysis")


def _report_cells(notebook) -> dict[str, list]:
    parts: dict[str, list] = {}
    for cell in notebook.cells:
        section = _section(cell)
        if section == "hide":
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
            if not cell.outputs:
                continue
        parts.setdefault(section, []).append(cell)
    return parts


def _html_cells(parts: list[str], name: str) -> list:
    import nbformat

    return [nbformat.v4.new_code_cell(id=f"{name}-{index}", outputs=[
                nbformat.v4.new_output("display_data", data={"text/html": part})])
            for index, part in enumerate(parts)]


def assemble_notebook(executed: Path, pillars: list[str], front: list[str], back: list[str]):
    """One notebook in report order: decision and appendices (`front`, written by the render from
    the results), analysis by pillar, highlights, the ranking's annexes, then `back` (the provenance
    annex, written by the render); the scorecards follow, see with_scorecards."""
    import nbformat

    ranking = _report_cells(_executed(executed / "ranking.ipynb"))
    cells = _html_cells(front, "front") + ranking.get("intro", [])
    for name in pillars:  # the catalogue's order
        cells += _report_cells(_executed(executed / f"{name}.ipynb")).get("analysis", [])
    cells += ranking.get("analysis", []) + ranking.get("highlights", []) + ranking.get("annex", [])
    cells += _html_cells(back, "back")
    return nbformat.v4.new_notebook(cells=cells, metadata={"language_info": {"name": "python"}})


def _executed(path: Path):
    """An executed notebook of this build, read without validating it again: papermill validated it
    when it wrote it (nbformat validates on write), and validating it again costs more than reading."""
    from nbformat.reader import reads

    return reads(path.read_text(encoding="utf-8"))


def report_exporter(**options):
    """nbconvert's HTMLExporter with the project's template (templates/nbconvert/cqdt, in the page
    frame of templates/page.html.j2), its compiled templates kept between runs, without validating the
    notebook again, and without its closing BeautifulSoup pass, which re-parses the
    whole page to add alt texts to <img> and tabindex to cells for JupyterLab's markup (the report has
    neither need) and took half the render time: minutes at national scale."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def _create_environment(self):
            environment = super()._create_environment()
            environment.bytecode_cache = template_cache()
            return environment

        def _validate_preprocessor(self, nbc, preprocessor):
            """Not validated again: papermill validated each executed notebook when it wrote it, and
            nbformat each cell the render adds when it made it (a tenth of a second per render)."""

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(pygments_lexer="python", parent=self))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter(template_name="cqdt", extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
                          extra_template_paths=[str(TEMPLATES)], **options)


def page_frame(title: str, extra_head: str = "") -> dict[str, str]:
    """What the page frame (templates/page.html.j2) of a page needs: its title, the report's own
    stylesheet and script, and markup ending its head."""
    css, js = _assets()
    return {"version": __version__, "title": title, "extra_head": extra_head, "css": css, "js": js}


@functools.cache
def _assets() -> tuple[str, str]:
    """The report's stylesheet and script, read once per render (every page frame holds them)."""
    assets = resources.files("cqdt") / "assets"
    return (assets / "report.css").read_text(encoding="utf-8"), (assets / "report.js").read_text(encoding="utf-8")


def report_title(year: Year, kind: str = "Quyết định") -> str:
    """The title of the report page and of each file (`kind`: «Quyết định», «Dự thảo quyết định», …)."""
    return f"{kind} {year.params.decision.number} — {year.catalogue.short_title} năm {year.params.year}"


def report_html(year: Year, executed: Path, front: list[str], back: list[str]) -> str:
    exporter = report_exporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                               exclude_anchor_links=True)
    extra = {"cqdt": page_frame(report_title(year))}
    body, _ = exporter.from_notebook_node(assemble_notebook(executed, year.pillars, front, back), resources=extra)
    return body


# Parts of the page that only the screen shows (per-unit criterion tables, scorecards of groups not printed)
# are marked by comments in the HTML.
_SCREEN_ONLY = re.compile(r"<!-- cqdt:screen-only -->.*?<!-- /cqdt:screen-only -->", re.DOTALL)
# Printed, two cards fit a page in every year: a card is set a little smaller than the decision's text.
SCORECARDS_CSS = ".scorecards { display: block !important; } " \
                 ".card { break-inside: avoid; font-size: 11pt; margin: 0 0 5mm; padding: 3mm 4mm; } " \
                 ".card .data-table { font-size: 9pt; margin: 2mm 0; } " \
                 ".card-criteria { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; font-size: 9.5pt; } " \
                 ".card + .scorecards-group { break-before: page; } .scorecards-group { margin: 0 0 3mm; } " \
                 ".scorecards-title { margin: 0 0 2mm; font-size: 15pt; } .scorecards-group { font-size: 13pt; } " \
                 ".scorecards-intro { display: none; }"


# Links from appendix rows to the scorecards, which the decision PDF does not contain. Chromium
# resolves every link while printing: 12.600 dead ones took 80 of a national-scale year's 105 s.
_UNIT_LINK = re.compile(r'<a class="unit-link" href="[^"]*">(.*?)</a>', re.DOTALL)


def decision_print_html(html: str) -> str:
    """The page (without the scorecards, which have a PDF of their own) as the decision PDF prints
    it: without the screen-only parts and the links to the scorecards, its charts as images."""
    return _CHART.sub(_chart_image, _UNIT_LINK.sub(r"\1", _SCREEN_ONLY.sub("", html)))


# A chart (charts.to_svg) printed as an SVG image rather than inline: the same vector drawing, text
# and box, tagged as a figure with the same alternative text, and Chromium prints the 2021 decision
# in 1,9 s instead of 2,3 (it lays out an inline SVG's text as part of the page).
_CHART = re.compile(r'<svg\b[^>]*\bclass="chart"[^>]*>.*?</svg>', re.DOTALL)
_LABELLED_BY = re.compile(r'\baria-labelledby="([^"]*)"')


def _chart_image(match: re.Match) -> str:
    svg = match.group(0)
    labelled_by = _LABELLED_BY.search(svg[:svg.index(">")])
    alternative = " ".join(_element_text(svg, identifier)
                           for identifier in (labelled_by.group(1).split() if labelled_by else []))
    source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="chart" alt="{escape(alternative)}" src="data:image/svg+xml;base64,{source}">'


def _element_text(svg: str, identifier: str) -> str:
    """The text of the element with that id (a chart's <title> or <desc>), as a screen reader reads it."""
    found = re.search(rf'<(\w+) id="{re.escape(identifier)}">(.*?)</\1>', svg, re.DOTALL)
    return unescape(found.group(2)) if found else ""


def with_scorecards(html: str, cards: str) -> str:
    """The report page with the scorecards at its end."""
    head, end, tail = html.rpartition("</main>")
    return head + cards + end + tail


def scorecards_title(year: Year) -> str:
    return f"Phiếu kết quả từng đơn vị — {year.catalogue.short_title} năm {year.params.year}"


def scorecards_print_html(cards: str, title: str) -> str:
    """The page of the printed scorecards (departments and districts), in the report's page frame,
    titled as its own document. It needs no notebook: it prints while nbconvert assembles the report."""
    frame = environment().get_template("page.html.j2").module
    page = page_frame(title, f"<style>{SCORECARDS_CSS}</style>")
    # The macros return markup: joined as text, so that the cards are not escaped.
    return str(frame.page_start(page)) + _SCREEN_ONLY.sub("", cards) + str(frame.page_end(page))


_ID = re.compile(r'\bid="([^"]*)"')


def with_contents(page: str) -> str:
    """The report page with, at its top, one search box over every unit and a table of contents of its
    h1 and h2 headings (which get ids where they have none); for the screen only."""
    entries: list[tuple[int, str, str]] = []

    def anchored(match: re.Match) -> str:
        level, attributes, inner = match.groups()
        if level not in ("1", "2"):
            return match.group(0)
        found = _ID.search(attributes)
        anchor = found.group(1) if found else f"muc-{len(entries) + 1}"
        if not found:
            attributes += f' id="{anchor}"'
        entries.append((int(level), anchor, heading_label(attributes, inner)))
        return f"<h{level}{attributes}>{inner}</h{level}>"

    head, start, rest = page.partition('<main class="report">')
    rest = HEADING.sub(anchored, rest)
    return head + start + _contents_html(entries) + rest


def _contents_html(entries: list[tuple[int, str, str]]) -> str:
    items, open_sublist = [], False
    for level, anchor, text in entries:
        if level == 1:
            items.append(("</ul></li>" if open_sublist else "") + f'<li><a href="#{anchor}">{escape(text)}</a><ul>')
            open_sublist = True
        else:
            items.append(f'<li><a href="#{anchor}">{escape(text)}</a></li>')
    items.append("</ul></li>" if open_sublist else "")
    return ('<nav class="page-tools screen-only" aria-label="Tìm đơn vị và mục lục">'
            '<div class="unit-search"><label for="tim-don-vi">Tìm đơn vị trong toàn báo cáo:</label> '
            '<input type="search" id="tim-don-vi" placeholder="Tên (có hoặc không dấu) hoặc mã">'
            '<span id="so-ket-qua-tim" aria-live="polite"></span><ul id="ket-qua-tim"></ul></div>'
            '<details class="contents"><summary>Mục lục</summary><ul>' + "".join(items) + "</ul></details></nav>")


def publish(files: dict[str, Path], destination: Path) -> None:
    """Move freshly built files into destination all at once; the old folder survives any failure.

    The new folder and the published one trade places in one atomic step (renameat2 with
    RENAME_EXCHANGE): at every instant report/<year> is either the old report or the new one.
    Where the kernel or file system cannot exchange, two renames are used, and a kill between them
    is repaired at the start of the next publish."""
    staging = destination.with_name(f".{destination.name}.new")
    previous = destination.with_name(f".{destination.name}.old")
    if previous.exists() and not destination.exists():
        previous.rename(destination)  # a kill between the two fallback renames: restore first
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(previous, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, source in files.items():
        shutil.copy2(source, staging / name)
    _fsync_dir(staging)
    if destination.exists() and _exchange(staging, destination):
        shutil.rmtree(staging, ignore_errors=True)  # now the old report
        return
    if destination.exists():
        destination.rename(previous)
    staging.rename(destination)
    shutil.rmtree(previous, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd, rename_exchange = -100, 2
    return renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange) == 0


def _fsync_dir(folder: Path) -> None:
    for item in folder.iterdir():
        with open(item, "rb") as handle:
            os.fsync(handle.fileno())
