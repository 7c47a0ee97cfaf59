#!/bin/bash
# testenv.sh - a private MIT KDC and an OpenLDAP slapd shaped like an Active
# Directory domain controller's DNS partition, on loopback, from nothing.
#
#   tests/testenv.sh start DIR   set up and start in DIR (an empty folder);
#                                writes DIR/env.sh to source
#   tests/testenv.sh stop DIR    stop the two servers it started (by PID)
#   tests/testenv.sh restart-slapd DIR
#                                start slapd again (after a test stopped it);
#                                prints its new PID
#   tests/testenv.sh check       exit 0 if every program and module needed
#                                is there, else name what is missing (exit 1)
#
# Realm EXAMPLE.TEST, base DC=example,DC=test, zone example.test, reverse
# zones 2.0.192.in-addr.arpa and 8.b.d.0.1.0.0.2.ip6.arpa, OU=VM Groups.
# The service principal svc-vmgroup@EXAMPLE.TEST has a keytab and maps to
# cn=svc-vmgroup,ou=Service Accounts,dc=example,dc=test, the only account
# (besides the rootdn) that may write the zones and the OU.  A node DC=dc1
# with an A record, created by the rootdn, stands for a foreign node.
# VMG_TEST_SLAPD_LOG=FILE (opt-in): slapd's stats log into FILE (run_slapd).
# Both servers listen on 127.0.0.1 only.  Nothing outside DIR is read or
# written (slapd's replay cache included); see doc/testenv.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
REALM=EXAMPLE.TEST
BASE="dc=example,dc=test"
ZONE=example.test
REV4=2.0.192.in-addr.arpa
REV6=8.b.d.0.1.0.0.2.ip6.arpa
SVC_DN="cn=svc-vmgroup,ou=Service Accounts,$BASE"
ADMIN_DN="cn=admin,$BASE"
SOA_SERIAL=7

. "$here/lib-proc.sh"

die() { echo "testenv: $*" >&2; exit 1; }

# Print what is missing to run the servers; true if nothing is.
missing() {
	local p out=""
	PATH=$PATH:/usr/sbin:/sbin
	for p in kdb5_util kadmin.local krb5kdc kinit slapd slaptest ldapadd \
	    ldapsearch ss base64 od openssl; do
		command -v "$p" >/dev/null 2>&1 || out+=" $p"
	done
	[ -e /usr/lib/ldap/back_mdb.so ] || [ -e /usr/lib/ldap/back_mdb.la ] ||
		out+=" slapd's back_mdb module"
	compgen -G "/usr/lib/*/sasl2/libgssapiv2.so*" >/dev/null ||
	    compgen -G "/usr/lib/sasl2/libgssapiv2.so*" >/dev/null ||
		out+=" the SASL GSSAPI plugin (libsasl2-modules-gssapi-mit)"
	[ -n "$out" ] || return 0
	echo "missing:$out"
	return 1
}

need() {
	local m
	m=$(missing) || die "$m"
	PATH=$PATH:/usr/sbin:/sbin
}

# A free TCP port on 127.0.0.1 (random, checked; the caller retries a race).
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] &&
		    [ -z "$(ss -Hlun "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found"
}

randhex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

. "$here/lib-dnsrec.sh"

soa_record() {
	record 6 3600 "$(be32 $SOA_SERIAL)$(be32 900)$(be32 600)$(be32 86400)$(be32 3600)$(cname dc1.$ZONE)$(cname hostmaster.$ZONE)"
}
ns_record() { record 2 3600 "$(cname dc1.$ZONE)"; }
a_record() { record 1 3600 "$(u8 192)$(u8 0)$(u8 2)$(u8 1)"; }

zone_dn() { echo "DC=$1,CN=MicrosoftDNS,DC=DomainDnsZones,$BASE"; }

