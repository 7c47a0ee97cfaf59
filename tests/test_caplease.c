/*
 * test_caplease.c - vmgroup-capture's decisions: register vs refresh vs
 * release, the v4 + v6 union, names from the client, the REQUEST, the map
 * or refused; the map file's lines; the lease table across a save and a
 * load.  Events are compared in their canonical JSON.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "caplease.h"
#include "cappkt.h"
#include "xmem.h"

#define T0 1764000000
#define EV_HEAD "{\"version\":1,\"op\":"

static const uint8_t MAC[6] = { 0x52, 0x54, 0, 0, 0, 0x10 };
static const uint8_t MAC2[6] = { 0x52, 0x54, 0, 0, 0, 0x11 };
static const uint8_t MAC3[6] = { 0x52, 0x54, 0, 0, 0, 0x12 };

struct fix {
	char dir[64];
	char path[128];
	struct capmap map;
	struct caplease cl;
	struct caplease_out out;
};

static int
setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof(*f));
	FILE *fp;

	(void)xstrlcpy(f->dir, "/tmp/vmg-caplease.XXXXXX", sizeof(f->dir));
	assert_non_null(mkdtemp(f->dir));
	(void)xsnprintf(f->path, sizeof(f->path), "%s/images", f->dir);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("# MAC IMAGE [NAME]\n\n"
	    "52:54:00:00:00:10 debian-12\n"
	    "52:54:00:00:00:11 -  db1   # a static VM\n"
	    "52:54:00:00:00:12 win-2022\n"
	    "52:54:00:00:00:1 debian-12\n"
	    "52:54:00:00:00:13 deb.ian\n"
	    "52:54:00:00:00:14 x web-vm\n"
	    "52:54:00:00:00:15\n"
	    "52:54:00:00:00:10 other\n", fp);
	fclose(fp);
	assert_int_equal(capmap_load(&f->map, f->path), 0);
	caplease_init(&f->cl, "hv1", &f->map, 1);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char p[200];

	caplease_free(&f->cl);
	capmap_free(&f->map);
	(void)xsnprintf(p, sizeof(p), "%s/%s", f->dir, CAPSTATE_FILE);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static size_t
v4(struct fix *f, int type, const uint8_t *mac, uint32_t ip,
    const char *name, uint32_t lease, int64_t t)
{
	struct cappkt_v4 d = { .type = type, .lease = lease, .name = name };
	uint8_t fr[CAPPKT_MAX];

	memcpy(d.mac, mac, 6);
	if (type == 5)
		d.yiaddr = ip;
	else if (type == 7)
		d.ciaddr = ip;
	else
		d.requested = ip;
	return caplease_packet(&f->cl, fr, cappkt_dhcp4(fr, &d), t, &f->out);
}

static size_t
v6(struct fix *f, int type, const uint8_t *mac, const char *addr,
    const char *name, uint32_t valid, int64_t t)
{
	struct in6_addr a;
	struct cappkt_v6 d = { .type = type, .addrs = &a, .naddrs = 1,
	    .valid = valid, .status = -1, .fqdn = name };
	uint8_t fr[CAPPKT_MAX];

	memcpy(d.mac, mac, 6);
	if (addr == NULL)
		d.naddrs = 0;
	else
		assert_int_equal(inet_pton(AF_INET6, addr, &a), 1);
	return caplease_packet(&f->cl, fr, cappkt_dhcp6(fr, &d), t, &f->out);
}

/* Event i of the last packet is want (canonical, after EV_HEAD). */
static void
ev_is(struct fix *f, size_t i, const char *want)
{
	char buf[EVENT_MAX_BYTES], full[EVENT_MAX_BYTES];

	assert_true(i < f->out.n);
	assert_int_equal(event_to_json(&f->out.ev[i], buf, sizeof(buf)), 0);
	(void)xsnprintf(full, sizeof(full), EV_HEAD "%s\n", want);
	assert_string_equal(buf, full);
}

static void
test_map(void **state)
{
	struct fix *f = *state;
	const struct capmap_entry *e;

	assert_int_equal(f->map.n, 3);		/* five bad lines skipped */
	e = capmap_find(&f->map, MAC);
	assert_non_null(e);
	assert_string_equal(e->image, "debian-12");	/* the first line */
	assert_string_equal(e->name, "");
	e = capmap_find(&f->map, MAC2);
	assert_non_null(e);
	assert_string_equal(e->image, "");
	assert_string_equal(e->name, "db1");
}

