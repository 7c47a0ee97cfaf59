#!/bin/bash
# it_dcfind.sh - uri = auto (sync/dirdc.c) against a real DNS server: dnsmasq
# on 127.0.0.1:53 of a network namespace of ours, vmgroupd's only resolver
# (a resolv.conf bound over /etc/resolv.conf in a mount namespace, as
# lib-twodc.sh's pass_dns).  vmgroupd wants a ticket before it asks DNS: a
# second krb5kdc on the test KDC's database (tests/testenv.sh) listens on
# the namespace's own loopback, where the KDC of krb5.conf is looked for.
# No LDAP server answers at the names found: each pass logs the DCs it found
# and exits 1 (man/vmgroupd.8), never a crash.
#  * 40 SRV records, 39 of priority 10 and best.<domain> of priority 0 last
#    in an answer too large for UDP (read over TCP): 8 DCs kept
#    (DIR_MAX_URIS), best first;
#  * two DCs of equal priority and weight: passes spread over both;
#  * site = s1: the site's DC first, before a better-priority DC of the
#    domain (without the site: that one first);
#  * a target "." only (no such service): no domain controller found.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
PATH=$PATH:/usr/sbin:/sbin
if [ -z "${VMG_TEST_DIR:-}" ]; then
	for p in ip dnsmasq unshare dig krb5kdc; do
		if ! command -v $p >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
			echo "it_dcfind: needs root, ip, dnsmasq, unshare, dig (scripts/install-deps.sh)" >&2
			[ "${CI:-}" = true ] && { echo "FAILED: CI=true: a missing dependency is a failure"; exit 1; }
			exit 77
		fi
	done
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"
. "$top_srcdir/tests/lib-proc.sh"

D=dcf.test
NS=vmg-dcf-$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')
MSDCS=_ldap._tcp.dc._msdcs
dpid=
kpid=
cleanup() {
	local p
	for p in $dpid $kpid; do
		kill -TERM "$p" 2>/dev/null
		wait_gone "$p"
	done
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$NS" || { echo "FAILED: ip netns add $NS"; exit 1; }
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }

# --- the KDC, in the namespace too (its loopback is not the host's)
# (ip netns exec, env and krb5kdc -n each exec the next: $! is the KDC's
# PID; a shell function put in the background would be a subshell's)
ip netns exec "$NS" env KRB5_KDC_PROFILE="$VMG_TEST_DIR/kdc.conf" krb5kdc -n \
	-r "$VMG_TEST_REALM" >>"$W/kdc-ns.log" 2>&1 &
kpid=$!
kdc_up() { in_ns env KRB5CCNAME=MEMORY:probe kinit -k -t "$VMG_TEST_KEYTAB" \
	"$VMG_TEST_PRINCIPAL" >/dev/null 2>&1; }
check "a KDC hands out tickets in the namespace" wait_for 30 kdc_up

