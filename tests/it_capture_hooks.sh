#!/bin/bash
# it_capture_hooks.sh - capture through the DHCP servers' hooks, end to end:
# a hypervisor's bridge and three VMs in network namespaces
# (tests/lib-dhcpnet.sh); each server in turn leases to the VMs under host
# names of their choosing and runs its hook:
#   dnsmasq   --dhcp-script    scripts/hooks/dnsmasq-vmgroup   (VMs: udhcpc)
#   kea-dhcp4 + kea-dhcp6      scripts/hooks/kea-vmgroup       (udhcpc,
#             run_script                                       dhclient -6)
#   dhcpd     on commit/release/expiry execute()
#                              scripts/hooks/dhcpd-vmgroup     (dhclient -4)
# The spool must hold the right events (op, host, vm, image from the images
# file, addresses, MAC, source, lease end); a client's release removes the
# VM (a release, or a register of what remains); a hostile host name queues
# nothing; a VM naming itself like the DC ("dc1.example.test") never gets
# the DC's name (queued as "dc1" by kea/dhcpd hooks, vmgroupd refuses it).  Then vmgroupd --once against the KDC + slapd of with-testenv.sh
# writes the groups <host>-<image>-vm whose A/AAAA values are exactly the
# leased addresses; after the release, and after a short lease ended
# without one (kea: vmgroupd's own expiry of the event's "expires"; dhcpd:
# its "on expiry" through the hook), the VM is gone from them.
#
# Each server has its own hypervisor name, address pool, VM names, spool
# and state folder, so the phases do not see each other's records.
# Root and the servers are needed: skip (77) without them, fail under CI=true.
# VMG_CAPTURE_SERVERS="dnsmasq kea dhcpd" (the default) chooses the phases.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir
. "$top_srcdir/tests/lib-dhcpnet.sh"
dn_need dnsmasq busybox kea-dhcp4 kea-dhcp6 dhcpd dhclient flock
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"

HOOKS=$top_srcdir/scripts/hooks
dn_init hk 3
dn_net_up || { bad "the namespaces, bridge and veths"; exit 1; }
MAC1=$(dn_mac 1) MAC2=$(dn_mac 2) MAC3=$(dn_mac 3)
# VMs 1 and 2 run debian-12, VM 3 rocky-9: two groups per hypervisor
printf '%s debian-12\n%s debian-12\n%s rocky-9\n' "$MAC1" "$MAC2" "$MAC3" \
	>"$DN_W/images"

# --- per phase: the hypervisor's name, spool, state and vmgroupd.conf
# (dn_phase), and the hooks' settings
phase() { # hypervisor
	dn_phase "$1"
	cat >"$W/hook.conf" <<EOF
VMGROUP_SPOOL=$SPOOL
VMGROUP_HOST=$HV
VMGROUP_IMAGES=$DN_W/images
VMGROUP=$VMGROUP
VMGROUP_HOOK_STATE=$W/hookstate
EOF
}
# a wrapper names the settings (dnsmasq and kea give their scripts a clean
# environment) and keeps the hook's stderr (its refusals) in $W/hook.log
hook_wrapper() { # hook -> prints the wrapper's path
	printf '#!/bin/sh\nVMGROUP_HOOK_CONF=%s\nexport VMGROUP_HOOK_CONF\nexec %s "$@" 2>>%s\n' \
		"$W/hook.conf" "$HOOKS/$1" "$W/hook.log" >"$W/$1"
	chmod +x "$W/$1"
	echo "$W/$1"
}
hook_refusals() { dn_count refused "$W/hook.log"; }
more_refusals() { [ "$(hook_refusals)" -gt "$1" ]; }
queued_or_refused() { [ "$(ev_count)" -gt "$1" ] || more_refusals "$2"; }
# A hostile name: the hook logs the refusal, the spool gets nothing
expect_refused() { # what n_events_before n_refusals_before
	if dn_poll 20 more_refusals "$3"; then
		ok "$1: the hook logged the refusal"
	else
		bad "$1: no refusal in the hook's log"
	fi
	check "$1: nothing queued" test "$(ev_count)" -eq "$2"
	check "$1: nothing quarantined" test -z "$(ls -A "$SPOOL/quarantine" 2>/dev/null)"
}

