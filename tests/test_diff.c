/*
 * test_diff.c - records wanted against records held: deletions and
 * additions, serials ignored, tombstones revived, the unwanted node's fate.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diff.h"
#include "dnsrec.h"

#define NV 4

static uint8_t buf[NV][DNSREC_BUF];
static size_t len[NV];

/* An A record 10.0.<third>.<last>, TTL 300, with this serial, into b. */
static struct diff_val
mkv(uint8_t *b, size_t *l, uint8_t third, uint8_t last, uint32_t serial)
{
	struct dnsrec r;

	dnsrec_init(&r, DNSREC_TYPE_A, serial, 300, 0);
	r.u.a[0] = 10;
	r.u.a[2] = third;
	r.u.a[3] = last;
	assert_int_equal(dnsrec_encode(&r, b, DNSREC_BUF, l), 0);
	return (struct diff_val){ b, *l };
}

/* Value i: A 10.0.0.<last>, TTL 300, with this serial. */
static struct diff_val
mk(size_t i, uint8_t last, uint32_t serial)
{
	return mkv(buf[i], &len[i], 0, last, serial);
}

static void
test_same(void **state)
{
	struct diff_val held[2], want[2];
	struct diff df;

	(void)state;
	held[0] = mk(0, 1, 7);
	held[1] = mk(1, 2, 7);
	want[0] = mk(2, 2, 9);		/* serial moved: the same */
	want[1] = mk(3, 1, 9);
	diff_records(held, 2, 0, want, 2, &df);
	assert_true(diff_empty(&df));
	assert_int_equal(df.tomb, DIFF_TOMB_LEAVE);
	diff_free(&df);
}

static void
test_change(void **state)
{
	struct diff_val held[2], want[2];
	struct diff df;

	(void)state;
	held[0] = mk(0, 1, 7);
	held[1] = mk(1, 2, 7);
	want[0] = mk(2, 2, 7);
	want[1] = mk(3, 3, 7);
	diff_records(held, 2, 0, want, 2, &df);
	assert_false(diff_empty(&df));
	assert_int_equal(df.ndels, 1);
	assert_int_equal(df.dels[0], 0);	/* 10.0.0.1 out */
	assert_int_equal(df.nadds, 1);
	assert_int_equal(df.adds[0], 1);	/* 10.0.0.3 in */
	assert_int_equal(df.tomb, DIFF_TOMB_LEAVE);
	diff_free(&df);
	assert_null(df.dels);
}

static void
test_empty_sides(void **state)
{
	struct diff_val held[2], want[1];
	struct diff df;

	(void)state;
	held[0] = mk(0, 1, 7);
	held[1] = mk(1, 2, 7);
	diff_records(held, 2, 0, NULL, 0, &df);
	assert_int_equal(df.ndels, 2);
	assert_int_equal(df.nadds, 0);
	diff_free(&df);
	want[0] = mk(2, 5, 7);
	diff_records(NULL, 0, 0, want, 1, &df);
	assert_int_equal(df.ndels, 0);
	assert_int_equal(df.nadds, 1);
	assert_int_equal(df.adds[0], 0);
	diff_free(&df);
}

/* A tombstoned node that is wanted: everything held out, everything
 * wanted in (even an equal value), dNSTombstoned FALSE. */
static void
test_revive(void **state)
{
	struct diff_val held[1], want[2];
	struct diff df;

	(void)state;
	held[0] = mk(0, 1, 7);
	want[0] = mk(1, 1, 7);
	want[1] = mk(2, 2, 7);
	diff_records(held, 1, 1, want, 2, &df);
	assert_int_equal(df.tomb, DIFF_TOMB_REVIVE);
	assert_int_equal(df.ndels, 1);
	assert_int_equal(df.nadds, 2);
	assert_false(diff_empty(&df));
	diff_free(&df);
	diff_records(NULL, 0, 1, NULL, 0, &df);
	assert_false(diff_empty(&df));	/* the flag alone is a change */
	diff_free(&df);
}

