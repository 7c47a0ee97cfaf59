#!/bin/bash
# dirbench.sh - issue 11, "as fast as the directory allows": vmgroupd's
# figures against floors measured in the same run (bench/README.md).
#
#   bench/dirbench.sh [--quick] [--no-samba | --samba-only]
#       [--samba-vms N (the Samba storm's size, 1000 by default)] [--keep]
#   (make bench-dir, or make bench-dir DIRBENCH_FLAGS=--quick)
#
# Every measurement gets fresh servers: tests/with-testenv.sh (a private
# KDC + slapd on loopback, slapd's stats log on through VMG_TEST_SLAPD_LOG)
# or tests/with-samba.sh (a Samba AD DC in a network namespace of its own);
# this script re-runs itself inside them (--in-testenv, --in-samba) and
# keeps the raw results in a folder it removes at the end (--keep: it
# stays and is named).  It runs the vmgroupd and vmgroup of $top_builddir,
# whatever their code, and stops only the processes it started, by PID.
# One line per figure, value next to its floor, ratio, target, MET/MISSED.
# Not part of make check: timing targets depend on the machine.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}" "${top_builddir:=.}"
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
export top_srcdir top_builddir
VMGROUPD=$top_builddir/vmgroupd
PY=/usr/bin/python3
HELPER=$here/dirbench.py
PATH=$PATH:/usr/sbin:/sbin

say() { echo "dirbench: $*" >&2; }
failed() { say "$*"; : >"$RES/failed"; }	# a step failed (not a target)
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------- common

# write_conf FILE URI PRINCIPAL KEYTAB BASE OU ZONE REV4 REV6 WORKDIR
write_conf() {
	cat >"$1" <<EOF
[directory]
uri = $2
principal = $3
keytab = $4
base = $5
groups_ou = $6
timeout = 30

[dns]
zone = $7
reverse_zones = $8 $9
ttl = 300
vm_records = no

[groups]
host = hv1
grouping = image

[daemon]
spool = ${10}/spool
state_dir = ${10}/state
EOF
}

# timed OUT CMD...: run CMD; OUT gets "elapsed user sys maxrss_kib rc"
# (microseconds: dirbench.py run, from fork to wait)
timed() {
	"$PY" "$HELPER" run "$@"
}

# wall OUT CMD...: print the wall seconds of CMD, its output into OUT;
# CMD's status
wall() {
	local out=$1 t0 t1 rc
	shift
	t0=$(date +%s%N)
	"$@" >"$out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	awk -v d=$(( (t1 - t0) / 1000 )) 'BEGIN { printf "%.6f", d / 1e6 }'
	return $rc
}

fig() { echo "$1 $2" >>"$FIG"; }	# key value -> the run's figures file
# The median of the numbers given (an odd count).
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
# Rounds of a no-change pass and of its floor.
ROUNDS=5

spool_left() { find "$1/new" -type f | wc -l; }

# Start the daemon in the foreground mode, in the background; PID in $DPID.
# $1: prefix command (empty, or ip netns exec NS), $2 conf, $3 log
start_daemon() {
	$1 "$VMGROUPD" -d --allow-root -f "$2" 2>>"$3" &
	DPID=$!
}

stop_daemon() {
	kill -TERM "$DPID" 2>/dev/null || return 0
	. "$top_srcdir/tests/lib-proc.sh"
	wait_gone "$DPID"
	wait "$DPID" 2>/dev/null
}

# The CPU time a process has run, in ns (schedstat: exact, not in ticks).
cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }
vmhwm_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

# ----------------------------------------------------- slapd: op counting