# VM 2 names itself like the DC, "dc1.example.test": whatever the hook
# queues (kea-vmgroup and dhcpd-vmgroup take the first label, "dc1"; the
# dnsmasq hook refuses the dotted name), the DC's name stays the DC's: the
# DC's node untouched, no PTR for the VM's address, the group unchanged.
no_dc_ptr() { case " $(values "$1" "$R4")" in *" $(rec_ptr "dc1.$Z") "*) return 1 ;; esac; }
dc_name() { # tag udhcpc|dhclient group-members group-addresses...
	local s=$1 how=$2 members=$3 n r seed
	shift 3
	dn_client_stop 2
	n=$(ev_count) r=$(hook_refusals)
	seed=$(values dc1 "$Z")
	if [ "$how" = udhcpc ]; then
		dn_udhcpc 2 dc1.example.test || bad "$s: the VM named dc1.example.test gets its lease"
	else
		dn_dhclient 4 2 dc1.example.test || bad "$s: the VM named dc1.example.test gets its lease"
	fi
	check "$s: the hook queued or refused VM dc1.example.test" \
		dn_poll 20 queued_or_refused "$n" "$r"
	if [ -n "$(ev_of dc1)" ]; then
		echo "note: $s: the hook queued for dc1.example.test: $(ev_of dc1)"
		check "$s: vmgroupd pass after the VM named dc1.example.test" pass
		check "$s: vmgroupd refuses VM dc1 (quarantined: the DC's node is not ours)" \
			grep -qs "does not own" "$SPOOL"/quarantine/*.reason
		rm -f "$SPOOL"/quarantine/*
	else
		vmgroupd_pass "$s: vmgroupd pass after the VM named dc1.example.test"
	fi
	check "$s: the DC's node untouched" test "$(values dc1 "$Z")" = "$seed"
	check "$s: no PTR names the DC for the VM's address" no_dc_ptr "${DN_IP##*.}"
	expect_group debian-12 "$members" "$@"
	dn_client_stop 2
}

failed_logs() { dn_failed_logs "$W/hook.log" "$W/log"; }

# ====================================================================
# dnsmasq: add/old/del through --dhcp-script; v4 leases (udhcpc)
phase_dnsmasq() {
	local ip1 ip2 ip3 n r
	phase hvdm
	# --script-on-renewal: without it dnsmasq runs no script on a renewal,
	# and the registration ends at the first lease end
	dn_dnsmasq_start --dhcp-range=192.0.2.100,192.0.2.119,1h \
		--dhcp-script="$(hook_wrapper dnsmasq-vmgroup)" --script-on-renewal ||
		{ bad "dnsmasq starts"; return; }
	dn_udhcpc 1 DmWeb1 || bad "VM 1 gets a lease"
	ip1=$DN_IP
	expect_reg "dnsmasq: VM 1 registered (name folded, image from the MAC)" \
		dmweb1 debian-12 "$MAC1" 3600 "$ip1"
	dn_udhcpc 2 dmweb2 || bad "VM 2 gets a lease"
	ip2=$DN_IP
	expect_reg "dnsmasq: VM 2 registered" dmweb2 debian-12 "$MAC2" 3600 "$ip2"
	dn_udhcpc 3 dmdb3 || bad "VM 3 gets a lease"
	ip3=$DN_IP
	expect_reg "dnsmasq: VM 3 registered, its own image" dmdb3 rocky-9 "$MAC3" 3600 "$ip3"
	check "dnsmasq: three addresses, all different" test \
		"$(sorted "$ip1" "$ip2" "$ip3" | wc -w)" -eq 3 -a "$ip1" != "$ip2" \
		-a "$ip2" != "$ip3" -a "$ip1" != "$ip3"

	vmgroupd_pass "dnsmasq: vmgroupd pass after the leases"
	expect_group debian-12 "dmweb1 dmweb2" "$ip1" "$ip2"
	expect_group rocky-9 dmdb3 "$ip3"
	expect_node "${ip1##*.}" "$R4" "dnsmasq: PTR of VM 1" "$(rec_ptr "dmweb1.$Z")"

	# the release: udhcpc sends DHCPRELEASE, dnsmasq runs "del"
	dn_udhcpc_release 2 || bad "dnsmasq: VM 2's client releases"
	expect_rel "dnsmasq: VM 2's release queued" dmweb2
	vmgroupd_pass "dnsmasq: vmgroupd pass after the release"
	expect_group debian-12 dmweb1 "$ip1"
	expect_group rocky-9 dmdb3 "$ip3"

	# VM 1 renews: dnsmasq runs "old", a register with the new lease end
	dn_udhcpc_renew 1 || bad "dnsmasq: VM 1 renews"
	expect_reg "dnsmasq: VM 1's renewal queued (a register, the new lease end)" \
		dmweb1 debian-12 "$MAC1" 3600 "$ip1"
	vmgroupd_pass "dnsmasq: vmgroupd pass after the renewal"
	expect_group debian-12 dmweb1 "$ip1"

	# a VM naming itself like the DC: refused, nothing queued
	dn_client_stop 2
	n=$(ev_count) r=$(hook_refusals)
	dn_udhcpc 2 dc1.example.test || bad "dnsmasq: the hostile VM gets its lease"
	expect_refused "dnsmasq: VM named dc1.example.test" "$n" "$r"
	check "dnsmasq: the refusal names the field" grep -q 'refused: field "vm"' "$W/hook.log"

	for n in 1 2 3; do dn_client_stop $n; done
	dn_server_stop dnsmasq
}

# ====================================================================
# kea: run_script; VM 1 gets a v4 (udhcpc) and a v6 lease (dhclient -6 with
# an FQDN): one register with both; VM 3's short lease ends unreleased.
RUN_SCRIPT=$(ls /usr/lib/*/kea/hooks/libdhcp_run_script.so 2>/dev/null | head -n 1)
kea_conf() { # 4|6 hook-wrapper -> config file
	dn_kea_conf "$1" "192.0.2.120 - 192.0.2.139" \
		"2001:db8:1::200 - 2001:db8:1::2ff" '"expired-leases-processing": {
		"reclaim-timer-wait-time": 3600, "flush-reclaimed-timer-wait-time": 0,
		"hold-reclaimed-time": 3600 },
	"hooks-libraries": [ { "library": "'"$RUN_SCRIPT"'",
		"parameters": { "name": "'"$2"'", "sync": false } } ],'
}

