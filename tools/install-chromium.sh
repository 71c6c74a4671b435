#!/usr/bin/env bash
# The browser the Atlas UI test (tests/ui/, marker `ui`) drives: Debian's Chromium and its
# chromedriver. Both come from the same Debian source package, so their versions always
# match (a browser download at test time is impossible here and unwanted in CI).
# Debian/Ubuntu packages; does nothing when they are already there.
set -euo pipefail

needed=()
[ -x /usr/bin/chromium ] || needed+=(chromium)
[ -x /usr/bin/chromedriver ] || needed+=(chromium-driver)
# Chromium only recommends a font; without one the screenshots' labels are empty boxes.
[ -d /usr/share/fonts/truetype/liberation ] || needed+=(fonts-liberation)
[ ${#needed[@]} -eq 0 ] && exit 0

fail() {
  echo "error: the Atlas UI test needs the packages: ${needed[*]}" >&2
  echo "       $1" >&2
  exit 1
}
command -v apt-get >/dev/null || fail "install Chromium and its chromedriver (/usr/bin/chromium, /usr/bin/chromedriver) with your package manager"
sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null && sudo -n true 2>/dev/null \
    || fail "run: sudo apt-get install -y ${needed[*]}   (then make test again)"
  sudo=(sudo -n)
fi
echo "Installing ${needed[*]} (headless Chromium, for the Atlas UI test)..."
export DEBIAN_FRONTEND=noninteractive
install=("${sudo[@]}" apt-get install -y -q --no-install-recommends "${needed[@]}")
"${install[@]}" >/dev/null || { "${sudo[@]}" apt-get update -q >/dev/null && "${install[@]}" >/dev/null; }
