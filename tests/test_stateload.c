/*
 * test_stateload.c - the snapshot read line by line gives what the whole
 * document gives: the same entries loaded, the same ones skipped, the same
 * files refused (a snapshot in the writer's shape and the same array on
 * one line, read the old way, side by side).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "event.h"
#include "state.h"
#include "stateload.h"
#include "xmem.h"

#define REG(vm, t) "{\"version\":1,\"op\":\"register\",\"host\":\"hv1\"," \
	"\"vm\":\"" vm "\",\"image\":\"deb\",\"addresses\":[\"2001:db8::1\"]," \
	"\"source\":\"dhcp\",\"time\":" #t "}"

struct result {
	int rc;
	size_t bad, regs;
	char err[256];
};

static void
load_text(const char *text, struct result *res)
{
	char path[] = "/tmp/vmg-stateload-test.XXXXXX";
	struct model_regs regs;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd != -1);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	model_regs_init(&regs);
	memset(res, 0, sizeof(*res));
	res->rc = state_load(path, &regs, &res->bad, res->err,
	    sizeof(res->err));
	res->regs = model_regs_count(&regs);
	model_regs_free(&regs);
	(void)unlink(path);
}

/* text in the writer's shape, and the same with its newlines taken out
 * (read as one document): the same outcome. */
static void
same_both_ways(const char *text, int want_rc, size_t want_bad,
    size_t want_regs)
{
	struct result a, b;
	char *flat = xstrdup(text), *p, *q;

	for (p = q = flat; *p != '\0'; p++)
		if (*p != '\n')
			*q++ = *p;
	*q = '\0';
	load_text(text, &a);
	load_text(flat, &b);
	assert_int_equal(a.rc, want_rc);
	assert_int_equal(a.bad, want_bad);
	assert_int_equal(a.regs, want_regs);
	assert_int_equal(b.rc, a.rc);
	assert_int_equal(b.bad, a.bad);
	assert_int_equal(b.regs, a.regs);
	if (want_rc == -1)
		assert_non_null(strstr(a.err, "not a registrations file"));
	free(flat);
}

static void
test_shaped(void **state)
{
	(void)state;
	same_both_ways("[\n]\n", 0, 0, 0);
	same_both_ways("[\n" REG("a", 1764000000) "\n]\n", 0, 0, 1);
	same_both_ways("[\n" REG("a", 1764000000) ",\n" REG("b", 1764000001)
	    ",\n" REG("c", 1764000002) "\n]\n", 0, 0, 3);
}

static void
test_bad_entries(void **state)
{
	(void)state;
	/* valid JSON, no event: skipped and counted either way */
	same_both_ways("[\n" REG("a", 1764000000) ",\n{},\n" REG("b",
	    1764000001) "\n]\n", 0, 1, 2);
	same_both_ways("[\n" REG("a", 1764000000) ",\n{\"version\":1}" ",\n"
	    REG("b", 1764000001) "\n]\n", 0, 1, 2);
	same_both_ways("[\n" REG("a", 1764000000) ",\n" REG("a/b", 1764000001)
	    "\n]\n", 0, 1, 1);
	/* an entry that is no object */
	same_both_ways("[\n" REG("a", 1764000000) ",\n17,\n" REG("b",
	    1764000001) "\n]\n", 0, 1, 2);
}

static void
test_damaged(void **state)
{
	struct model_regs none;
	struct result r;

	(void)state;
	same_both_ways("[\n" REG("a", 1764000000) ",\n{\"version\":1,\n"
	    "]\n", -1, 0, 0);
	same_both_ways("[\n" REG("a", 1764000000) ",\n" REG("b", 1764000001),
	    -1, 0, 0);
	same_both_ways("", -1, 0, 0);
	same_both_ways("{}\n", -1, 0, 0);
	/* cut short in the middle of a line */
	load_text("[\n" REG("a", 1764000000) ",\n{\"version\":1,\"op", &r);
	assert_int_equal(r.rc, -1);
	assert_non_null(strstr(r.err, "not a registrations file"));
	/* a missing file is an empty state */
	model_regs_init(&none);
	assert_int_equal(state_load("/nonexistent/vmg/registrations.json",
	    &none, &r.bad, r.err, sizeof(r.err)), 0);
	assert_int_equal(model_regs_count(&none), 0);
	model_regs_free(&none);
}

