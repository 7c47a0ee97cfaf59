/*
 * test_release.c - release records: a late, older register or refresh does
 * not bring a released VM back; records end after the longest lease; their
 * number is capped.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "xmem.h"

#define T0 1764000000

static struct event
ev_make(enum event_op op, const char *host, const char *vm, int64_t time,
    int64_t expires)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.version = 1;
	ev.op = op;
	ev.source = EVENT_SRC_DHCP;
	assert_int_equal(xstrlcpy(ev.host, host, sizeof(ev.host)), 0);
	assert_int_equal(xstrlcpy(ev.vm, vm, sizeof(ev.vm)), 0);
	assert_int_equal(xstrlcpy(ev.image, "img", sizeof(ev.image)), 0);
	ev.time = time;
	ev.expires = expires;
	if (op != EVENT_OP_RELEASE) {
		ev.addrs[0].family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, "192.0.2.10",
		    &ev.addrs[0].u.v4), 1);
		ev.naddrs = 1;
	}
	return ev;
}

static int
apply(struct model_regs *regs, enum event_op op, const char *host,
    const char *vm, int64_t time, int64_t expires)
{
	struct event ev = ev_make(op, host, vm, time, expires);

	return model_apply(regs, &ev);
}

static const char *
host_of(const struct model_regs *regs, const char *vm)
{
	struct model_reg *r;

	HASH_FIND_STR(regs->by_vm, vm, r);
	return r == NULL ? "(none)" : r->host;
}

static void
test_late_register(void **state)
{
	struct model_regs regs;

	(void)state;
	model_regs_init(&regs);
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "hv1", "web1", T0, 0),
	    1);
	assert_int_equal(apply(&regs, EVENT_OP_RELEASE, "hv1", "web1",
	    T0 + 100, 0), 1);
	assert_int_equal(model_regs_count(&regs), 0);
	assert_int_equal(release_count(&regs.released), 1);
	/* a register and a refresh stamped before the release: stale */
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "hv1", "web1",
	    T0 + 50, 0), 0);
	assert_int_equal(apply(&regs, EVENT_OP_REFRESH, "hv1", "web1",
	    T0 + 99, T0 + 3600), 0);
	assert_int_equal(model_regs_count(&regs), 0);
	/* the same second as the release: arrival order, it comes back */
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "hv1", "web1",
	    T0 + 100, 0), 1);
	assert_string_equal(host_of(&regs, "web1"), "hv1");
	model_regs_free(&regs);
}

static void
test_release_first(void **state)
{
	struct model_regs regs;

	(void)state;
	model_regs_init(&regs);
	/* the release overtakes the register it releases */
	assert_int_equal(apply(&regs, EVENT_OP_RELEASE, "hv1", "web1",
	    T0 + 100, 0), 0);
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "hv1", "web1", T0, 0),
	    0);
	assert_int_equal(model_regs_count(&regs), 0);
	/* an older release does not move the record back */
	assert_int_equal(apply(&regs, EVENT_OP_RELEASE, "hv1", "web1", T0, 0),
	    0);
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "hv1", "web1",
	    T0 + 99, 0), 0);
	/* a newer register is a new life of the VM */
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "hv1", "web1",
	    T0 + 101, 0), 1);
	model_regs_free(&regs);
}

static void
test_other_host(void **state)
{
	struct model_regs regs;

	(void)state;
	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "hv1", "web1", T0, 0);
	apply(&regs, EVENT_OP_RELEASE, "hv1", "web1", T0 + 100, 0);
	/* in time order, hv2's register moved the VM before hv1 released it
	 * (a release from the old host does not undo a move) */
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "hv2", "web1",
	    T0 + 50, 0), 1);
	assert_string_equal(host_of(&regs, "web1"), "hv2");
	/* and a later late event from hv1 is still held back */
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "hv1", "web1",
	    T0 + 60, 0), 0);
	assert_string_equal(host_of(&regs, "web1"), "hv2");
	model_regs_free(&regs);
}

static const struct release *
record_of(const struct model_regs *regs, const char *key)
{
	struct release *r;

	HASH_FIND_STR(regs->released.by_key, key, r);
	return r;
}