static void
test_register_refresh(void **state)
{
	struct fix *f = *state;

	assert_int_equal(v4(f, 5, MAC, 0xc000020a, "Web1", 3600, T0), 1);
	ev_is(f, 0, "\"register\",\"host\":\"hv1\",\"vm\":\"web1\","
	    "\"image\":\"debian-12\",\"addresses\":[\"192.0.2.10\"],"
	    "\"mac\":\"52:54:00:00:00:10\",\"source\":\"pcap\","
	    "\"time\":1764000000,\"expires\":1764003600}");
	assert_string_equal(f->out.what, "DHCPACK");
	/* the same ACK again (seen twice on the bridge): nothing */
	assert_int_equal(v4(f, 5, MAC, 0xc000020a, "web1", 3600, T0), 0);
	/* a renewal */
	assert_int_equal(v4(f, 5, MAC, 0xc000020a, "web1", 3600, T0 + 1800), 1);
	ev_is(f, 0, "\"refresh\",\"host\":\"hv1\",\"vm\":\"web1\","
	    "\"image\":\"debian-12\",\"addresses\":[\"192.0.2.10\"],"
	    "\"mac\":\"52:54:00:00:00:10\",\"source\":\"pcap\","
	    "\"time\":1764001800,\"expires\":1764005400}");
	/* a new address replaces the v4 lease */
	assert_int_equal(v4(f, 5, MAC, 0xc000020b, "web1", 3600, T0 + 1900), 1);
	assert_int_equal(f->out.ev[0].op, EVENT_OP_REGISTER);
	assert_int_equal(f->out.ev[0].naddrs, 1);
}

static void
test_union_release(void **state)
{
	struct fix *f = *state;

	assert_int_equal(v4(f, 5, MAC, 0xc000020a, "web1", 3600, T0), 1);
	assert_int_equal(v6(f, 7, MAC, "2001:db8::10", "web1", 7200, T0 + 5), 1);
	ev_is(f, 0, "\"register\",\"host\":\"hv1\",\"vm\":\"web1\","
	    "\"image\":\"debian-12\",\"addresses\":[\"192.0.2.10\","
	    "\"2001:db8::10\"],\"mac\":\"52:54:00:00:00:10\","
	    "\"source\":\"pcap\",\"time\":1764000005,\"expires\":1764007205}");
	/* the v4 RELEASE: what remains registered */
	assert_int_equal(v4(f, 7, MAC, 0xc000020a, NULL, 0, T0 + 10), 1);
	ev_is(f, 0, "\"register\",\"host\":\"hv1\",\"vm\":\"web1\","
	    "\"image\":\"debian-12\",\"addresses\":[\"2001:db8::10\"],"
	    "\"mac\":\"52:54:00:00:00:10\",\"source\":\"pcap\","
	    "\"time\":1764000010,\"expires\":1764007205}");
	/* the v6 Release: the VM released */
	assert_int_equal(v6(f, 8, MAC, "2001:db8::10", NULL, 0, T0 + 20), 1);
	ev_is(f, 0, "\"release\",\"host\":\"hv1\",\"vm\":\"web1\","
	    "\"image\":\"debian-12\",\"addresses\":[],"
	    "\"mac\":\"52:54:00:00:00:10\",\"source\":\"pcap\","
	    "\"time\":1764000020}");
	assert_int_equal(f->out.ngone, 1);
	assert_string_equal(f->out.what, "DHCPv6 Release");
	/* a second release of it: nothing */
	assert_int_equal(v6(f, 8, MAC, "2001:db8::10", NULL, 0, T0 + 21), 0);
	/* a DECLINE of an address it does not hold: nothing */
	assert_int_equal(v4(f, 4, MAC, 0xc000020c, NULL, 0, T0 + 22), 0);
}

