#!/bin/bash
# it_hooks.sh - the capture hooks driven the way their callers drive them,
# without the servers (tests/it_capture_*.sh run them under real ones):
#   scripts/hooks/kea-vmgroup    the hook point as argument and the
#                                variables Kea 2.2's run_script passes, in
#                                an otherwise empty environment
#   scripts/hooks/dhcpd-vmgroup  the arguments of the dhcpd.conf snippet in
#                                doc/capture.md
#   scripts/hooks/qemu-vmgroup   libvirtd's arguments, the domain XML on stdin
# and the spool files they leave (canonical one-line JSON) checked field by
# field.  No root needed.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAILED: $1"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

VMGROUP=$(cd "$top_builddir" && pwd)/vmgroup
if [ ! -x "$VMGROUP" ]; then
	echo "it_hooks: $VMGROUP not built" >&2
	exit 77
fi
HOOKS=$(cd "$top_srcdir" && pwd)/scripts/hooks
KEA=$HOOKS/kea-vmgroup
DHCPD=$HOOKS/dhcpd-vmgroup
QEMU=$HOOKS/qemu-vmgroup
have_xmllint=yes
if ! command -v xmllint >/dev/null 2>&1; then
	echo "it_hooks: xmllint (libxml2-utils) missing: the libvirt hook cannot work" >&2
	[ "${CI:-}" = true ] && exit 1
	have_xmllint=
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/vmg-hooks.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -m 0750 "$W/spool"
cat >"$W/images" <<'EOF'
# MAC IMAGE [NAME]
52:54:00:00:00:07 debian-12
52:54:00:00:00:09 alpine-3 app9
52:54:00:00:00:0a - nameonly
EOF
cat >"$W/hook.conf" <<EOF
VMGROUP_SPOOL=$W/spool
VMGROUP_HOST=hv1
VMGROUP_IMAGES=$W/images
VMGROUP=$VMGROUP
VMGROUP_HOOK_STATE=$W/state
EOF
export VMGROUP_HOOK_CONF=$W/hook.conf
NOW=$(date +%s)

nfiles() { find "$W/spool/new" -type f | wc -l; }
newest() { ls "$W/spool/new" | tail -n 1; }
# last: the newest spool file's event; asserts grep it
last() { cat "$W/spool/new/$(newest)"; }
has() { last | grep -q -- "$1"; }
hasnt() { ! last | grep -q -- "$1"; }
# queued N: exactly N new spool files since the mark
mark() { MARK=$(nfiles); }
queued() { [ "$(nfiles)" -eq $((MARK + $1)) ]; }

# --- Kea 2.2 run_script: what it exports for a lease (run_script.cc
# extractLease4/6: PREFIX_ADDRESS, _CLTT, _HOSTNAME, _HWADDR, _HWADDR_TYPE,
# _STATE, _SUBNET_ID, _VALID_LIFETIME, _CLIENT_ID; v6: _DUID, _IAID,
# _PREFERRED_LIFETIME, _PREFIX_LEN, _TYPE) and for the query
lease4() { # PREFIX IP MAC HOSTNAME CLTT VALID
	local hwt=1
	[ -n "$3" ] || hwt=
	echo "$1_ADDRESS=$2" "$1_CLTT=$5" "$1_HOSTNAME=$4" "$1_HWADDR=$3" \
		"$1_HWADDR_TYPE=$hwt" "$1_STATE=default" "$1_SUBNET_ID=1" \
		"$1_VALID_LIFETIME=$6" "$1_CLIENT_ID=01:$3"
}
lease6() { # PREFIX IP MAC HOSTNAME CLTT VALID [TYPE]
	local hwt=1
	[ -n "$3" ] || hwt=
	echo "$1_ADDRESS=$2" "$1_CLTT=$5" "$1_HOSTNAME=$4" "$1_HWADDR=$3" \
		"$1_HWADDR_TYPE=$hwt" "$1_STATE=default" "$1_SUBNET_ID=1" \
		"$1_VALID_LIFETIME=$6" "$1_DUID=00:03:00:01:$3" "$1_IAID=1" \
		"$1_PREFERRED_LIFETIME=$6" "$1_PREFIX_LEN=128" "$1_TYPE=${7:-IA_NA}"
}
query4() { echo QUERY4_TYPE=DHCPREQUEST QUERY4_TXID=1 QUERY4_IFACE_NAME=br0 \
	QUERY4_HWADDR="$1" QUERY4_RELAYED=false; }
