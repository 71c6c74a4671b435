#!/usr/bin/env bash
# The MIT Kerberos pieces `make test` needs: a KDC (krb5kdc, kdb5_util, kadmin.local) for the
# SPNEGO tests, and the krb5 headers pip needs to build gssapi for requests-kerberos.
# Debian/Ubuntu packages; does nothing when they are already there.
set -euo pipefail

needed=()
[ -x /usr/sbin/krb5kdc ] && [ -x /usr/sbin/kdb5_util ] || needed+=(krb5-kdc)
[ -x /usr/sbin/kadmin.local ] || needed+=(krb5-admin-server)
command -v krb5-config >/dev/null || needed+=(libkrb5-dev)
[ ${#needed[@]} -eq 0 ] && exit 0

fail() {
  echo "error: the Kerberos tests need the packages: ${needed[*]}" >&2
  echo "       $1" >&2
  exit 1
}
command -v apt-get >/dev/null || fail "install MIT Kerberos' KDC, admin tools and development headers with your package manager"
sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null && sudo -n true 2>/dev/null \
    || fail "run: sudo apt-get install -y ${needed[*]}   (then make test again)"
  sudo=(sudo -n)
fi
echo "Installing ${needed[*]} (MIT Kerberos, for the SPNEGO tests)..."
export DEBIAN_FRONTEND=noninteractive
install=("${sudo[@]}" apt-get install -y -q --no-install-recommends "${needed[@]}")
"${install[@]}" >/dev/null || { "${sudo[@]}" apt-get update -q >/dev/null && "${install[@]}" >/dev/null; }
