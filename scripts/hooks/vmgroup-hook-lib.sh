# vmgroup-hook-lib.sh - shell functions shared by the vmgroup capture hooks
# (kea-vmgroup, dhcpd-vmgroup, qemu-vmgroup).  POSIX sh; sourced, never run:
#
#   . /usr/lib/vmgroup/hooks/vmgroup-hook-lib.sh
#   vmg_init kea		# settings; log tag vmgroup-kea
#
# Settings, from ${VMGROUP_HOOK_CONF:-/etc/vmgroup/hook.conf} (shell
# variables) or the environment:
#   VMGROUP_SPOOL       spool folder (default /var/spool/vmgroup)
#   VMGROUP_HOST        this hypervisor's name (default: hostname -s)
#   VMGROUP_IMAGES      file of "MAC IMAGE [NAME]" lines (default
#                       /etc/vmgroup/images): the OS image a VM runs ("-":
#                       none) and the name it goes by when its lease has none
#   VMGROUP             the vmgroup program (default: vmgroup on PATH)
#   VMGROUP_HOOK_STATE  the DHCP hooks' memory of each VM's addresses
#                       (default /var/lib/vmgroup/hooks): one file per MAC
#
# Why a memory: a register replaces the VM's whole address set, and the
# DHCPv4 and DHCPv6 servers run their hooks separately, each knowing one
# lease.  vmg_lease keeps every current address of a MAC (with its lease
# end) and queues the union: a lease that ends while another remains is a
# register with what remains, the last one a release.  One lock for the
# folder (flock(1) on .lock), each file replaced atomically (mv).  A file
# stays when its last address goes (a few dozen bytes per MAC ever seen):
# it holds the name, so the next lease without a host name finds it, and a
# release reported twice queues one event.  Removing files (or the folder)
# is safe: the next lease of a MAC starts its memory again.
#
# Untrusted text (host names a VM chose) only ever reaches vmgroup as one
# argument: vmgroup validates names, addresses and images and quotes what it
# refuses.  What goes into a file path, an awk variable or a state file is
# checked first here (MAC, address characters, numbers).

vmg_init() { # TAG
	vmg_tag=vmgroup-$1
	# Kea's run_script gives its script no environment at all
	: "${PATH:=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}"
	export PATH
	vmg_conf=${VMGROUP_HOOK_CONF:-/etc/vmgroup/hook.conf}
	# shellcheck disable=SC1090
	[ -r "$vmg_conf" ] && . "$vmg_conf"
	vmg_spool=${VMGROUP_SPOOL:-/var/spool/vmgroup}
	vmg_host=${VMGROUP_HOST:-$(hostname -s 2>/dev/null)}
	vmg_images=${VMGROUP_IMAGES:-/etc/vmgroup/images}
	vmg_prog=${VMGROUP:-vmgroup}
	vmg_state=${VMGROUP_HOOK_STATE:-/var/lib/vmgroup/hooks}
	vmg_now=$(date +%s)
}

vmg_log() { # MESSAGE (our own words and checked values only)
	logger -t "$vmg_tag" -- "$1" 2>/dev/null
	printf '%s: %s\n' "$vmg_tag" "$1" >&2
}

# vmg_mac MAC: the MAC in canonical form (six pairs, lower case) in
# vmg_m, or false.  Takes what dhcpd's binary-to-ascii gives too
# ("52:54:0:0:0:7": no zero padding).
vmg_mac() {
	vmg_m=
	case $1 in
	*[!0-9A-Fa-f:]* | '') return 1 ;;
	esac
	vmg_rest=$1:
	vmg_n=0
	while [ -n "$vmg_rest" ]; do
		vmg_p=${vmg_rest%%:*}
		vmg_rest=${vmg_rest#*:}
		case $vmg_p in
		[0-9A-Fa-f]) vmg_p=0$vmg_p ;;
		[0-9A-Fa-f][0-9A-Fa-f]) ;;
		*) return 1 ;;
		esac
		vmg_n=$((vmg_n + 1))
		[ "$vmg_n" -le 6 ] || return 1
		vmg_m=$vmg_m${vmg_m:+:}$vmg_p
	done
	[ "$vmg_n" -eq 6 ] || { vmg_m=; return 1; }
	vmg_m=$(printf '%s' "$vmg_m" | tr 'A-F' 'a-f')
}

# vmg_addr ADDR: true if ADDR is made of address characters only (what may
# go into a state file line); vmgroup judges whether it is an address.
vmg_addr() {
	case $1 in
	'' | *[!0-9A-Fa-f:.]*) return 1 ;;
	esac
	[ "${#1}" -le 45 ]
}

vmg_uint() { # N: a plain decimal number of at most 12 digits
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	[ "${#1}" -le 12 ]
}

