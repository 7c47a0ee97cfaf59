# lib-dhcpnet.sh - a hypervisor's network in network namespaces, for the
# end-to-end capture tests (sourced; bash).
#
# One "host" namespace holds a Linux bridge br0 (192.0.2.1/24 and
# 2001:db8:1::1/64, IPv6 DAD off so addresses are usable at once); N "VM"
# namespaces each sit on a veth into br0 (eth0, MAC 52:54:00:00:01:0K).
# DHCP servers (dnsmasq, kea-dhcp4, kea-dhcp6, isc dhcpd) run in the host
# namespace with their configuration, lease file, pid file and log in the
# test's temp folder, started in the background by the test (so it knows
# their PIDs); clients (busybox udhcpc, dhclient -4, dhclient -6) run in a
# VM namespace, each with its own script, lease file and pid file.
#
# Everything is named per run (vmg-<tag>h-$$, vmg-<tag>vK-$$) and recorded:
# dn_cleanup (on EXIT) kills only the PIDs this library started, deletes
# only the namespaces it created, and removes its temp folder.  Every wait
# is a bounded poll for a file, a log line or a lease.
#
#   dn_need PROG...        root and the programs, else exit 77 (1 under CI=true)
#   dn_init TAG N          temp folder $DN_W, names, trap; dn_net_up builds
#   dn_net_up              the namespaces, the bridge and the veths
#   dn_br_bounce           br0 down, then up again
#   dn_mac K, dn_vmns K    VM K's MAC address and namespace
#   dn_dnsmasq_start ARGS  dnsmasq on br0 (extra options as ARGS)
#   dn_kea_start 4|6 FILE  kea-dhcp4/6 -c FILE (checked with -t first)
#   dn_dhcpd_start FILE    dhcpd -4 -f -d -cf FILE on br0
#   dn_prog PROG           the path to run PROG by (a copy where AppArmor is on)
#   dn_server_stop NAME    stop a server started here (dnsmasq, kea4, kea6, dhcpd)
#   dn_udhcpc K NAME       udhcpc -x hostname:NAME in VM K; waits for the lease,
#                          sets DN_IP (the address)
#   dn_udhcpc_renew K      SIGUSR1: the client renews its lease (waits for it)
#   dn_udhcpc_release K    SIGUSR2: the client releases its lease
#   dn_dhclient 4|6 K NAME dhclient -4 (send host-name) / -6 (send fqdn.fqdn)
#                          in VM K; waits for the lease, sets DN_IP; more
#                          dhclient.conf lines in DN_DHCLIENT_EXTRA
#   dn_dhclient_release 4|6 K   dhclient -r / -6 -r
#   dn_client_stop K       stop VM K's clients without a release; flush eth0
#   dn_poll SECONDS CMD... true once CMD is, false after SECONDS

: "${top_srcdir:=.}"
PATH=$PATH:/usr/sbin:/sbin

dn_log() { echo "dhcpnet: $*" >&2; }

