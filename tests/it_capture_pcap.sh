#!/bin/bash
# it_capture_pcap.sh - capture by sniffing, end to end: vmgroup-capture
# listens on the hypervisor's bridge br0 (tests/lib-dhcpnet.sh: a host
# namespace, four VM namespaces on veths) while UNMODIFIED DHCP servers, no
# hook, lease to the VMs in turn:
#   dnsmasq (DHCPv4 and DHCPv6), kea-dhcp4 + kea-dhcp6, ISC dhcpd (v4).
# VM 1 gets a v4 lease (udhcpc) and a v6 lease (dhclient -6 with an FQDN),
# VMs 2 and 3 a v4 lease each, under host names of their choosing.  The
# spool must hold source "pcap" events with the right names, images (the
# map file), addresses (v4 and v6 merged into one register) and MACs; a
# DHCPRELEASE releases the VM, a DHCPv6 Release leaves a register of what
# remains; a renewal is a refresh; hostile host names (VM 4, not in the map)
# queue nothing.  With
# dnsmasq the bridge goes down and up: the capture opens it again (a second
# "listening on br0") and still captures.  vmgroupd --once against the KDC +
# slapd of with-testenv.sh then writes groups <host>-<image>-vm whose A/AAAA
# values are exactly the leased addresses, and removes the released VMs and,
# with kea, a VM whose short lease ended without a release.
#
# Each server has its own hypervisor name, address pool, VM names, spool,
# capture state and vmgroupd state.  Root and the servers are needed: skip
# (77) without them, fail under CI=true.  VMG_CAPTURE_SERVERS="dnsmasq kea
# dhcpd" (the default) chooses the phases.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir
. "$top_srcdir/tests/lib-dhcpnet.sh"
dn_need dnsmasq busybox kea-dhcp4 kea-dhcp6 dhcpd dhclient setpriv
NOBODY=65534
CAPTURE=${VMGROUP_CAPTURE:-$top_builddir/vmgroup-capture}
if [ ! -x "$CAPTURE" ]; then
	echo "it_capture_pcap: $CAPTURE not built" >&2
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"

DN_SRC=pcap
dn_init pc 5
dn_net_up || { bad "the namespaces, bridge and veths"; exit 1; }
MAC1=$(dn_mac 1) MAC2=$(dn_mac 2) MAC3=$(dn_mac 3) MAC4=$(dn_mac 4)
MAC5=$(dn_mac 5)
# the map file: VMs 1 and 2 run debian-12, VM 3 rocky-9; VM 4 is unknown
# VM 5 has static addresses and a NAME there: -a learns them
printf '# MAC IMAGE [NAME]\n%s debian-12\n%s debian-12\n%s rocky-9\n%s debian-12 pcstatic5\n' \
	"$MAC1" "$MAC2" "$MAC3" "$MAC5" >"$DN_W/map"

# --- the sniffer, one per phase (its own spool and state)
# It runs as its unit runs it: an unprivileged user (nobody here, vmgroup
# there) in the spool's group, with CAP_NET_RAW and no other capability.
capture_start() {
	local pid
	CAPNAME=cap_$HV
	CAPLOG=$DN_W/$CAPNAME.out
	chmod o+x "$VMG_TEST_DIR" "$DN_W" "$W"
	chgrp "$NOBODY" "$SPOOL" && chmod 2770 "$SPOOL"
	install -d -o "$NOBODY" -g "$NOBODY" -m 0750 "$DN_W/capstate-$HV"
	dn_bg "$CAPNAME" ip netns exec "$DN_HOST" setpriv --reuid="$NOBODY" \
		--regid="$NOBODY" --clear-groups --inh-caps=-all,+net_raw \
		--ambient-caps=-all,+net_raw --bounding-set=-all,+net_raw \
		"$CAPTURE" -i br0 -s "$SPOOL" -H "$HV" -m "$DN_W/map" \
		-d "$DN_W/capstate-$HV" -a -v
	if dn_poll 15 listening 1; then
		ok "vmgroup-capture: listening on br0"
	else
		bad "vmgroup-capture did not say 'listening on br0'"
		return 1
	fi
	pid=$(dn_pid "$CAPNAME")
	check "it runs as uid $NOBODY with CAP_NET_RAW alone" sh -c \
		"grep -q '^Uid:[[:space:]]*$NOBODY[[:space:]]' /proc/$pid/status &&
		grep -qx 'CapEff:[[:space:]]*0000000000002000' /proc/$pid/status"
}
listening() { [ "$(dn_count 'listening on br0' "$CAPLOG")" -ge "$1" ]; }
# the -v line of a queued event: "queued OP VM addresses A[,B] (MAC) from WHAT"
logged() { grep -qF -- "$1" "$CAPLOG" 2>/dev/null; }
expect_logged() { # what line
	if dn_poll 10 logged "$2"; then ok "$1"; else
		bad "$1: no line '$2' in its log"
	fi
}
capture_stop() { # SIGTERM: it saves its lease table and exits
	local pid
	pid=$(dn_pid "$CAPNAME")
	dn_signal "$pid" TERM
	check "vmgroup-capture ends at SIGTERM" dn_poll 10 dn_gone "$pid"
	check "and has saved its lease table" test -s "$DN_W/capstate-$HV/leases"
	dn_kill "$CAPNAME"
}

