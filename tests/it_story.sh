#!/bin/bash
# it_story.sh - the whole story in one test (issue 14): from a VM's DHCP
# lease to its packets dropped on the bridge, with every real part.
#
#   a hypervisor's network (tests/lib-dhcpnet.sh): a host namespace with
#   br0 (192.0.2.1) and dnsmasq; five VM namespaces on veths, udhcpc in
#   each with a host name: web1, web2 run debian-12, db1, db2 rocky-9 (the
#   sniffer's map file), VM 5 (debian-12) calls itself dc1
#     -> vmgroup-capture on br0 (unprivileged, CAP_NET_RAW) queues the
#        leases into a spool
#     -> vmgroupd (host hv1, a running daemon) writes them into a real
#        Samba AD DC (tests/with-samba.sh)
#     -> dig against the DC: hv1-debian-12-vm and hv1-rocky-9-vm answer
#        exactly their two VMs' addresses
#     -> vmgroup enforce --follow --install-rules, as its unit runs it (in
#        the host's namespace, unprivileged, CAP_NET_ADMIN alone,
#        Type=notify): follows the directory by LDAP change notification
#        (--interval 600, so polling cannot explain a pass) and drops
#        blocked groups' traffic on br0
#   Every VM reaches the gateway and the others; vmgroup block
#   hv1-debian-12-vm: the debian VMs reach nothing, the rocky VMs still
#   reach the gateway and each other; vmgroup unblock: all reach again.
#   The time from the block command to the enforcer's apply is printed
#   ("note: ..."), never asserted (bench/ measures it).
#   VM 5 leases as dc1, the DC's own name: vmgroupd refuses it (its log
#   says why), the directory's dnsNode and vmGroup objects are unchanged
#   and dc1 still answers the DC's address alone.
#
# Root, Samba, dnsmasq, busybox, nft, dig, setpriv, ldapsearch are needed:
# skip (77) without them, fail under CI=true.  Every process is ended by
# its PID, the namespaces deleted, the temp folders removed.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir
. "$top_srcdir/tests/lib-dhcpnet.sh"
dn_need dnsmasq busybox setpriv nft dig ldapsearch
CAPTURE=$top_builddir/vmgroup-capture
if [ ! -x "$CAPTURE" ] || [ ! -x "$top_builddir/vmgroup" ] ||
    [ ! -x "$top_builddir/vmgroupd" ]; then
	echo "it_story: vmgroup, vmgroupd, vmgroup-capture not built" >&2
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
if [ -z "${VMG_SAMBA_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-samba.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-samba.sh"
START=$(date +%s)
NOBODY=65534

dn_init st 5
# vmgroupd's and the enforcer's files in DN_W: the PIDs dn_bg records are
# signalled only while their command line names DN_W
rm -rf "$W"
W=$DN_W/it
mkdir -p "$W"
conf hv1 no
CONF=$W/hv1.conf
SPOOL=$W/hv1/spool
G1=hv1-debian-12-vm
G2=hv1-rocky-9-vm
GW=192.0.2.1
DC=$VMG_SAMBA_IP
NAME=("" web1 web2 db1 db2 dc1)
IMAGE=("" debian-12 debian-12 rocky-9 rocky-9 debian-12)
IP=()
now_ms() { echo $(($(date +%s%N) / 1000000)); }

failed_logs() {
	local f
	for f in "$DN_W"/*.out "$DN_W"/*.log "$SPOOL"/quarantine/*.reason; do
		[ -s "$f" ] || continue
		echo "=== $f"
		tail -n 30 "$f"
	done
}
finish() {
	echo "it_story: $(($(date +%s) - START)) s"
	echo "$fails failure(s)"
	[ "$fails" -eq 0 ] || failed_logs
	[ "$fails" -eq 0 ]
	exit $?
}

# --- the hypervisor's network, dnsmasq, the map file
dn_net_up || { bad "the namespaces, bridge and veths"; finish; }
for k in 1 2 3 4 5; do
	echo "$(dn_mac $k) ${IMAGE[$k]}"
done >"$DN_W/map"
dn_dnsmasq_start --dhcp-range=192.0.2.100,192.0.2.149,1h ||
	{ bad "dnsmasq starts on br0"; finish; }

# --- the sniffer, as its unit runs it: nobody, CAP_NET_RAW alone
chmod o+x "$DN_W" "$W" "$W/hv1"
mkdir -p "$SPOOL" && chgrp "$NOBODY" "$SPOOL" && chmod 2770 "$SPOOL"
install -d -o "$NOBODY" -g "$NOBODY" -m 0750 "$DN_W/capstate"
dn_bg capture ip netns exec "$DN_HOST" setpriv --reuid="$NOBODY" \
	--regid="$NOBODY" --clear-groups --inh-caps=-all,+net_raw \
	--ambient-caps=-all,+net_raw --bounding-set=-all,+net_raw \
	"$CAPTURE" -i br0 -s "$SPOOL" -H hv1 -m "$DN_W/map" -d "$DN_W/capstate" -v
check "vmgroup-capture listens on br0" dn_poll 15 dn_in_log capture.out 'listening on br0'

# --- vmgroupd, a running daemon in the DC's namespace (the spool is a folder)
dn_bg vmgroupd ip netns exec "$VMG_SAMBA_NS" "$VMGROUPD" -d -v --allow-root -f "$CONF"

# --- the enforcer: no table of ours before it
no_tables() { ! ip netns exec "$DN_HOST" nft list tables | grep -q vmgroup; }
check "no table vmgroup in the host namespace before the enforcer" no_tables
applies() { dn_count 'blocked group(s), .* address(es) in' "$DN_W/enforce.out"; }
applied() { # n0 pattern: an apply line after the n0th one, the last matching
	[ "$(applies)" -gt "$1" ] &&
	    grep 'blocked group(s), .* address(es) in' "$DN_W/enforce.out" |
	    tail -n 1 | grep -q -- "$2"
}
# as its unit runs it: in the host's network namespace, as an unprivileged
# user with CAP_NET_ADMIN alone, Type=notify; the DC over a veth between
# the host's namespace and the DC's (its address, inside br0's prefix,
# routed there by a /32)
ip -n "$VMG_SAMBA_NS" link add vst-dc type veth peer name vst-host \
	netns "$DN_HOST" &&
	ip -n "$VMG_SAMBA_NS" addr add 10.99.0.1/30 dev vst-dc &&
	ip -n "$VMG_SAMBA_NS" link set vst-dc up &&
	ip -n "$DN_HOST" addr add 10.99.0.2/30 dev vst-host &&
	ip -n "$DN_HOST" link set vst-host up &&
	ip -n "$DN_HOST" route add "$DC/32" via 10.99.0.1 src 10.99.0.2 ||
	{ bad "a veth from the host's namespace to the DC's"; finish; }
E=$DN_W/enf
install -d -o $NOBODY -g $NOBODY -m 0700 "$E"
install -o $NOBODY -g $NOBODY -m 0600 "$VMG_SAMBA_KEYTAB" "$E/keytab"
install -o $NOBODY -g $NOBODY -m 0644 "$KRB5_CONFIG" "$E/krb5.conf"
sed "s|^keytab = .*|keytab = $E/keytab|" "$CONF" >"$E/hv1.conf"
chown $NOBODY "$E/hv1.conf"
# the service manager's end of $NOTIFY_SOCKET: each datagram, one a line
dn_bg notify python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chown(sys.argv[1], int(sys.argv[3]), -1)
while True:
    m = s.recv(4096).decode("utf-8", "replace").replace("\n", " ")
    with open(sys.argv[2], "a") as f:
        f.write(m + "\n")
' "$E/notify.sock" "$E/notify.log" $NOBODY
check "a notify socket listens" dn_poll 10 test -S "$E/notify.sock"
dn_bg enforce ip netns exec "$DN_HOST" env NOTIFY_SOCKET="$E/notify.sock" \
	KRB5_CONFIG="$E/krb5.conf" setpriv --reuid="$NOBODY" --regid="$NOBODY" \
	--clear-groups --inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin \
	--bounding-set=-all,+net_admin \
	"$VMGROUP" enforce -f "$E/hv1.conf" --follow --install-rules --interval 600
check "Type=notify: the enforcer says READY=1" \
	dn_poll 60 grep -qs "READY=1" "$E/notify.log"
pid=$(dn_pid enforce)
check "it runs as uid $NOBODY with CAP_NET_ADMIN alone" sh -c \
	"grep -q '^Uid:[[:space:]]*$NOBODY[[:space:]]' /proc/$pid/status &&
	grep -qx 'CapEff:[[:space:]]*0000000000001000' /proc/$pid/status"
check "in the host's network namespace" test \
	"$(readlink /proc/$pid/ns/net)" = "$(ip netns exec "$DN_HOST" readlink /proc/self/ns/net)"
check "the enforcer applies: 0 blocked groups" dn_poll 60 applied 0 \
	'^0 blocked group(s), 0 address(es)'
# (not "offers neither change notification nor syncrepl: polling")
check "it follows the directory by change notification" \
	dn_poll 30 dn_in_log enforce.out 'following .* by change notification'
table_ok() { # family: the enforcer's table, its sets and drop rules
	ip netns exec "$DN_HOST" nft list table "$1" vmgroup >"$DN_W/table.$1" &&
	    grep -q 'set blocked4' "$DN_W/table.$1" &&
	    grep -q 'set blocked6' "$DN_W/table.$1" &&
	    grep -q '@blocked4 .*drop' "$DN_W/table.$1" &&
	    grep -q '@blocked6 .*drop' "$DN_W/table.$1"
}
for fam in inet bridge; do
	check "it installed table $fam vmgroup: sets blocked4/6, drop rules" table_ok $fam
done

# --- the VMs lease; the sniffer queues them; vmgroupd writes them
for k in 1 2 3 4; do
	if dn_udhcpc $k "${NAME[$k]}"; then
		IP[$k]=$DN_IP
		ok "VM $k (${NAME[$k]}, ${IMAGE[$k]}) leases ${IP[$k]}"
	else
		bad "VM $k (${NAME[$k]}) gets a lease"
		finish
	fi
	check "the sniffer queued ${NAME[$k]}" dn_poll 20 dn_in_log capture.out \
		"queued register ${NAME[$k]} addresses ${IP[$k]} ($(dn_mac $k))"
done
want() { printf '%s\n' "$@" | sort | tr '\n' ' '; }
answers() { [ "$(ask "$1" A)" = "$(want "${@:2}")" ]; }
expect_group() { # group address...: waits for dig to answer exactly those
	if dn_poll 60 answers "$1.$Z" "${@:2}"; then
		ok "dig $1.$Z A: exactly ${*:2}"
	else
		bad "dig $1.$Z A answers [$(ask "$1.$Z" A)], want [$(want "${@:2}")]"
	fi
}
expect_group $G1 "${IP[1]}" "${IP[2]}"
expect_group $G2 "${IP[3]}" "${IP[4]}"
check "vmGroup $G1: members web1 web2" test \
	"$(attr "CN=$G1,$VMG_SAMBA_OU_DN" vmGroupMember)" = "web1 web2 "

# --- reachability: busybox ping, one echo, 1 s
reach() { ip netns exec "$(dn_vmns "$1")" busybox ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
can() { # k address what: reaches it (retried, bounded: a loaded machine)
	if dn_poll 10 reach "$1" "$2"; then ok "$3"; else bad "$3"; fi
}
cannot() { # k address what: one echo unanswered (the rules are in place)
	if reach "$1" "$2"; then bad "$3"; else ok "$3"; fi
}
all_reach() { # phase
	local k j
	for k in 1 2 3 4; do
		can $k $GW "$1: ${NAME[$k]} reaches the gateway"
		for j in 1 2 3 4; do
			[ $j -eq $k ] || can $k "${IP[$j]}" "$1: ${NAME[$k]} reaches ${NAME[$j]}"
		done
	done
}
all_reach "before the block"

# --- block: wait for the enforcer's apply (not a clock), then the pings
wait_apply() { # t0 n0 pattern -> ms from t0 to that apply (-1: none in 30 s)
	local t0=$1 n0=$2 pat=$3 t1
	if dn_poll 30 applied "$n0" "$pat"; then
		t1=$(now_ms)
		echo "$((t1 - t0))"
	else
		echo -1
	fi
}
follows() { dn_count 'following .* by change notification' "$DN_W/enforce.out"; }
nf=$(follows)
n0=$(applies)
t0=$(now_ms)
check "vmgroup block $G1" ip netns exec "$VMG_SAMBA_NS" "$VMGROUP" block \
	-f "$CONF" -r "it_story" "$G1"
ms=$(wait_apply "$t0" "$n0" '^1 blocked group(s), 2 address(es)')
if [ "$ms" -ge 0 ]; then
	ok "the enforcer applied the block: $(grep 'blocked group(s)' "$DN_W/enforce.out" | tail -n 1)"
	echo "note: block took $ms ms to enforce"
else
	bad "no apply of 1 blocked group, 2 addresses within 30 s"
fi
set4() { # family: the addresses in its set blocked4, sorted, one line
	ip netns exec "$DN_HOST" nft list set "$1" vmgroup blocked4 |
	    tr -d '\n' | sed -n 's/.*elements = {\([^}]*\)}.*/\1/p' |
	    tr -d ' \t' | tr ',' '\n' | sort | tr '\n' ' '
}
for fam in inet bridge; do
	check "set $fam vmgroup blocked4 holds web1 and web2 alone" \
		test "$(set4 $fam)" = "$(want "${IP[1]}" "${IP[2]}")"
done
for k in 1 2; do
	cannot $k $GW "blocked: ${NAME[$k]} no longer reaches the gateway"
	for j in 1 2 3 4; do
		[ $j -eq $k ] || cannot $k "${IP[$j]}" \
			"blocked: ${NAME[$k]} no longer reaches ${NAME[$j]}"
	done
done
cannot 3 "${IP[1]}" "blocked: db1 no longer reaches web1"
for k in 3 4; do
	can $k $GW "blocked: ${NAME[$k]} (rocky-9) still reaches the gateway"
done
can 3 "${IP[4]}" "blocked: db1 still reaches db2"
can 4 "${IP[3]}" "blocked: db2 still reaches db1"

# a DHCP server's answer (UDP 67 -> 68) across the bridge: db2's reaches
# db1; web1's, sent before it, does not (a blocked VM hands out no lease,
# no gateway or DNS server of its own). db1 reads until db2's came, then
# 1 s more for a straggler, as a ping above waits 1 s for its answer.
udp68() { # k file: VM k writes the datagrams it gets on UDP 68 into file
	ip netns exec "$(dn_vmns "$1")" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 68))
