#!/bin/bash
# it_samba_fleet.sh - a fleet in one test (issue 12): 20 hosts x 50 VMs,
# 20 daemons sharing one service account, against two replicating Samba
# AD DCs (a quarter of the hosts find them through DNS SRV records,
# uri = auto, a quarter list dc1 first, half dc2 first, so both DCs are
# written):
#  * ten VMs migrate between hosts mid-run: registered on the new host
#    later; the old host's release arrives after that, stamped before the
#    move (five) or after it (five);
#  * one host's state folder is wiped and its daemon started again with its
#    VMs queued again (two of its VMs gone meanwhile, two new ones);
#  * then replicated, one full pass per host (each exits 0: nothing held
#    elsewhere, nothing foreign), replicated, and a second round of passes
#    writes nothing;
#  * the final directory is exactly the expected one, on both DCs' DNS:
#    each group answers exactly its VMs' addresses, each host's SRV exactly
#    its groups, every VM's PTR its name with an owner value naming the
#    host that holds it now, the gone VMs' PTRs NXDOMAIN; each vmGroup
#    object exactly its VMs (on each DC's LDAP); no conflict copy
#    left; every node that is not vmgroupd's holds what it held before.
# Every wait polls for an outcome, with a bound.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_SAMBA_DIR:-}" ]; then
	VMG_SAMBA_STEPS="schema delegate join" \
	    exec "$top_srcdir/tests/with-samba.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-samba.sh"
. "$top_srcdir/tests/lib-proc.sh"
. "$top_srcdir/tests/lib-twodc.sh"

NH=20 NV=50
hn() { printf 'f%02d' "$1"; }
vn() { printf 'v%02d-%d' "$1" "$2"; }
an() { printf '2001:db8::6:%x:%x' "$1" "$2"; }	# a VM keeps its address

# the DCs' own records settled (dc2's registered through dc1) before
# anything is read
check "replicated" replicate

# --- what is not vmgroupd's, before it writes anything: every node of the
# DNS partition with its values, on each DC
nodes_of() { # DC address -> "dn value value..." lines, values sorted
	LDAPTLS_REQCERT=never $N ldapsearch -x -LLL -o ldif-wrap=no \
	    -H "ldaps://$1" -D "Administrator@$VMG_SAMBA_REALM" \
	    -w "$VMG_SAMBA_ADMIN_PW" -b "$NC" '(objectClass=dnsNode)' \
	    dnsRecord dNSTombstoned 2>/dev/null | /usr/bin/python3 -c '
import sys
cur, out = None, []
for line in sys.stdin.read().split("\n") + [""]:
    if line.startswith("dn:"):
        cur = [line]
    elif line == "" and cur:
        out.append(cur[0] + " " + " ".join(sorted(cur[1:])))
        cur = None
    elif cur is not None:
        cur.append(line)
print("\n".join(sorted(out)))'
}
nodes_of "$VMG_SAMBA_IP" >"$W/before1"
nodes_of "$VMG_SAMBA_IP2" >"$W/before2"
check "the DNS partition read before (both DCs)" test -s "$W/before1" -a -s "$W/before2"

# --- 20 hosts, each with 50 VMs queued before its daemon starts
# hosts 1-5 find the DCs through DNS SRV records (uri = auto: either DC
# first, a draw), hosts 6-10 list dc1 first, hosts 11-20 dc2 first: both
# DCs are written whatever the draws, and the migrations below from hosts
# 6-10 cross from one DC to the other
for h in $(seq 1 $NH); do
	conf "$(hn $h)" no
	if [ "$h" -le 5 ]; then
		sed -i "s#^uri = .*#uri = auto#" "$W/$(hn $h).conf"
	elif [ "$h" -le 10 ]; then
		sed -i "s#^uri = .*#uri = ldap://dc1.$DOMAIN ldap://dc2.$DOMAIN#" \
		    "$W/$(hn $h).conf"
	else
		sed -i "s#^uri = .*#uri = ldap://dc2.$DOMAIN ldap://dc1.$DOMAIN#" \
		    "$W/$(hn $h).conf"
	fi
	for i in $(seq 1 $NV); do
		reg "$(hn $h)" -n "$(vn $h $i)" -i "img$((i % 2))" -a "$(an $h $i)"
	done
