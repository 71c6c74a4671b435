#!/usr/bin/env bash
# The MIT Kerberos pieces `make test` needs: a KDC (krb5kdc, kdb5_util, kadmin.local) for the
# SPNEGO tests, and the krb5 headers pip needs to build gssapi for requests-kerberos.
# Debian/Ubuntu packages; does nothing when they are already there.
set -euo pipefail

needed=()
[ -x /usr/sbin/krb5kdc ] && [ -x /usr/sbin/kdb5_util ] || needed+=(krb5-kdc)
[ -x /usr/sbin/kadmin.local ] || needed+=(krb5-admin-server)
command -v krb5-config >/dev/null || needed+=(libkrb5-dev)
exec "$(dirname "$0")/apt-install.sh" "the Kerberos tests" \
  "MIT Kerberos' KDC, admin tools and development headers" "${needed[@]}"
