#!/usr/bin/env bash
# Screenshots (900 px and 1400 px wide) and print-to-PDF (A4 and Letter) of kolsim reports,
# with the PDF pages as PNGs, for looking at a report as a client would.
#
#   scripts/report-shots.sh OUT_DIR REPORT_DIR...
#
# Each REPORT_DIR holds a report.html; files are named after the folder. Needs chromium (or
# chromium-browser, google-chrome) and pdftoppm (poppler-utils).
set -euo pipefail
out=$1; shift
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no chromium found: apt-get install -y chromium poppler-utils" >&2; exit 1; }
run() { timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
          --no-pdf-header-footer --run-all-compositor-stages-before-draw "$@" 2>/dev/null; }
for dir in "$@"; do
  name=$(basename "$dir")
  url="file://$(cd "$dir" && pwd)/report.html"
  for w in 900 1400; do run --window-size=$w,4000 --screenshot="$out/$name-$w.png" "$url"; done
  # Chromium prints on Letter by default; A4 through a temporary page rule.
  run --print-to-pdf="$out/$name-letter.pdf" "$url"
  sed 's|<style>|<style>@page { size: A4; }|' "$dir/report.html" > "$dir/.report-a4.html"
  run --print-to-pdf="$out/$name-a4.pdf" "file://$(cd "$dir" && pwd)/.report-a4.html"
  rm -f "$dir/.report-a4.html"
  if command -v pdftoppm >/dev/null; then
    pdftoppm -r 60 -png "$out/$name-a4.pdf" "$out/$name-a4-page"
    pdftoppm -r 60 -png "$out/$name-letter.pdf" "$out/$name-letter-page"
  fi
done
ls "$out"