# ops LOG FROM_LINE PREFIX: the operations of the connections bound as the
# service account, after line FROM_LINE of slapd's stats log, by type;
# writes PREFIX_<type> and PREFIX_rt (round trips: all but UNBIND/ABANDON)
ops() {
	local line
	while read -r line; do
		fig "$3_${line%% *}" "${line#* }"
	done < <(tail -n +"$(($2 + 1))" "$1" | awk '
		{ c = ""; o = ""; t = "" }
		match($0, /conn=[0-9]+ op=[0-9]+ [A-Z]+/) {
			split(substr($0, RSTART, RLENGTH), f, " ")
			c = f[1]; o = f[2]; t = f[3]
			# a one-level or subtree search is a page of a scan (a
			# whole zone, the OU, or a batch of names): per pass,
			# not per object
			if (t == "SRCH" && $0 ~ / scope=[12] /) t = "SCAN"
			if (!((c, o) in type)) { type[c, o] = t; order[++n] = c SUBSEP o }
			if (t == "BIND" && tolower($0) ~ /dn="cn=svc-vmgroup,/)
				svc[c] = 1
		}
		END {
			for (i = 1; i <= n; i++) {
				split(order[i], k, SUBSEP)
				if (!(k[1] in svc)) continue
				t = type[order[i]]; cnt[t]++
				if (t != "UNBIND" && t != "ABANDON") rt++
				if (t != "UNBIND" && t != "ABANDON" && t != "BIND" &&
				    t != "EXT" && t != "SCAN") obj++
			}
			for (t in cnt) print t, cnt[t]
			print "rt", rt + 0
			print "obj", obj + 0
		}')
}

loglines() { sleep 0.3; wc -l <"$VMG_TEST_SLAPD_LOG"; }

# ------------------------------------------------------ inside testenv

te_setup() {
	W=$VMG_TEST_DIR/bench
	mkdir -p "$W/spool" && chmod 0750 "$W" "$W/spool"
	CONF=$W/vmgroupd.conf
	write_conf "$CONF" "$VMG_TEST_LDAP_URI" "$VMG_TEST_PRINCIPAL" \
	    "$VMG_TEST_KEYTAB" "$VMG_TEST_BASE" "$VMG_TEST_OU_DN" \
	    "$VMG_TEST_ZONE" "$VMG_TEST_REVZONE4" "$VMG_TEST_REVZONE6" "$W"
	export KRB5CCNAME=FILE:$W/svc.ccache
	kinit -k -t "$VMG_TEST_KEYTAB" "$VMG_TEST_PRINCIPAL" ||
		die "kinit as the service account failed"
}

te_admin() { ldapsearch $VMG_TEST_LDAP_ADMIN_ARGS -LLL -o ldif-wrap=no "$@"; }
te_svc() { # ldap tool, args: as the service account over GSSAPI
	local tool=$1
	shift
	"$tool" $VMG_TEST_LDAP_GSSAPI_ARGS "$@"
}

# The entries vmgroupd created: dnsNodes but the seed's, vmGroups.
te_dump() {
	te_admin -b "CN=MicrosoftDNS,DC=DomainDnsZones,$VMG_TEST_BASE" \
	    '(&(objectClass=dnsNode)(!(dc=@))(!(dc=dc1)))'
	te_admin -b "$VMG_TEST_OU_DN" '(objectClass=vmGroup)'
}

# A pass of vmgroupd --once, timed, its LDAP operations counted.
te_pass() { # key
	local mark e u s m rc
	mark=$(loglines)
	timed "$W/$1" "$VMGROUPD" --once --allow-root -f "$CONF" \
	    >>"$W/vmgroupd.log" 2>&1
	read -r e u s m rc <"$W/$1"
	[ "$rc" = 0 ] || failed "$1: vmgroupd --once exited $rc (tail of its log:)
$(tail -n 5 "$W/vmgroupd.log")"
	fig "$1_wall" "$e"
	fig "$1_cpu" "$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"
	fig "$1_maxrss_kib" "$m"
	fig "$1_rc" "$rc"
	fig "$1_left" "$(spool_left "$W/spool")"
	ops "$VMG_TEST_SLAPD_LOG" "$mark" "$1_ops"
}

# The floor of a pass with nothing changed: one paged subtree search of
# the zones and the OU as the service account.
te_search_floor() { # key
	local t
	t=$(wall "$W/search.out" te_svc ldapsearch -LLL -E pr=500/noprompt \
	    -b "$VMG_TEST_BASE" '(|(objectClass=dnsNode)(objectClass=vmGroup))')
	fig "$1_wall" "$t"
	fig "$1_entries" "$(grep -c '^dn:' "$W/search.out")"
}

# Registration latency with the daemon running: drop -> spool file gone
# (the daemon removes it once the directory holds its effect).
te_latency() { # key events
	local pid c0 c1
	start_daemon "" "$CONF" "$W/daemon.log"
	pid=$DPID
	# the first events wait for the daemon's start (a full reconcile)
	DIRBENCH_WAIT=600 "$PY" "$HELPER" spoollat "$W/spool" 3 900000 >/dev/null ||
		{ failed "$1: the daemon did not take the warm-up events"; stop_daemon; return; }
	c0=$(cpu_ns "$pid")
	"$PY" "$HELPER" spoollat "$W/spool" "$2" 910000 >"$W/$1.times" ||
		failed "$1: an event was not taken within 60 s"
	c1=$(cpu_ns "$pid")
	fig "$1_cpu_per_event_ms" "$(awk -v a="$c0" -v b="$c1" -v n="$2" \
	    'BEGIN { printf "%.3f", (b - a) / n / 1e6 }')"
	fig "$1_stats" "$("$PY" "$HELPER" stats "$W/$1.times")"
	fig "$1_vmhwm_kib" "$(vmhwm_kib "$pid")"
	stop_daemon
}

# storm N KEY [lat EVENTS]: N registrations, one pass (timed, counted),
# the final entries dumped, a second pass, its floor, and optionally the
# registration latency with the daemon.
te_storm() {
	local n=$1 key=$2
	te_setup
	"$PY" "$HELPER" gen "$W/spool" "$n" || die "generating the spool failed"
	te_pass "${key}_storm"
	te_dump >"$RES/final-$key.ldif"
	fig "${key}_objects" "$(grep -c '^dn:' "$RES/final-$key.ldif")"
	# a no-change pass and its floor, ROUNDS rounds in turn: each side's
	# median counts (a round or two moved by the machine's noise - 30-50%
	# here - move neither)
	local r rounds_v="" rounds_f="" k
	for r in $(seq 1 "$ROUNDS"); do
		k=${key}_again; [ "$r" -eq 1 ] || k=${key}_again$r
		te_pass "$k"
		rounds_v="$rounds_v $(get "${k}_wall")"
		k=${key}_searchfloor; [ "$r" -eq 1 ] || k=${key}_searchfloor$r
		te_search_floor "$k"
		rounds_f="$rounds_f $(get "${k}_wall")"
	done
	fig "${key}_again_rounds" "${rounds_v# }"
	fig "${key}_searchfloor_rounds" "${rounds_f# }"
	fig "${key}_again_wall" "$(median $rounds_v)"
	fig "${key}_searchfloor_wall" "$(median $rounds_f)"
	[ "${3:-}" = lat ] && te_latency "${key}_lat" "$4"
	cat "$W/vmgroupd.log" "$W/daemon.log" >"$RES/vmgroupd-$key.log" 2>/dev/null ||
		true	# (no daemon.log without the latency part)
}

# floor LDIF KEY: ldapadd of the final entries over one GSSAPI connection.
te_floor() {
	local mark t
	te_setup
	mark=$(loglines)
	t=$(wall "$W/floor.out" te_svc ldapadd -f "$1") ||
		failed "$2: ldapadd failed: $(tail -n 3 "$W/floor.out")"
	fig "${2}_floor_wall" "$t"
	ops "$VMG_TEST_SLAPD_LOG" "$mark" "${2}_floor_ops"
}

in_testenv() {
	case $1 in
	storm) shift; te_storm "$@" ;;
	floor) shift; te_floor "$@" ;;
	*) die "unknown step $1" ;;
	esac
}

