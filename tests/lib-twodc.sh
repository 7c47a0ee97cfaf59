# lib-twodc.sh - helpers of the tests on the two-DC fixture
# (tests/samba-env.sh join), sourced after lib-samba.sh and lib-proc.sh.

DOMAIN=$(echo "$VMG_SAMBA_REALM" | tr 'A-Z' 'a-z')
NC="DC=DomainDnsZones,$VMG_SAMBA_BASE"
# vmgroupd's resolver: both DCs' DNS servers, quick to give up on one
printf 'nameserver %s\nnameserver %s\noptions timeout:1 attempts:1\n' \
	"$VMG_SAMBA_IP" "$VMG_SAMBA_IP2" >"$W/resolv.conf"
pass_dns() { # host [log suffix, default log]: --once seeing the DCs' DNS only
	$N unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf &&
	    exec "$2" --once --allow-root -f "$3"' sh "$W/resolv.conf" \
	    "$VMGROUPD" "$W/$1.conf" >>"$W/$1.${2:-log}" 2>&1
}
dc1_up() { $N ldapsearch -x -H "ldap://$VMG_SAMBA_IP" -b "" -s base \
	>/dev/null 2>&1; }
cnf() { # DC address: its dnsNode conflict copies
	LDAPTLS_REQCERT=never $N ldapsearch -x -LLL -H "ldaps://$1" \
	    -D "Administrator@$VMG_SAMBA_REALM" -w "$VMG_SAMBA_ADMIN_PW" \
	    -b "$NC" '(name=*CNF:*)' dn 2>/dev/null | grep -c '^dn:'
}
# Replication made to happen when a test needs it, both ways: the domain's
# DNS partition, the forest's (the _msdcs zone: the DCs' SRV records, what
# uri = auto asks) and the domain's (the DCs' accounts and SPNs, the
# vmGroup objects): dc1's KCC has no link from dc2 yet, so --local pulls into
# dc1's database directly; each way until it succeeds (a DC just started
# may refuse a sync at first).
in_ns1() { # command...: in dc1's namespace, its DNS as the resolver
	printf 'nameserver %s\n' "$VMG_SAMBA_IP" >"$W/resolv1.conf"
	$N unshare --mount sh -c 'mount --bind "$1" /etc/resolv.conf &&
	    shift && exec "$@"' sh "$W/resolv1.conf" "$@" >>"$W/repl.log" 2>&1
}
pull1() {
	local nc
	for nc in "$NC" "DC=ForestDnsZones,$VMG_SAMBA_BASE" "$VMG_SAMBA_BASE"; do
		in_ns1 samba-tool drs replicate --local "dc1.$DOMAIN" \
		    "dc2.$DOMAIN" "$nc" -s "$VMG_SAMBA_DIR/dc/etc/smb.conf" \
		    -U "Administrator%$VMG_SAMBA_ADMIN_PW" || return 1
	done
}
pull2() {
	local nc
	for nc in "$NC" "DC=ForestDnsZones,$VMG_SAMBA_BASE" "$VMG_SAMBA_BASE"; do
		in_ns1 samba-tool drs replicate "dc2.$DOMAIN" "dc1.$DOMAIN" \
		    "$nc" -U "Administrator%$VMG_SAMBA_ADMIN_PW" || return 1
	done
}
replicate() { wait_for 120 pull1 && wait_for 120 pull2; }