query6() { echo QUERY6_TYPE=REQUEST QUERY6_TXID=1 QUERY6_IFACE_NAME=br0; }
# kea HOOKPOINT VAR=VALUE...: as run_script runs it: nothing else in the
# environment (no PATH either); the wrapper's VMGROUP_HOOK_CONF, as a
# site's "name" wrapper would set it.  (Values hold no spaces here.)
kea() {
	local hp=$1
	shift
	# shellcheck disable=SC2046
	env -i VMGROUP_HOOK_CONF="$VMGROUP_HOOK_CONF" "$@" "$KEA" "$hp" \
		>>"$W/kea.out" 2>>"$W/kea.err"
}

M=52:54:00:00:00:07
echo "== kea-vmgroup"
mark
# shellcheck disable=SC2046
kea leases4_committed $(query4 $M) LEASES4_SIZE=1 \
	$(lease4 LEASES4_AT0 192.0.2.10 $M Web7.example.test. "$NOW" 3600) \
	DELETED_LEASES4_SIZE=0
check "v4 commit: one event" queued 1
check "v4 commit: register of web7 (FQDN's first label, folded), image from the MAC" \
	has '"op":"register","host":"hv1","vm":"web7","image":"debian-12"'
check "v4 commit: the address" has '"addresses":\["192.0.2.10"\]'
check "v4 commit: MAC and source" has "\"mac\":\"$M\",\"source\":\"dhcp\""
check "v4 commit: lease end CLTT + lifetime" has "\"expires\":$((NOW + 3600))}"

mark
# shellcheck disable=SC2046
kea leases6_committed $(query6) LEASES6_SIZE=1 \
	$(lease6 LEASES6_AT0 2001:db8::10 $M "" "$NOW" 7200) DELETED_LEASES6_SIZE=0
check "v6 commit: one event" queued 1
check "v6 commit (no host name): web7 as remembered" has '"op":"register","host":"hv1","vm":"web7"'
check "v6 commit: both addresses" has '"addresses":\["192.0.2.10","2001:db8::10"\]'
check "v6 commit: the later lease end" has "\"expires\":$((NOW + 7200))}"

mark
# shellcheck disable=SC2046
kea lease4_renew $(query4 $M) $(lease4 LEASE4 192.0.2.10 $M web7 $((NOW + 60)) 7200)
# shellcheck disable=SC2046
kea leases4_committed $(query4 $M) LEASES4_SIZE=1 \
	$(lease4 LEASES4_AT0 192.0.2.10 $M web7 $((NOW + 60)) 7200) DELETED_LEASES4_SIZE=0
check "renewal (lease4_renew, then leases4_committed): one event" queued 1
check "renewal: both addresses, the new end" has \
	"\"addresses\":\[\"192.0.2.10\",\"2001:db8::10\"\],\"mac\":\"$M\",\"source\":\"dhcp\",\"time\":[0-9]*,\"expires\":$((NOW + 7260))}"

mark
# shellcheck disable=SC2046
kea lease6_rebind $(query6) $(lease6 LEASE6 2001:db8::11 $M "" "$NOW" 600 IA_PD)
check "a delegated prefix (IA_PD) queues nothing" queued 0

mark
# shellcheck disable=SC2046
kea lease4_release $(query4 $M) $(lease4 LEASE4 192.0.2.10 $M web7 "$NOW" 3600)
check "v4 release: one event" queued 1
check "v4 release while v6 remains: register with the v6 address" \
	has '"op":"register","host":"hv1","vm":"web7","image":"debian-12","addresses":\["2001:db8::10"\]'
check "... and the v6 lease end" has "\"expires\":$((NOW + 7200))}"