write_ldif() {
	local z
	cat <<LDIF
dn: $BASE
objectClass: domain
dc: example

dn: ou=Service Accounts,$BASE
objectClass: organizationalUnit
ou: Service Accounts

dn: $SVC_DN
objectClass: applicationProcess
cn: svc-vmgroup

dn: OU=VM Groups,$BASE
objectClass: organizationalUnit
ou: VM Groups

dn: DC=DomainDnsZones,$BASE
objectClass: domain
dc: DomainDnsZones

dn: CN=MicrosoftDNS,DC=DomainDnsZones,$BASE
objectClass: container
cn: MicrosoftDNS

LDIF
	for z in $ZONE $REV4 $REV6; do
		cat <<LDIF
dn: $(zone_dn "$z")
objectClass: dnsZone
dc: $z

dn: DC=@,$(zone_dn "$z")
objectClass: dnsNode
dc: @
dnsRecord:: $(soa_record)
dnsRecord:: $(ns_record)

LDIF
	done
	cat <<LDIF
dn: DC=dc1,$(zone_dn $ZONE)
objectClass: dnsNode
dc: dc1
dnsRecord:: $(a_record)
LDIF
}

write_krb5() {
	local dir=$1 kport=$2
	cat >"$dir/krb5.conf" <<CONF
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
	default_ccache_name = FILE:$dir/ccache
[realms]
	$REALM = {
		kdc = 127.0.0.1:$kport
	}
CONF
	cat >"$dir/kdc.conf" <<CONF
[kdcdefaults]
	kdc_listen = 127.0.0.1:$kport
	kdc_tcp_listen = 127.0.0.1:$kport
[realms]
	$REALM = {
		database_name = $dir/kdc/principal
		key_stash_file = $dir/kdc/stash
		acl_file = $dir/kdc/kadm5.acl
		max_life = ${VMG_TESTENV_TICKET_LIFE:-10h}
		max_renewable_life = 0
	}
[logging]
	kdc = FILE:$dir/kdc.log
CONF
}

write_slapd_conf() {
	local dir=$1 pw=$2 z acl="" sync="overlay syncprov" mod="moduleload syncprov"
	# VMG_TESTENV_SYNCPROV=no: a directory that offers no syncrepl;
	# =module: the module loaded (the root DSE lists the control) but no
	# overlay on the database (a search with it is refused)
	case ${VMG_TESTENV_SYNCPROV:-yes} in
	no) sync="# (no syncprov)"; mod="# (no syncprov)" ;;
	module) sync="# (no syncprov overlay)" ;;
	esac
	for z in "$(zone_dn $ZONE)" "$(zone_dn $REV4)" "$(zone_dn $REV6)" \
	    "OU=VM Groups,$BASE"; do
		acl+="access to dn.subtree=\"$z\"
	by dn.exact=\"$SVC_DN\" write
	by users read
	by * none
"
	done
	cat >"$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include $here/testenv/ad-dns.schema
include $top/schema/vmgroup.schema
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
$mod
sasl-host localhost
sasl-realm $REALM
TLSCertificateFile $dir/tls.crt
TLSCertificateKeyFile $dir/tls.key
authz-regexp "^uid=svc-vmgroup(,cn=example.test)?,cn=gssapi,cn=auth\$" "$SVC_DN"
sizelimit 5000
# Global ACLs (the root DSE and cn=Subschema belong to no database):
# anonymous users see the root DSE (naming contexts, SASL mechanisms) only.
access to dn.base="" by * read
access to dn.base="cn=Subschema" by users read by * none
access to * by users read by * none

database mdb
maxsize 67108864
suffix "$BASE"
rootdn "$ADMIN_DN"
rootpw $pw
directory $dir/db
# the service account reads every node of a zone (a full reconcile of
# 10,000+ VMs, paged): no size limit for it (others keep sizelimit 5000)
limits dn.exact="$SVC_DN" size=unlimited
index objectClass eq
index dc,cn eq
index vmGroupHost,vmGroupDNSName,vmGroupMember,vmGroupAddress eq
index vmGroupBlocked eq
index entryCSN,entryUUID eq
$acl
access to * by users read by * none
# syncrepl refreshAndPersist for vmgroup enforce --follow (RFC 4533)
$sync
CONF
}

