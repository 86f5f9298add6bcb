"""The Chromium that prints the PDFs (Debian's; CQDT_CHROMIUM names another) and how it is started.

Apart from pdf.py, so that the provenance annex can name the printer's version without the
notebooks importing the render step's code.
"""

from __future__ import annotations

import os
import subprocess

CHROMIUM = os.environ.get("CQDT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]


def chromium_version() -> str:
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "không tìm thấy"