mark
# shellcheck disable=SC2046
kea lease6_release $(query6) $(lease6 LEASE6 2001:db8::10 $M "" "$NOW" 7200)
check "v6 release: one event" queued 1
check "v6 release, nothing left: release of web7" \
	has "\"op\":\"release\",\"host\":\"hv1\",\"vm\":\"web7\",\"addresses\":\[\],\"mac\":\"$M\",\"source\":\"dhcp\""
check "... without a lease end" hasnt '"expires"'
check "the memory of the MAC holds no address" sh -c "! grep -q '^a ' '$W/state/$M'"
mark
# shellcheck disable=SC2046
kea leases6_committed $(query6) LEASES6_SIZE=0 DELETED_LEASES6_SIZE=1 \
	$(lease6 DELETED_LEASES6_AT0 2001:db8::10 $M "" "$NOW" 7200)
check "the same release reported again (Kea: leases*_committed after lease*_release): nothing" queued 0

mark
: >"$W/kea.err"
# shellcheck disable=SC2046
kea leases4_committed $(query4 52:54:00:00:00:08) LEASES4_SIZE=1 \
	$(lease4 LEASES4_AT0 192.0.2.11 52:54:00:00:00:08 bad_name "$NOW" 3600) DELETED_LEASES4_SIZE=0
check "a host name that is no label: nothing queued" queued 0
check "... refused with vmgroup's reason" grep -q \
	"vmgroup-kea: register refused: vmgroup: refused: field \"vm\": \"bad_name\"" "$W/kea.err"
check "... and not remembered" test ! -e "$W/state/52:54:00:00:00:08"
# shellcheck disable=SC2046
kea leases4_committed $(query4 52:54:00:00:00:08) LEASES4_SIZE=1 \
	$(lease4 LEASES4_AT0 192.0.2.11 52:54:00:00:00:08 'dc1;$(touch${IFS}pwned)' "$NOW" 3600) \
	DELETED_LEASES4_SIZE=0
check "a hostile host name: nothing queued, nothing run" sh -c \
	"[ $(($(nfiles))) -eq $MARK ] && [ ! -e pwned ] && [ ! -e '$W/pwned' ]"

mark
: >"$W/kea.err"
# shellcheck disable=SC2046
kea leases6_committed $(query6) LEASES6_SIZE=1 \
	$(lease6 LEASES6_AT0 2001:db8::12 "" web12 "$NOW" 3600) DELETED_LEASES6_SIZE=0
check "a v6 lease without a MAC Kea knows: nothing queued" queued 0
check "... and logged" grep -q "vmgroup-kea: leases6_committed: lease of 2001:db8::12 has no MAC" "$W/kea.err"

mark
# shellcheck disable=SC2046
kea leases4_committed $(query4 52:54:00:00:00:09) LEASES4_SIZE=1 \
	$(lease4 LEASES4_AT0 192.0.2.19 52:54:00:00:00:09 "" "$NOW" 4294967295) DELETED_LEASES4_SIZE=0
check "no host name: the images file's name and image" \
	has '"op":"register","host":"hv1","vm":"app9","image":"alpine-3","addresses":\["192.0.2.19"\]'
check "an infinite lifetime: no lease end" hasnt '"expires"'
mark
# shellcheck disable=SC2046
kea lease4_expire $(lease4 LEASE4 192.0.2.19 52:54:00:00:00:09 "" "$NOW" 4294967295) REMOVE_LEASE=true
check "lease4_expire: release of app9" queued 1
check "... release" has '"op":"release","host":"hv1","vm":"app9"'

mark
# shellcheck disable=SC2046
kea leases4_committed $(query4 52:54:00:00:00:0a) LEASES4_SIZE=1 \
	$(lease4 LEASES4_AT0 192.0.2.20 52:54:00:00:00:0a "" "$NOW" 600) DELETED_LEASES4_SIZE=0
check "image \"-\" in the images file: a name, no image" \
	has '"op":"register","host":"hv1","vm":"nameonly","addresses":\["192.0.2.20"\]'
mark
# shellcheck disable=SC2046
kea leases4_committed $(query4 52:54:00:00:00:0a) LEASES4_SIZE=1 \
	$(lease4 LEASES4_AT0 192.0.2.21 52:54:00:00:00:0a "" "$NOW" 600) \
	DELETED_LEASES4_SIZE=1 $(lease4 DELETED_LEASES4_AT0 192.0.2.20 52:54:00:00:00:0a "" "$NOW" 600)