make_realm() {
	local dir=$1
	mkdir -p "$dir/kdc"
	write_krb5 "$dir" 0
	export KRB5_CONFIG=$dir/krb5.conf KRB5_KDC_PROFILE=$dir/kdc.conf
	kdb5_util create -s -r $REALM -P "$(randhex 16)" >"$dir/kdb5.log" 2>&1 ||
		die "kdb5_util create failed: $(tail -n 3 "$dir/kdb5.log")"
	{
		echo "addprinc -randkey ldap/localhost@$REALM"
		echo "addprinc -randkey svc-vmgroup@$REALM"
		echo "ktadd -k $dir/slapd.keytab ldap/localhost@$REALM"
		echo "ktadd -k $dir/svc.keytab svc-vmgroup@$REALM"
	} | kadmin.local >"$dir/kadmin.log" 2>&1 ||
		die "kadmin.local failed: $(tail -n 3 "$dir/kadmin.log")"
	chmod 0600 "$dir/slapd.keytab" "$dir/svc.keytab"
}

# Start krb5kdc on port $2; true once it hands out a ticket, false if it
# exited (the port was taken after all, most likely).
try_kdc() {
	local dir=$1 port=$2 i pid
	write_krb5 "$dir" "$port"
	krb5kdc -n -r $REALM >>"$dir/kdc.log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/kdc.pid"
	for i in $(seq 100); do
		if KRB5CCNAME=MEMORY:probe kinit -k -t "$dir/svc.keytab" \
		    svc-vmgroup@$REALM >/dev/null 2>&1; then
			echo "$port" >"$dir/kdc.port"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null || true
			rm -f "$dir/kdc.pid"
			return 1
		fi
		sleep 0.02
	done
	die "the KDC did not answer on port $port"
}

start_kdc() {
	local dir=$1 tries
	make_realm "$dir"
	for tries in 1 2 3 4 5; do
		try_kdc "$dir" "$(free_port)" && return 0
	done
	die "krb5kdc did not start: $(tail -n 3 "$dir/kdc.log")"
}

# slapd forks; its parent exits non-zero if the child could not start (a
# port taken, a bad configuration).  Its keytab, krb5.conf and replay cache
# are DIR's.
# With VMG_TEST_SLAPD_LOG=FILE (opt-in, for bench/dirbench.sh), slapd runs
# in the foreground with "-d stats" (one line per operation: "conn=N op=M
# ADD/MOD/SRCH/DEL ...") appended to FILE, in the background of this script;
# true once it wrote its pid file, false if it exited.
run_slapd() {
	[ -z "${VMG_TEST_SLAPD_LOG:-}" ] || { run_slapd_logged "$@"; return; }
	KRB5_KTNAME=$1/slapd.keytab KRB5_CONFIG=$1/krb5.conf KRB5RCACHEDIR=$1 \
	    slapd -f "$1/slapd.conf" -h "ldap://127.0.0.1:$2/ ldaps://127.0.0.1:$3/" \
	    -n vmgroup-test
}

run_slapd_logged() {
	local pid i
	rm -f "$1/slapd.pid"
	KRB5_KTNAME=$1/slapd.keytab KRB5_CONFIG=$1/krb5.conf KRB5RCACHEDIR=$1 \
	    slapd -f "$1/slapd.conf" -h "ldap://127.0.0.1:$2/ ldaps://127.0.0.1:$3/" \
	    -n vmgroup-test -d stats >>"$VMG_TEST_SLAPD_LOG" 2>&1 </dev/null &
	pid=$!
	for i in $(seq 250); do
		[ "$(cat "$1/slapd.pid" 2>/dev/null)" = "$pid" ] && return 0
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; return 1; }
		sleep 0.02
	done
	kill -TERM "$pid" 2>/dev/null	# no pid file: not one we could stop later
	wait_gone "$pid"
	return 1
}

