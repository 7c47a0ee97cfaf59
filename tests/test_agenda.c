/*
 * test_agenda.c - the daemon's deadlines: a pending retry holds every other
 * deadline back, the backoff counts from the end of the failed attempt,
 * doubles up to its cap, is jittered, and nothing can wake the loop more
 * than once a second.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agenda.h"

#define T0 1000000	/* a monotonic "now", ms */

static void
test_empty(void **state)
{
	struct agenda a;

	(void)state;
	agenda_init(&a);
	assert_int_equal(agenda_next(&a, NULL), 0);
	assert_int_equal(agenda_timeout(&a, T0), -1);
	assert_false(agenda_waiting(&a, T0));
	assert_false(agenda_due(&a, AGENDA_FULL, T0));
}

static void
test_earliest(void **state)
{
	enum agenda_what w = AGENDA_NWHAT;
	struct agenda a;

	(void)state;
	agenda_init(&a);
	agenda_set(&a, AGENDA_RESCAN, T0 + 60000);
	agenda_set(&a, AGENDA_FULL, T0 + 3600000);
	agenda_set(&a, AGENDA_LEASE, T0 + 5000);
	assert_int_equal(agenda_next(&a, &w), T0 + 5000);
	assert_int_equal(w, AGENDA_LEASE);
	assert_int_equal(agenda_timeout(&a, T0), 5000);
	assert_int_equal(agenda_timeout(&a, T0 + 4999), 1);
	assert_int_equal(agenda_timeout(&a, T0 + 5000), 0);
	assert_int_equal(agenda_timeout(&a, T0 + 9000), 0);
	assert_false(agenda_due(&a, AGENDA_LEASE, T0 + 4999));
	assert_true(agenda_due(&a, AGENDA_LEASE, T0 + 5000));
	agenda_set(&a, AGENDA_LEASE, 0);
	assert_int_equal(agenda_next(&a, &w), T0 + 60000);
	assert_int_equal(w, AGENDA_RESCAN);
}

/* The busy loop of issue 9: a full reconcile and a lease end overdue while
 * the directory is away must wait for the retry, not wake the loop. */
static void
test_retry_holds_everything(void **state)
{
	enum agenda_what w = AGENDA_NWHAT;
	struct agenda a;
	int64_t delay, end = T0 + 10000;	/* the attempt took 10 s */
	int k;

	(void)state;
	srandom(1);
	agenda_init(&a);
	agenda_set(&a, AGENDA_FULL, T0 - 1);		/* overdue */
	agenda_set(&a, AGENDA_LEASE, T0 - 1);		/* overdue */
	agenda_set(&a, AGENDA_RENEW, T0);
	agenda_set(&a, AGENDA_RESCAN, T0 + 1000);
	delay = agenda_fail(&a, end, 300);
	assert_true(delay >= 500 && delay <= 1000);
	assert_true(agenda_waiting(&a, end));
	assert_true(agenda_waiting(&a, end + delay - 1));
	assert_false(agenda_waiting(&a, end + delay));
	for (k = 0; k < AGENDA_NWHAT; k++) {
		assert_false(agenda_due(&a, (enum agenda_what)k, end));
		assert_false(agenda_due(&a, (enum agenda_what)k,
		    end + delay - 1));
	}
	assert_int_equal(agenda_next(&a, &w), end + delay);
	assert_int_equal(agenda_timeout(&a, end), delay);
	assert_true(agenda_due(&a, AGENDA_RETRY, end + delay));
	/* the retry pass does the overdue work; on their own, the other
	 * deadlines also keep a second after the failed pass */
	assert_true(agenda_due(&a, AGENDA_FULL, end + AGENDA_MIN_GAP_MS));
	/* deadlines as set are still known to have passed */
	assert_true(agenda_passed(&a, AGENDA_FULL, end));
}

/* Counted from the end of the attempt; doubling; capped; jittered between
 * half and all of the step. */