# vmg_label NAME: the first label of a host name ("Web7.example.test." ->
# "web7") in vmg_l, folded to lower case as vmgroup folds it; a name whose
# first label is empty, or holds anything but letters, digits and hyphens,
# stays as it is, for vmgroup to refuse.
vmg_label() {
	vmg_l=${1%%.*}
	[ -n "$vmg_l" ] || vmg_l=$1
	# shellcheck disable=SC2018,SC2019 # ASCII letters only, checked
	case $vmg_l in
	*[!A-Za-z0-9-]*) ;;
	*) vmg_l=$(printf '%s' "$vmg_l" | tr 'A-Z' 'a-z') ;;
	esac
}

# vmg_imageof MAC (canonical): the image and the name of the MAC's line in
# the images file, in vmg_img and vmg_imgname ("-" or nothing: none).
vmg_imageof() {
	vmg_img=
	vmg_imgname=
	[ -r "$vmg_images" ] || return 0
	vmg_line=$(awk -v m="$1" '$1 !~ /^#/ && tolower($1) == m { print $2 " " $3; exit }' \
		"$vmg_images" 2>/dev/null)
	vmg_img=${vmg_line%% *}
	vmg_imgname=${vmg_line#* }
	[ "$vmg_img" != - ] || vmg_img=
	[ "$vmg_imgname" != - ] || vmg_imgname=
}

# vmg_queue OP NAME [vmgroup options...]: one event into the spool; a
# refusal is logged with vmgroup's reason.  True if it was queued.  Its
# time is vmg_now, the clock the lease ends were counted from (a second
# ticking between the two would make time + lease miss the end by one).
vmg_queue() {
	vmg_op=$1
	vmg_qn=$2
	shift 2
	if vmg_out=$("$vmg_prog" "$vmg_op" -s "$vmg_spool" -H "$vmg_host" \
		-n "$vmg_qn" -t "$vmg_now" "$@" 2>&1); then
		return 0
	fi
	vmg_log "$vmg_op refused: $vmg_out"
	return 1
}

# vmg_lock: take the state folder's lock (fd 9), at most 20 s.  False if
# the folder cannot be used: the caller goes on without the memory.
# (Opened for reading: root's dhcpd and Kea's _kea share the folder, group
# vmgroup, mode 2770; what the hooks make there is group-writable.)
vmg_lock() {
	[ -d "$vmg_state" ] || (umask 007 && mkdir -p "$vmg_state") 2>/dev/null ||
		return 1
	[ -e "$vmg_state/.lock" ] || (umask 007 && : >>"$vmg_state/.lock") 2>/dev/null
	# ("command": a failed open must not end the shell; the braces keep
	# the 2>/dev/null from staying, as it would on a plain exec)
	{ command exec 9<"$vmg_state/.lock"; } 2>/dev/null || return 1
	flock -w 20 9 2>/dev/null
}
vmg_unlock() { exec 9<&-; }

# vmg_findaddr ADDR: the MAC whose state file holds ADDR, in vmg_m.
vmg_findaddr() {
	vmg_m=
	for vmg_f in "$vmg_state"/*:*:*:*:*:*; do
		[ -f "$vmg_f" ] || continue
		if awk -v a="$1" '$1 == "a" && $2 == a { f = 1 } END { exit !f }' \
			"$vmg_f" 2>/dev/null; then
			vmg_m=${vmg_f##*/}
			return 0
		fi
	done
	return 1
}

# vmg_macof MAC ADDR: the MAC canonical in vmg_m; when MAC is no MAC (dhcpd
# without the hardware address, a Kea lease without it), the MAC whose
# memory holds ADDR.  False if neither.
vmg_macof() {
	vmg_mac "$1" && return 0
	vmg_found=
	if vmg_lock && vmg_findaddr "$2"; then
		vmg_found=1
	fi
	vmg_unlock
	[ -n "$vmg_found" ]
}

