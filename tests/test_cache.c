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
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
