#!/bin/bash
# it_dnsmasq.sh - capture through a real DHCP exchange: dnsmasq on a bridge
# in a "hypervisor" network namespace runs scripts/hooks/dnsmasq-vmgroup; a
# "VM" namespace behind a veth asks for a lease with busybox udhcpc under a
# host name of its choosing, then releases it.  The spool must hold the
# registration (name, address, MAC, image, lease end) and the release; a
# hostile host name must be refused and queue nothing.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
PATH=$PATH:/usr/sbin:/sbin
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAILED: $1"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

for p in dnsmasq busybox ip; do
	if ! command -v $p >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
		echo "it_dnsmasq: needs root, dnsmasq, busybox, ip (scripts/install-deps.sh)" >&2
		[ "${CI:-}" = true ] && exit 1
		exit 77
	fi
done

VMGROUP=$(cd "$top_builddir" && pwd)/vmgroup
W=$(mktemp -d "${TMPDIR:-/tmp}/vmg-dhcp.XXXXXX")
H=vmg-hv-$$
V=vmg-vm-$$
upid=
cleanup() {
	[ -z "$upid" ] || kill "$upid" 2>/dev/null
	[ -s "$W/dnsmasq.pid" ] && kill "$(cat "$W/dnsmasq.pid")" 2>/dev/null
	ip netns del "$V" 2>/dev/null
	ip netns del "$H" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

mkdir -m 0750 "$W/spool"
MAC=52:54:00:00:00:07
printf '%s debian-12\n' "$MAC" >"$W/images"
cat >"$W/hook.conf" <<EOF
VMGROUP_SPOOL=$W/spool
VMGROUP_HOST=hv1
VMGROUP_IMAGES=$W/images
VMGROUP=$VMGROUP
EOF
# the VM configures its address, so that its DHCPRELEASE (unicast) leaves
printf '#!/bin/sh\ncase $1 in\nbound|renew) ip addr replace "$ip/$subnet" dev "$interface" ;;\ndeconfig) ip addr flush dev "$interface" ;;\nesac\nexit 0\n' >"$W/udhcpc.sh"
chmod +x "$W/udhcpc.sh"
# dnsmasq gives its script a clean environment: a wrapper names the settings
printf '#!/bin/sh\nVMGROUP_HOOK_CONF=%s exec %s "$@"\n' "$W/hook.conf" \
	"$(cd "$top_srcdir" && pwd)/scripts/hooks/dnsmasq-vmgroup" >"$W/hook"
chmod +x "$W/hook"

ip netns add "$H" && ip netns add "$V" || { bad "namespaces"; exit 1; }
ip -n "$H" link set lo up
ip -n "$H" link add br0 type bridge
ip -n "$H" link set br0 up
ip -n "$H" addr add 192.0.2.1/24 dev br0
ip -n "$H" link add vnet0 type veth peer name eth0 netns "$V"
ip -n "$H" link set vnet0 master br0 up
ip -n "$V" link set eth0 address $MAC up
ip -n "$V" link set lo up
ip netns exec "$H" dnsmasq --keep-in-foreground -C /dev/null --port=0 \
	--no-ping --interface=br0 --bind-interfaces --user=root \
	--dhcp-range=192.0.2.100,192.0.2.150,1h --dhcp-script="$W/hook" \
	--dhcp-leasefile="$W/leases" --pid-file="$W/dnsmasq.pid" \
	--log-facility="$W/dnsmasq.log" --log-dhcp &
for i in $(seq 50); do [ -s "$W/dnsmasq.pid" ] && break; sleep 0.1; done

newest() { ls "$W/spool/new" | tail -n 1; }
wait_files() { # n
	local i
	for i in $(seq 100); do
		[ "$(ls "$W/spool/new" | wc -l)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- a lease: the hook queues the registration
ip netns exec "$V" busybox udhcpc -f -i eth0 -x hostname:Web7 -t 5 \
	-s "$W/udhcpc.sh" >"$W/udhcpc.log" 2>&1 &
upid=$!
leased() { grep -q "lease of 192.0.2.1[0-5][0-9] obtained" "$W/udhcpc.log"; }
polled() { local i; for i in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }
check "the hook queued a registration" wait_files 1
# (dnsmasq runs the hook on its ACK, maybe before udhcpc logs the lease)
check "the VM got a lease" polled leased
f=$W/spool/new/$(newest)
check "register, host hv1, VM web7 (folded), image from the MAC" grep -q \
	'"op":"register","host":"hv1","vm":"web7","image":"debian-12"' "$f"
check "the leased address" grep -q '"addresses":\["192.0.2.1[0-5][0-9]"\]' "$f"
check "the MAC and source" grep -q "\"mac\":\"$MAC\",\"source\":\"dhcp\"" "$f"
check "the lease end" grep -q '"expires":[0-9]\{10\}' "$f"
check "vmgroup plan puts it in its group" sh -c "'$VMGROUP' plan -s '$W/spool' \\
	-H hv1 -z example.test | grep -qx '  members web7'"

# --- the release
kill -USR2 "$upid"	# udhcpc: release the lease now
released() { grep -qs '"op":"release","host":"hv1","vm":"web7"' \
	"$W/spool/new/$(newest)"; }
check "the hook queued the release of web7 (last in the spool)" polled released
check "after the release the group is empty" sh -c "! '$VMGROUP' plan \\
	-s '$W/spool' -H hv1 -z example.test | grep -q web7"

# --- a VM naming itself like the DC: refused, nothing queued
n=$(ls "$W/spool/new" | wc -l)
ip netns exec "$V" busybox udhcpc -i eth0 -x hostname:dc1.example.test -q -n \
	-t 5 -s "$W/udhcpc.sh" >>"$W/udhcpc.log" 2>&1
sleep 1
check "a dotted host name queues nothing" test "$(ls "$W/spool/new" | wc -l)" -eq "$n"
check "and the refusal is logged with its reason" grep -q \
	'refused: vmgroup: refused: field "vm"' "$W/dnsmasq.log"

echo "$fails failure(s)"
[ $fails -eq 0 ] || { tail -n 20 "$W/dnsmasq.log"; cat "$W/udhcpc.log"; }
[ $fails -eq 0 ]
