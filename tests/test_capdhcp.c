/*
 * test_capdhcp.c - the DHCP decoder of vmgroup-capture: frames built here
 * (sync/cappkt.c) decoded field by field; truncated, garbage and
 * overflowing frames refused, never read past (run it under ASan).
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "capdhcp.h"
#include "cappkt.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0, 0, 0, 0x10 };

static struct capdhcp_msg m;

static void
addr_is(const struct event_addr *a, const char *want)
{
	char s[64];

	assert_int_equal(event_addr_format(a, s, sizeof(s)), 0);
	assert_string_equal(s, want);
}

/* Decode a private copy of exactly len bytes (ASan sees an overread). */
static int
decode(const uint8_t *f, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, f, len);
	rc = capdhcp_decode(copy, len, &m);
	free(copy);
	return rc;
}

static struct in6_addr
a6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void
test_ack(void **state)
{
	struct cappkt_v4 d = { .type = 5, .yiaddr = 0xc000020a,
	    .lease = 3600, .name = "Web1", .fqdn = "other.example.test" };
	uint8_t f[CAPPKT_MAX];
	size_t n;

	(void)state;
	memcpy(d.mac, MAC, 6);
	n = cappkt_dhcp4(f, &d);
	assert_int_equal(decode(f, n), 0);
	assert_int_equal(m.kind, CAPDHCP_ACK);
	assert_memory_equal(m.mac, MAC, 6);
	assert_int_equal(m.naddrs, 1);
	addr_is(&m.addrs[0], "192.0.2.10");
	assert_int_equal(m.lease, 3600);
	assert_true(m.name_given);
	assert_string_equal(m.name, "Web1");	/* 12 wins over 81 */
	assert_string_equal(capdhcp_what(m.kind), "DHCPACK");
}

static void
test_fqdn(void **state)
{
	struct cappkt_v4 d = { .type = 5, .yiaddr = 0xc000020a,
	    .fqdn = "db2.example.test" };
	uint8_t f[CAPPKT_MAX];

	(void)state;
	memcpy(d.mac, MAC, 6);
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), 0);
	assert_string_equal(m.name, "db2");
	assert_int_equal(m.lease, 0);
	d.fqdn_wire = 1;
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), 0);
	assert_string_equal(m.name, "db2");
	assert_int_equal(m.namelen, 3);
	d.fqdn = "solo";
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), 0);
	assert_string_equal(m.name, "solo");
}

static void
test_client_msgs(void **state)
{
	struct cappkt_v4 d = { .type = 3, .requested = 0xc000020a,
	    .name = "web1" };
	uint8_t f[CAPPKT_MAX];

	(void)state;
	memcpy(d.mac, MAC, 6);
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), 0);
	assert_int_equal(m.kind, CAPDHCP_ASK);
	assert_string_equal(m.name, "web1");
	d.type = 1;
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), 0);
	assert_int_equal(m.kind, CAPDHCP_ASK);
	/* RELEASE: ciaddr */
	d.type = 7;
	d.name = NULL;
	d.ciaddr = 0xc000020b;
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), 0);
	assert_int_equal(m.kind, CAPDHCP_RELEASE);
	addr_is(&m.addrs[0], "192.0.2.11");
	assert_false(m.name_given);
	/* DECLINE: option 50 */
	d.type = 4;
	d.ciaddr = 0;
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), 0);
	assert_int_equal(m.kind, CAPDHCP_DECLINE);
	addr_is(&m.addrs[0], "192.0.2.10");
	/* ... without it: nothing to decline */
	d.requested = 0;
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), -1);
	/* a RELEASE without ciaddr */
	d.type = 7;
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), -1);
}

static void
test_ignored(void **state)
{
	struct cappkt_v4 d = { .type = 5 };	/* INFORM's ACK: no yiaddr */
	uint8_t f[CAPPKT_MAX];
	size_t n;

	(void)state;
	memcpy(d.mac, MAC, 6);
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), -1);
	assert_int_equal(m.kind, CAPDHCP_NONE);
	d.type = 6;				/* NAK */
	d.yiaddr = 0xc000020a;
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), -1);
	d.type = 8;				/* INFORM */
	assert_int_equal(decode(f, cappkt_dhcp4(f, &d)), -1);
	/* an ACK to another port, a fragment, another hardware type */
	d.type = 5;
	n = cappkt_dhcp4(f, &d);
	f[14 + 20 + 3] = 69;
	assert_int_equal(decode(f, n), -1);
	n = cappkt_dhcp4(f, &d);
	f[14 + 6] = 0x20;			/* more fragments */
	assert_int_equal(decode(f, n), -1);
	n = cappkt_dhcp4(f, &d);
	f[14 + 28 + 1] = 6;			/* htype token ring */
	assert_int_equal(decode(f, n), -1);
	n = cappkt_dhcp4(f, &d);
	f[14 + 28 + 236] = 0;			/* no magic cookie */
	assert_int_equal(decode(f, n), -1);
}

