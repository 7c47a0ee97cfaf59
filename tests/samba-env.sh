#!/bin/bash
# samba-env.sh - a real Active Directory domain controller (Debian's Samba
# AD DC) in a network namespace of its own, for the AD tests.
#
#   tests/samba-env.sh start DIR     provision SAMDOM.TEST in DIR, start the
#                                    DC in namespace vmg-dc-<random> at
#                                    192.0.2.53 (on that namespace's lo),
#                                    add reverse zones, a service account
#                                    svc-vmgroup (not in DnsAdmins) with a
#                                    keytab; write DIR/env.sh
#   tests/samba-env.sh schema DIR    import schema/vmgroup-ad.ldif over LDAP
#                                    as Administrator, as ldifde would, and
#                                    create OU=VM Groups
#   tests/samba-env.sh delegate DIR  give svc-vmgroup the least rights of
#                                    doc/ad-admin.md on OU=VM Groups
#   tests/samba-env.sh join DIR      a second DC, dc2 (192.0.2.54), joined to
#                                    the domain in a namespace of its own
#                                    (<ns>-2), linked to the first by a veth
#                                    pair; both DCs resolve names through
#                                    the first one's DNS (a resolv.conf of
#                                    DIR bound in a mount namespace), and
#                                    replicate to each other
#   tests/samba-env.sh halt DIR      stop the first DC (its process tree,
#                                    by its PID) and leave it stopped
#   tests/samba-env.sh restart DIR   stop the DC by its PID and start it
#                                    again (what systemctl restart
#                                    samba-ad-dc does on a real DC)
#   tests/samba-env.sh stop DIR      stop the DC by its PID, delete the
#                                    namespace
# VMG_SAMBA_SCHEMA_UPDATES=no start: provision without
# "dsdb:schema update allowed = yes" (as a real DC is), for a test that
# follows doc/ad-admin.md in enabling it.
#
# Commands for the DC's network run as: ip netns exec "$VMG_SAMBA_NS" CMD.
# Nothing outside DIR and the namespace is touched.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
IP=192.0.2.53
IP2=192.0.2.54
LINK1=10.53.0.1
LINK2=10.53.0.2
REALM=SAMDOM.TEST
DOMAIN=SAMDOM
BASE="DC=samdom,DC=test"
ZONE=samdom.test
REV4=2.0.192.in-addr.arpa
REV6=8.b.d.0.1.0.0.2.ip6.arpa
PATH=$PATH:/usr/sbin:/sbin

. "$here/lib-proc.sh"

die() { echo "samba-env: $*" >&2; exit 1; }

need() {
	local p
	for p in samba samba-tool ip ldapsearch ldapmodify kinit dig; do
		command -v "$p" >/dev/null 2>&1 || die "missing program: $p (run scripts/install-deps.sh)"
	done
	/usr/bin/python3 -c 'import samba.ndr' 2>/dev/null ||
		die "missing python3-samba"
	[ "$(id -u)" -eq 0 ] || die "network namespaces need root"
}

in_ns() { ip netns exec "$NS" "$@"; }
# In the second DC's namespace, with DIR/resolv.conf as /etc/resolv.conf.
in_ns2() {
	ip netns exec "$NS2" unshare --mount sh -c \
	    'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
	    "$DIR/resolv.conf" "$@"
}
tool() { in_ns samba-tool "$@" -s "$DIR/dc/etc/smb.conf"; }
admin_ldap() { # ldapmodify/ldapadd/ldapsearch over LDAPS as Administrator
	local cmd=$1
	shift
	LDAPTLS_REQCERT=never in_ns "$cmd" -x -H "ldaps://$IP" \
	    -D "Administrator@$REALM" -w "$(cat "$DIR/admin.pw")" "$@"
}

has_class() { # the vmGroup class is in the schema
	admin_ldap ldapsearch -LLL -s base \
	    -b "CN=vmGroup,CN=Schema,CN=Configuration,$BASE" dn 2>/dev/null |
	    grep -q '^dn:'
}

load() { # DIR -> globals from a started environment
	DIR=$(cd "$1" && pwd)
	[ -s "$DIR/ns" ] || die "$DIR holds no started DC"
	NS=$(cat "$DIR/ns")
	NS2=$(cat "$DIR/ns2" 2>/dev/null || true)
}

