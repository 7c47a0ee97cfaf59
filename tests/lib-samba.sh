# lib-samba.sh - helpers of the vmgroupd tests against the Samba AD DC of
# tests/with-samba.sh (VMG_SAMBA_* variables), sourced.

fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAILED: $1"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
N="ip netns exec $VMG_SAMBA_NS"
VMGROUP=$(cd "$top_builddir" && pwd)/vmgroup
VMGROUPD=$(cd "$top_builddir" && pwd)/vmgroupd
Z=$VMG_SAMBA_ZONE
W=$VMG_SAMBA_DIR/it
T=$(date +%s)
mkdir -p "$W" && chmod 0750 "$W"

conf() { # host vm_records -> $W/<host>.conf, own spool and state
	mkdir -p "$W/$1" && chmod 0750 "$W/$1"
	cat >"$W/$1.conf" <<CONF
[directory]
uri = $VMG_SAMBA_URI
principal = $VMG_SAMBA_PRINCIPAL
keytab = $VMG_SAMBA_KEYTAB
base = $VMG_SAMBA_BASE
groups_ou = $VMG_SAMBA_OU_DN
[dns]
zone = $Z
reverse_zones = $VMG_SAMBA_REVZONE4 $VMG_SAMBA_REVZONE6
ttl = 300
vm_records = $2
[groups]
host = $1
[daemon]
spool = $W/$1/spool
state_dir = $W/$1/state
CONF
}
reg() { local h=$1; shift; "$VMGROUP" register -s "$W/$h/spool" -t "$T" -H "$h" \
	-S dhcp "$@" >/dev/null || bad "register $*"; }
rel() { "$VMGROUP" release -s "$W/$1/spool" -t $((T + 1)) -H "$1" -S dhcp \
	-n "$2" >/dev/null || bad "release $2"; }
pass() { $N "$VMGROUPD" --once --allow-root -f "$W/$1.conf" >>"$W/$1.log" 2>&1; }
ask() { # name type -> sorted short answers, one line
	$N dig +short +norecurse @"$VMG_SAMBA_IP" "$1" "$2" | sort | tr '\n' ' '; }
status() { $N dig +norecurse @"$VMG_SAMBA_IP" "$1" "$2" |
	sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
expect() { # description name type answers...
	local what=$1 name=$2 type=$3 got want
	shift 3
	got=$(ask "$name" "$type")
	want=$([ $# -eq 0 ] || printf '%s\n' "$@" | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then ok "$what"; else
		bad "$what: $name $type answers [$got], want [$want]"; fi
}
# The Administrator's view over LDAPS (Samba's self-signed certificate).
admin() { LDAPTLS_REQCERT=never $N ldapsearch -x -LLL -o ldif-wrap=no \
	-H "ldaps://$VMG_SAMBA_IP" -D "Administrator@$VMG_SAMBA_REALM" \
	-w "$VMG_SAMBA_ADMIN_PW" "$@" 2>/dev/null; }
admin_modify() { LDAPTLS_REQCERT=never $N ldapmodify -x \
	-H "ldaps://$VMG_SAMBA_IP" -D "Administrator@$VMG_SAMBA_REALM" \
	-w "$VMG_SAMBA_ADMIN_PW" >/dev/null 2>&1; }
attr() { # dn attr -> values, sorted, one line
	admin -b "$1" -s base "$2" | sed -n "s/^$2: //p" | sort | tr '\n' ' '; }
# samba-tool dns as the Administrator, against the DC's DNS server.
dnstool() { $N samba-tool dns "$1" "$VMG_SAMBA_IP" "${@:2}" \
	-U "Administrator%$VMG_SAMBA_ADMIN_PW" >/dev/null 2>&1; }
