/*
 * test_spoolscan.c - a spool that cannot be listed is said once (not on
 * every try), listed again after a backoff capped at the rescan interval,
 * and its return is said once too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

#include "log.h"
#include "spool.h"
#include "spoolscan.h"

static char dir[] = "/tmp/test_spoolscan.XXXXXX";
static char logpath[] = "/tmp/test_spoolscan_log.XXXXXX";
static int saved_stderr = -1;

/* Lines of the log (stderr, sent to logpath) that hold what. */
static int
said(const char *what)
{
	char line[1024];
	FILE *fp;
	int n = 0;

	fflush(stderr);
	fp = fopen(logpath, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, what) != NULL)
			n++;
	fclose(fp);
	return n;
}

/* List once; the next rescan must be exactly delay ms after the moment
 * the listing ended, which lies between before and after (no bound on how
 * long the listing takes: a loaded machine is slow). */
static void
listed_in(struct spoolscan *ss, struct agenda *a, int want, int64_t delay)
{
	char **names = NULL;
	size_t n = 0;
	int64_t before = agenda_now(), after;

	assert_int_equal(spoolscan_list(ss, dir, 4, a, &names, &n), want);
	after = agenda_now();
	spool_list_free(names, n);
	assert_true(a->at[AGENDA_RESCAN] >= before + delay);
	assert_true(a->at[AGENDA_RESCAN] <= after + delay);
}

static void
test_gone_and_back(void **state)
{
	static const int64_t backoff[] = { 1000, 2000, 4000, 4000, 4000 };
	char path[PATH_MAX], err[256];
	struct spoolscan ss = { 0 };
	struct agenda a;
	size_t i;
	int fd;

	(void)state;
	agenda_init(&a);
	fd = mkstemp(logpath);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(fd != -1 && saved_stderr != -1 &&
	    dup2(fd, STDERR_FILENO) != -1);
	close(fd);
	log_init(1, "test_spoolscan");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	listed_in(&ss, &a, 0, 4000);
	assert_int_equal(ss.err, 0);

	(void)snprintf(path, sizeof(path), "%s/new", dir);
	assert_int_equal(rmdir(path), 0);
	for (i = 0; i < sizeof(backoff) / sizeof(backoff[0]); i++) {
		listed_in(&ss, &a, -1, backoff[i]);
		assert_int_equal(ss.err, ENOENT);
		assert_int_equal(ss.fails, i + 1);
	}
	assert_int_equal(said("cannot list spool"), 1);

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	listed_in(&ss, &a, 0, 4000);
	assert_int_equal(ss.err, 0);
	assert_int_equal(ss.fails, 0);
	assert_int_equal(said("can be listed again (after 5 failed"), 1);
	listed_in(&ss, &a, 0, 4000);
	assert_int_equal(said("can be listed again"), 1);
	assert_int_equal(said("cannot list spool"), 1);

	(void)snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* stderr back, with what went to it (the log, and any failure) */
static int
teardown(void **state)
{
	char buf[4096];
	ssize_t n;
	int fd;

	(void)state;
	if (saved_stderr == -1)
		return 0;
	fflush(stderr);
	(void)dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	if ((fd = open(logpath, O_RDONLY)) != -1) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			(void)!write(STDERR_FILENO, buf, (size_t)n);
		close(fd);
	}
	unlink(logpath);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gone_and_back),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