/* Other fields than the serial count: a TTL change is a change. */
static void
test_ttl(void **state)
{
	struct diff_val held[1], want[1];
	struct diff df;

	(void)state;
	held[0] = mk(0, 1, 7);
	want[0] = mk(1, 1, 7);
	buf[1][15] = 0x2d;		/* TTL 301 */
	diff_records(held, 1, 0, want, 1, &df);
	assert_int_equal(df.ndels, 1);
	assert_int_equal(df.nadds, 1);
	diff_free(&df);
}

static void
test_unwanted(void **state)
{
	(void)state;
	assert_int_equal(diff_unwanted(0, 0), DIFF_FORGET);
	assert_int_equal(diff_unwanted(0, 1), DIFF_FORGET);
	assert_int_equal(diff_unwanted(1, 0), DIFF_ENTOMB);
	assert_int_equal(diff_unwanted(1, 1), DIFF_KEEP);
}

/* Patches: a pool of values of their own. */
#define NP 64
static uint8_t pbuf[NP][DNSREC_BUF];
static size_t plen[NP];

/* Pool value i: A 10.0.1.<last> with this serial. */
static struct diff_val
pmk(size_t i, uint8_t last, uint32_t serial)
{
	return mkv(pbuf[i], &plen[i], 1, last, serial);
}

/* held .1-.nheld (serial 7); want: the listed (serial 9); gone: the
 * listed.  The held values left alone are untouched, whatever their
 * number; a wanted one held with another serial is not rewritten. */
static void
patch_case(size_t nheld, const uint8_t *w, size_t nw, const uint8_t *g,
    size_t ng, size_t want_dels, size_t want_adds)
{
	struct diff_val held[NP], want[NP], gone[NP];
	struct diff df;
	size_t i, k = 0;

	for (i = 0; i < nheld; i++)
		held[i] = pmk(k++, (uint8_t)(i + 1), 7);
	for (i = 0; i < nw; i++)
		want[i] = pmk(k++, w[i], 9);
	for (i = 0; i < ng; i++)
		gone[i] = pmk(k++, g[i], 9);
	diff_patch(held, nheld, want, nw, gone, ng, &df);
	assert_int_equal(df.ndels, want_dels);
	assert_int_equal(df.nadds, want_adds);
	assert_int_equal(df.tomb, DIFF_TOMB_LEAVE);
	for (i = 0; i < df.ndels; i++) {	/* only gone values, ascending */
		assert_true(held[df.dels[i]].val[plen[0] - 1] == g[0] ||
		    ng > 1);
		assert_true(i == 0 || df.dels[i] > df.dels[i - 1]);
	}
	for (i = 0; i < df.nadds; i++)		/* only values not held */
		assert_true(want[df.adds[i]].val[plen[0] - 1] > nheld);
	diff_free(&df);
}

static void
test_patch_few(void **state)
{
	static const uint8_t w1[] = { 30 }, g1[] = { 3 };
	static const uint8_t w2[] = { 2 }, g2[] = { 31 };

	(void)state;
	patch_case(20, w1, 1, g1, 1, 1, 1);	/* .3 out, .30 in */
	patch_case(20, w2, 1, g2, 1, 0, 0);	/* held already, gone not held */
	patch_case(0, w1, 1, g1, 1, 0, 1);
	patch_case(20, NULL, 0, NULL, 0, 0, 0);
}

static void
test_patch_many(void **state)
{
	uint8_t w[20], g[20];
	size_t i;

	(void)state;
	for (i = 0; i < 10; i++) {	/* 10 held, 10 new; 10 held, 10 not */
		w[i] = (uint8_t)(i + 1);
		w[10 + i] = (uint8_t)(40 + i);
		g[i] = (uint8_t)(11 + i);
		g[10 + i] = (uint8_t)(50 + i);
	}
	patch_case(22, w, 20, g, 20, 10, 10);	/* > DIFF_FEW: hashed */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_empty_sides),
		cmocka_unit_test(test_revive),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_unwanted),
		cmocka_unit_test(test_patch_few),
		cmocka_unit_test(test_patch_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