open(sys.argv[1] + ".ready", "w").close()
s.settimeout(60)
with open(sys.argv[1], "w") as f:
    try:
        while True:
            d = s.recv(512)
            f.write(d.decode("ascii", "replace") + "\n")
            if d == b"marker":
                s.settimeout(1)
    except socket.timeout:
        pass
' "$2"
}
send67() { # k address text: VM k sends text from UDP port 67 to address:68
	ip netns exec "$(dn_vmns "$1")" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 67))
s.sendto(sys.argv[2].encode(), (sys.argv[1], 68))
' "$2" "$3"
}
rm -f "$W/udp68" "$W/udp68.ready"
udp68 3 "$W/udp68" &
upid=$!
if dn_poll 30 test -e "$W/udp68.ready"; then
	check "web1 (blocked) sends a DHCP answer to db1" send67 1 "${IP[3]}" from-web1
	check "db2 sends one after it" send67 4 "${IP[3]}" marker
else
	bad "db1 listens on UDP 68"
fi
wait "$upid"
check "DHCP answers across the bridge: db2's reaches db1" \
	grep -qx marker "$W/udp68"
check "blocked: web1's DHCP answer (UDP 67 -> 68) to db1 dropped" \
	sh -c "! grep -q from-web1 '$W/udp68'"

