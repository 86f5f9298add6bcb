"""Printing the report's pages to PDF with Chromium (Debian's headless shell, driven by Playwright).

Chromium lays out the decision's 30-odd A4 pages in about a second (WeasyPrint took eight) and a
national-scale year's 1.300 pages in about half a minute; it honours the print stylesheet's @page rules
(margins, page numbers in the top margin box, none on the first page) and repeats table headers.
Scripts are disabled and the network is cut: the PDF is the page as written, nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Self

from . import __version__
from .browser import CHROMIUM, CHROMIUM_ARGS
from .errors import CqdtError
from .printparts import continued, print_parts

# pikepdf is imported where a printed PDF is finished (in the printer's threads): not on the way to
# Chromium's start and the render's first page.
if TYPE_CHECKING:
    import pikepdf
    from playwright.async_api import BrowserContext, Page


class Printer:
    """One headless Chromium printing pages to PDF in the background, each page in its own renderer
    process (so on its own core) while the caller goes on with other work:

        with Printer() as printer:       # Chromium starts in its own processes
            ...                          # e.g. import and prepare the first page
            decision = printer.submit(print_parts(page), folder / "quyet-dinh.pdf", dated)
            ...                          # e.g. write the next page
            decision.result()

    Every PDF carries the date it is given (the decision's), so builds are reproducible. A page
    submitted with `yielding=True` (the scorecards) is laid out by a renderer at a lower priority: it
    takes the processor when the page the build waits on (the decision) leaves it free.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chromium-pdf", daemon=True)
        self._playwright = self._browser = self._spare = None
        self._opening: asyncio.Lock | None = None  # made in the loop's thread, which it belongs to
        self._waiting = 0  # parts submitted and not yet given a tab (counted in the loop's thread)
        self._last_submitted = False  # then no page comes but those submitted
        # A yielding page's PDF is finished at the lower priority too, by a thread of its own (a
        # thread's priority cannot be raised back for the next page's work).
        self._yielding_work = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cqdt-pdf-yielding",
                                                 initializer=yield_processor)

    def __enter__(self) -> Self:
        if not Path(CHROMIUM).exists():
            raise CqdtError(f"Không tìm thấy trình duyệt Chromium tại {CHROMIUM} để in PDF; hãy chạy lại "
                            "`make setup` (cài gói chromium-headless-shell).")
        self._thread.start()
        # Chromium starts while the caller prepares the first page; every print waits for it.
        self._launched = self._run(self._launch())
        return self

    def submit(self, parts: list[str], pdf: Path, dated: date, yielding: bool = False, last: bool = False) -> Future:
        """Print a page, given as its parts (see printparts), to pdf dated `dated`; the HTML files
        printed are written next to it. A yielding page's renderer runs at a lower priority. Until a
        page is submitted as the `last`, a tab is kept ready for the next page to come."""
        return self._run(self._print_document(parts, pdf, dated, yielding, last))

    def __exit__(self, exc_type, *_exc) -> None:
        try:
            self._run(self._close()).result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()
            self._yielding_work.shutdown()
        if exc_type is None:
            self._launched.result()  # a browser that never started is an error, printed or not

    def _run(self, coroutine) -> Future:
        return asyncio.run_coroutine_threadsafe(_guarded(coroutine), self._loop)

    async def _launch(self) -> None:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self._opening = asyncio.Lock()
        self._spare = asyncio.ensure_future(self._new_tab())

    async def _new_tab(self) -> Tab:
        """A context of its own per page (a separate renderer process, scripts off, network cut), its
        tab and the tab's renderer process."""
        # One tab opened at a time: the renderer that appears is this tab's.
        async with self._opening:
            context = await self._browser.new_context(java_script_enabled=False, offline=True)
            return Tab(context, await context.new_page(), _newest_renderer())

    async def _take_tab(self) -> Tab:
        """A fresh tab: the one made in advance (a renderer takes a tenth of a second to start), or
        a new one."""
        spare, self._spare = self._spare, None
        self._waiting -= 1
        return await (spare or self._new_tab())

    def _prepare_spare(self) -> None:
        """The next part's tab, made while this one prints rather than while it loads (a renderer
        starting beside the decision's page load made the 2021 render-only rebuild 0,1–0,4 s longer,
        two alternating series of 8): ready when the next page is submitted, but once the last page
        is, only for a part still waiting, so that none is started beside the last part's print only
        to be closed."""
        if self._spare is None and (self._waiting > 0 or not self._last_submitted):
            self._spare = asyncio.ensure_future(self._new_tab())

    async def _close(self) -> None:
        with contextlib.suppress(CqdtError):  # a failed start is reported by the prints and __exit__
            await asyncio.wrap_future(self._launched)
        if self._spare is not None:
            with contextlib.suppress(Exception):  # closing anyway: a tab that failed to open needs nothing
                await (await self._spare).context.close()
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()

    async def _print_document(self, parts: list[str], pdf: Path, dated: date, yielding: bool, last: bool) -> None:
        self._waiting += len(parts)
        self._last_submitted |= last
        if len(parts) == 1:
            await self._print(_written(pdf.with_suffix(".in.html"), parts[0]), pdf, tagged=True, yielding=yielding)
            # In a thread of its own: this loop's other prints go on meanwhile (the 2021 decision's
            # page loaded 0,2 s later while the loop finished the scorecards' PDF).
            await self._off_loop(yielding, finish, pdf, bookmark_titles(parts[0]), dated)
            return
        # A merged PDF keeps no part's tags (no merger joins structure trees), so the parts print
        # untagged, in about half the time. Chromium makes bookmarks only when tagging: the merged
        # PDF's bookmarks are made from where each part's headings landed (see anchored_headings).
        printed, bookmarks, pages = [], [], 0
        for number, part in enumerate(parts, start=1):
            marked, headings = anchored_headings(continued(part, pages) if pages else part)
            printed.append(pdf.with_suffix(f".phan-{number}.pdf"))
            await self._print(_written(pdf.with_suffix(f".phan-{number}.html"), marked), printed[-1], tagged=False,
                              yielding=yielding)
            part_pages, landed = await self._off_loop(yielding, heading_places, printed[-1], headings)
            bookmarks += [mark._replace(page=pages + mark.page) for mark in landed]
            pages += part_pages
        await self._off_loop(yielding, _merge, printed, bookmarks, pdf, _LANGUAGE.search(parts[0]), dated)

    async def _off_loop(self, yielding: bool, function, *arguments):
        """`function(*arguments)` in a thread (pikepdf's work on a printed PDF): this loop's other
        prints go on meanwhile."""
        return await self._loop.run_in_executor(self._yielding_work if yielding else None, function, *arguments)

    async def _print(self, page: Path, pdf: Path, tagged: bool, yielding: bool) -> None:
        await asyncio.wrap_future(self._launched)
        tab = await self._take_tab()
        try:
            if yielding and tab.renderer:
                _lower_priority(tab.renderer)
            # No time limit: a national-scale appendix takes a while to load and lay out.
            await tab.page.goto(page.resolve().as_uri(), wait_until="load", timeout=0)
            if yielding and tab.renderer:
                # Again: the threads of a renderer that was still starting set their own priority
                # (Chromium's compositor and I/O threads -8, its thread pool 0) after the first time.
                _lower_priority(tab.renderer)
            self._prepare_spare()
            await tab.page.pdf(path=pdf, prefer_css_page_size=True, print_background=True, tagged=tagged,
                               outline=tagged)
        finally:
            await tab.context.close()  # frees the renderer's memory before the next part


