# lib-dnsrec.sh - build MS-DNSP dnsRecord values in the shell, independently
# of the project's C codec, to seed the test directory and to state what the
# tests expect byte for byte.  Source it; SOA_SERIAL is the default serial.
: "${SOA_SERIAL:=7}"

# Bytes of a dnsRecord value, written as printf %b escapes.
u8() { printf '\\x%02x' "$1"; }
le16() { u8 $(($1 & 255)); u8 $((($1 >> 8) & 255)); }
be16() { u8 $((($1 >> 8) & 255)); u8 $(($1 & 255)); }
le32() { le16 $(($1 & 65535)); le16 $((($1 >> 16) & 65535)); }
be32() { be16 $((($1 >> 16) & 65535)); be16 $(($1 & 65535)); }
# DNS_COUNT_NAME: Length, LabelCount, labels, 0.
cname() {
	local IFS=. total=1 n=0 out="" l
	for l in $1; do
		out+="$(u8 ${#l})$l"
		total=$((total + ${#l} + 1))
		n=$((n + 1))
	done
	u8 "$total"
	u8 "$n"
	printf '%s' "$out"
	u8 0
}
# record TYPE TTL DATA [SERIAL [TIMESTAMP]]: base64 of the whole value
# (rank zone, version 5; serial SOA_SERIAL and static unless given).
record() {
	local len
	len=$(printf '%b' "$3" | wc -c)
	{
		printf '%b' "$(le16 "$len")$(le16 "$1")$(u8 5)$(u8 240)$(le16 0)"
		printf '%b' "$(le32 "${4:-$SOA_SERIAL}")$(be32 "$2")$(le32 0)"
		printf '%b' "$(le32 "${5:-0}")"
		printf '%b' "$3"
	} | base64 -w0
}
# Data parts.
ipv4() { local IFS=. o; for o in $1; do u8 "$o"; done; }
# ipv6 FULL-HEX: 32 hex digits, no colons
ipv6() { local h=$1 i; for i in $(seq 0 2 30); do u8 $((16#${h:$i:2})); done; }
srv() { be16 "$1"; be16 "$2"; be16 "$3"; cname "$4"; }
# Common records, TTL $2 (default 300).
rec_a() { record 1 "${2:-300}" "$(ipv4 "$1")"; }
rec_aaaa() { record 28 "${2:-300}" "$(ipv6 "$1")"; }
rec_ptr() { record 12 "${2:-300}" "$(cname "$1")"; }
rec_srv() { record 33 "${2:-300}" "$(srv 0 0 0 "$1")"; }

# The owner value vmgroupd writes into its nodes (sync/ownrec.h): TXT,
# "vmgroup=1 host=HOST" then "t=TIME".
rec_owner() {
	local s1="vmgroup=1 host=$1" s2="t=$2"
	record 16 "${3:-300}" "$(u8 ${#s1})$s1$(u8 ${#s2})$s2"
}
