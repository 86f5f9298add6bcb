"""Printing the report's pages to PDF with headless Chromium (Debian's, driven by Playwright).

Chromium lays out the decision's 30-odd A4 pages in about a second (WeasyPrint took eight) and a
national-scale year's thousand pages in seconds; it honours the print stylesheet's @page rules
(margins, page numbers in the top margin box, none on the first page) and repeats table headers.
Scripts are disabled and the network is cut: the PDF is the page as written, nothing else.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import CqdtError

CHROMIUM = os.environ.get("CQDT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
# Skia stamps the wall-clock time into /CreationDate and /ModDate; everything else is stable.
_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[^)]*\)")


@dataclass(frozen=True)
class PrintJob:
    page: Path  # an HTML file, printed with its print stylesheet
    pdf: Path


def chromium_version() -> str:
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "không tìm thấy"


def print_pdfs(jobs: list[PrintJob], dated: date) -> None:
    """Print each page to its PDF, all at once (each page lays out in its own renderer process, so
    on its own core); the PDFs carry `dated` as their date, so builds are reproducible."""
    if not Path(CHROMIUM).exists():
        raise CqdtError(f"Không tìm thấy trình duyệt Chromium tại {CHROMIUM} để in PDF; hãy chạy lại "
                        "`make setup` (cài gói chromium).")
    asyncio.run(_print_all(jobs))
    for job in jobs:
        _fix_dates(job.pdf, dated)


async def _print_all(jobs: list[PrintJob]) -> None:
    from playwright.async_api import Error, async_playwright

    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                await asyncio.gather(*(_print(browser, job) for job in jobs))
            finally:
                await browser.close()
    except Error as error:
        raise CqdtError(f"Chromium không in được PDF: {error.message.splitlines()[0]}") from error


async def _print(browser, job: PrintJob) -> None:
    # A context of its own per page: a separate renderer process, scripts off, network cut.
    context = await browser.new_context(java_script_enabled=False, offline=True)
    page = await context.new_page()
    # No time limit: a national-scale appendix takes a while to load and lay out.
    await page.goto(job.page.resolve().as_uri(), wait_until="load", timeout=0)
    await page.pdf(path=job.pdf, prefer_css_page_size=True, print_background=True)
    await context.close()


def _fix_dates(pdf: Path, dated: date) -> None:
    stamp = dated.strftime("%Y%m%d000000").encode()
    data = pdf.read_bytes()
    # Same length in, same length out: the cross-reference offsets stay valid.
    fixed = _PDF_DATES.sub(lambda m: re.sub(rb"D:\d{14}", b"D:" + stamp, m.group(0)), data)
    pdf.write_bytes(fixed)
