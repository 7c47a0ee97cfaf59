/*
 * test_view.c - the view by DN: put, get, put again from its own values,
 * drop, many nodes over many zones (the table grows, drops leave no hole
 * that hides another; beyond the shared parents, whole DNs).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "view.h"
#include "xmem.h"

static void
node_dn(char *dn, size_t len, int z, int i)
{
	assert_int_equal(xsnprintf(dn, len, "DC=n%d\\,x,DC=zone%d.test,"
	    "CN=MicrosoftDNS", i, z), 0);
}

static void
test_many(void **state)
{
	struct view v;
	struct dir_value val[2] = { { (const uint8_t *)"abcd", 4 },
	    { (const uint8_t *)"xy", 2 } };
	const struct view_node *e;
	char dn[128];
	int i, z;

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_null(view_get(&v, "DC=a,DC=b"));
	for (z = 0; z < 20; z++)
		for (i = 0; i < 300; i++) {
			node_dn(dn, sizeof(dn), z, i);
			view_put(&v, dn, 1, i & 1, val, (size_t)(i % 3));
		}
	view_put(&v, "no comma", 1, 0, val, 2);
	view_put(&v, "DC=gone,DC=zone1.test,CN=MicrosoftDNS", 0, 1, val, 2);
	assert_int_equal(view_count(&v), 6002);
	for (z = 0; z < 20; z++)
		for (i = 0; i < 300; i++) {
			node_dn(dn, sizeof(dn), z, i);
			e = view_get(&v, dn);
			assert_non_null(e);
			assert_true(e->exists);
			assert_int_equal(e->tombstoned, i & 1);
			assert_int_equal(e->nvalues, i % 3);
			if (e->nvalues > 0)
				assert_memory_equal(e->values[0].val, "abcd",
				    4);
			if (e->nvalues > 1)
				assert_memory_equal(e->values[1].val, "xy", 2);
			view_put(&v, dn, 1, 0, e->values, e->nvalues);
			if (i % 2)
				view_drop(&v, dn);
		}
	assert_int_equal(view_count(&v), 3002);
	assert_int_equal(v.nparents, 16);
	e = view_get(&v, "DC=gone,DC=zone1.test,CN=MicrosoftDNS");
	assert_non_null(e);
	assert_false(e->exists);
	assert_int_equal(e->nvalues, 0);
	assert_int_equal(view_get(&v, "no comma")->nvalues, 2);
	assert_null(view_get(&v, "DC=n1\\,x,DC=zone1.test,CN=MicrosoftDNS"));
	e = view_get(&v, "DC=n2\\,x,DC=zone19.test,CN=MicrosoftDNS");
	assert_non_null(e);
	assert_int_equal(e->nvalues, 2);
	assert_false(e->tombstoned);
	assert_null(view_get(&v, "DC=n2\\,x,DC=zone1.test,CN=MicrosoftDN"));
	assert_null(view_get(&v, "DC=n2\\,x,DC=zone1.test"));
	assert_null(view_get(&v, "DC=n2"));
	view_clear(&v);
	assert_null(v.map);
	assert_int_equal(view_count(&v), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