failed_logs() { dn_failed_logs "$W/log"; }

# Hostile host names from VM 4 (not in the map): "-evil" (no DNS label) and
# "dc1.example.test" (the DC's name, dotted): refused, nothing queued.
# Then VM 1 renews: its refresh, queued after the hostile VM's DHCPACKs went
# by, says the capture has seen those ACKs (packets are taken in order).
hostile() { # server-tag client-kind: udhcpc or dhclient
	local s=$1 warn name
	for name in -evil dc1.example.test; do
		warn=$(dn_count "\"$name\"" "$CAPLOG")
		if [ "$2" = udhcpc ]; then
			dn_udhcpc 4 "$name" || bad "$s: VM 4 ($name) gets its lease"
		else
			dn_dhclient 4 4 "$name" || bad "$s: VM 4 ($name) gets its lease"
		fi
		if dn_poll 10 more_named "$name" "$warn"; then
			ok "$s: the capture warns about the name $name"
		else
			bad "$s: no warning about the name $name in the capture's log"
		fi
		dn_client_stop 4
	done
	dn_udhcpc_renew 1 || bad "$s: VM 1 renews"
	expect_logged "$s: VM 1's renewal: a refresh" \
		"queued refresh pcweb1$s addresses $IP1 ($MAC1) from DHCPACK"
	check "$s: VM 1's refresh in the spool" ev_is "pcweb1$s" \
		"$(reg_line "pcweb1$s" debian-12 "$MAC1" "$IP1" | sed 's/"op":"register"/"op":"refresh"/')"
	check "$s: nothing queued for the hostile VM's MAC" no_mac_events "$MAC4"
	check "$s: no event logged for its MAC" sh -c "! grep -q 'queued.*($MAC4)' '$CAPLOG'"
}
no_mac_events() { ! grep -qs "\"mac\":\"$1\"" "$SPOOL"/new/*; }
more_named() { [ "$(dn_count "\"$1\"" "$CAPLOG")" -gt "$2" ]; }

# The common part: leases, release, v6 release, records.  $1: server tag,
# $2: how VMs 2-4 ask for v4 (udhcpc or dhclient), $3: the v4 lease (s),
# $4: 1 if the server leases v6 too, $5 (udhcpc only): a short lease VM 3
# asks for, its client then gone without a release (E3: the lease end)
leases_and_records() {
	local s=$1 how=$2 lease=$3 v6=$4 short=${5:-} ip1 ip2 ip3 ip6=
	dn_udhcpc 1 "PcWeb1$s" || bad "$s: VM 1 gets a v4 lease"
	ip1=$DN_IP IP1=$DN_IP
	expect_reg "$s: VM 1's DHCPACK: a register (name folded, image from the map)" \
		"pcweb1$s" debian-12 "$MAC1" "$lease" "$ip1"
	expect_logged "$s: logged" "queued register pcweb1$s addresses $ip1 ($MAC1) from DHCPACK"
	if [ "$v6" = 1 ]; then
		dn_dhclient 6 1 "pcweb1$s.example.test" || bad "$s: VM 1 gets a v6 lease"
		ip6=$DN_IP
		expect_reg "$s: VM 1's DHCPv6 Reply: one register with v4 and v6" \
			"pcweb1$s" debian-12 "$MAC1" "$lease" "$ip1" "$ip6"
		expect_logged "$s: logged" \
			"queued register pcweb1$s addresses $ip1,$ip6 ($MAC1) from DHCPv6 Reply"
	fi
	if [ "$how" = udhcpc ]; then
		dn_udhcpc 2 "pcweb2$s" || bad "$s: VM 2 gets a lease"
		ip2=$DN_IP
		dn_udhcpc 3 "pcdb3$s" ${short:+-x lease:$short} || bad "$s: VM 3 gets a lease"
		ip3=$DN_IP
		[ -z "$short" ] || dn_client_stop 3
	else
		dn_dhclient 4 2 "pcweb2$s" || bad "$s: VM 2 gets a lease"
		ip2=$DN_IP
		dn_dhclient 4 3 "pcdb3$s" || bad "$s: VM 3 gets a lease"
		ip3=$DN_IP
	fi
	expect_reg "$s: VM 2 registered" "pcweb2$s" debian-12 "$MAC2" "$lease" "$ip2"
	expect_reg "$s: VM 3 registered, its own image" "pcdb3$s" rocky-9 "$MAC3" \
		"${short:-$lease}" "$ip3"
	E3=$(ev_expires "pcdb3$s")

	vmgroupd_pass "$s: vmgroupd pass after the leases"
	expect_group debian-12 "pcweb1$s pcweb2$s" "$ip1" $ip6 "$ip2"
	expect_group rocky-9 "pcdb3$s" "$ip3"

	# VM 2 releases (DHCPRELEASE): a release
	if [ "$how" = udhcpc ]; then
		dn_udhcpc_release 2 || bad "$s: VM 2's client releases"
	else
		dn_dhclient_release 4 2 || bad "$s: VM 2's dhclient -r"
	fi
	expect_rel "$s: VM 2's DHCPRELEASE: a release" "pcweb2$s"
	expect_logged "$s: logged" "queued release pcweb2$s addresses $ip2 ($MAC2) from DHCPRELEASE"
	if [ "$v6" = 1 ]; then
		# VM 1 releases its v6 lease: a register of its v4 address
		dn_dhclient_release 6 1 || bad "$s: VM 1's dhclient -6 -r"
		expect_reg "$s: VM 1's DHCPv6 Release: a register of what remains" \
			"pcweb1$s" debian-12 "$MAC1" "$lease" "$ip1"
		expect_logged "$s: logged" \
			"queued register pcweb1$s addresses $ip1 ($MAC1) from DHCPv6 Release"
	fi
	vmgroupd_pass "$s: vmgroupd pass after the releases"
	expect_group debian-12 "pcweb1$s" "$ip1"
	# (a short lease of VM 3 may have ended by now on a loaded machine)
	[ -n "$short" ] || expect_group rocky-9 "pcdb3$s" "$ip3"
	dn_client_stop 2
	IP1=$ip1 IP3=$ip3
}

# ====================================================================
phase_dnsmasq() {
	local ip2
	dn_phase hvpdm
	dn_dnsmasq_start --dhcp-range=192.0.2.160,192.0.2.179,1h \
		--dhcp-range=2001:db8:1::300,2001:db8:1::3ff,64,1h ||
		{ bad "dnsmasq starts"; return; }
	capture_start || return
	leases_and_records dm udhcpc 3600 1
	hostile dm udhcpc

	# the bridge goes down and up: the capture opens it again
	dn_br_bounce || bad "dnsmasq: br0 down and up"
	if dn_poll 40 listening 2; then
		ok "dnsmasq: after br0 down and up, the capture listens again"
	else
		bad "dnsmasq: no second 'listening on br0'"
	fi
	dn_udhcpc 2 pcweb2dm || bad "dnsmasq: VM 2 gets a lease again"
	ip2=$DN_IP
	expect_reg "dnsmasq: captured after the bridge came back" pcweb2dm \
		debian-12 "$MAC2" 3600 "$ip2"
	vmgroupd_pass "dnsmasq: vmgroupd pass after the bridge came back"
	expect_group debian-12 "pcweb1dm pcweb2dm" "$IP1" "$ip2"

	capture_stop
	for n in 1 2 3 4; do dn_client_stop $n; done
	dn_server_stop dnsmasq
}

kea_conf() { # 4|6 -> config file (no hook)
	dn_kea_conf "$1" "192.0.2.180 - 192.0.2.199" "2001:db8:1::400 - 2001:db8:1::4ff"
}

phase_kea() {
	dn_phase hvpkea
	dn_kea_start 4 "$(kea_conf 4)" || { bad "kea-dhcp4 starts"; return; }
	dn_kea_start 6 "$(kea_conf 6)" || bad "kea-dhcp6 starts"
	capture_start || return
	leases_and_records kea udhcpc 3600 1 30
	hostile kea udhcpc
	# VM 3's 30 s lease ends unreleased: no packet, no event; the next pass
	# after its end removes it
	check "kea: VM 3's lease has an end" test -n "$E3"
	if [ -n "$E3" ]; then
		dn_poll 60 past "$E3"
		check "kea: no event for VM 3 since its register" test -z "$(ev_of pcdb3kea)"
		vmgroupd_pass "kea: vmgroupd pass after VM 3's lease end"
		group_gone rocky-9
		expect_group debian-12 pcweb1kea "$IP1"
	fi
	capture_stop
	for n in 1 2 3 4; do dn_client_stop $n; done
	dn_server_stop kea4
	dn_server_stop kea6
}

# VM 5, static (no DHCP client): its ARP (asking for the gateway) and its
# neighbour advertisement (answering the host) tell its addresses; -a
# registers them, without a lease end, under the map's name.  VMs with DHCP
# leases are in the map without a NAME: their ARP is not taken.
static_vm() { # server-tag; $1 members of debian-12 so far, then addresses
	local s=$1 members=$2 ns
	shift 2
	ns=$(dn_vmns 5)
	ip -n "$ns" addr add 192.0.2.77/24 dev eth0
	ip -n "$ns" addr add 2001:db8:1::77/64 dev eth0 nodad
	ip netns exec "$ns" busybox ping -c 1 -W 5 192.0.2.1 >/dev/null ||
		bad "$s: VM 5 reaches the host"
	ip netns exec "$DN_HOST" busybox ping -6 -c 1 -W 5 2001:db8:1::77 >/dev/null ||
		bad "$s: the host reaches VM 5 over IPv6"
	if dn_poll 20 ev_is pcstatic5 "$(reg_line pcstatic5 debian-12 "$MAC5" \
		192.0.2.77 2001:db8:1::77)"; then
		ok "$s: -a: the static VM registered from its ARP and NA"
	else
		bad "$s: -a: the spool's last event of pcstatic5 is [$(ev_of pcstatic5)]"
	fi
	check "$s: -a: no lease end for a static VM" sh -c \
		"! grep -qs '\"vm\":\"pcstatic5\".*expires' '$SPOOL'/new/*"
	expect_logged "$s: -a: logged" \
		"queued register pcstatic5 addresses 192.0.2.77 ($MAC5) from ARP"
	check "$s: -a: DHCP VMs' ARP not taken" sh -c \
		"! grep -q 'from ARP' '$CAPLOG' || ! grep 'from ARP' '$CAPLOG' | grep -qv pcstatic5"
	vmgroupd_pass "$s: vmgroupd pass after the static VM"
	expect_group debian-12 "$members pcstatic5" "$@" 192.0.2.77 2001:db8:1::77
}

phase_dhcpd() {
	dn_phase hvpisc
	cat >"$DN_W/dhcpd.conf" <<EOF
authoritative;
ddns-update-style none;
ping-check false;
dhcp-cache-threshold 0;
default-lease-time 3600;
max-lease-time 3600;
subnet 192.0.2.0 netmask 255.255.255.0 {
	range 192.0.2.200 192.0.2.219;
}
EOF
	dn_dhcpd_start "$DN_W/dhcpd.conf" || { bad "dhcpd starts"; return; }
	capture_start || return
	leases_and_records isc dhclient 3600 0
	hostile isc dhclient
	static_vm isc pcweb1isc "$IP1"
	capture_stop
	for n in 1 2 3 4 5; do dn_client_stop $n; done
	dn_server_stop dhcpd
}

dn_phases