static void
test_vlan_and_ihl(void **state)
{
	struct cappkt_v4 d = { .type = 5, .yiaddr = 0xc000020a, .lease = 60,
	    .name = "web1", .vlan = 42 };
	uint8_t f[CAPPKT_MAX], g[CAPPKT_MAX];
	size_t n;

	(void)state;
	memcpy(d.mac, MAC, 6);
	n = cappkt_dhcp4(f, &d);
	assert_int_equal(f[12], 0x81);
	assert_int_equal(decode(f, n), 0);
	addr_is(&m.addrs[0], "192.0.2.10");
	/* IPv4 options: IHL 6, four bytes of NOP options inserted */
	d.vlan = 0;
	n = cappkt_dhcp4(f, &d);
	memcpy(g, f, 34);
	memset(g + 34, 1, 4);
	memcpy(g + 38, f + 34, n - 34);
	g[14] = 0x46;
	g[17] = (uint8_t)(g[17] + 4);
	assert_int_equal(decode(g, n + 4), 0);
	assert_string_equal(m.name, "web1");
	g[14] = 0x44;				/* IHL 4: too short */
	assert_int_equal(decode(g, n + 4), -1);
}

/* Every prefix of a good frame: refused or decoded, never overread; the
 * whole frame only decodes once its UDP datagram is all there. */
static void
test_truncated(void **state)
{
	struct cappkt_v4 d = { .type = 5, .yiaddr = 0xc000020a, .lease = 60,
	    .name = "web1", .vlan = 7 };
	struct in6_addr a = a6("2001:db8::10");
	struct cappkt_v6 r = { .type = 7, .addrs = &a, .naddrs = 1,
	    .valid = 600, .status = -1, .fqdn = "web1" };
	uint8_t f[CAPPKT_MAX];
	size_t n, i;

	(void)state;
	memcpy(d.mac, MAC, 6);
	memcpy(r.mac, MAC, 6);
	n = cappkt_dhcp4(f, &d);
	for (i = 0; i < n; i++)
		assert_int_equal(decode(f, i), -1);
	assert_int_equal(decode(f, n), 0);
	n = cappkt_dhcp6(f, &r);
	for (i = 0; i < n; i++)
		assert_int_equal(decode(f, i), -1);
	assert_int_equal(decode(f, n), 0);
}

static void
test_garbage(void **state)
{
	uint8_t f[CAPPKT_MAX];
	size_t n, i, round;
	unsigned seed = 12345;

	(void)state;
	for (round = 0; round < 2000; round++) {
		struct cappkt_v4 d = { .type = 5, .yiaddr = 0xc000020a,
		    .lease = 60, .name = "web1" };

		memcpy(d.mac, MAC, 6);
		n = cappkt_dhcp4(f, &d);
		for (i = 0; i < 8; i++) {	/* a few bytes flipped */
			seed = seed * 1103515245 + 12345;
			f[(seed >> 8) % n] = (uint8_t)(seed >> 20);
		}
		(void)decode(f, n);
		if (m.kind != CAPDHCP_NONE)
			assert_true(m.naddrs <= CAPDHCP_MAX_ADDRS &&
			    m.namelen <= CAPDHCP_NAME_MAX);
	}
	memset(f, 0xff, sizeof(f));
	assert_int_equal(decode(f, sizeof(f)), -1);
	memset(f, 0, sizeof(f));
	assert_int_equal(decode(f, sizeof(f)), -1);
}

static void
test_option_overflow(void **state)
{
	struct cappkt_v4 d = { .type = 5, .yiaddr = 0xc000020a,
	    .name = "web1" };
	uint8_t f[CAPPKT_MAX];
	size_t n, opts = 14 + 28 + 240;

	(void)state;
	memcpy(d.mac, MAC, 6);
	n = cappkt_dhcp4(f, &d);
	/* 53/1/5, then 12/4/"web1", 255: the name option claims 200 bytes */
	assert_int_equal(f[opts + 3], 12);
	f[opts + 4] = 200;
	assert_int_equal(decode(f, n), -1);
	/* the last option's length byte is missing */
	n = cappkt_dhcp4(f, &d);
	f[n - 1] = 12;
	assert_int_equal(decode(f, n), -1);
	/* the UDP length says more than the IP datagram holds */
	n = cappkt_dhcp4(f, &d);
	f[14 + 20 + 4] = 0x0f;
	assert_int_equal(decode(f, n), -1);
	/* a name of 255 bytes is kept whole, NUL-terminated */
	{
		char big[256];

		memset(big, 'a', 255);
		big[255] = '\0';
		d.name = big;
		n = cappkt_dhcp4(f, &d);
		assert_int_equal(decode(f, n), 0);
		assert_int_equal(m.namelen, 255);
		assert_int_equal(strlen(m.name), 255);
	}
}