check "leases4_committed with a deleted lease: the old address goes" \
	has '"vm":"nameonly","addresses":\["192.0.2.21"\]'
mark
# shellcheck disable=SC2046
kea lease4_decline $(query4 52:54:00:00:00:0a) $(lease4 LEASE4 192.0.2.21 52:54:00:00:00:0a "" "$NOW" 600)
check "lease4_decline: release" has '"op":"release","host":"hv1","vm":"nameonly"'
mark
kea lease4_recover LEASE4_ADDRESS=192.0.2.21
kea pkt4_receive QUERY4_TYPE=DHCPDISCOVER
check "other hook points: nothing" queued 0

# v4 and v6 at once for a new MAC (run_script with "sync": false): the
# lock makes the second see the first
mark
M2=52:54:00:00:00:0b
# shellcheck disable=SC2046
kea leases4_committed $(query4 $M2) LEASES4_SIZE=1 \
	$(lease4 LEASES4_AT0 192.0.2.30 $M2 par "$NOW" 600) DELETED_LEASES4_SIZE=0 &
# shellcheck disable=SC2046
kea leases6_committed $(query6) LEASES6_SIZE=1 \
	$(lease6 LEASES6_AT0 2001:db8::30 $M2 par "$NOW" 600) DELETED_LEASES6_SIZE=0 &
wait
check "v4 and v6 at the same time: two events" queued 2
check "... the later one holds both addresses" \
	has '"vm":"par","addresses":\["192.0.2.30","2001:db8::30"\]'

# a VM that changes its name: registered under the new one, released under
# the old one
mark
# shellcheck disable=SC2046
kea leases4_committed $(query4 $M2) LEASES4_SIZE=1 \
	$(lease4 LEASES4_AT0 192.0.2.30 $M2 renamed "$NOW" 900) DELETED_LEASES4_SIZE=0
check "a new name: two events" queued 2
check "... the release of the old name last" has '"op":"release","host":"hv1","vm":"par"'
check "... the register of the new one, with both addresses" grep -q \
	'"op":"register","host":"hv1","vm":"renamed","addresses":\["192.0.2.30","2001:db8::30"\]' \
	"$W/spool/new/$(ls "$W/spool/new" | tail -n 2 | head -n 1)"

echo "== dhcpd-vmgroup"
# dhcpd gives the MAC as binary-to-ascii(16, 8, ":", ...) does: no padding
D=$W/dhcpd.err
mark
"$DHCPD" commit 192.0.2.40 52:54:0:0:0:c Db1 600 2>>"$D"
check "commit: one event" queued 1
check "commit: register of db1" has '"op":"register","host":"hv1","vm":"db1","addresses":\["192.0.2.40"\]'
check "commit: the MAC padded" has '"mac":"52:54:00:00:00:0c","source":"dhcp"'
check "commit: a lease end" has '"expires":[0-9]\{10\}}'
e=$(last | sed -n 's/.*"time":\([0-9]*\),"expires":\([0-9]*\)}/\2-\1/p')
check "commit: lease end = time + 600" test "$((e))" -eq 600
mark
# shellcheck disable=SC2046
kea leases6_committed $(query6) LEASES6_SIZE=1 \
	$(lease6 LEASES6_AT0 2001:db8::40 52:54:00:00:00:0c db1.example.test "$NOW" 3600) DELETED_LEASES6_SIZE=0
check "kea-dhcp6 after dhcpd: both addresses (one memory for both hooks)" \
	has '"vm":"db1","addresses":\["192.0.2.40","2001:db8::40"\]'
mark
"$DHCPD" expiry 192.0.2.40 2>>"$D"
check "expiry without a MAC: found by its address, v6 left" \
	has '"op":"register","host":"hv1","vm":"db1","addresses":\["2001:db8::40"\]'
mark
# shellcheck disable=SC2046
kea lease6_expire $(lease6 LEASE6 2001:db8::40 "" "" "$NOW" 3600) REMOVE_LEASE=true
check "kea: a lease end without a MAC, found by its address: release of db1" \
	has '"op":"release","host":"hv1","vm":"db1","addresses":\[\],"mac":"52:54:00:00:00:0c"'