static void
test_names(void **state)
{
	struct fix *f = *state;

	/* no name in the ACK: the REQUEST's (Kea) */
	assert_int_equal(v4(f, 3, MAC3, 0xc000020c, "Kea7", 0, T0), 0);
	assert_int_equal(v4(f, 5, MAC3, 0xc000020c, NULL, 600, T0), 1);
	assert_string_equal(f->out.ev[0].vm, "kea7");
	assert_string_equal(f->out.ev[0].image, "win-2022");
	/* a dotted name: refused, nothing */
	assert_int_equal(v4(f, 5, MAC3, 0xc000020c, "dc1.example.test", 600,
	    T0 + 1), 0);
	/* a group name */
	assert_int_equal(v4(f, 5, MAC3, 0xc000020c, "hv2-web-vm", 600,
	    T0 + 1), 0);
	/* refused, but the map names the MAC: the map's name */
	assert_int_equal(v4(f, 5, MAC2, 0xc000020d, "_ldap", 600, T0), 1);
	assert_string_equal(f->out.ev[0].vm, "db1");
	/* no name at all, none in the map, never registered: nothing */
	assert_int_equal(v4(f, 5, MAC, 0xc000020e, NULL, 600, T0), 0);
	/* the VM renames itself: the old name released first */
	assert_int_equal(v4(f, 5, MAC3, 0xc000020c, "kea8", 600, T0 + 2), 2);
	assert_int_equal(f->out.ev[0].op, EVENT_OP_RELEASE);
	assert_string_equal(f->out.ev[0].vm, "kea7");
	assert_int_equal(f->out.ev[1].op, EVENT_OP_REGISTER);
	assert_string_equal(f->out.ev[1].vm, "kea8");
	/* a refused name in the REQUEST, none in the ACK: nothing */
	assert_int_equal(v4(f, 3, MAC, 0xc000020e, "web-vm", 0, T0 + 3), 0);
	assert_int_equal(v4(f, 5, MAC, 0xc000020e, NULL, 600, T0 + 3), 0);
	/* special-purpose addresses are never registered */
	assert_int_equal(v4(f, 5, MAC, 0x7f000001, "lo1", 600, T0), 0);
	/* a refused name in the REQUEST, the server's shortened echo of it
	 * in the ACK (dnsmasq): nothing; a good name asked again: registered */
	assert_int_equal(v4(f, 3, MAC, 0xc000020e, "dc1.example.test", 0,
	    T0 + 4), 0);
	assert_int_equal(v4(f, 5, MAC, 0xc000020e, "dc1", 600, T0 + 4), 0);
	assert_int_equal(v4(f, 3, MAC, 0xc000020e, "web9", 0, T0 + 5), 0);
	assert_int_equal(v4(f, 5, MAC, 0xc000020e, "web9", 600, T0 + 5), 1);
	assert_string_equal(f->out.ev[0].vm, "web9");
}

static void
test_v6_name_remembered(void **state)
{
	struct fix *f = *state;

	assert_int_equal(v6(f, 3, MAC, NULL, "v6only", 0, T0), 0);
	assert_int_equal(v6(f, 7, MAC, "2001:db8::20", NULL, 600, T0), 1);
	assert_string_equal(f->out.ev[0].vm, "v6only");
	assert_string_equal(f->out.what, "DHCPv6 Reply");
}

static void
test_arp(void **state)
{
	struct fix *f = *state;
	uint8_t fr[CAPPKT_MAX];

	/* only the map's MACs with a NAME */
	assert_int_equal(caplease_packet(&f->cl, fr, cappkt_arp(fr, MAC,
	    0xc0000263), T0, &f->out), 0);
	assert_int_equal(caplease_packet(&f->cl, fr, cappkt_arp(fr, MAC2,
	    0xc0000263), T0, &f->out), 1);
	ev_is(f, 0, "\"register\",\"host\":\"hv1\",\"vm\":\"db1\","
	    "\"addresses\":[\"192.0.2.99\"],\"mac\":\"52:54:00:00:00:11\","
	    "\"source\":\"pcap\",\"time\":1764000000}");
	/* seen again: nothing */
	assert_int_equal(caplease_packet(&f->cl, fr, cappkt_arp(fr, MAC2,
	    0xc0000263), T0 + 9, &f->out), 0);
	/* without -a: nothing */
	f->cl.arp = 0;
	assert_int_equal(caplease_packet(&f->cl, fr, cappkt_arp(fr, MAC2,
	    0xc0000264), T0 + 9, &f->out), 0);
}

static void
test_save_load(void **state)
{
	struct fix *f = *state;
	struct caplease again;
	char p[200];

	(void)xsnprintf(p, sizeof(p), "%s/%s", f->dir, CAPSTATE_FILE);
	assert_int_equal(v4(f, 5, MAC, 0xc000020a, "web1", 3600, T0), 1);
	assert_int_equal(v6(f, 7, MAC, "2001:db8::10", "web1", 3600, T0), 1);
	assert_int_equal(v4(f, 3, MAC3, 0, "asked9", 0, T0), 0);
	assert_true(f->cl.st.dirty);
	assert_int_equal(capstate_save(&f->cl.st, p, NULL, 0), 0);
	caplease_init(&again, "hv1", &f->map, 0);
	assert_int_equal(capstate_load(&again.st, p), 0);
	/* the same lease seen again after a restart: nothing new */
	assert_int_equal(v4(f, 5, MAC, 0xc000020a, "web1", 3600, T0), 0);
	caplease_free(&f->cl);
	f->cl = again;
	assert_int_equal(v4(f, 5, MAC, 0xc000020a, "web1", 3600, T0), 0);
	/* the name asked before the restart */
	assert_int_equal(v4(f, 5, MAC3, 0xc000020f, NULL, 60, T0), 1);
	assert_string_equal(f->out.ev[0].vm, "asked9");
	/* a RELEASE (no name) still finds its VM */
	assert_int_equal(v4(f, 7, MAC, 0xc000020a, NULL, 0, T0 + 5), 1);
	assert_int_equal(f->out.ev[0].op, EVENT_OP_REGISTER);
	assert_string_equal(f->out.ev[0].vm, "web1");
	assert_int_equal(v6(f, 8, MAC, "2001:db8::10", NULL, 0, T0 + 6), 1);
	assert_int_equal(f->out.ev[0].op, EVENT_OP_RELEASE);
	/* a bad line in the file is skipped, the others kept */
	{
		struct capstate other = { NULL, NULL, 0 };
		FILE *fp = fopen(p, "a");

		assert_non_null(fp);
		fputs("52:54:00:00:00:20 seen=1 vm=a.b a=192.0.2.1/0\n"
		    "zz:54:00:00:00:21 seen=1\n"
		    "52:54:00:00:00:22 seen=1 a=127.0.0.1/0\n", fp);
		fclose(fp);
		assert_int_equal(capstate_load(&other, p), 0);
		assert_non_null(capstate_get(&other, MAC, 0));
		assert_int_equal(HASH_COUNT(other.h), 2);
		capstate_free(&other);
	}
}