# A self-signed certificate for slapd's ldaps:// listener, for the names
# libldap checks on loopback (localhost, and this host's name, which it
# may put in localhost's stead).
write_tls_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$1/tls.key" -out "$1/tls.crt" -days 7 \
	    -subj "/CN=localhost" -addext \
	    "subjectAltName=DNS:localhost,DNS:$(hostname),IP:127.0.0.1" \
	    >"$1/tls.log" 2>&1 || die "openssl: $(tail -n 3 "$1/tls.log")"
}

start_slapd() {
	local dir=$1 pw=$2 port tport i tries
	mkdir -p "$dir/db"
	write_tls_cert "$dir"
	write_slapd_conf "$dir" "$pw"
	for tries in 1 2 3 4 5; do
		port=$(free_port)
		tport=$(free_port)
		[ "$tport" != "$port" ] || continue
		if run_slapd "$dir" "$port" "$tport" >>"$dir/slapd.log" 2>&1; then
			break
		fi
		# slapd says why only to syslog: a bad configuration is not
		# worth another port
		slaptest -u -f "$dir/slapd.conf" >"$dir/slaptest.log" 2>&1 ||
			die "slapd.conf: $(tail -n 3 "$dir/slaptest.log")"
		[ "$tries" -lt 5 ] || die "slapd did not start (port $port)"
	done
	for i in $(seq 100); do
		[ -s "$dir/slapd.pid" ] && LDAPNOINIT=1 ldapsearch -x -LLL \
		    -H "ldap://127.0.0.1:$port" -b "" -s base >/dev/null 2>&1 &&
		    break
		sleep 0.02
	done
	[ -s "$dir/slapd.pid" ] || die "slapd wrote no pid file"
	echo "$port" >"$dir/slapd.port"
	echo "$tport" >"$dir/slapd.tport"
	write_ldif >"$dir/seed.ldif"
	LDAPNOINIT=1 ldapadd -x -H "ldap://127.0.0.1:$port" -D "$ADMIN_DN" -w "$pw" \
	    -f "$dir/seed.ldif" >"$dir/seed.log" 2>&1 ||
		die "seeding the directory failed: $(tail -n 5 "$dir/seed.log")"
}

write_env() {
	local dir=$1 pw=$2 lport tport kport
	lport=$(cat "$dir/slapd.port")
	tport=$(cat "$dir/slapd.tport")
	kport=$(cat "$dir/kdc.port")
	cat >"$dir/ldap.conf" <<CONF
URI ldap://localhost:$lport
BASE $BASE
SASL_MECH GSSAPI
SASL_NOCANON on
TLS_CACERT $dir/tls.crt
CONF
	cat >"$dir/env.sh" <<ENV
# written by tests/testenv.sh start; source it
export KRB5_CONFIG='$dir/krb5.conf'
export KRB5CCNAME='FILE:$dir/ccache'
export KRB5RCACHEDIR='$dir'
# libldap reads no ldap.conf, ~/.ldaprc or LDAP* variable of the caller;
# every tool gets its options on the command line, e.g.
#   ldapwhoami \$VMG_TEST_LDAP_GSSAPI_ARGS   (after kinit -k -t ...)
#   ldapsearch \$VMG_TEST_LDAP_ADMIN_ARGS -b ...
export LDAPNOINIT=1
export LDAPCONF='$dir/ldap.conf'
export VMG_TEST_LDAP_GSSAPI_ARGS='-H ldap://localhost:$lport -N -Q -Y GSSAPI'
export VMG_TEST_LDAP_ADMIN_ARGS='-x -H ldap://localhost:$lport -D $ADMIN_DN -w $pw'
export VMG_TEST_DIR='$dir'
export VMG_TEST_REALM='$REALM'
export VMG_TEST_LDAP_URI='ldap://localhost:$lport'
export VMG_TEST_LDAP_PORT='$lport'
# slapd's ldaps:// listener: its certificate is trusted through LDAPCONF
# (TLS_CACERT), which libldap reads once LDAPNOINIT is unset
export VMG_TEST_LDAPS_URI='ldaps://localhost:$tport'
export VMG_TEST_KDC_PORT='$kport'
export VMG_TEST_BASE='$BASE'
export VMG_TEST_ZONE='$ZONE'
export VMG_TEST_REVZONE4='$REV4'
export VMG_TEST_REVZONE6='$REV6'
export VMG_TEST_ZONE_DN='$(zone_dn $ZONE)'
export VMG_TEST_OU_DN='OU=VM Groups,$BASE'
export VMG_TEST_PRINCIPAL='svc-vmgroup@$REALM'
export VMG_TEST_KEYTAB='$dir/svc.keytab'
export VMG_TEST_SVC_DN='$SVC_DN'
export VMG_TEST_ADMIN_DN='$ADMIN_DN'
export VMG_TEST_ADMIN_PW='$pw'
export VMG_TEST_SOA_SERIAL='$SOA_SERIAL'
export VMG_TEST_KDC_PID='$(cat "$dir/kdc.pid")'
export VMG_TEST_SLAPD_PID='$(cat "$dir/slapd.pid")'
ENV
}