dn_need() { # prog...
	local p missing=
	[ "$(id -u)" -eq 0 ] || missing="$missing root"
	for p in ip "$@"; do
		command -v "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "${0##*/}: needs root and these programs; missing:$missing" \
		"(scripts/install-deps.sh)" >&2
	if [ "${CI:-}" = true ]; then
		echo "${0##*/}: CI=true: a missing dependency is a failure" >&2
		exit 1
	fi
	exit 77
}

# Poll, bounded: true once the command succeeds; false after $1 seconds.
dn_poll() { # seconds command...
	local end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

dn_init() { # tag nvms
	DN_TAG=$1
	DN_N=$2
	DN_W=$(mktemp -d "${TMPDIR:-/tmp}/vmg-dhcpnet.XXXXXX") || exit 1
	DN_HOST=vmg-$1h-$$
	DN_PIDS=
	DN_NETNS=
	trap dn_cleanup EXIT
	trap 'exit 130' INT TERM
}

dn_mac() { printf '52:54:00:00:01:%02x' "$1"; }
dn_vmns() { echo "vmg-${DN_TAG}v$1-$$"; }

dn_ns_add() { # name: created here, so deleted here
	ip netns add "$1" || return 1
	DN_NETNS="$DN_NETNS $1"
	ip -n "$1" link set lo up
	# no DAD: addresses usable at once (the bridge's, the link-local ones)
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.accept_ra=0 \
		>/dev/null
}

dn_net_up() {
	local k ns
	dn_ns_add "$DN_HOST" || return 1
	ip -n "$DN_HOST" link add br0 type bridge mcast_snooping 0 || return 1
	# its IPv6 address stays when the bridge goes down (dn_br_bounce)
	ip netns exec "$DN_HOST" sysctl -qw net.ipv6.conf.br0.keep_addr_on_down=1 >/dev/null
	ip -n "$DN_HOST" addr add 192.0.2.1/24 dev br0
	ip -n "$DN_HOST" addr add 2001:db8:1::1/64 dev br0 nodad
	ip -n "$DN_HOST" link set br0 up
	for k in $(seq "$DN_N"); do
		ns=$(dn_vmns "$k")
		dn_ns_add "$ns" || return 1
		ip -n "$DN_HOST" link add "vnet$k" type veth peer name eth0 netns "$ns" ||
			return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_dad=0 >/dev/null
		ip -n "$ns" link set eth0 address "$(dn_mac "$k")"
		ip -n "$DN_HOST" link set "vnet$k" master br0 up
		ip -n "$ns" link set eth0 up
	done
	dn_poll 10 dn_br_up
}
dn_br_up() { ip -n "$DN_HOST" -o link show br0 | grep -q 'state UP' &&
	ip -n "$DN_HOST" -6 -o addr show dev br0 scope link | grep -q 'fe80' &&
	! ip -n "$DN_HOST" -o addr show dev br0 | grep -q tentative; }

# The bridge goes down and comes up again (what a host's network restart
# does to a capture on it).
dn_br_bounce() {
	ip -n "$DN_HOST" link set br0 down || return 1
	dn_poll 5 dn_br_down || return 1
	ip -n "$DN_HOST" link set br0 up || return 1
	dn_poll 10 dn_br_up
}
dn_br_down() { ! ip -n "$DN_HOST" -o link show br0 | grep -q 'state UP'; }

# --- processes: started in the background here, recorded by name and PID
# Each command started here names $DN_W in its arguments: a PID is signalled
# only while its command line still does (never a reused PID).  Jobs are
# disowned: bash reaps them without "Killed" notices.
dn_bg() { # name command...: stdout and stderr into $DN_W/name.out
	local name=$1
	shift
	"$@" >>"$DN_W/$name.out" 2>&1 &
	DN_PIDS="$DN_PIDS $!"
	eval "DN_PID_$name=$!"
	disown $!
}
dn_pid() { eval "echo \${DN_PID_$1:-}"; }
dn_alive() { # pid: running, not a zombie, ours
	local s
	s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $s in Z* | "") return 1 ;; esac
	{ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$DN_W"
}
dn_signal() { dn_alive "$1" && kill "-$2" "$1" 2>/dev/null; } # pid signal
dn_kill() { # name [signal]: stop a process started here, wait for its end
	local pid
	pid=$(dn_pid "$1")
	[ -n "$pid" ] || return 0
	dn_signal "$pid" "${2:-TERM}"
	dn_poll 5 dn_gone "$pid" || { dn_signal "$pid" KILL; dn_poll 3 dn_gone "$pid"; }
	eval "DN_PID_$1="
	return 0
}
dn_gone() { ! dn_alive "$1"; }
dn_in_log() { grep -q -- "$2" "$DN_W/$1" 2>/dev/null; } # file pattern

dn_cleanup() {
	local pid ns
	for pid in $DN_PIDS; do
		dn_signal "$pid" TERM
	done
	for pid in $DN_PIDS; do
		dn_poll 5 dn_gone "$pid" || dn_signal "$pid" KILL
	done
	for ns in $DN_NETNS; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -z "${DN_W:-}" ] || [ -n "${DN_KEEP:-}" ] || rm -rf "$DN_W"
	[ -z "${DN_KEEP:-}" ] || echo "dhcpnet: kept $DN_W" >&2
	return 0
}

# AppArmor: Debian's profiles for dhcpd, dhclient and kea confine them to
# their system paths (/etc/dhcp, /var/lib/dhcp, /sbin/dhclient-script), and
# attach by path.  Where AppArmor is on (or DN_COPY_PROGS=1), the servers
# and clients run as copies in the temp folder, which no profile names.
dn_prog() { # program -> the path to run
	local p
	p=$(command -v "$1") || { echo "$1"; return; }
	if [ "${DN_COPY_PROGS:-}" = 1 ] || { [ -r /sys/module/apparmor/parameters/enabled ] &&
	    [ "$(cat /sys/module/apparmor/parameters/enabled)" = Y ]; }; then
		mkdir -p "$DN_W/bin"
		[ -x "$DN_W/bin/$1" ] || cp "$p" "$DN_W/bin/$1" || { echo "$p"; return; }
		p=$DN_W/bin/$1
	fi
	echo "$p"
}

# --- servers
dn_dnsmasq_start() { # extra dnsmasq options...
	rm -f "$DN_W/dnsmasq.pid"
	dn_bg dnsmasq ip netns exec "$DN_HOST" "$(dn_prog dnsmasq)" --keep-in-foreground \
		-C /dev/null --port=0 --no-ping --interface=br0 --bind-interfaces \
		--user=root --group=root --dhcp-leasefile="$DN_W/dnsmasq.leases" \
		--pid-file="$DN_W/dnsmasq.pid" --log-facility="$DN_W/dnsmasq.log" \
		--log-dhcp "$@"
	dn_poll 10 dn_in_log dnsmasq.log 'DHCP, IP range' ||
		{ dn_log "dnsmasq did not start"; cat "$DN_W/dnsmasq.out" >&2; return 1; }
}

dn_kea_start() { # 4|6 config-file
	local v=$1 conf=$2
	export KEA_PIDFILE_DIR=$DN_W KEA_LOCKFILE_DIR=$DN_W
	if ! ip netns exec "$DN_HOST" "$(dn_prog "kea-dhcp$v")" -t "$conf" >"$DN_W/kea$v.check" 2>&1; then
		dn_log "kea-dhcp$v -t $conf:"
		cat "$DN_W/kea$v.check" >&2
		return 1
	fi
	dn_bg "kea$v" ip netns exec "$DN_HOST" "$(dn_prog "kea-dhcp$v")" -c "$conf"
	# the server is up once it says so in its log (or its output)
	dn_poll 15 dn_kea_settled "$v"
	dn_kea_up "$v" ||
		{ dn_log "kea-dhcp$v did not start"; cat "$DN_W/kea$v.out" >&2; return 1; }
}
dn_kea_up() { cat "$DN_W/kea$1.out" "$DN_W/kea$1.log" 2>/dev/null |
	grep -q "DHCP$1_STARTED"; }
dn_kea_settled() { dn_kea_up "$1" || ! dn_alive "$(dn_pid "kea$1")"; }

dn_dhcpd_start() { # config-file
	: >>"$DN_W/dhcpd.leases"
	dn_bg dhcpd ip netns exec "$DN_HOST" "$(dn_prog dhcpd)" -4 -f -d -cf "$1" \
		-lf "$DN_W/dhcpd.leases" -pf "$DN_W/dhcpd.pid" br0
	dn_poll 15 dn_in_log dhcpd.out 'Server starting service' ||
		{ dn_log "dhcpd did not start"; cat "$DN_W/dhcpd.out" >&2; return 1; }
}

dn_server_stop() { dn_kill "$1"; } # dnsmasq | kea4 | kea6 | dhcpd

# --- clients
# udhcpc's script: the VM configures its address (its DHCPRELEASE is
# unicast, from it) and notes each state in $DN_W/vmK.states.
dn_udhcpc_script() { # k
	cat >"$DN_W/udhcpc$1.sh" <<EOF
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "\$1 \${ip:-}" >>"$DN_W/vm$1.states"
case \$1 in
bound|renew) ip addr replace "\$ip/\$subnet" dev "\$interface" ;;
deconfig) ip -4 addr flush dev "\$interface" ;;
esac
exit 0
EOF
	chmod +x "$DN_W/udhcpc$1.sh"
}