# vmg_lease add|del MAC ADDR NAME EXPIRES SOURCE
#   add: ADDR is the VM's until EXPIRES (unix seconds, 0: no end); del: no
#   longer.  MAC is canonical (vmg_mac), ADDR passed vmg_addr.  NAME is the
#   lease's host name (first label taken here), may be empty: then the
#   name the state remembers for the MAC, else the images file's (for
#   "del" the remembered name comes first).
#   Queues a register with every address the MAC holds, or a release when
#   none is left.  Nothing is queued when nothing changed (a renewal that
#   the DHCP server reports twice), nor when vmgroup refuses the event (the
#   memory then stays as it was).
vmg_lease() {
	vmg_act=$1 vmg_mc=$2 vmg_ad=$3 vmg_ex=$5 vmg_src=$6
	vmg_label "$4"
	vmg_nm=$vmg_l
	vmg_imageof "$vmg_mc"
	vmg_sf=$vmg_state/$vmg_mc
	vmg_locked=
	if vmg_lock; then
		vmg_locked=1
	else
		vmg_log "state folder $vmg_state unusable: $vmg_act of $vmg_ad ($vmg_mc) queued alone"
		vmg_sf=/dev/null
	fi
	vmg_old=
	vmg_oldname=
	if [ -f "$vmg_sf" ]; then
		vmg_old=$(cat "$vmg_sf" 2>/dev/null)
		vmg_oldname=$(awk '$1 == "name" { print $2; exit }' "$vmg_sf")
	fi
	# the end of a lease concerns the VM as registered, whatever the lease
	# calls it
	[ "$vmg_act" = add ] && [ -n "$vmg_nm" ] || vmg_nm=${vmg_oldname:-$vmg_nm}
	[ -n "$vmg_nm" ] || vmg_nm=$vmg_imgname
	if [ -z "$vmg_nm" ]; then
		if [ "$vmg_act" = add ]; then
			vmg_log "lease of $vmg_ad ($vmg_mc) has no host name: not registered"
		else
			vmg_log "end of lease of $vmg_ad ($vmg_mc): VM not known, no host name: nothing queued"
		fi
		vmg_lease_done
		return 0
	fi
	# the addresses after this event: lines "a ADDR EXPIRES", ended ones
	# dropped, ADDR's own line replaced
	vmg_addrs=$(printf '%s\n' "$vmg_old" | awk -v a="$vmg_ad" -v now="$vmg_now" \
		-v act="$vmg_act" -v ex="$vmg_ex" '
		$1 == "a" && $2 != a && ($3 == 0 || $3 > now) { print "a " $2 " " $3 }
		END { if (act == "add") print "a " a " " ex }')
	if [ -z "$vmg_old" ] && [ -z "$vmg_addrs" ] && [ -n "$vmg_locked" ]; then
		# a release of a VM the memory does not know (hook installed
		# while it ran, memory lost): release it, as the lease says
		vmg_queue release "$vmg_nm" -S "$vmg_src" -m "$vmg_mc"
		vmg_lease_done
		return 0
	fi
	vmg_new=$(printf 'name %s\nimage %s\n%s' "$vmg_nm" "${vmg_img:--}" "$vmg_addrs")
	if [ "$vmg_new" = "$vmg_old" ] && [ -n "$vmg_locked" ]; then
		vmg_lease_done	# nothing changed (a renewal reported twice)
		return 0
	fi
	if [ -n "$vmg_addrs" ]; then
		vmg_lease_register
	else
		# the file stays, with the name and no address: Kea reports a
		# DHCPRELEASE twice (lease4_release, then leases4_committed
		# with the lease deleted), and the second changes nothing
		vmg_queue release "$vmg_nm" -S "$vmg_src" -m "$vmg_mc" &&
			vmg_remember
	fi
	vmg_lease_done
}

vmg_lease_register() {
	# the union of the MAC's addresses, the latest lease end (none if one
	# has none)
	set -- -S "$vmg_src" -m "$vmg_mc"
	[ -z "$vmg_img" ] || set -- "$@" -i "$vmg_img"
	vmg_end=$(printf '%s\n' "$vmg_addrs" | awk '
		$3 == 0 { inf = 1 } $3 > max { max = $3 }
		END { print inf ? 0 : max + 0 }')
	[ "$vmg_end" -eq 0 ] || set -- "$@" -e "$vmg_end"
	for vmg_a in $(printf '%s\n' "$vmg_addrs" | awk '{ print $2 }'); do
		set -- "$@" -a "$vmg_a"
	done
	vmg_queue register "$vmg_nm" "$@" || return 0
	# the VM now goes by another name: its old one leaves (if it held
	# addresses: else it left already)
	if [ -n "$vmg_oldname" ] && [ "$vmg_oldname" != "$vmg_nm" ] &&
		printf '%s\n' "$vmg_old" | grep -q '^a '; then
		vmg_queue release "$vmg_oldname" -S "$vmg_src" -m "$vmg_mc"
	fi
	vmg_remember
}

vmg_remember() { # write vmg_new as the MAC's state file, atomically
	[ -n "$vmg_locked" ] || return 0
	vmg_tmp=$vmg_state/.$vmg_mc.$$
	if (umask 007 && printf '%s\n' "$vmg_new" >"$vmg_tmp") 2>/dev/null &&
		mv -f "$vmg_tmp" "$vmg_sf" 2>/dev/null; then
		return 0
	fi
	rm -f "$vmg_tmp"
	vmg_log "cannot write $vmg_sf: the next lease of $vmg_mc may leave out addresses"
}

vmg_lease_done() {
	[ -z "$vmg_locked" ] || vmg_unlock
	vmg_locked=
}