done
declare -A pid
start() { # host number
	local h
	h=$(hn "$1")
	$N unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf &&
	    exec "$2" -d --allow-root -f "$3"' sh "$W/resolv.conf" \
	    "$VMGROUPD" "$W/$h.conf" >>"$W/$h.log" 2>&1 &
	pid[$1]=$!
}
stop() { # host number
	[ -n "${pid[$1]:-}" ] || return 0
	kill -TERM "${pid[$1]}" 2>/dev/null
	wait_gone "${pid[$1]}"
	pid[$1]=
}
stop_all() { local h; for h in $(seq 1 $NH); do stop "$h"; done; }
trap stop_all EXIT
for h in $(seq 1 $NH); do start "$h"; done
drained() { # every spool empty
	local h
	for h in $(seq 1 $NH); do
		[ -z "$(ls -A "$W/$(hn $h)/spool/new")" ] || return 1
	done
}
check "20 daemons write their 1,000 VMs" wait_for 600 drained
check "replicated" replicate
check "both DCs written" sh -c \
	"cat $W/f*.log | grep -q 'connected to ldap://dc1.$DOMAIN[: ]' &&
	cat $W/f*.log | grep -q 'connected to ldap://dc2.$DOMAIN[: ]'"


# --- ten VMs migrate: VM 1 of hosts 1-10 registers on host h+10 later
for h in $(seq 1 10); do
	"$VMGROUP" register -s "$W/$(hn $((h + 10)))/spool" -t $((T + 10)) \
	    -H "$(hn $((h + 10)))" -S dhcp -n "$(vn $h 1)" -i img1 \
	    -a "$(an $h 1)" >/dev/null || bad "register the move of $(vn $h 1)"
done
check "the new hosts take the migrated VMs" wait_for 300 drained
# the old hosts' releases arrive late: five stamped before the move,
# five after it
for h in $(seq 1 10); do
	"$VMGROUP" release -s "$W/$(hn $h)/spool" \
	    -t $((h <= 5 ? T + 5 : T + 15)) -H "$(hn $h)" -S dhcp \
	    -n "$(vn $h 1)" >/dev/null || bad "release $(vn $h 1) on $(hn $h)"
done
check "the old hosts take their late releases" wait_for 300 drained

# --- host 20 rebuilt: its state folder lost, its VMs queued again (VMs 1
# and 2 gone meanwhile, 51 and 52 new, and the VM that moved to it)
stop 20
rm -rf "$W/f20/state"
for i in $(seq 3 52); do
	reg f20 -n "$(vn 20 $i)" -i "img$((i % 2))" -a "$(an 20 $i)" -t $((T + 20))
done
reg f20 -n "$(vn 10 1)" -i img1 -a "$(an 10 1)" -t $((T + 20))
start 20
check "the rebuilt host writes what it was given" wait_for 300 drained
stop_all
trap - EXIT
check "no registration quarantined" test -z \
	"$(find "$W"/f*/spool/quarantine -type f 2>/dev/null)"

# --- one full pass per host, on both DCs' data; then a second round that
# must write nothing
round() { # every host's --once: 0 when all exit 0
	local h rc=0
	for h in $(seq 1 $NH); do
		pass_dns "$(hn $h)" once || { echo "$(hn $h) --once failed"; rc=1; }
	done
	return $rc
}
check "replicated" replicate
check "a full pass per host: every one exits 0" round
check "replicated" replicate
writes() { cat "$W"/f*.once | grep -c -E \
	'^(created|updated|tombstoned|revived|taking|deleted) '; }
w0=$(writes)
check "a second round: every pass exits 0" round
check "and writes nothing (no flapping)" test "$(writes)" = "$w0"
check "replicated" replicate

# --- the expected directory, asked of both DCs' DNS servers
declare -A members	# "host img" -> addresses
declare -A names	# "host img" -> VM names
holder() { # host of VM i of host h now, or "" if gone
	local h=$1 i=$2
	if [ "$h" -le 10 ] && [ "$i" -eq 1 ]; then hn $((h + 10))
	elif [ "$h" -eq 20 ] && [ "$i" -le 2 ]; then echo ""
	else hn "$h"; fi
}
: >"$W/ptr.q"
: >"$W/ptr.want"
: >"$W/gone.q"
for h in $(seq 1 $NH); do
	last=$NV
	[ "$h" -eq 20 ] && last=52
	for i in $(seq 1 $last); do
		o=$(holder "$h" "$i")
		if [ -z "$o" ]; then
			echo "-x $(an $h $i)" >>"$W/gone.q"
			continue
		fi
		members["$o img$((i % 2))"]+="$(an $h $i) "
		names["$o img$((i % 2))"]+="$(vn $h $i) "
		echo "-x $(an $h $i) +short" >>"$W/ptr.q"
		echo "$(vn $h $i).$Z." >>"$W/ptr.want"
	done
