/*
 * test_state.c - the state file: registrations and release records survive
 * a restart; what cannot be written out fails the save, never dropped.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "state.h"
#include "xmem.h"

#define T0 1764000000

struct fixture {
	char dir[64];
	char path[PATH_MAX];
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	(void)xstrlcpy(f->dir, "/tmp/vmg-state-test.XXXXXX", sizeof(f->dir));
	if (mkdtemp(f->dir) == NULL ||
	    xsnprintf(f->path, sizeof(f->path), "%s/registrations.json",
	    f->dir) == -1)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	(void)unlink(f->path);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

static int
apply(struct model_regs *regs, enum event_op op, const char *vm,
    int64_t time, int64_t expires)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.version = 1;
	ev.op = op;
	ev.source = EVENT_SRC_DHCP;
	(void)xstrlcpy(ev.host, "hv1", sizeof(ev.host));
	(void)xstrlcpy(ev.vm, vm, sizeof(ev.vm));
	ev.time = time;
	ev.expires = expires;
	if (op != EVENT_OP_RELEASE) {
		ev.addrs[0].family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, "192.0.2.10",
		    &ev.addrs[0].u.v4), 1);
		ev.naddrs = 1;
	}
	return model_apply(regs, &ev);
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct model_regs regs, back;
	struct release *r;
	char err[256];
	size_t bad;

	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "web1", T0, T0 + 2 * 86400);
	apply(&regs, EVENT_OP_REGISTER, "web2", T0, 0);
	apply(&regs, EVENT_OP_RELEASE, "web1", T0 + 100, 0);
	assert_int_equal(state_save(f->path, &regs, err, sizeof(err)), 0);
	/* a restart: a fresh table from the file */
	model_regs_init(&back);
	assert_int_equal(state_load(f->path, &back, &bad, err, sizeof(err)),
	    0);
	assert_int_equal(bad, 0);
	assert_int_equal(model_regs_count(&back), 1);
	assert_int_equal(release_count(&back.released), 1);
	HASH_FIND_STR(back.released.by_key, "web1/hv1", r);
	if (r == NULL)
		fail_msg("no release record after the restart");
	else {
		assert_int_equal(r->time, T0 + 100);
		assert_int_equal(r->until, T0 + 100 + 2 * 86400);
	}
	/* the late register stays out after the restart too */
	assert_int_equal(apply(&back, EVENT_OP_REGISTER, "web1", T0 + 50, 0),
	    0);
	assert_int_equal(model_regs_count(&back), 1);
	model_regs_free(&regs);
	model_regs_free(&back);
}

/* A registration that cannot be written out fails the save; the file
 * keeps what it held. */
static void
test_unwritable_fails(void **state)
{
	struct fixture *f = *state;
	struct model_regs regs, back;
	char err[256];
	size_t bad;

	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "web1", T0, 0);
	assert_int_equal(state_save(f->path, &regs, err, sizeof(err)), 0);
	/* not a lower-case label: event_to_json refuses it */
	apply(&regs, EVENT_OP_REGISTER, "Bad_Name", T0, 0);
	assert_int_equal(state_save(f->path, &regs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "registration of VM Bad_Name"));
	model_regs_init(&back);
	assert_int_equal(state_load(f->path, &back, &bad, err, sizeof(err)),
	    0);
	assert_int_equal(model_regs_count(&back), 1);
	model_regs_free(&regs);
	model_regs_free(&back);
}

/* A write that fails names its cause. */
static void
test_write_error_named(void **state)
{
	struct fixture *f = *state;
	struct model_regs regs;
	char path[PATH_MAX], err[256];

	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "web1", T0, 0);
	assert_int_equal(xsnprintf(path, sizeof(path), "%s/gone/r.json",
	    f->dir), 0);
	assert_int_equal(state_save(path, &regs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, strerror(ENOENT)));
	model_regs_free(&regs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_error_named, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