# True if PID is still the NAME process started for DIR (not a reused PID):
# slapd names DIR on its command line, krb5kdc in its environment.
ours() {
	local pid=$1 name=$2 dir=$3
	[ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "$name" ] || return 1
	# (grep reads all its input: no SIGPIPE for tr under pipefail)
	tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
		grep -F "$dir/" >/dev/null ||
		tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null |
		grep -xF "KRB5_KDC_PROFILE=$dir/kdc.conf" >/dev/null
}

# Stop the two servers by the PIDs recorded in DIR, and only those.
stop() {
	local dir=$1 f pid name
	dir=$(cd "$dir" 2>/dev/null && pwd) || return 0
	for f in slapd kdc; do
		[ -s "$dir/$f.pid" ] || continue
		pid=$(cat "$dir/$f.pid")
		name=slapd
		[ "$f" = kdc ] && name=krb5kdc
		if ours "$pid" "$name" "$dir"; then
			kill -TERM "$pid" 2>/dev/null || true
			wait_gone "$pid"
		fi
		rm -f "$dir/$f.pid"
	done
}

start() {
	local dir=$1 pw
	[ -d "$dir" ] || die "$dir: no such folder"
	dir=$(cd "$dir" && pwd)
	need
	# a failed start leaves nothing running
	trap 'stop "$dir"' EXIT
	pw=$(randhex 12)
	start_kdc "$dir"
	start_slapd "$dir" "$pw"
	write_env "$dir" "$pw"
	trap - EXIT
}

# Start slapd again on its port and data (after a test stopped it).
restart_slapd() {
	local dir=$1 port tport i
	dir=$(cd "$dir" && pwd)
	port=$(cat "$dir/slapd.port")
	tport=$(cat "$dir/slapd.tport")
	for i in $(seq 40); do
		run_slapd "$dir" "$port" "$tport" >>"$dir/slapd.log" 2>&1 && break
		sleep 0.25	# the old socket may linger a moment
	done
	for _ in $(seq 100); do
		LDAPNOINIT=1 ldapsearch -x -LLL -H "ldap://127.0.0.1:$port" \
		    -b "" -s base >/dev/null 2>&1 &&
		    { cat "$dir/slapd.pid"; return 0; }
		sleep 0.05
	done
	die "slapd did not come back"
}

case ${1:-} in
check) [ $# -eq 1 ] || die "usage: testenv.sh check"; missing ;;
restart-slapd) [ $# -eq 2 ] || die "usage: testenv.sh restart-slapd DIR"
	restart_slapd "$2" ;;
start) [ $# -eq 2 ] || die "usage: testenv.sh start DIR"; start "$2" ;;
stop) [ $# -eq 2 ] || die "usage: testenv.sh stop DIR"; stop "$2" ;;
*) die "usage: testenv.sh start|stop|restart-slapd DIR, or check" ;;
esac
