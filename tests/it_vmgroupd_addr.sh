#!/bin/bash
# it_vmgroupd_addr.sh - special-purpose addresses and the [daemon] networks
# allow-list, against the real KDC + slapd of tests/testenv.sh: such
# registrations are quarantined with their reason and nothing of them
# reaches the directory; kept registrations the allow-list now refuses are
# withdrawn; vmgroup enforce never puts a special address into a set, even
# one an administrator wrote into vmGroupAddress by hand.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
if [ -z "${VMG_TEST_DIR:-}" ]; then
	exec "$top_srcdir/tests/with-testenv.sh" bash "$0" "$@"
fi
. "$top_srcdir/tests/lib-it.sh"

G1=hv1-debian-12-vm
OU=$VMG_TEST_OU_DN
SPECIAL="0.0.0.0 255.255.255.255 127.0.0.1 224.0.0.1 fe80::1 :: ff02::1"
OUTSIDE="is outside every network of the setting [daemon] networks"

# A spool file as a hook could write it, bypassing vmgroup register.
raw() { # file vm image address...
	local f=$1 vm=$2 img=$3 a list=
	shift 3
	for a; do list="$list${list:+,}\"$a\""; done
	printf '{"version":1,"op":"register","host":"hv1","vm":"%s","image":"%s","addresses":[%s],"source":"dhcp","time":%s}\n' \
		"$vm" "$img" "$list" "$T" >"$SPOOL/new/$f.json"
}
reason() { cat "$SPOOL/quarantine/$1.json.reason" 2>/dev/null; }
has() { # text needle...: text holds every needle (fixed strings)
	local t=$1 n
	shift
	for n; do case $t in *"$n"*) ;; *) return 1 ;; esac; done
}
# Some quarantined file's reason is exactly this line.
quarantined_with() { grep -qxF "$1" "$SPOOL"/quarantine/*.reason 2>/dev/null; }
no_entry() { test -z "$(admin -b "$1" -s base dn)"; }
# No vmGroup object anywhere holds the address.
nowhere() { test -z "$(admin -b "$OU" "(vmGroupAddress=$1)" dn)"; }

# --- a legitimate VM first, so the group exists
write_conf image no
reg -n web1 -i debian-12 -a 192.0.2.10 -l 3600
check "first pass" pass

# --- vmgroup register refuses every special address, naming it
for a in $SPECIAL; do
	out=$("$VMGROUP" register -s "$SPOOL" -H hv1 -n sp -a "$a" 2>&1)
	check "register refuses $a (exit 1, special-purpose)" has \
		"rc=$? $out" "rc=1 " "(\"$a\") is a special-purpose address"
done
check "and queues nothing" test -z "$(ls -A "$SPOOL/new")"

# --- such spool files are quarantined by vmgroupd with the reason
i=0
for a in $SPECIAL; do
	i=$((i + 1))
	raw sp$i sp$i special "$a"
done
raw mixed mix1 debian-12 192.0.2.12 ff02::1
check "pass with special addresses" pass
i=0
for a in $SPECIAL; do
	i=$((i + 1))
	case $a in
	0.0.0.0) why="unspecified (0.0.0.0/8" ;;
	255.255.255.255) why="limited broadcast" ;;
	127.0.0.1) why="loopback (127.0.0.0/8)" ;;
	224.0.0.1) why="multicast (224.0.0.0/4)" ;;
	fe80::1) why="link-local (fe80::/10)" ;;
	::) why="unspecified (::)" ;;
	ff02::1) why="multicast (ff00::/8)" ;;
	esac
	check "$a quarantined with its reason" has "$(reason sp$i)" \
		"(\"$a\") is a special-purpose address" "$why"
	check "$a: the refusal is logged" grep -qF \
		"spool file sp$i.json quarantined: field \"addresses\"" "$W/log"
	check "$a is in no vmGroup object" nowhere "$a"
done
check "a VM with one special address among good ones: quarantined" has \
	"$(reason mixed)" '("ff02::1") is a special-purpose address' 
check "spool emptied" test -z "$(ls -A "$SPOOL/new")"
check "no group node for the refused VMs" test -z "$(values hv1-special-vm $Z)"
check "no vmGroup object for them" no_entry "CN=hv1-special-vm,$OU"
check "no SRV node for them" test -z "$(values _vm._tcp.hv1-special-vm $Z)"
expect_node $G1 $Z "the good group holds only its own address" \
	"$(rec_a 192.0.2.10)"
expect_node _vm._tcp.$G1 $Z "and only its own VM" "$(rec_srv web1.$Z)"
check "vmGroupAddress unchanged" test \
	"$(attr "CN=$G1,$OU" vmGroupAddress)" = "192.0.2.10 "
check "the mixed VM's good address is not published either" nowhere 192.0.2.12
expect_node _vmgroup._tcp.hv1 $Z "host SRV: only the good group" \
	"$(rec_srv $G1.$Z)"

# --- a registration kept in the state file with such an address (written
# by an older version, or by hand) is not loaded and not published
st=$W/state/registrations.json
python3 - "$st" "$T" <<'PY' || bad "editing the state file"
import json, os, sys
# the snapshot; with a small state, everything may be in the journal still
regs = json.load(open(sys.argv[1])) if os.path.exists(sys.argv[1]) else []
regs.append({"version": 1, "op": "register", "host": "hv1", "vm": "old1",
             "image": "legacy", "addresses": ["127.0.0.1"], "source": "dhcp",
             "time": int(sys.argv[2])})
json.dump(regs, open(sys.argv[1], "w"))
PY
check "pass with a special address in the state file" pass
check "the kept entry is skipped, and the log says why" grep -qF \
	'skipped, its registration is not published: field "addresses": element 1 ("127.0.0.1") is a special-purpose address' \
	"$W/log"
check "nothing published for it" test -z "$(values hv1-legacy-vm $Z)"
check "no vmGroup object for it" no_entry "CN=hv1-legacy-vm,$OU"
check "and it is gone from the state file" sh -c "! grep -q old1 '$st'"

# --- the allow-list: [daemon] networks
reg -n web3 -i debian-12 -a 192.0.2.130
check "a VM outside the future allow-list, accepted while there is none" pass
check "published" test "$(attr "CN=$G1,$OU" vmGroupAddress)" = \
	"192.0.2.10 192.0.2.130 "
write_conf image no "networks = 192.0.2.0/25
  2001:db8::/64"
reg -n out1 -i outside -a 198.51.100.5
reg -n out2 -i outside -a 192.0.2.20 -a 2001:db8:1::20
reg -n in1 -i debian-12 -a 192.0.2.11 -a 2001:db8::11
check "pass with the allow-list" pass
check "an address outside every network: quarantined, reason names it" \
	quarantined_with "address 198.51.100.5 $OUTSIDE"
check "one outside address is enough" \
	quarantined_with "address 2001:db8:1::20 $OUTSIDE"
check "refusals logged" grep -q "quarantined: address 198.51.100.5 is outside" "$W/log"
check "nothing of them in the directory" test -z "$(values hv1-outside-vm $Z)"
check "no vmGroup object for them" no_entry "CN=hv1-outside-vm,$OU"
check "192.0.2.20 in no vmGroup object" nowhere 192.0.2.20
check "the kept VM now outside is withdrawn, and the log says so" grep -q \
	"kept registration of VM web3 dropped, not published: address 192.0.2.130" \
	"$W/log"
check "inside addresses published; the withdrawn one gone" test \
	"$(attr "CN=$G1,$OU" vmGroupAddress)" = "192.0.2.10 192.0.2.11 2001:db8::11 "
expect_node $G1 $Z "the group's DNS answer follows" "$(rec_a 192.0.2.10)" \
	"$(rec_a 192.0.2.11)" "$(rec_aaaa 20010db8000000000000000000000011)"
out=$("$VMGROUP" register -f "$CONF" -H hv1 -n out3 -a 203.0.113.3 2>&1)
check "vmgroup register -f refuses an outside address (exit 1)" test $? -eq 1
check "naming the address and the setting" test "$out" = \
	"vmgroup: refused: address 203.0.113.3 $OUTSIDE"
check "and queues nothing" test -z "$(ls -A "$SPOOL/new")"
check "vmgroup register -f takes an inside address into the config's spool" \
	"$VMGROUP" register -f "$CONF" -H hv1 -n in2 -i debian-12 -a 192.0.2.12
check "queued" test -n "$(ls -A "$SPOOL/new")"
check "pass" pass

# --- the enforcer skips a special address an administrator wrote by hand
enf_ns=vmg-enfa-$$
enforced() { # set -> its elements, one line (nft wraps long lists)
	ip netns exec "$enf_ns" nft list set bridge vmgroup "$1" 2>/dev/null |
	    tr -s ' \t\n' '   ' | sed -n 's/.*elements = { \([^}]*\) }.*/\1/p'
}
"$VMGROUP" block -f "$CONF" -r 'test' $G1 >/dev/null || bad "block $G1"
{
	printf 'dn: CN=%s,%s\nchangetype: modify\nadd: vmGroupAddress\n' "$G1" "$OU"
	for a in $SPECIAL; do printf 'vmGroupAddress: %s\n' "$a"; done
} | ldapmodify -x -H "$VMG_TEST_LDAP_URI" -D "$VMG_TEST_ADMIN_DN" \
	-w "$VMG_TEST_ADMIN_PW" >/dev/null || bad "adding special addresses by hand"