static void
test_backoff(void **state)
{
	static const unsigned steps[] = { 1, 2, 4, 8, 8, 8 };
	struct agenda a;
	int64_t now = T0, delay;
	size_t i;

	(void)state;
	srandom(2);
	agenda_init(&a);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		now += 15000;	/* a hung directory: 15 s per attempt */
		delay = agenda_fail(&a, now, 8);
		assert_int_equal(a.step, steps[i]);
		assert_true(delay >= (int64_t)steps[i] * 500);
		assert_true(delay <= (int64_t)steps[i] * 1000);
		assert_int_equal(a.at[AGENDA_RETRY], now + delay);
		assert_int_equal(a.failures, i + 1);
		assert_int_equal(a.failing_since, T0 + 15000);
		now += delay;
	}
	assert_int_equal(agenda_ok(&a, now), 6);
	assert_int_equal(a.step, 0);
	assert_int_equal(a.at[AGENDA_RETRY], 0);
	assert_false(agenda_waiting(&a, now));
	delay = agenda_fail(&a, now, 8);	/* starts over */
	assert_int_equal(a.step, 1);
	assert_true(delay >= 500 && delay <= 1000);
	/* a cap of 0 would be a zero delay: it is taken as 1 s */
	agenda_init(&a);
	delay = agenda_fail(&a, now, 0);
	assert_true(delay >= 500 && delay <= 1000);
}

/* 200 hosts that lost the directory together do not retry in step: their
 * delays at the cap spread over its second half. */
static void
test_jitter_spreads(void **state)
{
	struct agenda a;
	int64_t d = 0, lo = INT64_MAX, hi = 0;
	int host, same = 0, k, buckets[10] = { 0 };

	(void)state;
	srandom(3);
	for (host = 0; host < 200; host++) {
		agenda_init(&a);
		for (k = 0; k < 10; k++)
			d = agenda_fail(&a, T0, 60);
		if (d < lo)
			lo = d;
		if (d > hi)
			hi = d;
		buckets[(d - 30000) * 10 / 30001]++;
	}
	assert_true(lo >= 30000 && hi <= 60000);
	assert_true(hi - lo >= 20000);
	for (k = 0; k < 10; k++)
		if (buckets[k] > same)
			same = buckets[k];
	assert_true(same < 60);	/* no tenth of the range holds 30 % */
}

/* A deadline no pass moves (a bug, a clock step) wakes the loop at most
 * once a second after the last pass; a retry is not held back. */
static void
test_min_gap(void **state)
{
	struct agenda a;
	int64_t now = T0;
	int passes = 0;

	(void)state;
	agenda_init(&a);
	agenda_set(&a, AGENDA_LEASE, T0 - 5000);	/* stuck in the past */
	while (now < T0 + 10000) {
		now += agenda_timeout(&a, now);
		assert_true(agenda_due(&a, AGENDA_LEASE, now));
		agenda_ok(&a, now);	/* a pass that does not move it */
		passes++;
	}
	assert_true(passes <= 11);
	assert_int_equal(agenda_timeout(&a, now), AGENDA_MIN_GAP_MS);
	srandom(4);
	agenda_fail(&a, now, 1);
	assert_true(a.at[AGENDA_RETRY] - now <= 1000);
	assert_true(agenda_when(&a, AGENDA_RETRY) == a.at[AGENDA_RETRY]);
}

/* Wall-clock deadlines (lease and ticket ends) become monotonic ones. */
static void
test_wall(void **state)
{
	struct agenda a;
	int64_t wall = (int64_t)1764000000 * 1000 + 250;

	(void)state;
	agenda_init(&a);
	agenda_set_wall(&a, AGENDA_LEASE, 1764000010, T0, wall);
	assert_int_equal(a.at[AGENDA_LEASE], T0 + 9750);
	agenda_set_wall(&a, AGENDA_LEASE, 1700000000, T0, wall);
	assert_true(a.at[AGENDA_LEASE] >= 1 && a.at[AGENDA_LEASE] <= T0);
	agenda_set_wall(&a, AGENDA_LEASE, 0, T0, wall);
	assert_int_equal(a.at[AGENDA_LEASE], 0);
	assert_true(agenda_now() > 0);
	assert_string_equal(agenda_name(AGENDA_RENEW), "ticket renewal");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_earliest),
		cmocka_unit_test(test_retry_holds_everything),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_jitter_spreads),
		cmocka_unit_test(test_min_gap),
		cmocka_unit_test(test_wall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