class Tab(NamedTuple):
    context: BrowserContext
    page: Page
    renderer: int | None  # the process id of its renderer, where it could be told


# The build waits on the decision; the scorecards print beside it, and the render's Python writes the
# other files. Run at the same priority, the two renderers and the render's Python share the 2 cores
# evenly, and the decision's renderer, the last to finish, prints alone at the end (measured at
# national scale: the scorecards done at 43 s of the render, the decision at 57 s; the scorecards'
# renderer yielding: 50 and 52 s).
YIELDING_NICENESS = 10


def _newest_renderer() -> int | None:
    """The renderer process Chromium started last for this process's browser (the renderers are
    numbered in the order they start: --renderer-client-id)."""
    import psutil

    renderers = []
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error, ValueError):  # a process gone meanwhile, or unnumbered
            arguments = process.cmdline()
            if "--type=renderer" in arguments:
                number = next((a for a in arguments if a.startswith(_RENDERER_NUMBER)), "")
                renderers.append((int(number.removeprefix(_RENDERER_NUMBER)), process.pid))
    return max(renderers)[1] if renderers else None


_RENDERER_NUMBER = "--renderer-client-id="


def _lower_priority(renderer: int) -> None:
    """Every thread of the renderer (Linux sets a nice value per thread) at YIELDING_NICENESS; a
    renderer already gone, or a system that does not allow it, prints at the usual priority. Its main
    thread, which lays out and prints the page, keeps it; Chromium may set its other threads' own
    priorities again, as a renderer starts or a thread pool grows."""
    import psutil

    with contextlib.suppress(psutil.Error):
        for thread in psutil.Process(renderer).threads():
            _yielding(thread.id)