done
norm6() { /usr/bin/python3 -c 'import ipaddress, sys
print(" ".join(sorted(str(ipaddress.ip_address(a)) for a in sys.argv[1:])))' "$@"; }
groups_exact() { # DC address
	local h g want got rc=0
	for h in $(seq 1 $NH); do
		for g in img0 img1; do
			want=$(norm6 ${members["$(hn $h) $g"]})
			got=$(norm6 $($N dig +short +tcp +norecurse @"$1" \
			    "$(hn $h)-$g-vm.$Z" AAAA))
			[ "$got" = "$want" ] || { echo "$(hn $h)-$g-vm: [$got] want [$want]"; rc=1; }
		done
		got=$($N dig +short +norecurse @"$1" "_vmgroup._tcp.$(hn $h).$Z" SRV | sort | tr '\n' ' ')
		want="0 0 0 $(hn $h)-img0-vm.$Z. 0 0 0 $(hn $h)-img1-vm.$Z. "
		[ "$got" = "$want" ] || { echo "_vmgroup._tcp.$(hn $h): [$got]"; rc=1; }
	done
	return $rc
}
ptrs_exact() { # DC address: every live VM's PTR answers its name
	$N dig +norecurse @"$1" -f "$W/ptr.q" >"$W/ptr.got" 2>&1
	cmp -s "$W/ptr.got" "$W/ptr.want"
}
gone_nx() { # DC address: the gone VMs' PTRs answer NXDOMAIN
	[ "$($N dig +norecurse @"$1" -f "$W/gone.q" | grep -c 'status: NXDOMAIN')" = 2 ]
}
owners_moved() { # DC address: the migrated VMs' PTRs name their new host
	local h got
	for h in $(seq 1 10); do
		got=$($N dig +short +norecurse @"$1" -x "$(an $h 1)" TXT)
		case $got in
		"\"vmgroup=1 host=$(hn $((h + 10)))\" \"t=$((T + 10))\""|\
		"\"vmgroup=1 host=$(hn $((h + 10)))\" \"t=$((T + 20))\"") ;;
		*) echo "$(vn $h 1)'s PTR owner value: $got"; return 1 ;;
		esac
	done
}
objects_exact() { # DC address: each vmGroup object's members
	local h g want got rc=0
	for h in $(seq 1 $NH); do
		for g in img0 img1; do
			want=$(printf '%s\n' ${names["$(hn $h) $g"]} | sort | tr '\n' ' ')
			got=$(LDAPTLS_REQCERT=never $N ldapsearch -x -LLL \
			    -o ldif-wrap=no -H "ldaps://$1" \
			    -D "Administrator@$VMG_SAMBA_REALM" \
			    -w "$VMG_SAMBA_ADMIN_PW" -s base \
			    -b "CN=$(hn $h)-$g-vm,$VMG_SAMBA_OU_DN" \
			    vmGroupMember 2>/dev/null |
			    sed -n 's/^vmGroupMember: //p' | sort | tr '\n' ' ')
			[ "$got" = "$want" ] || { echo "$(hn $h)-$g-vm members [$got]"; rc=1; }
		done
	done
	return $rc
}
untouched() { # DC address, before file: every node of then as it was
	nodes_of "$1" >"$W/after"
	[ -z "$(LC_ALL=C comm -23 "$2" "$W/after")" ] ||
	    { LC_ALL=C comm -23 "$2" "$W/after" | cut -c1-300 |
	    sed 's/^/changed: /'; return 1; }
}
for dc in 1 2; do
	ip=$VMG_SAMBA_IP
	[ $dc -eq 2 ] && ip=$VMG_SAMBA_IP2
	check "dc$dc: each group answers exactly its VMs' addresses, each host's SRV its groups" groups_exact "$ip"
	check "dc$dc: every VM's PTR answers its name (1,000 of them)" ptrs_exact "$ip"
	check "dc$dc: the rebuilt host's gone VMs' PTRs answer NXDOMAIN" gone_nx "$ip"
	check "dc$dc: each vmGroup object lists exactly its VMs" objects_exact "$ip"
	check "dc$dc: the migrated VMs' PTRs name their new host" owners_moved "$ip"
	check "dc$dc: no conflict copy left" test "$(cnf "$ip")" = 0
	check "dc$dc: every node that is not vmgroupd's holds what it held" untouched "$ip" "$W/before$dc"
done
check "the rebuilt host refused none of its own nodes" sh -c \
	"! grep -q 'does not own' '$W/f20.log' '$W/f20.once'"

echo "$fails failure(s)"
[ $fails -eq 0 ] || { tail -n 30 "$W/f20.log"; tail -n 5 "$W"/f*.once;
	grep -h "directory ldap://" "$W"/f*.log | sort | uniq -c | head;
	grep -v '^  ' "$W/repl.log" | tail -n 10; }
[ $fails -eq 0 ]