dn_udhcpc() { # k name [udhcpc options...]: waits for the lease; DN_IP
	local k=$1 name=$2 n
	shift 2
	dn_udhcpc_script "$k"
	n=$(dn_count 'lease of .* obtained' "$DN_W/udhcpc$k.out")
	dn_bg "udhcpc$k" ip netns exec "$(dn_vmns "$k")" busybox udhcpc -f \
		-i eth0 -x "hostname:$name" -T 1 -t 20 -A 1 -s "$DN_W/udhcpc$k.sh" "$@"
	DN_IP=
	dn_poll 30 dn_udhcpc_leased "$k" "$n" || { dn_log "VM $k: no lease";
		cat "$DN_W/udhcpc$k.out" >&2; return 1; }
	DN_IP=$(grep 'lease of .* obtained' "$DN_W/udhcpc$k.out" | tail -n 1 |
		sed 's/.*lease of \([0-9.]*\) obtained.*/\1/')
}
dn_udhcpc_leased() { [ "$(dn_count 'lease of .* obtained' "$DN_W/udhcpc$1.out")" -gt "$2" ]; }
dn_count() { # pattern file: how many lines match (0 without the file)
	local c
	c=$(grep -c -- "$1" "$2" 2>/dev/null)
	echo "${c:-0}"
}