phase_kea() {
	local ip1 ip2 ip3 ip6 n r h e3
	phase hvkea
	h=$(hook_wrapper kea-vmgroup)
	dn_kea_start 4 "$(kea_conf 4 "$h")" || { bad "kea-dhcp4 starts"; return; }
	dn_kea_start 6 "$(kea_conf 6 "$h")" || bad "kea-dhcp6 starts"
	dn_udhcpc 1 KeaWeb1 || bad "kea: VM 1 gets a v4 lease"
	ip1=$DN_IP
	expect_reg "kea4: VM 1 registered (name folded, image from the MAC)" \
		keaweb1 debian-12 "$MAC1" 3600 "$ip1"
	dn_dhclient 6 1 keaweb1.example.test || bad "kea: VM 1 gets a v6 lease"
	ip6=$DN_IP
	expect_reg "kea6: VM 1 registered with its v4 and v6 addresses" \
		keaweb1 debian-12 "$MAC1" 3600 "$ip1" "$ip6"
	dn_udhcpc 2 keaweb2 || bad "kea: VM 2 gets a lease"
	ip2=$DN_IP
	expect_reg "kea4: VM 2 registered" keaweb2 debian-12 "$MAC2" 3600 "$ip2"
	# VM 3 asks for a 30 s lease and is gone without a release
	dn_udhcpc 3 keadb3 -x lease:30 || bad "kea: VM 3 gets a lease"
	ip3=$DN_IP
	dn_client_stop 3
	expect_reg "kea4: VM 3 registered, a 30 s lease" keadb3 rocky-9 "$MAC3" 30 "$ip3"
	e3=$(ev_expires keadb3)

	vmgroupd_pass "kea: vmgroupd pass after the leases"
	expect_group debian-12 "keaweb1 keaweb2" "$ip1" "$ip6" "$ip2"
	expect_group rocky-9 keadb3 "$ip3"

	# VM 1 releases its v6 lease: a register with the v4 address left
	dn_dhclient_release 6 1 || bad "kea6: VM 1's dhclient -6 -r"
	expect_reg "kea6: VM 1's v6 release leaves a register of its v4 address" \
		keaweb1 debian-12 "$MAC1" 3600 "$ip1"
	# VM 2 releases its only lease: a release
	dn_udhcpc_release 2 || bad "kea4: VM 2's client releases"
	expect_rel "kea4: VM 2's release queued" keaweb2
	vmgroupd_pass "kea: vmgroupd pass after the releases"
	expect_group debian-12 keaweb1 "$ip1"

	# a hostile name: refused, nothing queued
	dn_client_stop 2
	n=$(ev_count) r=$(hook_refusals)
	dn_udhcpc 2 -evil || bad "kea: the hostile VM gets its lease"
	expect_refused "kea4: VM named -evil" "$n" "$r"

	# VM 1 renews: a register with the new lease end
	dn_udhcpc_renew 1 || bad "kea4: VM 1 renews"
	expect_reg "kea4: VM 1's renewal queued (a register, the new lease end)" \
		keaweb1 debian-12 "$MAC1" 3600 "$ip1"
	dc_name kea4 udhcpc keaweb1 "$ip1"

	# VM 3's lease ends: no event came, the next pass after its end
	# removes it (kea does not reclaim expired leases within the test)
	check "kea: VM 3's lease has an end" test -n "$e3"
	if [ -n "$e3" ]; then
		dn_poll 60 past "$e3"
		check "kea: no event for VM 3 since its register (no release)" \
			test -z "$(ev_of keadb3)"
		vmgroupd_pass "kea: vmgroupd pass after VM 3's lease end"
		group_gone rocky-9
		expect_group debian-12 keaweb1 "$ip1"
	fi
	for n in 1 2 3; do dn_client_stop $n; done
	dn_server_stop kea4
	dn_server_stop kea6
}