# ------------------------------------------------------- inside Samba

sa_setup() {
	N="ip netns exec $VMG_SAMBA_NS"
	W=$VMG_SAMBA_DIR/bench
	mkdir -p "$W/spool" && chmod 0750 "$W" "$W/spool"
	CONF=$W/vmgroupd.conf
	write_conf "$CONF" "$VMG_SAMBA_URI" "$VMG_SAMBA_PRINCIPAL" \
	    "$VMG_SAMBA_KEYTAB" "$VMG_SAMBA_BASE" "$VMG_SAMBA_OU_DN" \
	    "$VMG_SAMBA_ZONE" "$VMG_SAMBA_REVZONE4" "$VMG_SAMBA_REVZONE6" "$W"
	export KRB5CCNAME=FILE:$W/svc.ccache
	$N kinit -k -t "$VMG_SAMBA_KEYTAB" "$VMG_SAMBA_PRINCIPAL" ||
		die "kinit as the service account (Samba) failed"
	ZONES="DC=DomainDnsZones,$VMG_SAMBA_BASE"
}

sa_svc() {
	local tool=$1
	shift
	$N "$tool" -Q -N -Y GSSAPI -H "$VMG_SAMBA_URI" "$@"
}
sa_admin() {
	local tool=$1
	shift
	LDAPTLS_REQCERT=never $N "$tool" -x -H "ldaps://$VMG_SAMBA_IP" \
	    -D "Administrator@$VMG_SAMBA_REALM" -w "$VMG_SAMBA_ADMIN_PW" "$@"
}