check "the directory now lists them" test \
	"$(admin -b "CN=$G1,$OU" -s base vmGroupAddress | grep -c '^vmGroupAddress:')" -eq 11
if [ "$(id -u)" -eq 0 ] && ip netns add "$enf_ns" 2>/dev/null; then
	trap 'ip netns del "$enf_ns" 2>/dev/null' EXIT
	"$VMGROUP" enforce -f "$CONF" --family bridge --netns "$enf_ns" \
		>"$W/enforce.out" 2>"$W/enforce.err"
	check "enforce succeeds" test $? -eq 0
	sed "s/^/  stderr: /" "$W/enforce.err"
	check "blocked4 holds only the group's real IPv4 addresses" test \
		"$(enforced blocked4)" = "192.0.2.10, 192.0.2.11, 192.0.2.12"
	check "blocked6 holds only its real IPv6 address" test \
		"$(enforced blocked6)" = "2001:db8::11"
	check "one warning names the skipped addresses" test \
		"$(grep -c 'special-purpose address(es) never put in a set' "$W/enforce.err")" -eq 1
	for a in $SPECIAL; do
		check "the warning names $a" grep -qF " $a in group $G1: " \
			"$W/enforce.err"
	done
	check "enforce --print: no special address in the batch" sh -c \
		"$(printf '%q ' "$VMGROUP" enforce -f "$CONF" --family bridge --print) 2>/dev/null |
		grep -qx 'add element bridge vmgroup blocked4 { 192.0.2.10, 192.0.2.11, 192.0.2.12 }'"
	# --interval: the warning once, not every round
	"$VMGROUP" enforce -f "$CONF" --family bridge --netns "$enf_ns" \
		--interval 1 >"$W/enforce2.out" 2>"$W/enforce2.err" &
	epid=$!
	for _ in $(seq 300); do
		[ "$(grep -c 'blocked group(s)' "$W/enforce2.out")" -ge 3 ] && break
		kill -0 $epid 2>/dev/null || break
		sleep 0.1
	done
	check "three rounds of enforce --interval" test \
		"$(grep -c 'blocked group(s)' "$W/enforce2.out")" -ge 3
	kill $epid 2>/dev/null
	wait $epid 2>/dev/null
	check "warned once over all rounds" test \
		"$(grep -c 'special-purpose address(es)' "$W/enforce2.err")" -eq 1
	ip netns del "$enf_ns"
	trap - EXIT
else
	[ "${CI:-}" != true ] || bad "the enforcer test needs root (network namespaces)"
	echo "note: enforcer test skipped (not root)"
fi

echo "$fails failure(s)"
[ $fails -eq 0 ] || { echo "--- vmgroupd log"; tail -n 40 "$W/log"; }
[ $fails -eq 0 ]