n0=$(applies)
t0=$(now_ms)
check "vmgroup unblock $G1" ip netns exec "$VMG_SAMBA_NS" "$VMGROUP" unblock \
	-f "$CONF" "$G1"
ms=$(wait_apply "$t0" "$n0" '^0 blocked group(s), 0 address(es)')
if [ "$ms" -ge 0 ]; then
	ok "the enforcer applied the unblock"
	echo "note: unblock took $ms ms to enforce"
else
	bad "no apply of 0 blocked groups within 30 s"
fi
all_reach "after the unblock"
check "the change notification brought both: no reconnect in between" \
	test "$(follows)" -eq "$nf"

# --- a blocked group that holds the DC's own address (a DC that is a VM
# of a blocked image): kept out of the sets, said once, and the enforcer
# still sees the group go (blocked, the DC would be cut off from it)
DCG="CN=hv9-manual-vm,$VMG_SAMBA_OU_DN"
n0=$(applies)
printf 'dn: %s\nchangetype: add\nobjectClass: vmGroup\ncn: hv9-manual-vm\nvmGroupHost: hv9\nvmGroupDNSName: hv9-manual-vm.%s\nvmGroupAddress: %s\nvmGroupAddress: 192.0.2.250\nvmGroupBlocked: TRUE\n' \
	"$DCG" "$Z" "$DC" | admin_modify
