/*
 * test_view.c - the view by DN: put, get, put again from its own values,
 * drop, many nodes over many zones (the table grows, drops leave no hole
 * that hides another; beyond the shared parents, whole DNs); the digest
 * of a node's values (order-independent, serials left out as
 * dnsrec_same_but_serial leaves them out, kept by every put).
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

#include "dnsrec.h"
#include "ownrec.h"
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
	struct dir_value *ev;
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
			ev = view_values(e);
			if (e->nvalues > 0) {
				assert_int_equal(ev[0].len, 4);
				assert_memory_equal(ev[0].val, "abcd", 4);
			}
			if (e->nvalues > 1) {
				assert_int_equal(ev[1].len, 2);
				assert_memory_equal(ev[1].val, "xy", 2);
			}
			/* put again from the node's own values */
			view_put(&v, dn, 1, 0, ev, e->nvalues);
			free(ev);
			e = view_get(&v, dn);
			ev = view_values(e);
			assert_int_equal(e->nvalues, i % 3);
			if (e->nvalues > 1)
				assert_memory_equal(ev[1].val, "xy", 2);
			free(ev);
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

/* Digest of one value, or of two. */
static uint64_t
dg(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint64_t d = view_digest_add(0, a, alen);

	return b != NULL ? view_digest_add(d, b, blen) : d;
}

static void
test_digest(void **state)
{
	uint8_t a[32], b[32], c[32];
	struct dir_value vals[2] = { { a, 28 }, { b, 28 } }, back[2];
	const struct view_node *e;
	struct dir_value *ev;
	struct view v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(a); i++) {
		a[i] = (uint8_t)i;
		b[i] = (uint8_t)(i * 7 + 1);
	}
	memcpy(c, a, sizeof(c));
	/* order-independent; the serial (octets 8-11) left out */
	assert_true(dg(a, 28, b, 28) == dg(b, 28, a, 28));
	c[8] ^= 0x5a;
	c[11] ^= 1;
	assert_true(dnsrec_same_but_serial(a, 28, c, 28));
	assert_true(dg(a, 28, b, 28) == dg(c, 28, b, 28));
	/* any other octet, the length, a value twice: different */
	c[12] ^= 1;
	assert_true(dg(a, 28, NULL, 0) != dg(c, 28, NULL, 0));
	assert_true(dg(a, 28, NULL, 0) != dg(a, 29, NULL, 0));
	assert_true(dg(a, 28, a, 28) != dg(a, 28, NULL, 0));
	assert_true(dg(a, 28, a, 28) != dg(b, 28, b, 28));
	/* 24 octets kept (23 + the serial's 4 gone) is not 24 with it */
	memcpy(c, a, 8);
	memcpy(c + 8, a + 12, 16);
	assert_true(dg(a, 28, NULL, 0) != dg(c, 24, NULL, 0));
	/* shorter than a header: the serial's octets count */
	memcpy(c, a, sizeof(c));
	c[9] ^= 1;
	assert_false(dnsrec_same_but_serial(a, 12, c, 12));
	assert_true(dg(a, 12, NULL, 0) != dg(c, 12, NULL, 0));
	/* kept by put: a new node, the same again from its own values */
	memset(&v, 0, sizeof(v));
	view_put(&v, "DC=n,DC=z", 1, 0, vals, 2);
	e = view_get(&v, "DC=n,DC=z");
	assert_true(e->digest == dg(a, 28, b, 28));
	ev = view_values(e);
	back[0] = ev[1];
	back[1] = ev[0];
	view_put(&v, "DC=n,DC=z", 1, 0, back, 2);
	free(ev);
	e = view_get(&v, "DC=n,DC=z");
	assert_true(e->digest == view_digest(vals, 2));
	view_put(&v, "DC=n,DC=z", 1, 0, vals, 1);
	assert_true(view_get(&v, "DC=n,DC=z")->digest == dg(a, 28, NULL, 0));
	view_put(&v, "DC=n,DC=z", 0, 0, vals, 2);
	assert_true(view_get(&v, "DC=n,DC=z")->digest == 0);
	/* a patched node's digest follows the old one: a value's share
	 * taken off is the digest of the others */
	assert_true(view_digest_sub(dg(a, 28, b, 28), b, 28) ==
	    dg(a, 28, NULL, 0));
	assert_true(view_digest_sub(dg(a, 28, b, 28), a, 28) ==
	    dg(b, 28, NULL, 0));
	assert_true(view_digest_sub(dg(a, 28, NULL, 0), a, 28) == 0);
	view_clear(&v);
}

/* A node patched in place is the node a whole put of the result makes:
 * three values held, the first and last go, two come; dels that do not
 * fit the node change nothing. */