dn_udhcpc_renew() { # k: SIGUSR1, waits for the renewed lease
	local pid n
	pid=$(dn_pid "udhcpc$1")
	[ -n "$pid" ] || return 1
	n=$(dn_count 'lease of .* obtained' "$DN_W/udhcpc$1.out")
	dn_signal "$pid" USR1
	dn_poll 15 dn_udhcpc_leased "$1" "$n"
}

dn_udhcpc_release() { # k: SIGUSR2, waits until udhcpc says it released
	local pid
	pid=$(dn_pid "udhcpc$1")
	[ -n "$pid" ] || return 1
	dn_signal "$pid" USR2
	dn_poll 10 dn_in_log "udhcpc$1.out" 'entering released state'
}

# dhclient's script: the address set with ip (not /sbin/dhclient-script,
# which touches resolv.conf); each reason noted in $DN_W/vmK.states.
dn_dhclient_script() { # k
	cat >"$DN_W/dhclient$1.sh" <<EOF
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "\$reason \${new_ip_address:-}\${new_ip6_address:-}" >>"$DN_W/vm$1.states"
case \$reason in
PREINIT|PREINIT6) ip link set dev "\$interface" up ;;
BOUND|RENEW|REBIND|REBOOT)
	if [ -n "\${old_ip_address:-}" ] && [ "\$old_ip_address" != "\$new_ip_address" ]; then
		ip -4 addr del "\$old_ip_address/\$old_subnet_mask" dev "\$interface"
	fi
	ip addr replace "\$new_ip_address/\$new_subnet_mask" dev "\$interface" ;;
EXPIRE|FAIL|RELEASE|STOP)
	[ -z "\${old_ip_address:-}" ] ||
		ip -4 addr del "\$old_ip_address/\$old_subnet_mask" dev "\$interface" ;;
BOUND6|RENEW6|REBIND6|REBOOT6)
	[ -z "\${new_ip6_address:-}" ] ||
		ip -6 addr replace "\$new_ip6_address/\$new_ip6_prefixlen" dev "\$interface" nodad ;;
EXPIRE6|RELEASE6|STOP6)
	[ -z "\${old_ip6_address:-}" ] ||
		ip -6 addr del "\$old_ip6_address/\$old_ip6_prefixlen" dev "\$interface" ;;
esac
exit 0
EOF
	chmod +x "$DN_W/dhclient$1.sh"
}

dn_dhclient_args() { # v k: the files of VM k's dhclient -v
	echo "-$1 -v -sf $DN_W/dhclient$2.sh -lf $DN_W/dhclient$1-$2.leases" \
		"-pf $DN_W/dhclient$1-$2.pid -cf $DN_W/dhclient$1-$2.conf"
}