static void
test_expired_dropped(void **state)
{
	struct fix *f = *state;

	assert_int_equal(v4(f, 5, MAC, 0xc000020a, "web1", 60, T0), 1);
	assert_int_equal(v6(f, 7, MAC, "2001:db8::10", "web1", 3600, T0 + 100),
	    1);
	/* the v4 lease ended unrenewed: only the v6 address registered */
	assert_int_equal(f->out.ev[0].naddrs, 1);
	assert_int_equal(f->out.ev[0].addrs[0].family, AF_INET6);
}

/* A VM holding more addresses than an entry keeps inline: the union, a
 * refresh, a restart, a release of some. */
static void
test_many_addrs(void **state)
{
	struct fix *f = *state;
	struct in6_addr a[5];
	struct cappkt_v6 d = { .type = 7, .addrs = a, .naddrs = 5,
	    .valid = 3600, .status = -1, .fqdn = "web1" };
	struct caplease again;
	uint8_t fr[CAPPKT_MAX];
	char p[200];
	size_t i;

	memcpy(d.mac, MAC, 6);
	for (i = 0; i < 5; i++)
		assert_int_equal(inet_pton(AF_INET6, "2001:db8::10", &a[i]), 1);
	for (i = 0; i < 5; i++)
		a[i].s6_addr[15] = (uint8_t)(0x15 - i);
	assert_int_equal(v4(f, 5, MAC, 0xc000020a, "web1", 3600, T0), 1);
	assert_int_equal(caplease_packet(&f->cl, fr, cappkt_dhcp6(fr, &d),
	    T0 + 1, &f->out), 1);
	ev_is(f, 0, "\"register\",\"host\":\"hv1\",\"vm\":\"web1\","
	    "\"image\":\"debian-12\",\"addresses\":[\"192.0.2.10\","
	    "\"2001:db8::11\",\"2001:db8::12\",\"2001:db8::13\","
	    "\"2001:db8::14\",\"2001:db8::15\"],\"mac\":\"52:54:00:00:00:10\","
	    "\"source\":\"pcap\",\"time\":1764000001,\"expires\":1764003601}");
	assert_int_equal(caplease_packet(&f->cl, fr, cappkt_dhcp6(fr, &d),
	    T0 + 2, &f->out), 1);
	assert_int_equal(f->out.ev[0].op, EVENT_OP_REFRESH);
	assert_int_equal(f->out.ev[0].naddrs, 6);
	(void)xsnprintf(p, sizeof(p), "%s/%s", f->dir, CAPSTATE_FILE);
	assert_int_equal(capstate_save(&f->cl.st, p, NULL, 0), 0);
	caplease_init(&again, "hv1", &f->map, 0);
	assert_int_equal(capstate_load(&again.st, p), 0);
	caplease_free(&f->cl);
	f->cl = again;
	/* the same Reply after a restart: nothing new */
	assert_int_equal(caplease_packet(&f->cl, fr, cappkt_dhcp6(fr, &d),
	    T0 + 2, &f->out), 0);
	/* four of the v6 addresses released: what remains registered */
	d.type = 8;
	d.naddrs = 4;
	d.fqdn = NULL;
	assert_int_equal(caplease_packet(&f->cl, fr, cappkt_dhcp6(fr, &d),
	    T0 + 3, &f->out), 1);
	ev_is(f, 0, "\"register\",\"host\":\"hv1\",\"vm\":\"web1\","
	    "\"image\":\"debian-12\",\"addresses\":[\"192.0.2.10\","
	    "\"2001:db8::11\"],\"mac\":\"52:54:00:00:00:10\","
	    "\"source\":\"pcap\",\"time\":1764000003,\"expires\":1764003602}");
	assert_int_equal(f->out.ngone, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_refresh, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_union_release, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_name_remembered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_arp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_load, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expired_dropped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_addrs, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