static void
test_patched(void **state)
{
	uint8_t val[5][20];
	struct dir_value held[3], adds[2], after[3];
	size_t dels[2] = { 0, 2 }, bad[2] = { 2, 1 }, far[1] = { 3 }, i, j;
	const struct view_node *a, *b;
	struct dir_value *av;
	struct view v;

	(void)state;
	for (i = 0; i < 5; i++)
		for (j = 0; j < sizeof(val[i]); j++)
			val[i][j] = (uint8_t)(i * 31 + j + (j == 3 ? i : 0));
	for (i = 0; i < 3; i++)
		held[i] = (struct dir_value){ val[i], sizeof(val[i]) - i };
	adds[0] = (struct dir_value){ val[3], sizeof(val[3]) };
	adds[1] = (struct dir_value){ val[4], 7 };
	after[0] = held[1];
	after[1] = adds[0];
	after[2] = adds[1];
	memset(&v, 0, sizeof(v));
	view_put(&v, "DC=a,DC=z", 1, 0, held, 3);
	assert_int_equal(view_patch(&v, "DC=a,DC=z", bad, 2, adds, 2), -1);
	assert_int_equal(view_patch(&v, "DC=a,DC=z", far, 1, adds, 2), -1);
	assert_int_equal(view_get(&v, "DC=a,DC=z")->nvalues, 3);
	assert_true(view_get(&v, "DC=a,DC=z")->digest == view_digest(held, 3));
	assert_int_equal(view_patch(&v, "DC=a,DC=z", dels, 2, adds, 2), 0);
	view_put(&v, "DC=b,DC=z", 1, 0, after, 3);
	a = view_get(&v, "DC=a,DC=z");
	b = view_get(&v, "DC=b,DC=z");
	assert_true(a->exists && !a->tombstoned);
	assert_int_equal(a->nvalues, 3);
	assert_true(a->digest == b->digest);
	av = view_values(a);
	for (i = 0; i < 3; i++) {
		assert_int_equal(av[i].len, after[i].len);
		assert_memory_equal(av[i].val, after[i].val, after[i].len);
	}
	free(av);
	/* no such node, or not a live one */
	assert_int_equal(view_patch(&v, "DC=c,DC=z", NULL, 0, adds, 1), -1);
	view_put(&v, "DC=c,DC=z", 0, 0, NULL, 0);
	assert_int_equal(view_patch(&v, "DC=c,DC=z", NULL, 0, adds, 1), -1);
	view_clear(&v);
}

/* An owner value (or a PTR) for host, serial s, time t, encoded into buf. */
static struct dir_value
val_make(uint8_t *buf, int owner, const char *host, uint32_t s, int64_t t)
{
	uint8_t raw[OWNREC_RAW_BUF];
	struct dnsrec rec;
	size_t len;

	dnsrec_init(&rec, owner ? DNSREC_TYPE_TXT : DNSREC_TYPE_PTR, s, 300, 0);
	if (owner)
		assert_int_equal(ownrec_encode(&rec, host, t, raw), 0);
	else
		assert_int_equal(xstrlcpy(rec.u.name, host, sizeof(rec.u.name)),
		    0);
	assert_int_equal(dnsrec_encode(&rec, buf, DNSREC_BUF, &len), 0);
	return (struct dir_value){ buf, len };
}

/* Owner values are kept short (viewval.h): read back byte for byte,
 * patched out and in with the digest following, whatever their serial,
 * time and host. */
static void
test_owner_values(void **state)
{
	static uint8_t b[6][DNSREC_BUF];
	struct dir_value vals[4], *ev;
	const struct view_node *e;
	struct view v;
	size_t i, k, dels[1] = { 1 };

	(void)state;
	memset(&v, 0, sizeof(v));
	vals[0] = val_make(b[0], 0, "web1.example.test", 7, 0);
	vals[1] = val_make(b[1], 1, "hv1", 7, 1764000000);
	vals[2] = val_make(b[2], 1, "hypervisor-02", 9, 5);
	vals[3] = val_make(b[3], 0, "web2.example.test", 9, 0);
	for (i = 0; i < 3; i++) {
		view_put(&v, i == 0 ? "DC=1,DC=z" : i == 1 ? "DC=2,DC=z" :
		    "DC=3,DC=z", 1, 0, vals + i, 4 - i);
		e = view_get(&v, i == 0 ? "DC=1,DC=z" : i == 1 ? "DC=2,DC=z" :
		    "DC=3,DC=z");
		assert_int_equal(e->nvalues, 4 - i);
		ev = view_values(e);
		for (k = 0; k < 4 - i; k++) {
			assert_int_equal(ev[k].len, vals[i + k].len);
			assert_memory_equal(ev[k].val, vals[i + k].val,
			    vals[i + k].len);
		}
		free(ev);
		assert_true(e->digest == view_digest(vals + i, 4 - i));
	}
	/* the owner value patched out of DC=1 and another one in */
	vals[0] = val_make(b[4], 1, "hv1", 11, 1799999999);
	assert_int_equal(view_patch(&v, "DC=1,DC=z", dels, 1, vals, 1), 0);
	e = view_get(&v, "DC=1,DC=z");
	ev = view_values(e);
	assert_int_equal(e->nvalues, 4);
	assert_memory_equal(ev[0].val, b[0], ev[0].len);
	assert_memory_equal(ev[1].val, b[2], ev[1].len);
	assert_memory_equal(ev[3].val, b[4], ev[3].len);
	assert_true(e->digest == view_digest(ev, 4));
	free(ev);
	view_clear(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_patched),
		cmocka_unit_test(test_owner_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
