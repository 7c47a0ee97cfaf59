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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "queue.h"
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
	assert_int_equal(spool_list(dir, &names, &n, NULL), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++)
		assert_string_equal(names[i], name[i]);	/* arrival order */
	assert_int_equal(spool_read(dir, names[1], buf, sizeof(buf), &len, err,
	    sizeof(err)), 0);
	assert_string_equal(buf, "{\"n\":1}");
	assert_int_equal(len, 7);
	assert_int_equal(spool_ack(dir, names[1]), 0);
	spool_list_free(names, n);
	assert_int_equal(spool_list(dir, &names, &n, NULL), 0);
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

/* Make a file in <dir>/<sub>/<name> with the given contents. */
static void
put_file(const char *dir, const char *sub, const char *name, const char *data)
{
	char path[PATH_MAX];
	FILE *fp;

	assert_int_equal(xsnprintf(path, sizeof(path), "%s/%s/%s", dir, sub,
	    name), 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(data, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static int
is_spool_name(const char *s)
{
	size_t i;

	/* "<20 digits>-<pid>-<8 hex>.json" */
	for (i = 0; i < 20; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	if (s[i++] != '-' || s[i] < '1' || s[i] > '9')
		return 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (s[i++] != '-')
		return 0;
	if (strspn(s + i, "0123456789abcdef") != 8)
		return 0;
	return strcmp(s + i + 8, ".json") == 0;
}

/* Many writes come back in the order they were made, under well-formed
 * names; leftovers in tmp/, dot files and unprintable or over-long names
 * are not listed; other names are (the reader quarantines them). */
static void
test_order_and_listing(void **state)
{
	const char *dir = *state;
	char name[40][SPOOL_NAME_BUF], err[256], **names, big[300];
	size_t n, i;

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	for (i = 0; i < 40; i++) {
		assert_int_equal(spool_write(dir, "{}", 2, name[i],
		    sizeof(name[i]), err, sizeof(err)), 0);
		assert_true(is_spool_name(name[i]));
	}
	put_file(dir, "tmp", "00000000000000000000-1-deadbeef.json", "{\"x\"");
	put_file(dir, "new", ".hidden.json", "{}");
	put_file(dir, "new", "bad\x1b[31m.json", "{}");
	put_file(dir, "new", "zz-misnamed.txt", "{}");
	memset(big, 'a', sizeof(big));
	big[SPOOL_NAME_MAX + 1] = '\0';
	put_file(dir, "new", big, "{}");
	big[SPOOL_NAME_MAX] = '\0';
	put_file(dir, "new", big, "{}");
	assert_int_equal(spool_list(dir, &names, &n, NULL), 0);
	assert_int_equal(n, 42);
	for (i = 0; i < 40; i++)
		assert_string_equal(names[i], name[i]);
	assert_string_equal(names[40], big);	/* 'a' sorts after digits */
	assert_string_equal(names[41], "zz-misnamed.txt");
	spool_list_free(names, n);
	/* a name longer than SPOOL_NAME_MAX is never touched */
	big[SPOOL_NAME_MAX] = 'a';
	assert_int_equal(spool_ack(dir, big), -1);
	assert_int_equal(errno, EINVAL);
	/* a batch: unlinked one by one, new/ synced once; the checks of
	 * spool_ack hold for each */
	for (i = 0; i < 20; i++)
		assert_int_equal(spool_unlink(dir, name[i]), 0);
	assert_int_equal(spool_unlink(dir, big), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(spool_unlink(dir, "../tmp"), -1);
	assert_int_equal(spool_sync(dir), 0);
	assert_int_equal(spool_list(dir, &names, &n, NULL), 0);
	assert_int_equal(n, 22);
	assert_string_equal(names[0], name[20]);
	spool_list_free(names, n);
	/* an empty new/ lists nothing */
	for (i = 20; i < 40; i++)
		assert_int_equal(spool_ack(dir, name[i]), 0);
	assert_int_equal(spool_ack(dir, name[0]), -1);
	assert_int_equal(errno, ENOENT);
}

/* A reader racing a writer only ever sees complete files in new/. */
static void
test_atomic_against_reader(void **state)
{
	const char *dir = *state;
	static char data[1 << 20], buf[(1 << 20) + 1];
	char err[256], name[SPOOL_NAME_BUF], **names;
	size_t n, i, len, seen = 0;
	int status, done;
	pid_t pid;

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	memset(data, 'x', sizeof(data));
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		for (i = 0; i < 100; i++)
			if (spool_write(dir, data, sizeof(data), name,
			    sizeof(name), err, sizeof(err)) == -1)
				_exit(1);
		_exit(0);
	}
	/* read until the writer has finished and new/ is empty */
	for (done = 0;;) {
		if (!done && waitpid(pid, &status, WNOHANG) == pid)
			done = 1;
		assert_int_equal(spool_list(dir, &names, &n, NULL), 0);
		for (i = 0; i < n; i++) {
			assert_int_equal(spool_read(dir, names[i], buf,
			    sizeof(buf), &len, err, sizeof(err)), 0);
			assert_int_equal(len, sizeof(data));
			assert_int_equal(spool_ack(dir, names[i]), 0);
			seen++;
		}
		spool_list_free(names, n);
		if (done && n == 0)
			break;
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(seen, 100);
	assert_int_equal(count_in(dir, "tmp"), 0);
}

/* The bound callers use: EVENT_MAX_BYTES + 1 bytes of buffer. */
static void
test_read_limit_message(void **state)
{
	const char *dir = *state;
	char data[4097], buf[4097], err[256], name[SPOOL_NAME_BUF];
	size_t len;

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	memset(data, '{', sizeof(data));
	assert_int_equal(spool_write(dir, data, 4096, name, sizeof(name), err,
	    sizeof(err)), 0);
	assert_int_equal(spool_read(dir, name, buf, sizeof(buf), &len, err,
	    sizeof(err)), 0);
	assert_int_equal(len, 4096);
	assert_int_equal(buf[4096], '\0');
	assert_int_equal(spool_write(dir, data, 4097, name, sizeof(name), err,
	    sizeof(err)), 0);
	assert_int_equal(spool_read(dir, name, buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "larger than 4096 bytes");
	/* an empty file reads as empty */
	put_file(dir, "new", "empty.json", "");
	assert_int_equal(spool_read(dir, "empty.json", buf, sizeof(buf), &len,
	    err, sizeof(err)), 0);
	assert_int_equal(len, 0);
	assert_int_equal(buf[0], '\0');
	/* a buffer with no room is refused, not overrun */
	assert_int_equal(spool_read(dir, "empty.json", buf, 1, &len, err,
	    sizeof(err)), -1);
}

/* Symlinks, FIFOs and folders in new/ are refused (and a FIFO does not
 * block the reader). */
static void
test_read_refuses_special(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], target[PATH_MAX], err[256], buf[64];
	size_t len;

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	assert_int_equal(xsnprintf(target, sizeof(target), "%s/secret", dir),
	    0);
	put_file(dir, ".", "secret", "{\"secret\":1}");
	assert_int_equal(xsnprintf(path, sizeof(path), "%s/new/link.json", dir),
	    0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(spool_read(dir, "link.json", buf, sizeof(buf), &len,
	    err, sizeof(err)), -1);
	assert_int_equal(xsnprintf(path, sizeof(path), "%s/new/fifo.json", dir),
	    0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(spool_read(dir, "fifo.json", buf, sizeof(buf), &len,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "not a regular file");
	assert_int_equal(xsnprintf(path, sizeof(path), "%s/new/dir.json", dir),
	    0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(spool_read(dir, "dir.json", buf, sizeof(buf), &len,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "not a regular file");
	assert_int_equal(spool_read(dir, "", buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "bad spool file name");
	assert_int_equal(spool_read(dir, ".", buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "bad spool file name");
}

/* Quarantine refuses names that leave new/, and leaves no reason file
 * behind when there was nothing to move. */
static void
test_quarantine_refusals(void **state)
{
	const char *dir = *state;
	char err[256], long_reason[1000], path[PATH_MAX], text[700];
	FILE *fp;

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	assert_int_equal(spool_quarantine(dir, "../tmp/x", "r"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(spool_quarantine(dir, "..", "r"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(spool_quarantine(dir, "gone.json", "r"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(count_in(dir, "quarantine"), 0);
	/* a long reason is cut to one line */
	memset(long_reason, 'r', sizeof(long_reason));
	long_reason[sizeof(long_reason) - 1] = '\0';
	put_file(dir, "new", "long.json", "x");
	assert_int_equal(spool_quarantine(dir, "long.json", long_reason), 0);
	assert_int_equal(xsnprintf(path, sizeof(path),
	    "%s/quarantine/long.json.reason", dir), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(text, sizeof(text), fp));
	assert_null(fgets(path, sizeof(path), fp));	/* one line only */
	fclose(fp);
	assert_int_equal(strlen(text), 601);
	assert_int_equal(text[600], '\n');
}

/* spool_init refuses what is not a folder, and spool_write needs one. */
static void
test_init_refusals(void **state)
{
	const char *dir = *state;
	char err[256], path[PATH_MAX], name[SPOOL_NAME_BUF];

	assert_int_equal(xsnprintf(path, sizeof(path), "%s/file", dir), 0);
	put_file(dir, ".", "file", "x");
	assert_int_equal(spool_init(path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a folder"));
	assert_int_equal(xsnprintf(path, sizeof(path), "%s/no/such", dir), 0);
	assert_int_equal(spool_init(path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(spool_write(path, "{}", 2, name, sizeof(name), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	/* a fresh spool: 0750 and the three folders */
	assert_int_equal(xsnprintf(path, sizeof(path), "%s/spool", dir), 0);
	assert_int_equal(spool_init(path, err, sizeof(err)), 0);
	assert_int_equal(count_in(path, "."), 3);
	assert_int_equal(spool_init(path, err, sizeof(err)), 0); /* again */
	/* name_out too small: an error, nothing queued */
	assert_int_equal(spool_write(path, "{}", 2, name, 10, err,
	    sizeof(err)), -1);
	assert_int_equal(count_in(path, "new"), 0);
}

static void
first_line(const char *dir, const char *name, char *out, size_t outlen)
{
	char path[PATH_MAX];
	FILE *fp;

	assert_int_equal(xsnprintf(path, sizeof(path), "%s/quarantine/%s",
	    dir, name), 0);
	fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("no %s", path);
	else {
		assert_non_null(fgets(out, (int)outlen, fp));
		fclose(fp);
	}
}

/* Nothing in quarantine/ is ever overwritten: the same name twice, and a
 * file whose name is another's reason file. */
static void
test_quarantine_no_overwrite(void **state)
{
	const char *dir = *state;
	char err[256], text[128];

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	put_file(dir, "new", "ab.json", "first");
	assert_int_equal(spool_quarantine(dir, "ab.json", "reason one"), 0);
	put_file(dir, "new", "ab.json", "second");
	assert_int_equal(spool_quarantine(dir, "ab.json", "reason two"), 0);
	put_file(dir, "new", "ab.json.reason", "third");
	assert_int_equal(spool_quarantine(dir, "ab.json.reason", "reason 3"),
	    0);
	assert_int_equal(count_in(dir, "new"), 0);
	assert_int_equal(count_in(dir, "quarantine"), 6);
	first_line(dir, "ab.json", text, sizeof(text));
	assert_string_equal(text, "first");
	first_line(dir, "ab.json.reason", text, sizeof(text));
	assert_string_equal(text, "reason one\n");
	first_line(dir, "ab.json~1", text, sizeof(text));
	assert_string_equal(text, "second");
	first_line(dir, "ab.json~1.reason", text, sizeof(text));
	assert_string_equal(text, "reason two\n");
	/* a name ending in .reason never sits where a reason would */
	first_line(dir, "ab.json.reason~1", text, sizeof(text));
	assert_string_equal(text, "third");
	first_line(dir, "ab.json.reason~1.reason", text, sizeof(text));
	assert_string_equal(text, "reason 3\n");
	/* a name whose next free slot's reason is taken skips it */
	put_file(dir, "quarantine", "cd.json~1.reason", "not ours");
	put_file(dir, "new", "cd.json", "a");
	assert_int_equal(spool_quarantine(dir, "cd.json", "r"), 0);
	put_file(dir, "new", "cd.json", "b");
	assert_int_equal(spool_quarantine(dir, "cd.json", "r"), 0);
	first_line(dir, "cd.json~1.reason", text, sizeof(text));
	assert_string_equal(text, "not ours");
	first_line(dir, "cd.json~2", text, sizeof(text));
	assert_string_equal(text, "b");
}

/* Names spool_list leaves out are listed apart, and quarantined under a
 * plain name with the old one quoted in the reason. */
static void
test_odd_names(void **state)
{
	const char *dir = *state;
	char err[256], text[600], big[260], q[SPOOL_NAME_BUF * 2], **names;
	size_t n, i, odd;

	assert_int_equal(spool_init(dir, err, sizeof(err)), 0);
	memset(big, 'b', sizeof(big));
	big[SPOOL_NAME_MAX + 1] = '\0';
	put_file(dir, "new", big, "{}");
	put_file(dir, "new", "new\nline.json", "{}");
	put_file(dir, "new", "caf\xc3\xa9.json", "{}");
	put_file(dir, "new", ".dot\x1b.json", "{}");	/* not ours */
	put_file(dir, "new", "plain.json", "{}");
	assert_int_equal(spool_list(dir, &names, &n, &odd), 0);
	assert_int_equal(n, 1);			/* plain.json */
	assert_int_equal(odd, 3);		/* the rest, dot files aside */
	spool_list_free(names, n);
	assert_int_equal(spool_list_odd(dir, &names, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(spool_quarantine_odd(dir, "plain.json", q, sizeof(q)),
	    -1);
	assert_int_equal(errno, EINVAL);
	for (i = 0; i < n; i++)
		assert_int_equal(spool_quarantine_odd(dir, names[i], q,
		    sizeof(q)), 0);
	spool_list_free(names, n);
	assert_int_equal(count_in(dir, "new"), 2);
	assert_int_equal(count_in(dir, "quarantine"), 6);
	assert_int_equal(spool_list_odd(dir, &names, &n), 0);
	assert_int_equal(n, 0);
	spool_list_free(names, n);
	assert_int_equal(spool_list(dir, &names, &n, &odd), 0);
	assert_int_equal(odd, 0);
	spool_list_free(names, n);
	/* the last one: its reason names the old name, quoted */
	assert_int_equal(strncmp(q, "badname-", 8), 0);
	assert_int_equal(xstrlcat(q, ".reason", sizeof(q)), 0);
	first_line(dir, q, text, sizeof(text));
	assert_non_null(strstr(text, "\"new\\x0aline.json\""));
}

/* The producers' path and the readers' one meet: queue_event writes the
 * canonical form, spool_read_event gives the same event back; a file that
 * is no event is refused with the parser's reason. */
static void
test_queue_and_read_event(void **state)
{
	static const char doc[] = "{\"version\":1,\"op\":\"register\","
	    "\"source\":\"static\",\"time\":1764000000,\"host\":\"hv1\","
	    "\"vm\":\"web1\",\"addresses\":[\"192.0.2.10\"]}";
	const char *dir = *state;
	char name[SPOOL_NAME_BUF], bad[SPOOL_NAME_BUF], err[256];
	struct event ev, back;

	assert_int_equal(event_parse(doc, strlen(doc), &ev, err, sizeof(err)),
	    0);
	assert_int_equal(queue_event(dir, &ev, name, sizeof(name), err,
	    sizeof(err)), 0);
	assert_int_equal(spool_read_event(dir, name, &back, err, sizeof(err)),
	    0);
	assert_true(event_equal(&ev, &back));
	assert_int_equal(spool_write(dir, "{}", 2, bad, sizeof(bad), err,
	    sizeof(err)), 0);
	assert_int_equal(spool_read_event(dir, bad, &back, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "version"));
	assert_int_equal(spool_read_event(dir, "missing.json", &back, err,
	    sizeof(err)), -1);
	/* a spool that cannot be made: said, nothing written */
	assert_int_equal(queue_event("/proc/vmg-no-spool", &ev, name,
	    sizeof(name), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "spool /proc/vmg-no-spool"));
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
		cmocka_unit_test_setup_teardown(test_order_and_listing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_atomic_against_reader,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_limit_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_special,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_quarantine_refusals,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_quarantine_no_overwrite,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_and_read_event,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_names, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