mark
"$DHCPD" release 192.0.2.99 "" 2>>"$D"
check "release of an address nobody holds: nothing" queued 0
check "... logged" grep -q "vmgroup-dhcpd: release of 192.0.2.99: no VM known" "$D"
mark
"$DHCPD" commit 192.0.2.41 52:54:0:0:0:d "" 600 2>>"$D"
check "commit without a host name (and none in the images file): nothing" queued 0
check "... logged" grep -q "vmgroup-dhcpd: lease of 192.0.2.41 (52:54:00:00:00:0d) has no host name" "$D"
"$DHCPD" commit 192.0.2.41 52:54:0:0:0:d "x.y;reboot" 600 2>>"$D"
check "a dotted, hostile host name: first label \"x\" is taken" has '"vm":"x","addresses":\["192.0.2.41"\]'
mark
"$DHCPD" commit 192.0.2.42 "not-a-mac" web 600 2>>"$D"
"$DHCPD" commit "192.0.2.42;ls" 52:54:0:0:0:e web 600 2>>"$D"
"$DHCPD" commit 192.0.2.43 52:54:0:0:0:e "-rf" 600 2>>"$D"
check "a bad MAC, a bad address, a name like an option: nothing" queued 0
mark
"$DHCPD" release 192.0.2.41 52:54:0:0:0:d 2>>"$D"
check "release: release of x" has '"op":"release","host":"hv1","vm":"x","addresses":\[\],"mac":"52:54:00:00:00:0d"'

echo "== qemu-vmgroup"
NS=http://vmgroup.example.org/xmlns/vm/1
domxml() { # NAME METADATA
	cat <<EOF
<domain type='kvm' id='3'>
  <name>$1</name>
  <uuid>3e2c1d0a-0000-4000-8000-000000000001</uuid>
  <metadata>
    <other:data xmlns:other="http://example.com/other/1"><other:address>203.0.113.9</other:address></other:data>
$2
  </metadata>
  <memory unit='KiB'>1048576</memory>
  <devices>
    <disk type='file' device='disk'><source file='/var/lib/libvirt/images/$1.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <interface type='bridge'>
      <mac address='52:54:00:AB:CD:01'/>
      <source bridge='br0'/>
      <model type='virtio'/>
    </interface>
    <interface type='network'><mac address='52:54:00:ab:cd:02'/><source network='default'/></interface>
  </devices>
</domain>
EOF
}
META="    <vmgroup:vm xmlns:vmgroup=\"$NS\">
      <vmgroup:image>debian-12</vmgroup:image>
      <vmgroup:address>192.0.2.50</vmgroup:address>
      <vmgroup:address> 2001:db8::50 </vmgroup:address>
    </vmgroup:vm>"
