/*
 * test_enforce.c - the nftables batch for blocked addresses.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "enforce.h"

static void
test_batch(void **state)
{
	struct enforce_set s = { NULL, 0 };
	char *b;

	(void)state;
	assert_int_equal(enforce_add(&s, "192.0.2.11"), 0);
	assert_int_equal(enforce_add(&s, "2001:DB8::10"), 0);
	assert_int_equal(enforce_add(&s, "192.0.2.10"), 0);
	assert_int_equal(enforce_add(&s, "192.0.2.10"), 0);	/* once */
	assert_int_equal(s.naddrs, 3);
	b = enforce_batch(&s, "bridge", "vmgroup");
	assert_non_null(b);
	assert_string_equal(b,
	    "add table bridge vmgroup\n"
	    "add set bridge vmgroup blocked4 { type ipv4_addr; }\n"
	    "add set bridge vmgroup blocked6 { type ipv6_addr; }\n"
	    "flush set bridge vmgroup blocked4\n"
	    "flush set bridge vmgroup blocked6\n"
	    "add element bridge vmgroup blocked4 { 192.0.2.10, 192.0.2.11 }\n"
	    "add element bridge vmgroup blocked6 { 2001:db8::10 }\n");
	free(b);
	enforce_free(&s);
}

static void
test_empty_and_refusals(void **state)
{
	struct enforce_set s = { NULL, 0 };
	char *b;

	(void)state;
	/* nothing blocked: the sets are emptied, nothing added */
	b = enforce_batch(&s, "inet", "vmgroup");
	assert_non_null(b);
	assert_null(strstr(b, "add element"));
	assert_non_null(strstr(b, "flush set inet vmgroup blocked4\n"));
	free(b);
	/* values from the directory that are no address never reach nft */
	assert_int_equal(enforce_add(&s, "192.0.2.1 }; flush ruleset"), -1);
	assert_int_equal(enforce_add(&s, "300.1.1.1"), -1);
	assert_int_equal(enforce_add(&s, "fe80::1%eth0"), -1);
	assert_int_equal(s.naddrs, 0);
	assert_null(enforce_batch(&s, "arp", "vmgroup"));
	assert_null(enforce_batch(&s, "inet", "vm group"));
	assert_null(enforce_batch(&s, "inet", "x;flush ruleset"));
	assert_null(enforce_batch(&s, "inet", ""));
	enforce_free(&s);
}

/* Special-purpose addresses never reach a set, whatever the directory
 * holds; ordinary ones next to them still do. */
static void
test_special_skipped(void **state)
{
	static const char *const special[] = { "0.0.0.0", "0.1.2.3",
	    "127.0.0.1", "169.254.1.1", "224.0.0.1", "239.255.255.250",
	    "255.255.255.255", "240.0.0.1", "::", "::1", "fe80::1",
	    "FE80::1", "ff02::1", "ff05::1:3", "::ffff:192.0.2.1" };
	struct enforce_set s = { NULL, 0 };
	char *b;
	size_t i;

	(void)state;
	assert_int_equal(enforce_add(&s, "192.0.2.10"), 0);
	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (enforce_add(&s, special[i]) != ADDR_SPECIAL)
			fail_msg("%s not refused as special", special[i]);
	assert_int_equal(enforce_add(&s, "2001:db8::10"), 0);
	assert_int_equal(enforce_add(&s, "no address"), ADDR_BAD);
	assert_int_equal(s.naddrs, 2);
	b = enforce_batch(&s, "inet", "vmgroup");
	assert_non_null(b);
	assert_string_equal(b,
	    "add table inet vmgroup\n"
	    "add set inet vmgroup blocked4 { type ipv4_addr; }\n"
	    "add set inet vmgroup blocked6 { type ipv6_addr; }\n"
	    "flush set inet vmgroup blocked4\n"
	    "flush set inet vmgroup blocked6\n"
	    "add element inet vmgroup blocked4 { 192.0.2.10 }\n"
	    "add element inet vmgroup blocked6 { 2001:db8::10 }\n");
	free(b);
	enforce_free(&s);
}

/* --install-rules: table, sets kept, chains replaced, drops both ways;
 * DHCP first; inet and bridge only. */
static void
test_rules(void **state)
{
	const char *fam[] = { "inet", "bridge" };
	char *r, want[200];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		r = enforce_rules(fam[i], "vmgroup");
		assert_non_null(r);
		(void)snprintf(want, sizeof(want), "add table %s vmgroup\n"
		    "add set %s vmgroup blocked4 { type ipv4_addr; }\n",
		    fam[i], fam[i]);
		assert_memory_equal(r, want, strlen(want));
		assert_null(strstr(r, "flush set"));	/* the sets stay */
		(void)snprintf(want, sizeof(want), "flush chain %s vmgroup "
		    "forward\n", fam[i]);
		assert_non_null(strstr(r, want));
		(void)snprintf(want, sizeof(want), "add rule %s vmgroup "
		    "forward ip daddr @blocked4 drop\n", fam[i]);
		assert_non_null(strstr(r, want));
		(void)snprintf(want, sizeof(want), "add rule %s vmgroup "
		    "output ip6 daddr @blocked6 drop\n", fam[i]);
		assert_non_null(strstr(r, want));
		/* across the host, only a client's broadcast and a server's
		 * answer: no unicast from a blocked VM to any UDP 67 */
		assert_non_null(strstr(r, "forward ip daddr 255.255.255.255 "
		    "udp sport 68 udp dport 67 accept"));
		/* a blocked VM answers no DHCP client across the host */
		assert_non_null(strstr(r, "forward ip saddr != @blocked4 udp "
		    "sport 67 udp dport 68 accept"));
		assert_null(strstr(r, "forward udp sport 67"));
		assert_null(strstr(r, "forward udp sport 68 udp dport 67"));
		/* DHCP passes before the drops */
		assert_true(strstr(r, "input udp sport 68 udp dport 67 accept") <
		    strstr(r, "input ip saddr @blocked4 drop"));
		free(r);
	}
	assert_null(enforce_rules("ip", "vmgroup"));
	assert_null(enforce_rules("netdev", "vmgroup"));
	assert_null(enforce_rules("inet", "vm group"));
	assert_null(enforce_rules("inet", ""));
	assert_true(enforce_family_ok("bridge"));
	assert_false(enforce_family_ok("arp"));
	assert_false(enforce_family_ok(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_empty_and_refusals),
		cmocka_unit_test(test_special_skipped),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