sa_pass() { # key
	local e u s m rc
	timed "$W/$1" $N "$VMGROUPD" --once --allow-root -f "$CONF" \
	    >>"$W/vmgroupd.log" 2>&1
	read -r e u s m rc <"$W/$1"
	[ "$rc" = 0 ] || failed "$1: vmgroupd --once exited $rc"
	fig "$1_wall" "$e"
	fig "$1_rc" "$rc"
	fig "$1_left" "$(spool_left "$W/spool")"
}

# The entries vmgroupd created (owned.json's nodes, the vmGroups), with the
# attributes a client may add.
sa_dump() {
	/usr/bin/python3 -c 'import json,sys
for d in json.load(open(sys.argv[1]))["nodes"]: print(d.lower())' \
	    "$W/state/owned.json" >"$W/owned"
	{
		sa_admin ldapsearch -LLL -o ldif-wrap=no -E pr=500/noprompt \
		    -b "$ZONES" '(objectClass=dnsNode)' objectClass dnsRecord \
		    dNSTombstoned | grep -v '^#' | awk -v owned="$W/owned" '
			BEGIN { while ((getline l < owned) > 0) keep[l] = 1; RS = "" }
			/^dn: / { split($0, a, "\n")
				if (tolower(substr(a[1], 5)) in keep) print $0 "\n" }'
		sa_admin ldapsearch -LLL -o ldif-wrap=no -b "$VMG_SAMBA_OU_DN" \
		    '(objectClass=vmGroup)' objectClass vmGroupHost \
		    vmGroupDNSName vmGroupImage vmGroupMember vmGroupAddress \
		    vmGroupBlocked vmGroupLastUpdate | grep -v '^#' |
		    awk 'BEGIN { RS = "" } /^dn: / { print $0 "\n" }'
	} >"$1"
}

sa_search_floor() { # key: the zones and the OU (two naming contexts)
	local t
	t=$(wall "$W/search.out" sa_two_searches)
	fig "$1_wall" "$t"
	fig "$1_entries" "$(grep -c '^dn:' "$W/search.out")"
}

sa_two_searches() {
	sa_svc ldapsearch -LLL -E pr=500/noprompt -b "$ZONES" '(objectClass=dnsNode)' &&
	    sa_svc ldapsearch -LLL -E pr=500/noprompt -b "$VMG_SAMBA_OU_DN" \
	    '(objectClass=vmGroup)'
}

# ldapadd of LDIF as the service account into this (fresh) DC, timed.
sa_floor() { # ldif key
	local t
	sa_setup
	t=$(wall "$W/floor.out" sa_svc ldapadd -f "$1") ||
		failed "$2: ldapadd failed: $(tail -n 3 "$W/floor.out")"
	fig "${2}_floor_wall" "$t"
}

zone_serial() { $N dig +short +norecurse @"$VMG_SAMBA_IP" "$1" SOA | awk '{ print $3 }'; }