check "an admin adds a blocked group holding $DC (the DC) and 192.0.2.250" \
	test "$(attr "$DCG" vmGroupAddress)" = "$(want 192.0.2.250 "$DC")"
check "the enforcer applies it: 1 group, 1 address" \
	dn_poll 30 applied "$n0" '^1 blocked group(s), 1 address(es)'
for fam in inet bridge; do
	check "set $fam vmgroup blocked4 holds 192.0.2.250 alone" \
		test "$(set4 $fam)" = "192.0.2.250 "
done
check "it says why $DC is not in it" dn_in_log enforce.out \
	"the address of a directory server this enforcer reads never put in a set .*: $DC in group hv9-manual-vm\$"
n0=$(applies)
printf 'dn: %s\nchangetype: modify\nreplace: vmGroupBlocked\nvmGroupBlocked: FALSE\n' \
	"$DCG" | admin_modify
check "the admin unblocks it" test "$(attr "$DCG" vmGroupBlocked)" = "FALSE "
check "the enforcer still hears the directory: 0 groups applied" \
	dn_poll 30 applied "$n0" '^0 blocked group(s), 0 address(es)'
printf 'dn: %s\nchangetype: delete\n' "$DCG" | admin_modify
check "and deletes it" test -z "$(attr "$DCG" cn)"

