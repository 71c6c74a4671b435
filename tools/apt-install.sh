#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a part of `make test` needs, for tools/install-*.sh:
# as root, or with password-less sudo; otherwise it names the command to run and fails.
#   tools/apt-install.sh "WHO NEEDS THEM" "WHAT THEY ARE, for other package managers" PACKAGE...
set -euo pipefail

who=$1 what=$2
shift 2
[ $# -eq 0 ] && exit 0

fail() {
  echo "error: $who need the packages: $*" >&2
  echo "       $hint" >&2
  exit 1
}
hint="install $what with your package manager"
command -v apt-get >/dev/null || fail "$@"
sudo=()
if [ "$(id -u)" != 0 ]; then
  hint="run: sudo apt-get install -y $*   (then make test again)"
  command -v sudo >/dev/null && sudo -n true 2>/dev/null || fail "$@"
  sudo=(sudo -n)
fi
echo "Installing $* (for $who)..."
export DEBIAN_FRONTEND=noninteractive
install=("${sudo[@]}" apt-get install -y -q --no-install-recommends "$@")
"${install[@]}" >/dev/null || { "${sudo[@]}" apt-get update -q >/dev/null && "${install[@]}" >/dev/null; }