dn_dhclient() { # 4|6 k name: waits for the lease; DN_IP
	local v=$1 k=$2 name=$3 n
	dn_dhclient_script "$k"
	if [ "$v" = 4 ]; then
		printf 'send host-name "%s";\ninitial-interval 1;\nbackoff-cutoff 2;\n%s\n' \
			"$name" "${DN_DHCLIENT_EXTRA:-}" >"$DN_W/dhclient4-$k.conf"
	else
		printf 'send fqdn.fqdn "%s";\ninitial-interval 1;\nbackoff-cutoff 2;\n%s\n' \
			"$name" "${DN_DHCLIENT_EXTRA:-}" >"$DN_W/dhclient6-$k.conf"
	fi
	: >>"$DN_W/dhclient$v-$k.leases"
	n=$(dn_bound_count "$v" "$k")
	# shellcheck disable=SC2046
	dn_bg "dhclient$v$k" ip netns exec "$(dn_vmns "$k")" "$(dn_prog dhclient)" -d \
		$(dn_dhclient_args "$v" "$k") eth0
	DN_IP=
	dn_poll 40 dn_dhclient_bound "$v" "$k" "$n" || { dn_log "VM $k: no lease (dhclient -$v)";
		cat "$DN_W/dhclient$v$k.out" >&2; return 1; }
	DN_IP=$(dn_bound_lines "$v" "$k" | tail -n 1 | cut -d' ' -f2)
}
dn_bound_lines() { # v k
	if [ "$1" = 4 ]; then
		grep -E '^(BOUND|RENEW|REBIND|REBOOT) ' "$DN_W/vm$2.states" 2>/dev/null
	else
		grep -E '^(BOUND6|RENEW6|REBIND6|REBOOT6) [0-9a-f:]+$' "$DN_W/vm$2.states" 2>/dev/null
	fi
}
dn_bound_count() { dn_bound_lines "$1" "$2" | wc -l; }
dn_dhclient_bound() { [ "$(dn_bound_count "$1" "$2")" -gt "$3" ]; }

dn_dhclient_release() { # 4|6 k: dhclient -r stops the running one and releases
	local v=$1 k=$2 pid
	pid=$(dn_pid "dhclient$v$k")
	# shellcheck disable=SC2046
	ip netns exec "$(dn_vmns "$k")" timeout 30 "$(dn_prog dhclient)" -r \
		$(dn_dhclient_args "$v" "$k") eth0 >>"$DN_W/dhclient$v$k.release" 2>&1 ||
		{ dn_log "dhclient -$v -r in VM $k failed"; cat "$DN_W/dhclient$v$k.release" >&2; return 1; }
	[ -z "$pid" ] || dn_poll 10 dn_gone "$pid"
	dn_kill "dhclient$v$k"
}

dn_client_stop() { # k: its clients gone without a release; eth0 flushed
	local k=$1 c
	for c in "udhcpc$k" "dhclient4$k" "dhclient6$k"; do
		dn_kill "$c" KILL
	done
	ip -n "$(dn_vmns "$k")" -4 addr flush dev eth0
	ip -n "$(dn_vmns "$k")" -6 addr flush dev eth0 scope global
	rm -f "$DN_W/dhclient4-$k.leases" "$DN_W/dhclient6-$k.leases"
}

# ====================================================================
# Spool and directory helpers of the capture tests (after lib-it.sh,
# inside with-testenv.sh; lib-it's ok/bad/check, expect_node, attr, pass).
#
#   dn_phase HV            a hypervisor of its own: HV, OWNER, W, SPOOL, CONF
#                          (vmgroupd.conf with [groups] host = HV)
#   ev_of VM               the VM's newest spool event (canonical line)
#   expect_reg WHAT VM IMAGE MAC LEASE ADDR...
#                          waits until the VM's newest event is that register
#                          (source $DN_SRC, default dhcp), lease end now+LEASE
#   expect_rel WHAT VM     waits until the VM's newest event is a release
#   vmgroupd_pass WHAT     vmgroupd --once; spool emptied, nothing quarantined
#   expect_group IMAGE "VMS" ADDR...   group HV-IMAGE-vm: A/AAAA = ADDRs
#                          exactly, its vmGroup object's members and addresses
#   group_gone IMAGE       the group's node tombstoned, its object gone
dn_phase() { # hypervisor
	HV=$1
	OWNER=$HV
	W=$VMG_TEST_DIR/it-$HV
	SPOOL=$W/spool
	CONF=$W/vmgroupd.conf
	mkdir -m 0750 "$W" "$SPOOL" || return 1
	write_conf image no
	sed -i "s/^host = hv1\$/host = $HV/" "$CONF"
	echo "--- $HV"
}