# --- VM 5 calls itself dc1: refused, the directory unchanged
dump() { # every dnsNode of the DNS partition and every vmGroup object, one line each
	{ admin -b "DC=DomainDnsZones,$VMG_SAMBA_BASE" '(objectClass=dnsNode)' \
		dnsRecord dNSTombstoned uSNChanged
	  admin -b "$VMG_SAMBA_OU_DN" '(objectClass=vmGroup)' '*' uSNChanged
	} | awk 'BEGIN { RS = "" } { gsub(/\n/, " | "); print }' | sort
}
dc1_before=$(ask "dc1.$Z" A)
check "dc1 answers the DC's address alone" test "$dc1_before" = "$DC "
dump >"$W/dir.before"
check "the dump holds the dc1 node and the vmGroup objects" sh -c \
	"grep -q '^dn: DC=dc1,DC=$Z,' '$W/dir.before' && grep -q 'CN=$G1,' '$W/dir.before'"
if dn_udhcpc 5 dc1; then
	IP[5]=$DN_IP
	ok "VM 5 (dc1) leases ${IP[5]}"
else
	bad "VM 5 (dc1) gets a lease"
fi
check "the sniffer queued it (a DNS label; only the directory knows the name)" \
	dn_poll 20 dn_in_log capture.out "queued register dc1 addresses ${IP[5]:-?}"
refusal() { grep 'registration of VM dc1 refused' "$DN_W/vmgroupd.out"; }
if dn_poll 60 refusal >/dev/null; then
	ok "vmgroupd refused it"
	echo "note: vmgroupd: $(refusal | tail -n 1)"
else
	bad "no refusal of VM dc1 in vmgroupd's log"
fi
check "its spool file quarantined, with the reason" sh -c \
	"grep -qs 'does not own' '$SPOOL'/quarantine/*.reason"
spool_empty() { [ -z "$(ls -A "$SPOOL/new")" ]; }
check "the spool emptied" dn_poll 30 spool_empty

kill_logged() { # name what: SIGTERM, it ends
	local pid
	pid=$(dn_pid "$1")
	dn_signal "$pid" TERM
	check "$2 ends at SIGTERM" dn_poll 10 dn_gone "$pid"
	dn_kill "$1"
}
kill_logged enforce "the enforcer"
kill_logged capture "vmgroup-capture"
# vmgroupd stopped: whatever it was to write is written
kill_logged vmgroupd "vmgroupd"
dump >"$W/dir.after"
if cmp -s "$W/dir.before" "$W/dir.after"; then
	ok "no dnsNode and no vmGroup object changed ($(wc -l <"$W/dir.after") objects)"
else
	bad "the directory changed: $(diff "$W/dir.before" "$W/dir.after" | head -n 6)"
fi
check "dc1 still answers the DC's address alone" test "$(ask "dc1.$Z" A)" = "$DC "
expect_group $G1 "${IP[1]}" "${IP[2]}"
check "no PTR for VM 5's address" test -z \
	"$(ask "$(echo "${IP[5]:-0.0.0.0}" | awk -F. '{print $4"."$3"."$2"."$1}').in-addr.arpa" PTR)"
finish