static void
test_v6_reply(void **state)
{
	struct in6_addr a[2] = { a6("2001:db8::10"), a6("fd00::10") };
	struct cappkt_v6 r = { .type = 7, .addrs = a, .naddrs = 2,
	    .valid = 7200, .status = -1, .fqdn = "Web1" };
	uint8_t f[CAPPKT_MAX];
	size_t n;

	(void)state;
	memcpy(r.mac, MAC, 6);
	n = cappkt_dhcp6(f, &r);
	assert_int_equal(decode(f, n), 0);
	assert_int_equal(m.kind, CAPDHCP6_REPLY);
	assert_memory_equal(m.mac, MAC, 6);	/* the Ethernet destination */
	assert_int_equal(m.naddrs, 2);
	addr_is(&m.addrs[0], "2001:db8::10");
	addr_is(&m.addrs[1], "fd00::10");
	assert_int_equal(m.lease, 7200);
	assert_string_equal(m.name, "Web1");
	assert_int_equal(m.idlen, 10);		/* the DUID-LL */
	/* multicast destination: the DUID-LL's MAC */
	f[0] = 0x33;
	assert_int_equal(decode(f, n), 0);
	assert_memory_equal(m.mac, MAC, 6);
	/* tagged */
	r.vlan = 5;
	assert_int_equal(decode(f, cappkt_dhcp6(f, &r)), 0);
	assert_int_equal(m.naddrs, 2);
	/* an IA with a failure status code holds nothing */
	r.status = 3;
	assert_int_equal(decode(f, cappkt_dhcp6(f, &r)), -1);
}

static void
test_v6_release(void **state)
{
	struct in6_addr a = a6("2001:db8::10");
	struct cappkt_v6 r = { .type = 7, .addrs = &a, .naddrs = 1,
	    .valid = 0, .status = 0 };
	uint8_t f[CAPPKT_MAX];

	(void)state;
	memcpy(r.mac, MAC, 6);
	/* a Reply to a Release: lifetimes 0, or no IAADDR at all */
	assert_int_equal(decode(f, cappkt_dhcp6(f, &r)), -1);
	r.naddrs = 0;
	assert_int_equal(decode(f, cappkt_dhcp6(f, &r)), -1);
	/* the client's Release */
	r.type = 8;
	r.naddrs = 1;
	r.status = -1;
	assert_int_equal(decode(f, cappkt_dhcp6(f, &r)), 0);
	assert_int_equal(m.kind, CAPDHCP6_RELEASE);
	assert_memory_equal(m.mac, MAC, 6);	/* the Ethernet source */
	addr_is(&m.addrs[0], "2001:db8::10");
	assert_string_equal(capdhcp_what(m.kind), "DHCPv6 Release");
	r.type = 9;
	assert_int_equal(decode(f, cappkt_dhcp6(f, &r)), 0);
	assert_int_equal(m.kind, CAPDHCP6_DECLINE);
	/* Solicit with a name, no IA addresses: a name to remember */
	r.type = 1;
	r.naddrs = 0;
	r.fqdn = "web1";
	assert_int_equal(decode(f, cappkt_dhcp6(f, &r)), 0);
	assert_int_equal(m.kind, CAPDHCP6_ASK);
	assert_string_equal(m.name, "web1");
	/* a Release naming nothing */
	r.type = 8;
	assert_int_equal(decode(f, cappkt_dhcp6(f, &r)), -1);
}

static void
test_arp_na(void **state)
{
	struct in6_addr t = a6("2001:db8::99");
	uint8_t f[CAPPKT_MAX];
	size_t n;

	(void)state;
	n = cappkt_arp(f, MAC, 0xc0000263);
	assert_int_equal(decode(f, n), 0);
	assert_int_equal(m.kind, CAPDHCP_ARP);
	addr_is(&m.addrs[0], "192.0.2.99");
	assert_int_equal(decode(f, cappkt_arp(f, MAC, 0)), -1);	/* probe */
	n = cappkt_na(f, MAC, &t);
	assert_int_equal(decode(f, n), 0);
	assert_int_equal(m.kind, CAPDHCP_NA);
	addr_is(&m.addrs[0], "2001:db8::99");
	f[14 + 7] = 64;			/* hop limit: not from the link */
	assert_int_equal(decode(f, n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_fqdn),
		cmocka_unit_test(test_client_msgs),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_vlan_and_ihl),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_option_overflow),
		cmocka_unit_test(test_v6_reply),
		cmocka_unit_test(test_v6_release),
		cmocka_unit_test(test_arp_na),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
