"""The Chromium that prints the PDFs (Debian's headless shell; CQDT_CHROMIUM names another) and how
it is started.

Apart from pdf.py, so that the provenance annex can name the printer's version without the
notebooks importing the render step's code.
"""

from __future__ import annotations

import os
import subprocess

# Debian's chromium-headless-shell is the same Chromium without the desktop browser around it (the
# build Playwright itself uses for headless pages): it starts in a fifth of the time and prints the
# decision with half the CPU of the full browser run headless (measured: 3,0 against 5,6 core-seconds
# for the 2021 decision, the same PDF). The full browser stays usable where the shell is not installed.
HEADLESS_SHELL, FULL_BROWSER = "/usr/bin/chromium-headless-shell", "/usr/bin/chromium"
CHROMIUM = os.environ.get("CQDT_CHROMIUM") or (HEADLESS_SHELL if os.path.exists(HEADLESS_SHELL) else FULL_BROWSER)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]


def chromium_version() -> str:
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "không tìm thấy"
