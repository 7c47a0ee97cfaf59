/*
 * test_cache.c - digests of what earlier passes verified: fresh only for
 * the same DN and digest, updated, dropped, cleared; a NULL cache knows
 * nothing and takes nothing.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cache.h"

static const char dn1[] = "DC=vm1,DC=example.test,CN=MicrosoftDNS",
    dn2[] = "CN=web,OU=VM Groups,DC=example,DC=test";

static void
test_fresh(void **state)
{
	struct cache c = { NULL };
	char copy[sizeof(dn1)];

	(void)state;
	assert_false(cache_fresh(&c, dn1, 42));
	cache_put(&c, dn1, 42);
	assert_true(cache_fresh(&c, dn1, 42));
	assert_false(cache_fresh(&c, dn1, 43));
	assert_false(cache_fresh(&c, dn2, 42));
	memcpy(copy, dn1, sizeof(copy));	/* by value, not by pointer */
	assert_true(cache_fresh(&c, copy, 42));
	cache_put(&c, dn1, 43);			/* changed: the new digest */
	assert_false(cache_fresh(&c, dn1, 42));
	assert_true(cache_fresh(&c, dn1, 43));
	cache_put(&c, dn2, CACHE_DIGEST_KEPT);
	cache_drop(&c, dn1);
	assert_false(cache_fresh(&c, dn1, 43));
	assert_true(cache_fresh(&c, dn2, CACHE_DIGEST_KEPT));
	cache_drop(&c, dn1);			/* not there: nothing */
	cache_clear(&c);
	assert_null(c.map);
	assert_false(cache_fresh(&c, dn2, CACHE_DIGEST_KEPT));
}

/* Many DNs: the table grows, drops leave no hole that hides another. */
static void
test_many(void **state)
{
	struct cache c = { NULL, 0, 0 };
	char dn[64];
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		(void)snprintf(dn, sizeof(dn), "DC=vm%d,DC=example.test", i);
		cache_put(&c, dn, (uint64_t)i + 10);
	}
	assert_int_equal(c.n, 3000);
	for (i = 0; i < 3000; i += 3) {
		(void)snprintf(dn, sizeof(dn), "DC=vm%d,DC=example.test", i);
		cache_drop(&c, dn);
	}
	assert_int_equal(c.n, 2000);
	for (i = 0; i < 3000; i++) {
		(void)snprintf(dn, sizeof(dn), "DC=vm%d,DC=example.test", i);
		if (i % 3 == 0)
			assert_false(cache_fresh(&c, dn, (uint64_t)i + 10));
		else
			assert_true(cache_fresh(&c, dn, (uint64_t)i + 10));
	}
	assert_int_not_equal(cache_key("a"), cache_key("b"));
	assert_int_equal(cache_key(dn1), cache_key(dn1));
	cache_clear(&c);
	assert_null(c.map);
}

static void
test_null(void **state)
{
	(void)state;
	cache_put(NULL, dn1, 1);
	cache_drop(NULL, dn1);
	assert_false(cache_fresh(NULL, dn1, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