Q=$W/qemu
# libvirtd's environment for hooks: LC_ALL=C, PATH, HOME, USER, LOGNAME
qemu() { # ARGS... (XML on stdin); the exit status in $W/qemu.rc
	env -i LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root VMGROUP_HOOK_CONF="$VMGROUP_HOOK_CONF" "$QEMU" "$@" \
		>"$Q.out" 2>>"$Q.err"
	echo $? >"$Q.rc"
}
rc0() { [ "$(cat "$Q.rc")" = 0 ] && [ ! -s "$Q.out" ]; }
if [ -n "$have_xmllint" ]; then
	mark
	domxml web1 "$META" | qemu web1 prepare begin -
	domxml web1 "$META" | qemu web1 start begin -
	check "prepare, start: nothing queued, exit 0" sh -c "[ $(($(nfiles))) -eq $MARK ] && [ \"\$(cat '$Q.rc')\" = 0 ]"
	domxml web1 "$META" | qemu web1 started begin -
	check "started: exit 0, nothing on stdout" rc0
	check "started: one event" queued 1
	check "started: register of web1 (the domain name), the metadata's image and addresses" \
		has '"op":"register","host":"hv1","vm":"web1","image":"debian-12","addresses":\["192.0.2.50","2001:db8::50"\]'
	check "started: the first interface's MAC, source libvirt, no lease end" \
		has '"mac":"52:54:00:ab:cd:01","source":"libvirt","time":[0-9]*}$'
	check "another namespace's address is not taken" hasnt 203.0.113.9
	mark
	domxml web1 "$META" | qemu web1 stopped end -
	check "stopped: release of web1" has '"op":"release","host":"hv1","vm":"web1","addresses":\[\]'
	domxml web1 "$META" | qemu web1 release end -
	check "release (after stopped): nothing more" queued 1
	mark
	domxml web1 "$META" | qemu web1 migrate begin -
	check "migrate (destination): register, exit 0, stdout empty (XML unchanged)" \
		sh -c "[ $(($(nfiles))) -eq $((MARK + 1)) ] && [ \"\$(cat '$Q.rc')\" = 0 ] && [ ! -s '$Q.out' ]"
	check "migrate: web1 with its addresses" has '"op":"register","host":"hv1","vm":"web1","image":"debian-12","addresses":\["192.0.2.50","2001:db8::50"\]'
	mark
	domxml web1 "$META" | qemu web1 reconnect begin -
	check "reconnect: register" has '"op":"register","host":"hv1","vm":"web1"'
	mark
	domxml plain "" | qemu plain started begin -
	domxml plain "" | qemu plain stopped end -
	check "a domain without vmgroup metadata: nothing, exit 0" sh -c \
		"[ $(($(nfiles))) -eq $MARK ] && [ \"\$(cat '$Q.rc')\" = 0 ]"
	: >"$Q.err"
	domxml 'evil;$(touch${IFS}pwned)' "$META" | qemu 'evil $(touch pwned)' started begin -
	check "a domain name that is no DNS label: refused, exit 0" sh -c \
		"[ $(($(nfiles))) -eq $MARK ] && [ \"\$(cat '$Q.rc')\" = 0 ] && [ ! -e pwned ]"
	check "... with vmgroup's reason" grep -q 'vmgroup-libvirt: register refused: vmgroup: refused: field "vm"' "$Q.err"
	domxml web2 "${META/192.0.2.50/127.0.0.1}" | qemu web2 started begin -
	check "an address vmgroup refuses: nothing, exit 0" sh -c \
		"[ $(($(nfiles))) -eq $MARK ] && [ \"\$(cat '$Q.rc')\" = 0 ]"
	check "... with the reason" grep -q 'is a special-purpose address' "$Q.err"
	domxml web3 "<vm xmlns=\"$NS\"><name>Db3</name><address>198.51.100.3</address></vm>" |
		qemu 'web 3' started begin -
	check "<name> in the metadata (default namespace) names the VM" \
		has '"op":"register","host":"hv1","vm":"db3","addresses":\["198.51.100.3"\],"mac":"52:54:00:ab:cd:01","source":"libvirt"'
	# what "virsh metadata --set '<vm><address>...'" stores: the prefix on
	# the element only, its children in no namespace
	mark
	domxml web5 "<vmgroup:vm xmlns:vmgroup=\"$NS\"><address>198.51.100.5</address><image>rocky-9</image></vmgroup:vm>" |
		qemu web5 started begin -
	check "metadata as virsh metadata --set writes it" \
		has '"op":"register","host":"hv1","vm":"web5","image":"rocky-9","addresses":\["198.51.100.5"\]'
	mark
	printf 'not xml <<<' | qemu web4 started begin -
	check "XML that does not parse: nothing, exit 0" sh -c \
		"[ $(($(nfiles))) -eq $MARK ] && [ \"\$(cat '$Q.rc')\" = 0 ]"
	qemu web4 started begin - </dev/null
	check "no XML at all: nothing, exit 0" sh -c \
		"[ $(($(nfiles))) -eq $MARK ] && [ \"\$(cat '$Q.rc')\" = 0 ]"
else
	echo "skipped: qemu-vmgroup (no xmllint)"
fi

echo "$fails failure(s)"
if [ $fails -ne 0 ]; then
	for f in "$W/spool/new"/*; do cat "$f"; done
	cat "$W/kea.err" "$W/dhcpd.err" "$Q.err" 2>/dev/null
fi
[ $fails -eq 0 ]