static void
test_edited(void **state)
{
	struct result r;

	(void)state;
	/* other shapes read the old way */
	load_text("[" REG("a", 1764000000) ", " REG("b", 1764000001) "]", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.regs, 2);
	load_text("[\n  " REG("a", 1764000000) ",\n  " REG("b", 1764000001)
	    "\n]\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.regs, 2);
	load_text("[\n" REG("a", 1764000000) "\n,\n" REG("b", 1764000001)
	    "\n]\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.regs, 2);
	load_text("[\n" REG("a", 1764000000) " ,\n" REG("b", 1764000001)
	    "\n]\n\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.regs, 2);
}

/* The text event_to_json writes is what json-c writes back from it
 * (stateload hands such a line to event_parse as it is), and lines that
 * are not that text load as json-c's way loads them. */
static void
test_canonical(void **state)
{
	static const char *docs[] = {
		REG("a", 1764000000),
		"{\"version\":1,\"op\":\"register\",\"host\":\"hv-1\",\"vm\":"
		    "\"web-01\",\"image\":\"debian-12\",\"mac\":"
		    "\"52:54:00:ab:cd:ef\",\"addresses\":[\"192.0.2.7\","
		    "\"2001:db8::7\"],\"source\":\"libvirt\",\"time\":1764000000,"
		    "\"lease\":3600}",
		"{\"version\":1,\"op\":\"release\",\"host\":\"hv1\",\"vm\":"
		    "\"b\",\"source\":\"dhcp\",\"time\":1764000005}",
	};
	char buf[EVENT_MAX_BYTES], why[256];
	struct event ev;
	json_object *o;
	const char *back;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(event_parse(docs[i], strlen(docs[i]), &ev,
		    why, sizeof(why)), 0);
		assert_int_equal(event_to_json(&ev, buf, sizeof(buf)), 0);
		buf[strlen(buf) - 1] = '\0';	/* its newline */
		o = json_tokener_parse(buf);
		assert_non_null(o);
		back = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		assert_string_equal(back, buf);
		json_object_put(o);
	}
	/* lines in the writer's shape but not its text: as before */
	same_both_ways("[\n{\"version\": 1,\"op\":\"register\",\"host\":"
	    "\"hv1\",\"vm\":\"a\",\"image\":\"deb\",\"addresses\":"
	    "[\"2001:db8::1\"],\"source\":\"dhcp\",\"time\":1764000000},\n"
	    "{\"op\":\"register\",\"version\":1,\"host\":\"hv1\",\"vm\":"
	    "\"b\",\"image\":\"deb\",\"addresses\":[\"2001:db8::2\"],"
	    "\"source\":\"dhcp\",\"time\":1764000000},\n"
	    "{\"version\":1,\"op\":\"register\",\"host\":\"hv1\",\"vm\":"
	    "\"\\u0063\",\"image\":\"deb\",\"addresses\":[\"2001:db8::3\"],"
	    "\"source\":\"dhcp\",\"time\":1764000000,\"time\":1764000001}"
	    "\n]\n", 0, 0, 3);	/* a key twice in the writer's own characters: event_parse refuses
	 * the line as it is, json-c's way keeps the last value */
	same_both_ways("[\n{\"version\":1,\"op\":\"register\",\"host\":"
	    "\"hv1\",\"vm\":\"d\",\"image\":\"deb\",\"addresses\":"
	    "[\"2001:db8::4\"],\"source\":\"dhcp\",\"time\":1764000000,"
	    "\"time\":1764000001}\n]\n", 0, 0, 1);
}

static void
test_fnv(void **state)
{
	(void)state;
	/* FNV-1a 64 test vectors */
	assert_true(stateload_fnv(STATELOAD_FNV_INIT, "", 0) ==
	    0xcbf29ce484222325ULL);
	assert_true(stateload_fnv(STATELOAD_FNV_INIT, "a", 1) ==
	    0xaf63dc4c8601ec8cULL);
	assert_true(stateload_fnv(stateload_fnv(STATELOAD_FNV_INIT, "foo", 3),
	    "bar", 3) == 0x85944171f73967e8ULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shaped),
		cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_edited),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_fnv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
