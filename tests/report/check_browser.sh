#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and checks that it worked:
#   every chart rendered (body data-charts-ready == data-charts), one SVG per chart, no script
#   errors or console.error calls, no injected markup (data-xss), and a screenshot was taken.
# Usage: check_browser.sh <chromium> <report.html> <screenshot.png> [expected-text-in-dom]
set -euo pipefail
chromium=$1; html=$(realpath "$2"); shot=$3; expect=${4:-}
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking
       --disable-component-update --disable-sync --no-first-run --disable-quic --hide-scrollbars)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
dom=$(timeout 120 "$chromium" "${flags[@]}" --user-data-dir="$profile" --virtual-time-budget=20000 \
        --dump-dom "file://$html" 2>/dev/null)
body=$(grep -o '<body data-charts=[^>]*>' <<<"$dom" | head -n 1)  # the real tag: vega's source holds '<body>' text too
[ -n "$body" ] || { echo "FAIL: no <body> in the rendered page"; exit 1; }
attr() { sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p" <<<"$body"; }
charts=$(attr data-charts); ready=$(attr data-charts-ready); errors=$(attr data-errors); chart_errors=$(attr data-chart-errors)
echo "charts=$charts ready=$ready errors=$errors chart_errors=$chart_errors"
[ -n "$charts" ] && [ "$charts" -gt 0 ] || { echo "FAIL: the page declares no charts"; exit 1; }
[ "$ready" = "$charts" ] || { echo "FAIL: $ready of $charts charts rendered"; exit 1; }
[ "$errors" = "0" ] || { echo "FAIL: $errors script errors or console errors"; exit 1; }
[ "$chart_errors" = "0" ] || { echo "FAIL: $chart_errors charts failed"; exit 1; }
svgs=$(grep -o '<svg[^>]*class="marks"' <<<"$dom" | wc -l)
[ "$svgs" -eq "$charts" ] || { echo "FAIL: $svgs chart SVGs for $charts charts"; exit 1; }
if grep -q 'data-xss=' <<<"$body"; then echo "FAIL: injected markup ran (data-xss set)"; exit 1; fi
if [ -n "$expect" ] && ! grep -qF -- "$expect" <<<"$dom"; then echo "FAIL: expected text not in the page: $expect"; exit 1; fi
rm -f "$shot"
timeout 120 "$chromium" "${flags[@]}" --user-data-dir="$profile" --virtual-time-budget=20000 \
  --window-size=1280,2400 --screenshot="$shot" "file://$html" >/dev/null 2>&1
[ -s "$shot" ] || { echo "FAIL: no screenshot"; exit 1; }
echo "ok: $charts charts rendered as SVG, no errors; screenshot $shot"
