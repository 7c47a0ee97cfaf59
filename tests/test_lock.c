/*
 * test_lock.c - one daemon per folder: a second lock is refused; a folder
 * made again is locked again, unless another holder got there first (then
 * lock_keep says so, and the daemon stops).  (flock locks belong to an open file, so two in one process conflict as
 * two daemons would.)
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lock.h"
#include "xmem.h"

static int
setup(void **state)
{
	char *dir = xstrdup("/tmp/vmg-lock-test.XXXXXX");

	if (mkdtemp(dir) == NULL)
		return -1;
	*state = dir;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	if (xsnprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state) == 0 &&
	    system(cmd) != 0)
		return -1;
	free(*state);
	return 0;
}

/* Remove the folder (and its lock file) and make it again. */
static void
remake(const char *dir)
{
	char path[PATH_MAX];

	assert_int_equal(xsnprintf(path, sizeof(path), "%s/" LOCK_FILE, dir),
	    0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(mkdir(dir, 0750), 0);
}

static void
test_second_refused(void **state)
{
	const char *dir = *state;
	struct lock a, b;
	char err[PATH_MAX + 128];

	assert_int_equal(lock_take(&a, dir, "state folder", err, sizeof(err)),
	    0);
	assert_int_equal(lock_take(&b, dir, "state folder", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "another vmgroupd already serves state "
	    "folder /tmp/vmg-lock-test."));
	assert_int_equal(lock_keep(&a), 0);
	lock_release(&a);
	assert_int_equal(lock_take(&b, dir, "state folder", err, sizeof(err)),
	    0);
	lock_release(&b);
}

static void
test_folder_made_again(void **state)
{
	const char *dir = *state;
	struct lock a, b;
	char err[PATH_MAX + 128];

	assert_int_equal(lock_take(&a, dir, "spool", err, sizeof(err)), 0);
	remake(dir);
	/* gone and made again: a second daemon would get in ... */
	assert_int_equal(lock_take(&b, dir, "spool", err, sizeof(err)), 0);
	lock_release(&b);
	/* ... unless the first locks the new file at its next pass */
	assert_int_equal(lock_keep(&a), 0);
	assert_int_equal(lock_take(&b, dir, "spool", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another vmgroupd already serves spool"));
	/* the folder gone: not held for now, not an error (what uses the
	 * folder says it is gone) */
	remake(dir);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(lock_keep(&a), 0);
	assert_int_equal(lock_keep(&a), 0);
	assert_int_equal(a.lost, 1);
	assert_int_equal(mkdir(dir, 0750), 0);
	assert_int_equal(lock_keep(&a), 0);
	assert_int_equal(a.lost, 0);
	lock_release(&a);
}

static void
test_another_got_there_first(void **state)
{
	const char *dir = *state;
	struct lock a, b;
	char err[PATH_MAX + 128];

	assert_int_equal(lock_take(&a, dir, "spool", err, sizeof(err)), 0);
	remake(dir);
	assert_int_equal(lock_take(&b, dir, "spool", err, sizeof(err)), 0);
	/* the new file is held by b: a must not serve the folder */
	assert_int_equal(lock_keep(&a), -1);
	assert_int_equal(lock_keep(&a), -1);
	lock_release(&b);
	assert_int_equal(lock_keep(&a), 0);
	lock_release(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_second_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_folder_made_again, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_another_got_there_first,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