provision() {
	local pw=$1 r=$DIR/run upd=--option="dsdb:schema update allowed=yes"
	[ "${VMG_SAMBA_SCHEMA_UPDATES:-yes}" = no ] && upd=
	mkdir -p "$DIR/dc" "$r"
	: >"$DIR/empty.conf"
	in_ns samba-tool domain provision -s "$DIR/empty.conf" \
	    --targetdir="$DIR/dc" --realm=$REALM --domain=$DOMAIN \
	    --server-role=dc --dns-backend=SAMBA_INTERNAL --adminpass="$pw" \
	    --host-ip=$IP --host-name=dc1 \
	    --option="interfaces=$IP" --option="bind interfaces only=yes" \
	    --option="dns forwarder=127.0.0.1" \
	    ${upd:+"$upd"} \
	    --option="pid directory=$r" --option="ncalrpc dir=$r/ncalrpc" \
	    --option="winbindd socket directory=$r/winbindd" \
	    --option="ntp signd socket directory=$r/ntp_signd" \
	    >"$DIR/provision.log" 2>&1 ||
		die "provision failed: $(tail -n 5 "$DIR/provision.log")"
}

start_dc() { # [2]: the first DC, or the second; until it answers LDAP
	local n=${1:-} i run=in_ns ip=$IP
	[ -z "$n" ] || { run=in_ns2; ip=$IP2; }
	$run samba -s "$DIR/dc$n/etc/smb.conf" -i -M single \
	    >"$DIR/samba$n.log" 2>&1 &
	echo $! >"$DIR/samba$n.pid"
	for i in $(seq 120); do
		if $run ldapsearch -x -H "ldap://$ip" -b "" -s base dnsHostName \
		    2>/dev/null | grep -q '^dnsHostName' &&
		    $run ss -Hltn "sport = :88" | grep -q .; then
			return 0
		fi
		kill -0 "$(cat "$DIR/samba$n.pid")" 2>/dev/null ||
			die "samba exited: $(tail -n 5 "$DIR/samba$n.log")"
		sleep 0.25
	done
	die "the DC at $ip did not answer LDAP"
}

write_krb5() {
	cat >"$DIR/krb5.conf" <<CONF
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	default_ccache_name = FILE:$DIR/ccache
[realms]
	$REALM = {
		kdc = $IP
		${2:+kdc = $2}
	}
CONF
	cat >"$DIR/ldap.conf" <<CONF
URI ldap://$IP
BASE $BASE
SASL_MECH GSSAPI
SASL_NOCANON on
CONF
}

# The service account: an ordinary user (not in DnsAdmins), its keytab, and
# the SPN the client asks for when it talks to the DC by address.
service_account() {
	local z
	tool user create svc-vmgroup --random-password >"$DIR/svc.log" 2>&1 ||
		die "creating svc-vmgroup: $(tail -n 3 "$DIR/svc.log")"
	tool spn add "ldap/$IP" 'DC1$' >>"$DIR/svc.log" 2>&1 ||
		die "adding the SPN: $(tail -n 3 "$DIR/svc.log")"
	rm -f "$DIR/svc.keytab"
	tool domain exportkeytab "$DIR/svc.keytab" \
	    --principal="svc-vmgroup@$REALM" >>"$DIR/svc.log" 2>&1 ||
		die "exporting the keytab: $(tail -n 3 "$DIR/svc.log")"
	chmod 0600 "$DIR/svc.keytab"
	tool user show svc-vmgroup --attributes=objectSid 2>/dev/null |
	    sed -n 's/^objectSid: //p' >"$DIR/svc.sid"
	[ -s "$DIR/svc.sid" ] || die "no SID for svc-vmgroup"
	for z in $REV4 $REV6; do
		tool dns zonecreate "$IP" "$z" -U Administrator \
		    --password="$(cat "$DIR/admin.pw")" >>"$DIR/svc.log" 2>&1 ||
			die "creating zone $z: $(tail -n 3 "$DIR/svc.log")"
	done
}