def yield_processor() -> None:
    """The calling thread at YIELDING_NICENESS, for good (a process may lower its priority, not raise
    it back): for a thread made for work that nothing waits on while a page prints."""
    _yielding(threading.get_native_id())


def _yielding(thread: int) -> None:
    """One thread at YIELDING_NICENESS (Linux's nice value is per thread); where that is not allowed,
    or elsewhere than Linux, it keeps the usual priority."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, thread, YIELDING_NICENESS)


# The empty link targets put at the start of each heading of an untagged part.
_TARGET = "cqdt-muc-"
_LANGUAGE = re.compile(r'<html\b[^>]*\blang="([^"]+)"')


def anchored_headings(page: str) -> tuple[str, list[tuple[int, str]]]:
    """The page with an empty link target at the start of each heading and, hidden, a link to each:
    Chromium records where every link target landed (the PDF's named destinations), tagged or not,
    and skips a heading that is not shown. Also each heading's level and bookmark title, in order."""
    headings: list[tuple[int, str]] = []

    def marked(match: re.Match) -> str:
        level, attributes, inner = match.groups()
        headings.append((int(level), heading_label(attributes, inner)))
        return f'<h{level}{attributes}><a id="{_TARGET}{len(headings)}"></a>{inner}</h{level}>'

    page = HEADING.sub(marked, page)
    links = "".join(f'<a href="#{_TARGET}{number}"></a>' for number in range(1, len(headings) + 1))
    head, body_end, tail = page.rpartition("</body>")
    hidden = f"<div hidden>{links}</div>"
    return (head + hidden + body_end + tail if body_end else page + hidden), headings


class Bookmark(NamedTuple):
    level: int  # the heading's: h2 → 2
    title: str
    page: int  # 0-based
    place: list[object]  # where on the page: Chromium's [/XYZ left top zoom]


def heading_places(pdf: Path, headings: list[tuple[int, str]]) -> tuple[int, list[Bookmark]]:
    """The pages of an untagged PDF printed from anchored_headings, and a bookmark for each of its
    headings at the place its named destination records (a heading that is not printed has none)."""
    import pikepdf

    with pikepdf.open(pdf) as document:
        pages = {page.objgen: number for number, page in enumerate(document.pages)}
        places = document.Root.get("/Dests", pikepdf.Dictionary())
        landed = []
        for number, (level, title) in enumerate(headings, start=1):
            if (destination := places.get(f"/{_TARGET}{number}")) is not None:
                page, kind, *numbers = destination
                landed.append(Bookmark(level, title, pages[page.objgen], [str(kind), *map(float, numbers)]))
        return len(document.pages), landed


def _written(path: Path, html: str) -> Path:
    path.write_text(html, encoding="utf-8")
    return path


def _merge(parts: list[Path], bookmarks: list[Bookmark], pdf: Path, language: re.Match | None, dated: date) -> None:
    """One PDF from the untagged parts, finished as `finish` finishes a PDF printed whole: their pages
    in turn, the first part's title, the page's language (which Chromium declares only in a tagged
    PDF), the bookmarks nested by heading level across the parts, as Chromium nests a page's
    headings (each already titled with its heading's words), dated and signed."""
    import pikepdf

    with contextlib.ExitStack() as opened:
        # qpdf copies a part's content when the merged file is written: every part stays open until then.
        merged, *others = [opened.enter_context(pikepdf.open(part)) for part in parts]
        for other in others:
            merged.pages.extend(other.pages)
        if "/Dests" in merged.Root:  # the headings' places, needed by no link
            del merged.Root["/Dests"]
        if language:
            merged.Root.Lang = pikepdf.String(language.group(1))
        with merged.open_outline() as outline:
            enclosing: list[tuple[int, pikepdf.OutlineItem]] = []
            for mark in bookmarks:
                kind, *numbers = mark.place
                item = pikepdf.OutlineItem(mark.title, pikepdf.Array([merged.pages[mark.page].obj,
                                                                      pikepdf.Name(kind), *numbers]))
                while enclosing and enclosing[-1][0] >= mark.level:
                    enclosing.pop()
                (enclosing[-1][1].children if enclosing else outline.root).append(item)
                enclosing.append((mark.level, item))
        _signed(merged, dated)
        merged.save(pdf, deterministic_id=True)


async def _guarded(coroutine):
    """Playwright's errors as the user's error, in Vietnamese."""
    from playwright.async_api import Error

    try:
        return await coroutine
    except Error as error:
        raise CqdtError(f"Chromium không in được PDF: {error.message.splitlines()[0]}") from error


def print_pdfs(pages: dict[Path, str], dated: date) -> None:
    """Print every page (pdf path → page HTML), all at once, and wait for them."""
    with Printer() as printer:
        last = len(pages) - 1
        for future in [printer.submit(print_parts(html), pdf, dated, last=number == last)
                       for number, (pdf, html) in enumerate(pages.items())]:
            future.result()


# Chromium builds the PDF's outline (bookmarks) from the page's headings, but joins the lines of a
# wrapped heading without a space («CÁCSỞ») and takes a heading's text as displayed (upper case).
HEADING = re.compile(r"<h([1-6])\b([^>]*)>(.*?)</h\1>", re.DOTALL)
_BOOKMARK = re.compile(r'data-bookmark="([^"]*)"')
_MARKUP = re.compile(r"<[^>]+>")


def _squashed(text: str) -> str:
    return re.sub(r"\s", "", text).casefold()


def bookmark_titles(page: str) -> dict[str, str]:
    """Each heading's bookmark title (its data-bookmark, else its text), by its text without spaces."""
    titles = {}
    for _level, attributes, inner in HEADING.findall(page):
        shown = " ".join(html.unescape(_MARKUP.sub(" ", inner)).split())
        titles.setdefault(_squashed(shown), heading_label(attributes, inner))
    return titles


def heading_label(attributes: str, inner: str) -> str:
    """What a heading is called in bookmarks and the table of contents: its data-bookmark, else its text."""
    explicit = _BOOKMARK.search(attributes)
    return html.unescape(explicit.group(1)) if explicit else " ".join(html.unescape(_MARKUP.sub(" ", inner)).split())


def finish(pdf: Path, titles: dict[str, str], dated: date) -> None:
    """The decision's date in place of the wall-clock time Skia stamps, stable ids of table cells, the
    project as the creator, and each bookmark titled with its heading's own words: the same page prints
    the same bytes. qpdf (through pikepdf) rewrites a 30-page tagged PDF in a tenth of a second; pypdf
    took two and a half."""
    import pikepdf

    _renumber_nodes(pdf)
    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        with document.open_outline() as outline:
            pending = list(outline.root)
            while pending:
                item = pending.pop()
                item.title = titles.get(_squashed(item.title), item.title)
                pending += item.children
        _signed(document, dated)
        document.save(pdf, deterministic_id=True)


def _signed(document: pikepdf.Pdf, dated: date) -> None:
    """The decision's date in place of the time of printing, the project as the creator."""
    document.docinfo["/CreationDate"] = document.docinfo["/ModDate"] = dated.strftime("D:%Y%m%d000000+00'00'")
    document.docinfo["/Creator"] = f"cqdt {__version__} (Chromium)"


# A tagged PDF names table header cells after Chromium's DOM nodes («node00000061»), whose numbers
# change from one print to the next; they are renumbered in order of appearance (same length, so
# every offset in the file stays right).
_NODE_ID = re.compile(rb"\(node(\d{8})\)")


def _renumber_nodes(pdf: Path) -> None:
    numbers: dict[bytes, bytes] = {}

    def renumbered(match: re.Match) -> bytes:
        number = numbers.setdefault(match.group(1), b"%08d" % (len(numbers) + 1))
        return b"(node" + number + b")"

    pdf.write_bytes(_NODE_ID.sub(renumbered, pdf.read_bytes()))
