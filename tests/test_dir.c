/*
 * test_dir.c - LDAP result codes sorted into the kinds callers decide by
 * (dir_error), with no server: exists, changed under us, no access,
 * connection lost, other.
 */
#include "config.h"

#include <ldap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dir.h"

static enum dir_error
kind(int rc)
{
	struct dir d;
	struct dir_params p = { .nuris = 0 };

	dir_init(&d, &p);
	d.last_rc = rc;
	return dir_error(&d);
}

static void
test_kinds(void **state)
{
	(void)state;
	assert_int_equal(kind(LDAP_SUCCESS), DIR_OK);
	assert_int_equal(kind(LDAP_ALREADY_EXISTS), DIR_EXISTS);
	assert_int_equal(kind(LDAP_NO_SUCH_ATTRIBUTE), DIR_CHANGED);
	assert_int_equal(kind(LDAP_TYPE_OR_VALUE_EXISTS), DIR_CHANGED);
	assert_int_equal(kind(LDAP_NO_SUCH_OBJECT), DIR_CHANGED);
	assert_int_equal(kind(LDAP_INSUFFICIENT_ACCESS), DIR_NO_ACCESS);
	assert_int_equal(kind(LDAP_STRONG_AUTH_REQUIRED), DIR_NO_ACCESS);
	assert_int_equal(kind(LDAP_CONFIDENTIALITY_REQUIRED), DIR_NO_ACCESS);
	assert_int_equal(kind(LDAP_SERVER_DOWN), DIR_LOST);
	assert_int_equal(kind(LDAP_CONNECT_ERROR), DIR_LOST);
	assert_int_equal(kind(LDAP_TIMEOUT), DIR_LOST);
	assert_int_equal(kind(LDAP_UNAVAILABLE), DIR_LOST);
	assert_int_equal(kind(LDAP_BUSY), DIR_LOST);
	assert_int_equal(kind(LDAP_UNWILLING_TO_PERFORM), DIR_OTHER);
	assert_int_equal(kind(LDAP_CONSTRAINT_VIOLATION), DIR_OTHER);
	assert_int_equal(kind(LDAP_LOCAL_ERROR), DIR_OTHER);
}

/* Without a connection every operation fails as "lost", and says so. */
static void
test_closed(void **state)
{
	struct dir d;
	struct dir_params p = { .nuris = 0 };
	struct dir_node n;
	struct dir_entry g;
	static char a_cn[] = "cn";
	char *const attrs[] = { a_cn, NULL };
	struct dir_value v = { (const uint8_t *)"x", 1 };
	char err[256];

	(void)state;
	dir_init(&d, &p);
	assert_int_equal(dir_node_read(&d, "DC=a", &n, err, sizeof(err)), -1);
	assert_int_equal(dir_error(&d), DIR_LOST);
	assert_int_equal(dir_node_update(&d, "DC=a", &v, 1, NULL, 0, -1, err,
	    sizeof(err)), -1);
	assert_int_equal(dir_error(&d), DIR_LOST);
	assert_int_equal(dir_entry_read(&d, "CN=a", attrs, &g, err,
	    sizeof(err)), -1);
	assert_int_equal(dir_group_delete(&d, "CN=a", err, sizeof(err)), -1);
	assert_int_equal(dir_error(&d), DIR_LOST);
	assert_non_null(strstr(err, "CN=a"));
}

/* A DNS answer's "host:port" list: each DC once, as ldap://name:port, in
 * the answer's order; what is no host name and port (an address, a bad
 * port, a bad name) is skipped and said. */
static void
test_dc_take(void **state)
{
	char uris[4][DIR_URI_BUF];
	size_t n = 0;

	(void)state;
	assert_int_equal(dir_dc_take("dc2.example.test:389 Dc1.Example.Test.:3268"
	    "  dc2.example.test:389", uris, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(uris[0], "ldap://dc2.example.test:389");
	assert_string_equal(uris[1], "ldap://dc1.example.test:3268");
	/* more are added after those, never past max */
	assert_int_equal(dir_dc_take("dc3.example.test dc4.example.test:1 "
	    "dc5.example.test:2", uris, 4, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(uris[2], "ldap://dc3.example.test:389");
	assert_string_equal(uris[3], "ldap://dc4.example.test:1");
	n = 0;
	assert_int_equal(dir_dc_take("192.0.2.1:389 dc1.example.test:0 "
	    "dc1.example.test:65536 dc_1.example.test:389 a..b:389 "
	    "dc1.example.test:38x9 ok.example.test:636", uris, 4, &n), -1);
	assert_int_equal(n, 1);
	assert_string_equal(uris[0], "ldap://ok.example.test:636");
	n = 0;
	assert_int_equal(dir_dc_take("", uris, 4, &n), 0);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_dc_take),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