# Registration -> the PTR of its address answers from the DC's DNS, with
# the daemon running; floor: the PTR node added with ldapadd.
sa_dns_latency() { # key events
	start_daemon "$N" "$CONF" "$W/daemon.log"
	DIRBENCH_WAIT=600 $N "$PY" "$HELPER" dnslat "$VMG_SAMBA_IP" \
	    "$VMG_SAMBA_ZONE" 3 800000 spool "$W/spool" >/dev/null ||
		{ failed "$1: no DNS answer for the warm-up events"; stop_daemon; return; }
	$N "$PY" "$HELPER" dnslat "$VMG_SAMBA_IP" "$VMG_SAMBA_ZONE" "$2" 810000 \
	    spool "$W/spool" >"$W/$1.times" ||
		failed "$1: a PTR did not answer within 60 s"
	fig "$1_stats" "$("$PY" "$HELPER" stats "$W/$1.times")"
	stop_daemon
	VMG_BENCH_BASE_DN=$VMG_SAMBA_BASE $N "$PY" "$HELPER" dnslat \
	    "$VMG_SAMBA_IP" "$VMG_SAMBA_ZONE" "$2" 820000 ldap "$VMG_SAMBA_URI" \
	    "$(zone_serial "$VMG_SAMBA_REVZONE6")" >"$W/$1.floor.times"
	fig "$1_floor_stats" "$("$PY" "$HELPER" stats "$W/$1.floor.times")"
}

in_samba() { # storm N EVENTS | floor LDIF
	case $1 in
	storm) shift; sa_storm "$@" ;;
	floor) sa_floor "$2" samba ;;
	*) die "unknown step $1" ;;
	esac
}

sa_storm() { # n events
	sa_setup
	"$PY" "$HELPER" gen "$W/spool" "$1" || die "generating the spool failed"
	sa_pass samba_storm
	sa_dump "$RES/final-samba.ldif"
	fig samba_objects "$(grep -c '^dn:' "$RES/final-samba.ldif")"
	sa_pass samba_again
	sa_search_floor samba_searchfloor
	sa_dns_latency samba_dns "$2"
	cat "$W/vmgroupd.log" "$W/daemon.log" >"$RES/vmgroupd-samba.log"
}

# ------------------------------------------------------------ the report

get() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); v = $0 } END { print v }' "$FIG"; }

# line NAME WHAT VALUE FLOOR UNIT TARGET [FLOOR-LABEL]: value, floor,
# ratio, MET/MISSED
line() {
	local name=$1 what=$2 v=$3 f=$4 unit=$5 target=$6 fl=${7:-floor}
	if [ -z "$v" ] || [ -z "$f" ]; then
		printf '%-22s not measured (see above)\n' "$name"
		return
	fi
	awk -v n="$name" -v w="$what" -v v="$v" -v f="$f" -v u="$unit" \
	    -v t="$target" -v fl="$fl" 'BEGIN {
		r = f > 0 ? v / f : 0
		fmt = u == "ops" ? "%d" : "%.3f"
		printf "%-22s %s " fmt " %s  %s " fmt " %s  ratio %.2f  target <= %s  %s\n",
		    n, w, v, u, fl, f, u, r, t, (f > 0 && r <= t + 0) ? "MET" : "MISSED" }'
}

ops_summary() { # prefix -> "ADD 10 MOD 4 SRCH 3 ..."
	awk -v p="$1_ops_" 'index($1, p) == 1 && $1 != p "rt" && $1 != p "obj" {
		printf "%s %s ", substr($1, length(p) + 1), $2 }' "$FIG"
}

report_storm() { # key label target
	local k=$1 l=$2
	line "storm_${l}_slapd" vmgroupd "$(get "${k}_storm_wall")" \
	    "$(get "${k}_floor_wall")" s "$3"
	line "roundtrips_${l}_slapd" "vmgroupd" "$(get "${k}_storm_ops_obj")" \
	    "$(get "${k}_objects")" ops 1.00 "objects changed"
	echo "    (round trips per object: writes and base reads; besides them" \
	    "the pass made $(get "${k}_storm_ops_rt") in all, by type:" \
	    "$(ops_summary "${k}_storm")- SCAN = pages of the paged zone/OU" \
	    "scans a full reconcile makes, BIND/EXT = the session; the ldapadd" \
	    "floor used $(get "${k}_floor_ops_rt"); the pass took" \
	    "$(get "${k}_storm_cpu") s CPU, max RSS $(get "${k}_storm_maxrss_kib") KiB)"
	line "nochange_${l}_slapd" vmgroupd "$(get "${k}_again_wall")" \
	    "$(get "${k}_searchfloor_wall")" s 1.5
	echo "    (medians of $ROUNDS rounds in turn: vmgroupd" \
	    "$(get "${k}_again_rounds") s, floor $(get "${k}_searchfloor_rounds")" \
	    "s; second pass round trips: $(get "${k}_again_ops_rt")" \
	    "[$(ops_summary "${k}_again")]; paged search read" \
	    "$(get "${k}_searchfloor_entries") entries)"
	[ "$(get "${k}_storm_left")" = 0 ] ||
		echo "    WARNING: $(get "${k}_storm_left") spool files left after the storm pass"
}