write_env() {
	cat >"$DIR/env.sh" <<ENV
# written by tests/samba-env.sh start; source it
export KRB5_CONFIG='$DIR/krb5.conf'
export KRB5CCNAME='FILE:$DIR/ccache'
export LDAPCONF='$DIR/ldap.conf'
export VMG_SAMBA_DIR='$DIR'
export VMG_SAMBA_NS='$NS'
export VMG_SAMBA_IP='$IP'
export VMG_SAMBA_URI='ldap://$IP'
export VMG_SAMBA_REALM='$REALM'
export VMG_SAMBA_BASE='$BASE'
export VMG_SAMBA_ZONE='$ZONE'
export VMG_SAMBA_REVZONE4='$REV4'
export VMG_SAMBA_REVZONE6='$REV6'
export VMG_SAMBA_ZONE_DN='DC=$ZONE,CN=MicrosoftDNS,DC=DomainDnsZones,$BASE'
export VMG_SAMBA_OU_DN='OU=VM Groups,$BASE'
export VMG_SAMBA_PRINCIPAL='svc-vmgroup@$REALM'
export VMG_SAMBA_KEYTAB='$DIR/svc.keytab'
export VMG_SAMBA_SVC_SID='$(cat "$DIR/svc.sid")'
export VMG_SAMBA_ADMIN_PW='$(cat "$DIR/admin.pw")'
export VMG_SAMBA_PID='$(cat "$DIR/samba.pid")'
ENV
	[ -s "$DIR/samba2.pid" ] || return 0
	cat >>"$DIR/env.sh" <<ENV
# the second DC (samba-env.sh join)
export VMG_SAMBA_NS2='$NS2'
export VMG_SAMBA_IP2='$IP2'
export VMG_SAMBA_PID2='$(cat "$DIR/samba2.pid")'
export VMG_SAMBA_RESOLV='$DIR/resolv.conf'
ENV
}

start() {
	local pw
	[ -d "$1" ] || die "$1: no such folder"
	DIR=$(cd "$1" && pwd)
	need
	NS=vmg-dc-$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')
	ip netns add "$NS" || die "cannot create network namespace $NS"
	echo "$NS" >"$DIR/ns"
	in_ns ip link set lo up
	in_ns ip addr add "$IP/32" dev lo
	pw="Vmg-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')-9"
	echo "$pw" >"$DIR/admin.pw"
	chmod 0600 "$DIR/admin.pw"
	provision "$pw"
	start_dc
	write_krb5
	service_account
	write_env
}

# Import the AD schema extension the way ldifde does: over LDAP, as a
# schema admin, with DC=X replaced by the forest's DN; then the OU.
# A DC under load once refused the class (after the schema update that
# makes its attributes known): then it is done again the way ldifde -k
# goes on, past what is there already (-c), and the error is printed.
schema() {
	local i c=
	load "$1"
	sed "s/,DC=X\$/,$BASE/" "$top/schema/vmgroup-ad.ldif" >"$DIR/vmgroup-ad.ldif"
	for i in 1 2 3; do
		admin_ldap ldapmodify $c -f "$DIR/vmgroup-ad.ldif" \
		    >>"$DIR/schema.log" 2>"$DIR/schema.err" && break
		# -c: past what is there already, to the end
		[ -n "$c" ] && has_class && break
		echo "samba-env: schema import (try $i): $(cat "$DIR/schema.err")" >&2
		c=-c
		sleep 2
	done
	has_class || die "schema import failed: $(cat "$DIR/schema.err")"
	# after a retry, whose errors were what is there already: the
	# schema cache loaded again, on its own, so its failure shows
	[ -z "$c" ] || printf 'dn:\nchangetype: modify\nadd: schemaUpdateNow\nschemaUpdateNow: 1\n-\n' |
	    admin_ldap ldapmodify >>"$DIR/schema.log" 2>"$DIR/schema.err" ||
		die "schema update after the retry failed: $(cat "$DIR/schema.err")"
	sed "s/,DC=X\$/,$BASE/" "$top/ldif/vmgroup-ou-ad.ldif" >"$DIR/ou.ldif"
	admin_ldap ldapmodify -f "$DIR/ou.ldif" >>"$DIR/schema.log" 2>&1 ||
		die "creating the OU failed: $(tail -n 5 "$DIR/schema.log")"
}

# The delegation of doc/ad-admin.md, as SDDL ACEs on the OU.
delegate() {
	local guid sid
	load "$1"
	guid=$(awk '$1 == "class" { print $4 }' "$top/schema/vmgroup.def")
	sid=$(cat "$DIR/svc.sid")
	tool dsacl set --objectdn="OU=VM Groups,$BASE" \
	    --sddl="(OA;;CCDC;$guid;;$sid)" >"$DIR/delegate.log" 2>&1 &&
	tool dsacl set --objectdn="OU=VM Groups,$BASE" \
	    --sddl="(OA;CIIO;RPWPLCLORCSD;;$guid;$sid)" >>"$DIR/delegate.log" 2>&1 ||
		die "delegation failed: $(tail -n 5 "$DIR/delegate.log")"
}