# The VM's newest event in the spool (one canonical line), or nothing.
ev_of() { # vm
	local f last=
	for f in $(ls "$SPOOL/new" 2>/dev/null | sort); do
		grep -q "\"vm\":\"$1\"" "$SPOOL/new/$f" 2>/dev/null && last=$f
	done
	[ -z "$last" ] || cat "$SPOOL/new/$last"
}
ev_is() { # vm prefix: the VM's newest event starts with prefix
	local e
	e=$(ev_of "$1")
	[ -n "$e" ] && [ "${e#"$2"}" != "$e" ]
}
ev_count() { ls "$SPOOL/new" | wc -l; }
# The canonical register up to its "time" (as vmgroup register and the
# queue library write it)
reg_line() { # vm image mac address... (in canonical order: v4, then v6)
	local vm=$1 img=$2 mac=$3 a list=
	shift 3
	for a; do list+="${list:+,}\"$a\""; done
	printf '{"version":1,"op":"register","host":"%s","vm":"%s",%s"addresses":[%s],"mac":"%s","source":"%s","time":' \
		"$HV" "$vm" "${img:+\"image\":\"$img\",}" "$list" "$mac" "${DN_SRC:-dhcp}"
}
rel_line() { printf '{"version":1,"op":"release","host":"%s","vm":"%s",' "$HV" "$1"; }
# "expires" of the VM's newest event is the lease end: within $2 seconds
# before now + $3 (the lease)
ev_expires() { ev_of "$1" | sed -n 's/.*"expires":\([0-9]*\)}.*/\1/p'; }
expires_ok() { # vm slack lease
	local e now
	e=$(ev_expires "$1")
	now=$(date +%s)
	[ -n "$e" ] && [ "$e" -le $((now + $3 + 1)) ] && [ "$e" -ge $((now + $3 - $2)) ]
}
# "time" of the VM's newest event: the last two minutes
time_ok() {
	local t now
	t=$(ev_of "$1" | sed -n 's/.*"time":\([0-9]*\)[,}].*/\1/p')
	now=$(date +%s)
	[ -n "$t" ] && [ "$t" -le "$now" ] && [ "$t" -ge $((now - 120)) ]
}
expect_reg() { # what vm image mac lease address...: waits for it
	local what=$1 vm=$2 img=$3 mac=$4 lease=$5 want
	shift 5
	want=$(reg_line "$vm" "$img" "$mac" "$@")
	if dn_poll 20 ev_is "$vm" "$want"; then
		ok "$what"
		check "$what: its time" time_ok "$vm"
		check "$what: its lease end" expires_ok "$vm" 120 "$lease"
	else
		bad "$what: the spool's last event of $vm is [$(ev_of "$vm")], want [$want...]"
	fi
}
expect_rel() { # what vm: waits for the VM's release
	if dn_poll 20 ev_is "$2" "$(rel_line "$2")"; then
		ok "$1"
	else
		bad "$1: the spool's last event of $2 is [$(ev_of "$2")], want a release"
	fi
}
past() { [ "$(date +%s)" -gt "$1" ]; }