report_cpu() {
	local a b c
	a=$(get "${S1}_storm_cpu") b=$(get "${S5}_storm_cpu") c=$(get "${S10}_storm_cpu")
	awk -v a="$a" -v b="$b" -v c="$c" -v n1="$N1" -v n5="$N5" -v n10="$N10" \
	    'BEGIN {
		if (a == "" || c == "" || a <= 0) { print "cpu_per_vm             not measured"; exit }
		pa = a / n1 * 1e3; pc = c / n10 * 1e3; r = pc / pa
		printf "cpu_per_vm             %d: %.3f ms  %d: %s ms  %d: %.3f ms  ratio %d/%d %.2f  target ~1 (<= 1.25)  %s\n",
		    n1, pa, n5, (b == "" ? "-" : sprintf("%.3f", b / n5 * 1e3)),
		    n10, pc, n10, n1, r, r <= 1.25 ? "MET" : "MISSED" }'
}

report_latency() {
	local big small
	big=$(get "${S10}_lat_stats") small=$(get lat10_lat_stats)
	line "reg_latency_${L10}_vs_10" "median" "${big%% *}" "${small%% *}" s 1.5
	echo "    (p99 ${L10} tracked $(echo "$big" | cut -d' ' -f2) s," \
	    "10 tracked $(echo "$small" | cut -d' ' -f2) s; floor = the same with 10 tracked)"
	# the daemon's own work per event, the rest of the latency being the
	# directory's (slapd copies an entry's values on every modify, and
	# a group of 2,500 VMs has 2,500 of each)
	awk -v a="$(get "${S10}_lat_cpu_per_event_ms")" \
	    -v b="$(get lat10_lat_cpu_per_event_ms)" -v n="$L10" 'BEGIN {
		if (a == "" || b == "" || b <= 0) { print "reg_cpu                not measured"; exit }
		printf "reg_cpu_%s_vs_10        vmgroupd CPU per event %.2f ms  with 10 tracked %.2f ms  ratio %.2f  (no target: its share of the latency)\n",
		    n, a, b, a / b }'
	awk -v k="$(get "${S10}_lat_vmhwm_kib")" -v n="$L10" 'BEGIN {
		if (k == "") { print "peak_rss               not measured"; exit }
		m = k / 1024
		printf "peak_rss_%s_daemon     VmHWM %.1f MiB  target <= 16 MiB  %s\n",
		    n, m, m <= 16 ? "MET" : "MISSED" }'
}

report_samba() {
	local d f
	if [ -n "$(get samba_skipped)" ]; then
		echo "samba                  skipped: $(get samba_skipped)"
		return
	fi
	line "storm_${LS}_samba" vmgroupd "$(get samba_storm_wall)" \
	    "$(get samba_floor_wall)" s 1.5
	line "nochange_${LS}_samba" vmgroupd "$(get samba_again_wall)" \
	    "$(get samba_searchfloor_wall)" s 1.5
	d=$(get samba_dns_stats) f=$(get samba_dns_floor_stats)
	echo "dns_latency_p50_samba  vmgroupd ${d%% *} s  floor ${f%% *} s  (no target)"
	awk -v d="$d" -v f="$f" 'BEGIN {
		split(d, a, " "); split(f, b, " ")
		if (a[2] == "") { print "dns_latency_p99_samba  not measured"; exit }
		printf "dns_latency_p99_samba  vmgroupd %.1f ms  floor %.1f ms  ratio %.2f  target p99 <= 100 ms  %s  (%d events)\n",
		    a[2] * 1e3, b[2] * 1e3, (b[2] > 0 ? a[2] / b[2] : 0),
		    a[2] <= 0.1 ? "MET" : "MISSED", a[3] }'
}

