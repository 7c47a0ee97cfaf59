#!/bin/sh
# install-deps.sh - install everything vmgroup needs to build and test, on
# Debian 12.  Idempotent and non-interactive: packages already present are
# left alone, debconf questions are preseeded, slapd is not configured (the
# tests start their own private slapd), and no service is started.
set -eu

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "install-deps: run as root or install sudo" >&2
		exit 1
	}
	SUDO=sudo
fi

# build
PKGS="build-essential autoconf automake libtool pkg-config
	libldap-dev libgnutls28-dev libsasl2-dev libkrb5-dev libjson-c-dev libcmocka-dev
	libpcap-dev libinih-dev uthash-dev libnftables-dev"
# the Debian package (debian/; tests/it_deb.sh builds, lints and installs it)
PKGS="$PKGS dpkg-dev debhelper lintian devscripts fakeroot"
# test servers, clients, fuzzing
PKGS="$PKGS slapd ldap-utils krb5-kdc krb5-admin-server krb5-user
	libsasl2-modules-gssapi-mit iproute2 procps clang libclang-rt-14-dev
	python3 strace openssl systemd"
# a real Active Directory for the AD tests: Samba AD DC, its Python NDR
# bindings (an independent dnsRecord decoder) and dig
PKGS="$PKGS samba samba-ad-dc samba-ad-provision samba-dsdb-modules
	samba-vfs-modules winbind python3-samba ldb-tools bind9-dnsutils
	nftables dnsmasq-base busybox"
# capture: the DHCP servers and clients of the end-to-end capture tests
# (started by the tests in their own network namespaces, never as system
# services) and xmllint for the libvirt hook
PKGS="$PKGS kea-dhcp4-server kea-dhcp6-server isc-dhcp-server isc-dhcp-client
	libxml2-utils"

missing=
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# slapd: do not create a database or start a system instance
echo 'slapd slapd/no_configuration boolean true' | $SUDO debconf-set-selections
# krb5: no default realm questions
printf '%s\n' 'krb5-config krb5-config/default_realm string EXAMPLE.TEST' \
	'krb5-config krb5-config/add_servers_realm string EXAMPLE.TEST' \
	'krb5-config krb5-config/add_servers boolean false' \
	'krb5-config krb5-config/read_conf boolean true' \
	'krb5-admin-server krb5-admin-server/newrealm note' |
	$SUDO debconf-set-selections
$SUDO apt-get update -qq
# The packages must not start system services (smbd, samba-ad-dc, slapd,
# krb5-kdc): the tests start their own.  A policy-rc.d says so while we
# install, unless the machine already has one.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 0755 /usr/sbin/policy-rc.d
	policy=1
fi
rc=0
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	$missing || rc=$?
[ -z "$policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
[ $rc -eq 0 ] || exit $rc
# Where a policy-rc.d of the machine's let services start: stop the KDC and
# slapd services this run installed (never one that was there before).
for svc in krb5-kdc krb5-admin-server slapd kea-dhcp4-server \
    kea-dhcp6-server isc-dhcp-server; do
	case " $missing " in
	*" $svc "*) $SUDO service "$svc" stop >/dev/null 2>&1 || true ;;
	esac
done
echo "install-deps: done"