# IPv6 text -> 32 hex digits (rec_aaaa's argument)
v6hex() {
	local a=$1 h t g out='' i n
	if [[ $a == *::* ]]; then h=${a%%::*} t=${a#*::}; else h=$a t=; fi
	local -a hs ts
	IFS=: read -ra hs <<<"$h"
	IFS=: read -ra ts <<<"$t"
	n=0
	[[ $a != *::* ]] || n=$((8 - ${#hs[@]} - ${#ts[@]}))
	for g in "${hs[@]}"; do out+=$(printf %04x $((16#$g))); done
	for ((i = 0; i < n; i++)); do out+=0000; done
	for g in "${ts[@]}"; do out+=$(printf %04x $((16#$g))); done
	echo "$out"
}
recs() { # address... -> their A/AAAA values
	local a
	for a; do
		case $a in
		*:*) rec_aaaa "$(v6hex "$a")" ;;
		*) rec_a "$a" ;;
		esac
		echo
	done
}
expect_group() { # image "members" address...: node and vmGroup object
	local g=$HV-$1-vm members=$2
	shift 2
	# shellcheck disable=SC2046
	expect_node "$g" "$Z" "group $g: A/AAAA = the leased addresses" $(recs "$@")
	# shellcheck disable=SC2086 # $members: one name a word
	check "vmGroup $g: members $members" test "$(attr "CN=$g,$VMG_TEST_OU_DN" \
		vmGroupMember)" = "$(sorted $members)"
	check "vmGroup $g: addresses" test "$(attr "CN=$g,$VMG_TEST_OU_DN" \
		vmGroupAddress)" = "$(sorted "$@")"
}
group_gone() { # image: the group's node tombstoned (or never there)
	local g=$HV-$1-vm
	if tombstoned "$g" "$Z" || [ -z "$(all_values "$g" "$Z")" ]; then
		ok "group $g gone from DNS"
	else
		bad "group $g still holds [$(values "$g" "$Z")]"
	fi
	check "vmGroup $g gone" test -z "$(attr "CN=$g,$VMG_TEST_OU_DN" vmGroupMember)"
}
vmgroupd_pass() { # what
	if pass; then ok "$1"; else bad "$1 (vmgroupd log: $(tail -n 5 "$W/log"))"; fi
	check "$1: the spool emptied" test -z "$(ls -A "$SPOOL/new")"
	check "$1: nothing quarantined" test -z "$(ls -A "$SPOOL/quarantine" 2>/dev/null)"
}
dn_failed_logs() { # the logs, after a failure
	local f
	for f in "$DN_W"/*.out "$DN_W"/*.log "$DN_W"/vm*.states "$@"; do
		[ -s "$f" ] || continue
		echo "=== $f"
		tail -n 25 "$f"
	done
}

# dn_phases: phase_SERVER for each server of VMG_CAPTURE_SERVERS (default
# dnsmasq kea dhcpd), the logs of a phase that failed, and the verdict.
dn_phases() {
	local s f0
	for s in ${VMG_CAPTURE_SERVERS:-dnsmasq kea dhcpd}; do
		f0=$fails
		"phase_$s"
		[ "$fails" -eq "$f0" ] || failed_logs
	done
	echo "$fails failure(s)"
	[ "$fails" -eq 0 ]
}

# dn_kea_conf 4|6 POOL4 POOL6 [JSON]: a kea-dhcp4/6 configuration on br0
# (memfile leases, control socket and log in DN_W; POOL "first - last";
# JSON: more top-level members, each ending in a comma); its path.
dn_kea_conf() {
	local v=$1 sub
	if [ "$v" = 4 ]; then
		sub='"subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
			"pools": [ { "pool": "'$2'" } ] } ],'
	else
		sub='"subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "br0",
			"pools": [ { "pool": "'$3'" } ] } ],
		"data-directory": "'$DN_W'",
		"preferred-lifetime": 3000, "min-preferred-lifetime": 20, "max-preferred-lifetime": 3000,'
	fi
	cat >"$DN_W/kea$v.json" <<EOF
{ "Dhcp$v": {
	"interfaces-config": { "interfaces": [ "br0" ] },
	"control-socket": { "socket-type": "unix", "socket-name": "$DN_W/kea$v.sock" },
	"lease-database": { "type": "memfile", "persist": true,
		"name": "$DN_W/kea$v.leases", "lfc-interval": 0 },
	"valid-lifetime": 3600, "min-valid-lifetime": 20, "max-valid-lifetime": 3600,
	$sub
	${4:-}
	"loggers": [ { "name": "kea-dhcp$v", "severity": "INFO",
		"output_options": [ { "output": "$DN_W/kea$v.log" } ] } ]
} }
EOF
	echo "$DN_W/kea$v.json"
}
