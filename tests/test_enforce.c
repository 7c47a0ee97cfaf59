/*
 * test_enforce.c - the nftables batch for blocked addresses.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_empty_and_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
