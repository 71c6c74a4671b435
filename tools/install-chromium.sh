#!/usr/bin/env bash
# The browser the Atlas UI tests (tests/ui/, marker `ui`) drive: Debian's Chromium and its
# chromedriver. Both come from the same Debian source package, so their versions always
# match (and nothing downloads a browser at test time). Does nothing when they are there.
set -euo pipefail

needed=()
[ -x /usr/bin/chromium ] || needed+=(chromium)
[ -x /usr/bin/chromedriver ] || needed+=(chromium-driver)
# Chromium only recommends a font; without one the screenshots' labels are empty boxes.
[ -d /usr/share/fonts/truetype/liberation ] || needed+=(fonts-liberation)
exec "$(dirname "$0")/apt-install.sh" "the Atlas UI tests" \
  "Chromium and its chromedriver (/usr/bin/chromium, /usr/bin/chromedriver)" "${needed[@]}"