report() {
	echo
	echo "== dirbench: vmgroupd $("$VMGROUPD" -V 2>&1 | head -n 1), $(date -u +%FT%TZ), $(nproc) CPUs"
	report_storm "$S1" "$L1" 1.25
	report_storm "$S10" "$L10" 1.25
	report_cpu
	report_latency
	report_samba
}

# ------------------------------------------------------------ the driver

te_run() { # log-name step args...: in fresh test servers, slapd's stats log on
	local log=$RES/slapd-$1.log
	shift
	VMG_TEST_SLAPD_LOG=$log \
	    "$top_srcdir/tests/with-testenv.sh" bash "$0" --in-testenv "$@" ||
		failed "step $* failed"
}

samba_run() { # step args...
	local out rc
	out=$("$top_srcdir/tests/with-samba.sh" bash "$0" --in-samba "$@" 2>&1)
	rc=$?
	echo "$out" >>"$RES/samba.out"
	case $rc in
	0) ;;
	77) fig samba_skipped "$(echo "$out" | grep '^with-samba:' | head -n 1)" ;;
	*) failed "the Samba steps failed ($rc): $(tail -n 5 "$RES/samba.out")" ;;
	esac
}

main() {
	local quick=no samba=yes keep=no svms=
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) quick=yes ;;
		--samba-vms)
			shift
			case ${1:-} in ''|*[!0-9]*) die "--samba-vms N" ;; esac
			svms=$1 ;;
		--no-samba) samba=no ;;
		--keep) keep=yes ;;
		--samba-only) samba=only ;;
		--in-testenv) shift; in_testenv "$@"; return ;;
		--in-samba) shift; in_samba "$@"; return ;;
		*) die "usage: dirbench.sh [--quick] [--no-samba|--samba-only] [--samba-vms N] [--keep]" ;;
		esac
		shift
	done
	[ -x "$VMGROUPD" ] || die "$VMGROUPD: not built (make first)"
	N1=1000 N5=5000 N10=10000 EV=50 SEV=200 NS=1000
	[ $quick = yes ] && N1=100 N5=500 N10=1000 EV=10 SEV=20 NS=100
	[ -z "$svms" ] || NS=$svms
	S1=s$N1 S5=s$N5 S10=s$N10 L1=$(lbl $N1) L10=$(lbl $N10) LS=$(lbl $NS)
	RES=$(mktemp -d "${TMPDIR:-/tmp}/dirbench.XXXXXX") || exit 1
	export RES FIG=$RES/figures
	: >"$FIG"
	[ $keep = yes ] || trap 'rm -rf "$RES"' EXIT
	measure "$samba"
	report
	[ $keep = no ] || say "raw results kept in $RES"
	[ ! -e "$RES/failed" ] || { say "some steps failed (above)"; return 1; }
}

lbl() { [ $(($1 % 1000)) -eq 0 ] && echo "$(($1 / 1000))k" || echo "$1"; }

measure() {
	local s
	[ "$1" = only ] && { measure_samba; return; }
	for s in "$N1" "$N10"; do
		say "storm of $s VMs (slapd)"
		if [ "$s" = "$N10" ]; then
			te_run "s$s" storm "$s" "s$s" lat "$EV"
		else
			te_run "s$s" storm "$s" "s$s"
		fi
		say "floor: ldapadd of the same $(grep -c '^dn:' "$RES/final-s$s.ldif" 2>/dev/null) entries"
		te_run "floor-s$s" floor "$RES/final-s$s.ldif" "s$s"
	done
	say "storm of $N5 VMs (cpu time)"
	te_run "s$N5" storm "$N5" "s$N5"
	say "registration latency with 10 VMs tracked"
	te_run lat10 storm 10 lat10 lat "$EV"
	if [ "$1" = yes ]; then
		measure_samba
	else
		fig samba_skipped "--no-samba"
	fi
}

measure_samba() {
	say "Samba AD DC: storm of $NS, DNS latency over $SEV events"
	samba_run storm "$NS" "$SEV"
	[ -s "$RES/final-samba.ldif" ] || return 0
	say "floor: ldapadd of the same $(grep -c '^dn:' "$RES/final-samba.ldif") entries into a fresh DC"
	samba_run floor "$RES/final-samba.ldif"
}

main "$@"
