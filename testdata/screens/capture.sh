#!/usr/bin/env bash
# Re-takes the README's pictures from a real terminal: drover runs the demo
# job list in a tmux pane, the pane is captured mid-run and at the end, and
# ImageMagick renders each capture to PNG.
# Needs: tmux, imagemagick, fonts-dejavu-core, chromium (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/../.."
go build -o /tmp/drover-screens .
tmux kill-session -t drover-screens 2>/dev/null || true
tmux new-session -d -s drover-screens -x 120 -y 16 \
  "/tmp/drover-screens run -j 3 testdata/examples/demo.ndjson; sleep 60"
sleep 2.2
tmux capture-pane -p -t drover-screens > /tmp/drover-bar.txt
sleep 9
tmux capture-pane -p -t drover-screens > /tmp/drover-summary.txt
tmux kill-session -t drover-screens
for shot in bar summary; do
  convert -background '#1d1f21' -fill '#c5c8c6' -font DejaVu-Sans-Mono -pointsize 15 \
    -border 12 -bordercolor '#1d1f21' label:"$(sed -e 's/[[:space:]]*$//' "/tmp/drover-$shot.txt")" "testdata/screens/$shot.png"
done

# The HTML report of a real run of the demo list, in headless chromium.
rm -rf /tmp/drover-report && mkdir -p /tmp/drover-report
/tmp/drover-screens run -q -j 3 --output-dir /tmp/drover-report/out \
  --results /tmp/drover-report/results.ndjson testdata/examples/demo.ndjson || true
/tmp/drover-screens report -q --html /tmp/drover-report/report.html /tmp/drover-report/results.ndjson || true
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,760 \
  --screenshot=testdata/screens/report.png "file:///tmp/drover-report/report.html#job=lint"