# The link between the two namespaces: each DC's address routed through
# it, from the DC's own address.
link_dcs() {
	ip netns add "$NS2" || die "cannot create network namespace $NS2"
	echo "$NS2" >"$DIR/ns2"
	ip -n "$NS" link add vmg-dc1 type veth peer name vmg-dc2 netns "$NS2"
	ip -n "$NS" addr add "$LINK1/30" dev vmg-dc1
	ip -n "$NS" link set vmg-dc1 up
	ip -n "$NS" route add "$IP2/32" via "$LINK2" src "$IP"
	ip -n "$NS2" link set lo up
	ip -n "$NS2" addr add "$IP2/32" dev lo
	ip -n "$NS2" addr add "$LINK2/30" dev vmg-dc2
	ip -n "$NS2" link set vmg-dc2 up
	ip -n "$NS2" route add "$IP/32" via "$LINK1" src "$IP2"
}

join() {
	local r
	load "$1"
	[ -z "$NS2" ] || die "$DIR has a second DC already"
	NS2=$NS-2
	r=$DIR/run2
	mkdir -p "$DIR/dc2" "$r"
	link_dcs
	echo "nameserver $IP" >"$DIR/resolv.conf"
	in_ns2 samba-tool domain join "$(echo $REALM | tr A-Z a-z)" DC \
	    -s "$DIR/empty.conf" -U Administrator \
	    --password="$(cat "$DIR/admin.pw")" --server="$IP" \
	    --targetdir="$DIR/dc2" --dns-backend=SAMBA_INTERNAL \
	    --option="netbios name=DC2" --option="interfaces=$IP2" \
	    --option="bind interfaces only=yes" \
	    --option="dns forwarder=127.0.0.1" \
	    --option="pid directory=$r" --option="ncalrpc dir=$r/ncalrpc" \
	    --option="winbindd socket directory=$r/winbindd" \
	    --option="ntp signd socket directory=$r/ntp_signd" \
	    >"$DIR/join.log" 2>&1 ||
		die "joining dc2 failed: $(tail -n 5 "$DIR/join.log")"
	start_dc 2
	# dc2's own DNS records (its A, its SRV records) now, not at the
	# next periodic update; over RPC to dc1 (nsupdate's GSS-TSIG failed
	# now and then, "tsig verify failure", right after the join)
	in_ns2 samba_dnsupdate -s "$DIR/dc2/etc/smb.conf" --use-samba-tool \
	    --rpc-server-ip="$IP" >"$DIR/dnsupdate2.log" 2>&1 ||
		die "dc2's DNS records: $(tail -n 5 "$DIR/dnsupdate2.log")"
	write_krb5 "$DIR" "$IP2"	# either DC's KDC
	write_env
}

tree() { # PID and its descendants
	local c
	echo "$1"
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		tree "$c"
	done
}

stop_dc() { # [2]: the DC's processes, found from its PID (not by name)
	local pid pids=
	[ -s "$DIR/samba${1:-}.pid" ] && pids=$(tree "$(cat "$DIR/samba${1:-}.pid")")
	for pid in $pids; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in $pids; do
		wait_gone "$pid"
	done
}

# The DC stopped and started again, as a service manager would; other
# processes in its namespace (a test's) keep running.
restart() {
	load "$1"
	stop_dc
	start_dc
	write_env
}

# Anything else still inside namespace $1 (started there by a test) ended,
# the namespace deleted and its record file $2 removed.
drop_ns() {
	local pid
	for pid in $(ip netns pids "$1" 2>/dev/null); do
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid"
	done
	ip netns del "$1" 2>/dev/null || true
	rm -f "$2"
}

stop() {
	[ -d "$1" ] || return 0
	DIR=$(cd "$1" && pwd)
	[ -s "$DIR/ns" ] || return 0
	NS=$(cat "$DIR/ns")
	NS2=$(cat "$DIR/ns2" 2>/dev/null || true)
	if [ -n "$NS2" ]; then
		stop_dc 2
		drop_ns "$NS2" "$DIR/ns2"
	fi
	stop_dc
	drop_ns "$NS" "$DIR/ns"
}

case ${1:-} in
start) [ $# -eq 2 ] || die "usage: samba-env.sh start DIR"; start "$2" ;;
schema) [ $# -eq 2 ] || die "usage: samba-env.sh schema DIR"; schema "$2" ;;
delegate) [ $# -eq 2 ] || die "usage: samba-env.sh delegate DIR"; delegate "$2" ;;
restart) [ $# -eq 2 ] || die "usage: samba-env.sh restart DIR"; restart "$2" ;;
join) [ $# -eq 2 ] || die "usage: samba-env.sh join DIR"; join "$2" ;;
halt) [ $# -eq 2 ] || die "usage: samba-env.sh halt DIR"; load "$2"; stop_dc ;;
stop) [ $# -eq 2 ] || die "usage: samba-env.sh stop DIR"; stop "$2" ;;
*) die "usage: samba-env.sh start|schema|delegate|join|halt|restart|stop DIR" ;;
esac