# ====================================================================
# ISC dhcpd: on commit / release / expiry execute(); dhclient -4 clients
dhcpd_conf() { # hook-wrapper -> config file
	cat >"$DN_W/dhcpd.conf" <<EOF
authoritative;
ddns-update-style none;
ping-check false;
default-lease-time 3600;
max-lease-time 3600;
min-lease-time 20;
subnet 192.0.2.0 netmask 255.255.255.0 {
	range 192.0.2.140 192.0.2.159;
}
on commit {
	set vmg_ip   = binary-to-ascii(10, 8, ".", leased-address);
	set vmg_mac  = binary-to-ascii(16, 8, ":", substring(hardware, 1, 6));
	set vmg_name = pick-first-value(option host-name, ddns-hostname, "");
	set vmg_lt   = binary-to-ascii(10, 32, "", encode-int(lease-time, 32));
	execute("$1", "commit", vmg_ip, vmg_mac, vmg_name, vmg_lt);
}
on release {
	set vmg_ip  = binary-to-ascii(10, 8, ".", leased-address);
	set vmg_mac = binary-to-ascii(16, 8, ":", substring(hardware, 1, 6));
	execute("$1", "release", vmg_ip, vmg_mac);
}
on expiry {
	set vmg_ip  = binary-to-ascii(10, 8, ".", leased-address);
	set vmg_mac = binary-to-ascii(16, 8, ":", substring(hardware, 1, 6));
	execute("$1", "expiry", vmg_ip, vmg_mac);
}
EOF
	echo "$DN_W/dhcpd.conf"
}

