/*
 * test_spool.c - spool folders: atomic drops, order, bounded reads,
 * acknowledgement, quarantine with a reason, refusal of unsafe folders.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "spool.h"
#include "xmem.h"

static int
setup(void **state)
{
	char *dir = xstrdup("/tmp/vmg-spool-test.XXXXXX");

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

static size_t
count_in(const char *dir, const char *sub)
{
	char cmd[PATH_MAX + 64], line[32];
	FILE *fp;
	size_t n = 0;

	assert_int_equal(xsnprintf(cmd, sizeof(cmd),
	    "ls -A '%s/%s' | wc -l", dir, sub), 0);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	if (fgets(line, sizeof(line), fp) != NULL)
		n = strtoul(line, NULL, 10);
	pclose(fp);
	return n;
}

static void
test_write_list_read_ack(void **state)
{
	const char *dir = *state;
	char name[3][SPOOL_NAME_BUF], err[256], buf[64], **names;
	size_t n, len, i;

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(xsnprintf(buf, sizeof(buf), "{\"n\":%zu}", i),
		    0);
		assert_int_equal(spool_write(dir, buf, strlen(buf), name[i],
		    sizeof(name[i]), err, sizeof(err)), 0);
	}
	/* nothing left half-written in tmp/, three complete files in new/ */
	assert_int_equal(count_in(dir, "tmp"), 0);
	assert_int_equal(count_in(dir, "new"), 3);
	assert_int_equal(spool_list(dir, &names, &n), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++)
		assert_string_equal(names[i], name[i]);	/* arrival order */
	assert_int_equal(spool_read(dir, names[1], buf, sizeof(buf), &len, err,
	    sizeof(err)), 0);
	assert_string_equal(buf, "{\"n\":1}");
	assert_int_equal(len, 7);
	assert_int_equal(spool_ack(dir, names[1]), 0);
	spool_list_free(names, n);
	assert_int_equal(spool_list(dir, &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[1], name[2]);
	spool_list_free(names, n);
}

static void
test_bounded_read(void **state)
{
	const char *dir = *state;
	char name[SPOOL_NAME_BUF], err[256], data[100], buf[50];
	size_t len;

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	memset(data, 'x', sizeof(data));
	assert_int_equal(spool_write(dir, data, sizeof(data), name,
	    sizeof(name), err, sizeof(err)), 0);
	assert_int_equal(spool_read(dir, name, buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	/* exactly buflen - 1 bytes fits */
	assert_int_equal(spool_ack(dir, name), 0);
	assert_int_equal(spool_write(dir, data, 49, name, sizeof(name), err,
	    sizeof(err)), 0);
	assert_int_equal(spool_read(dir, name, buf, sizeof(buf), &len, err,
	    sizeof(err)), 0);
	assert_int_equal(len, 49);
	/* names that leave the folder are refused */
	assert_int_equal(spool_read(dir, "../x", buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	assert_int_equal(spool_read(dir, "..", buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	assert_int_equal(spool_ack(dir, "../new"), -1);
}

static void
test_quarantine(void **state)
{
	const char *dir = *state;
	char name[SPOOL_NAME_BUF], err[256], path[PATH_MAX], text[128];
	FILE *fp;

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	assert_int_equal(spool_write(dir, "junk", 4, name, sizeof(name), err,
	    sizeof(err)), 0);
	assert_int_equal(spool_quarantine(dir, name,
	    "not JSON\n\x1b[31mred"), 0);
	assert_int_equal(count_in(dir, "new"), 0);
	assert_int_equal(count_in(dir, "quarantine"), 2);
	assert_int_equal(xsnprintf(path, sizeof(path), "%s/quarantine/%s.reason",
	    dir, name), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(text, sizeof(text), fp));
	fclose(fp);
	/* control characters in a reason never reach the file raw */
	assert_string_equal(text, "not JSON??[31mred\n");
}

static void
test_unsafe_folders(void **state)
{
	const char *dir = *state;
	char err[256], sub[PATH_MAX], link[PATH_MAX];

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(spool_init(dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "world-writable"));
	assert_int_equal(chmod(dir, 0750), 0);
	assert_int_equal(xsnprintf(sub, sizeof(sub), "%s/new", dir), 0);
	assert_int_equal(chmod(sub, 0733), 0);
	assert_int_equal(spool_init(dir, err, sizeof(err)), -1);
	assert_int_equal(chmod(sub, 0750), 0);
	/* a symlink in place of new/ */
	assert_int_equal(xsnprintf(link, sizeof(link), "%s/new.real", dir), 0);
	assert_int_equal(rename(sub, link), 0);
	assert_int_equal(symlink(link, sub), 0);
	assert_int_equal(spool_init(dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a folder"));
}

/* A group-writable spool gives its subfolders the same group rights. */
static void
test_group_spool(void **state)
{
	const char *dir = *state;
	char err[256], sub[PATH_MAX];
	struct stat st;

	assert_int_equal(chmod(dir, 02770), 0);
	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	assert_int_equal(xsnprintf(sub, sizeof(sub), "%s/new", dir), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 02770);
	assert_int_equal(xsnprintf(sub, sizeof(sub), "%s/tmp", dir), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 02770);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_list_read_ack,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_quarantine, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_folders, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_group_spool, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