static void
test_bound(void **state)
{
	struct model_regs regs;

	(void)state;
	model_regs_init(&regs);
	/* without leases: kept for the hold (max_lease, default a day) */
	apply(&regs, EVENT_OP_RELEASE, "hv1", "a", T0, 0);
	assert_non_null(record_of(&regs, "a/hv1"));
	assert_int_equal(record_of(&regs, "a/hv1")->until,
	    T0 + RELEASE_DEFAULT_HOLD);
	model_expire(&regs, T0 + RELEASE_DEFAULT_HOLD - 1);
	assert_int_equal(release_count(&regs.released), 1);
	model_expire(&regs, T0 + RELEASE_DEFAULT_HOLD);
	assert_int_equal(release_count(&regs.released), 0);
	/* a longer lease seen: kept until that long after the release, so
	 * any late event with such a lease has ended by then */
	apply(&regs, EVENT_OP_REGISTER, "hv1", "b", T0, T0 + 3 * 86400);
	apply(&regs, EVENT_OP_RELEASE, "hv1", "b", T0 + 10, 0);
	assert_int_equal(record_of(&regs, "b/hv1")->until, T0 + 10 + 3 * 86400);
	/* a configured max_lease longer than any seen */
	regs.released.hold = 7 * 86400;
	apply(&regs, EVENT_OP_RELEASE, "hv1", "c", T0, 0);
	assert_int_equal(record_of(&regs, "c/hv1")->until, T0 + 7 * 86400);
	/* never past the last time an event may carry */
	apply(&regs, EVENT_OP_RELEASE, "hv1", "d", EVENT_MAX_TIME - 5, 0);
	assert_int_equal(record_of(&regs, "d/hv1")->until, EVENT_MAX_TIME);
	model_regs_free(&regs);
}

static void
test_cap(void **state)
{
	struct model_regs regs;
	char vm[16];
	int i;

	(void)state;
	model_regs_init(&regs);
	for (i = 0; i < RELEASE_MAX + 3; i++) {
		assert_int_equal(xsnprintf(vm, sizeof(vm), "v%d", i), 0);
		apply(&regs, EVENT_OP_RELEASE, "hv1", vm, T0 + i, 0);
	}
	assert_int_equal(release_count(&regs.released), RELEASE_MAX);
	assert_int_equal(regs.released.evicted, 3);
	/* the ones that would have gone first went */
	assert_null(record_of(&regs, "v0/hv1"));
	assert_null(record_of(&regs, "v2/hv1"));
	assert_non_null(record_of(&regs, "v3/hv1"));
	assert_int_equal(apply(&regs, EVENT_OP_REGISTER, "hv1", "v3", T0, 0),
	    0);
	/* the same VM again does not count twice */
	apply(&regs, EVENT_OP_RELEASE, "hv1", "v3", T0 + 3, 0);
	assert_int_equal(regs.released.evicted, 3);
	model_regs_free(&regs);
}

/* A record's end survives a round trip through its event. */
static void
test_event_round_trip(void **state)
{
	struct model_regs regs, back;
	struct event ev;

	(void)state;
	model_regs_init(&regs);
	model_regs_init(&back);
	apply(&regs, EVENT_OP_REGISTER, "hv1", "web1", T0, T0 + 5 * 86400);
	apply(&regs, EVENT_OP_RELEASE, "hv1", "web1", T0 + 10, 0);
	release_event(record_of(&regs, "web1/hv1"), &ev);
	assert_int_equal(ev.op, EVENT_OP_RELEASE);
	assert_int_equal(ev.time, T0 + 10);
	assert_int_equal(ev.expires, T0 + 10 + 5 * 86400);
	/* loaded with the default hold, the saved end is kept */
	release_note(&back.released, &ev, ev.expires);
	assert_int_equal(record_of(&back, "web1/hv1")->until,
	    T0 + 10 + 5 * 86400);
	assert_int_equal(apply(&back, EVENT_OP_REGISTER, "hv1", "web1",
	    T0 + 5, T0 + 3600), 0);
	model_regs_free(&regs);
	model_regs_free(&back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_late_register),
		cmocka_unit_test(test_release_first),
		cmocka_unit_test(test_other_host),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_event_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