phase_dhcpd() {
	local ip1 ip2 ip3 n r c e3
	phase hvisc
	c=$(dhcpd_conf "$(hook_wrapper dhcpd-vmgroup)")
	if ! ip netns exec "$DN_HOST" "$(dn_prog dhcpd)" -t -4 -cf "$c" >"$DN_W/dhcpd.check" 2>&1; then
		bad "dhcpd -t accepts the hook's snippet: $(tail -n 5 "$DN_W/dhcpd.check")"
		return
	fi
	dn_dhcpd_start "$c" || { bad "dhcpd starts"; return; }
	dn_dhclient 4 1 IscWeb1 || bad "dhcpd: VM 1 gets a lease"
	ip1=$DN_IP
	expect_reg "dhcpd: VM 1 registered (name folded, image from the MAC)" \
		iscweb1 debian-12 "$MAC1" 3600 "$ip1"
	dn_dhclient 4 2 iscweb2 || bad "dhcpd: VM 2 gets a lease"
	ip2=$DN_IP
	expect_reg "dhcpd: VM 2 registered" iscweb2 debian-12 "$MAC2" 3600 "$ip2"
	# VM 3 asks for a 30 s lease and is gone without a release: dhcpd's
	# "on expiry" releases it
	DN_DHCLIENT_EXTRA='send dhcp-lease-time 30;' dn_dhclient 4 3 iscdb3 ||
		bad "dhcpd: VM 3 gets a lease"
	ip3=$DN_IP
	dn_client_stop 3
	expect_reg "dhcpd: VM 3 registered, its own image, a 30 s lease" iscdb3 \
		rocky-9 "$MAC3" 30 "$ip3"
	e3=$(ev_expires iscdb3)

	vmgroupd_pass "dhcpd: vmgroupd pass after the leases"
	expect_group debian-12 "iscweb1 iscweb2" "$ip1" "$ip2"
	expect_group rocky-9 iscdb3 "$ip3"

	dn_dhclient_release 4 2 || bad "dhcpd: VM 2's dhclient -r"
	expect_rel "dhcpd: VM 2's release queued" iscweb2
	vmgroupd_pass "dhcpd: vmgroupd pass after the release"
	expect_group debian-12 iscweb1 "$ip1"
	expect_group rocky-9 iscdb3 "$ip3"

	dn_client_stop 2
	n=$(ev_count) r=$(hook_refusals)
	dn_dhclient 4 2 '-evil' || bad "dhcpd: the hostile VM gets its lease"
	expect_refused "dhcpd: VM named -evil" "$n" "$r"

	# VM 3's lease ends: dhcpd runs "on expiry", the hook queues its release
	check "dhcpd: VM 3's lease has an end" test -n "$e3"
	if [ -n "$e3" ]; then
		dn_poll 60 past "$((e3 + 1))"
		if dn_poll 30 ev_is iscdb3 "$(rel_line iscdb3)"; then
			ok "dhcpd: VM 3's lease ended: on expiry queued its release"
		else
			bad "dhcpd: no release of iscdb3 after its lease ended (last event: [$(ev_of iscdb3)])"
		fi
		vmgroupd_pass "dhcpd: vmgroupd pass after VM 3's lease end"
		group_gone rocky-9
		expect_group debian-12 iscweb1 "$ip1"
	fi
	dc_name dhcpd dhclient iscweb1 "$ip1"
	for n in 1 2 3; do dn_client_stop $n; done
	dn_server_stop dhcpd
}

dn_phases
