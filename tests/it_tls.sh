#!/bin/bash
# it_tls.sh - vmgroupd over ldaps:// (slapd's TLS listener of
# tests/testenv.sh, a self-signed certificate trusted through ldap.conf's
# TLS_CACERT): vmgroupd skips GnuTLS's implicit initialization at load
# (GNUTLS_SKIP_GLOBAL_INIT) and libldap initializes it for the TLS
# connection itself, so a pass over ldaps:// writes its records; an
# untrusted certificate is refused; and the daemon does not initialize
# GnuTLS when no connection uses TLS.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"

mkdir -p "$SPOOL" && chmod 0750 "$W" "$SPOOL"
write_conf image no
sed -i "s#^uri = .*#uri = $VMG_TEST_LDAPS_URI#" "$CONF"
reg -n tls1 -i tls -a 192.0.2.61

# libldap reads TLS_CACERT from LDAPCONF only without LDAPNOINIT
if env -u LDAPNOINIT "$VMGROUPD" --once --allow-root -f "$CONF" \
    >>"$W/log" 2>&1; then
	ok "a pass over ldaps:// succeeds"
else
	bad "a pass over ldaps:// succeeds: $(tail -n 3 "$W/log")"
fi
check "connected over TLS" grep -q "connected to $VMG_TEST_LDAPS_URI " "$W/log"
expect_node hv1-tls-vm "$Z" "the group name written over ldaps://" \
	"$(rec_a 192.0.2.61)"

# a certificate not trusted: refused, the event kept
sed "s#^TLS_CACERT .*#TLS_CACERT /dev/null#" "$LDAPCONF" >"$W/ldap-untrusted.conf"
reg -n tls2 -i tls -a 192.0.2.62
if env -u LDAPNOINIT LDAPCONF="$W/ldap-untrusted.conf" "$VMGROUPD" --once \
    --allow-root -f "$CONF" >"$W/untrusted.log" 2>&1; then
	bad "an untrusted certificate is refused"
else
	ok "an untrusted certificate is refused"
fi
check "the event stays in the spool" test -n "$(ls -A "$SPOOL/new")"
expect_node hv1-tls-vm "$Z" "and the group is as it was" "$(rec_a 192.0.2.61)"

# GnuTLS initialized only for TLS: gnutls_global_init looks for the
# system's priority file, which a pass over ldap:// never does (vmgroupd's
# memory keeps none of GnuTLS's global state then)
inits() { # uri time: the pass's looks at /etc/gnutls/config, "failed"
	sed -i "s#^uri = .*#uri = $1#" "$CONF"
	reg -n tls3 -i tls -a 192.0.2.63 -t "$((T + $2))"
	# LeakSanitizer stops the world with ptrace at exit, which strace
	# already holds: no leak check under strace (the other tests have it)
	env -u LDAPNOINIT ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -e trace=%file -o "$W/strace.out" \
	    "$VMGROUPD" --once --allow-root -f "$CONF" >>"$W/log" 2>&1 ||
		{ echo failed; return; }
	grep -c '"/etc/gnutls/config"' "$W/strace.out"
}
check "a pass over ldap:// does not initialize GnuTLS" \
	test "$(inits "$VMG_TEST_LDAP_URI" 10)" -eq 0
check "a pass over ldaps:// does (libldap, for its connection)" \
	test "$(inits "$VMG_TEST_LDAPS_URI" 20)" -gt 0

echo "$fails failure(s)"
[ $fails -eq 0 ]