# --- the DNS server
# SRV rdata (RFC 2782) in hex, the target uncompressed: prio weight port name
srv_hex() {
	local l out
	out=$(printf '%04x%04x%04x' "$1" "$2" "$3")
	for l in $(echo "$4" | tr . ' '); do
		out=$out$(printf '%02x' ${#l})$(printf %s "$l" | od -An -tx1 | tr -d ' \n')
	done
	echo "${out}00"
}
# big: dnsmasq answers --srv-host records sorted by priority (best.<domain>
# would come first whatever the order given), --dns-rr records in the
# reverse of the order given: best.<domain> given first comes last
args=(--dns-rr="$MSDCS.big.$D,33,$(srv_hex 0 100 389 best.big.$D)")
for i in $(seq 1 39); do
	args+=(--dns-rr="$MSDCS.big.$D,33,$(srv_hex 10 100 389 dc$i.big.$D)")
done
args+=(--srv-host="$MSDCS.pair.$D,a.pair.$D,389,5,50"
	--srv-host="$MSDCS.pair.$D,b.pair.$D,389,5,50"
	--srv-host="$MSDCS.site.$D,gen.site.$D,389,0,100"
	--srv-host="$MSDCS.site.$D,near.site.$D,389,10,100"
	--srv-host="$MSDCS.site.$D,far.site.$D,389,10,100"
	--srv-host="_ldap._tcp.s1._sites.dc._msdcs.site.$D,near.site.$D,389,0,100"
	--srv-host="_ldap._tcp.s2._sites.dc._msdcs.site.$D,far.site.$D,389,0,100"
	--srv-host="$MSDCS.none.$D"
	--dns-rr="$MSDCS.dot.$D,33,$(srv_hex 0 100 389 .)")
ip netns exec "$NS" dnsmasq -k -C /dev/null --no-resolv --no-hosts --local=/$D/ \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 --user=root \
	--pid-file= --log-queries --log-facility="$W/dnsmasq.log" \
	"${args[@]}" >>"$W/dnsmasq.out" 2>&1 &
dpid=$!
ask() { in_ns dig +time=2 +tries=1 @127.0.0.1 "$@"; }
dns_up() { ask +short "$MSDCS.pair.$D" SRV | grep -q "a.pair.$D"; }
check "dnsmasq answers in the namespace" wait_for 30 dns_up
check "the KDC and dnsmasq run as the PIDs to end" test \
	"$(ps -o comm= -p "$kpid") $(ps -o comm= -p "$dpid")" = "krb5kdc dnsmasq"

printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' >"$W/resolv.conf"
dcf_conf() { # case domain [site]
	write_conf image no
	sed "s#^uri = .*#uri = auto\ndomain = $2${3:+\nsite = $3}#" "$CONF" \
	    >"$W/$1.conf"
}
pass_ns() { # case [log suffix]: one --once pass in the namespace, its DNS
	in_ns unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf &&
	    exec "$2" --once --allow-root -f "$3"' sh "$W/resolv.conf" \
	    "$VMGROUPD" "$W/$1.conf" >>"$W/$1.${2:-log}" 2>&1
}
# a pass that found no DC it could reach: exit 1 (a crash: 128 + signal)
pass_fails() { local rc; pass_ns "$@"; rc=$?; echo "exit $rc" >>"$W/$1.${2:-log}"
	[ $rc -eq 1 ]; }

# --- 1. 40 records, the best one last in an answer read over TCP
srvs() { ask +tcp +noall +answer "$MSDCS.big.$D" SRV | awk '$4 == "SRV"'; }
check "40 SRV records over TCP" test "$(srvs | wc -l)" -eq 40
check "best.big.$D (priority 0) last in the answer" sh -c \
	"[ \"\$1\" = '0 100 389 best.big.$D.' ]" sh \
	"$(srvs | tail -n 1 | awk '{ print $5, $6, $7, $8 }')"
check "over UDP (no EDNS, 512 bytes) the answer is truncated" sh -c \
	"printf %s \"\$1\" | grep -q 'flags:.* tc'" sh \
	"$(ask +noedns +ignore "$MSDCS.big.$D" SRV)"
# each TCP connection has a child of dnsmasq answer it, which logs under
# its own PID: the queries not logged by $dpid came over TCP
tcp_asked() { grep "query\[SRV\] $MSDCS.big.$D " "$W/dnsmasq.log" 2>/dev/null |
	grep -vc "dnsmasq\[$dpid\]"; }
tcp_seen() { [ "$(tcp_asked)" -ge 1 ]; }
check "dnsmasq logged dig's TCP query" wait_for 20 tcp_seen
tcp0=$(tcp_asked)
dcf_conf big big.$D
check "uri = auto, 40 DCs: the pass fails (exit 1, no crash)" pass_fails big
check "8 DCs kept, best.big.$D first" grep -q \
	"domain controllers of big.$D from DNS: 8 (ldap://best.big.$D:389 first)" \
	"$W/big.log"
more_tcp() { [ "$(tcp_asked)" -gt "$tcp0" ]; }
check "vmgroupd's resolver asked again over TCP" wait_for 20 more_tcp
check "it tried best.big.$D" grep -q "directory ldap://best.big.$D:389: " \
	"$W/big.log"

# --- 2. two DCs of equal priority and weight: each pass draws anew
dcf_conf pair pair.$D
check "equal DCs: passes spread over both" until_both "$W/pair.draw" \
	"(ldap://a.pair.$D:389 first)" "(ldap://b.pair.$D:389 first)" \
	pass_fails pair draw
# (a pass asks DNS again after every DC it found failed: two look-ups each)
both_each() { grep -q "domain controllers of pair.$D from DNS" "$W/pair.draw" &&
	! grep "domain controllers of pair.$D from DNS" "$W/pair.draw" |
	    grep -vq "from DNS: 2 "; }
check "both found by each look-up" both_each

# --- 3. the site's DCs first
dcf_conf nosite site.$D
check "no site: the pass fails (exit 1)" pass_fails nosite
check "no site: the best priority first" grep -q \
	"domain controllers of site.$D from DNS: 3 (ldap://gen.site.$D:389 first)" \
	"$W/nosite.log"
dcf_conf site site.$D s1
check "site = s1: the pass fails (exit 1)" pass_fails site
check "site = s1: its DC first, the domain's after it" grep -q \
	"domain controllers of site.$D from DNS: 3 (ldap://near.site.$D:389 first)" \
	"$W/site.log"
check "site = s1: asked for _ldap._tcp.s1._sites" grep -q \
	"query\[SRV\] _ldap._tcp.s1._sites.dc._msdcs.site.$D " "$W/dnsmasq.log"

# --- 4. target "." (RFC 2782: the service is decidedly not available)
check "dnsmasq answers none.$D with the target \".\"" sh -c \
	"printf %s \"\$1\" | grep -q 'SRV.* \\.\$'" sh \
	"$(ask +noall +answer "$MSDCS.none.$D" SRV)"
dcf_conf none none.$D
check "target \".\": the pass fails (exit 1, no crash)" pass_fails none
check "target \".\": no domain controller found" grep -q \
	"no domain controller found: no SRV records of $MSDCS.none.$D" \
	"$W/none.log"
check "target \".\": no DC from DNS" sh -c "! grep -q 'from DNS' '$W/none.log'"
# the same with a port (dnsmasq gives port 0 above, which is skipped too)
dcf_conf dot dot.$D
check "target \".\", port 389: the pass fails (exit 1, no crash)" pass_fails dot
check "target \".\", port 389: no domain controller found" grep -q \
	"no domain controller found: no SRV records of $MSDCS.dot.$D" \
	"$W/dot.log"
# with a site: the error names both names asked
dcf_conf nonesite none.$D s9
check "target \".\", site = s9: the pass fails (exit 1)" pass_fails nonesite
check "site = s9: the error names the site's query too" grep -q \
	"no domain controller found: no SRV records of $MSDCS.none.$D nor of _ldap._tcp.s9._sites.dc._msdcs.none.$D" \
	"$W/nonesite.log"

echo "$fails failure(s)"
[ $fails -eq 0 ] || for f in big.log pair.draw nosite.log site.log none.log dot.log nonesite.log; do
	echo "--- $f"; tail -n 15 "$W/$f"
done
[ $fails -eq 0 ]
