#!/usr/bin/env bash
# Installs everything the project needs: Debian packages (fonts, PDF tools, Chromium's headless shell,
# which prints the PDFs and runs the browser tests) and the Python environment pinned by requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(fonts-liberation2 fonts-dejavu-core poppler-utils chromium-headless-shell)
# `--test` (make test) adds what only the tests use: LibreOffice prints the Word draft to PDF.
[ "${1:-}" = "--test" ] && DEBIAN_PACKAGES+=(libreoffice-writer-nogui)
missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "… cài gói hệ thống: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "… tạo môi trường Python .venv"
  "$PYTHON" -m venv .venv
fi
echo "… cài thư viện Python theo requirements.lock"
.venv/bin/pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import cqdt, papermill, playwright" 
touch .venv/.installed
[ "${1:-}" = "--test" ] && touch .venv/.test-installed
echo "Môi trường đã sẵn sàng."
