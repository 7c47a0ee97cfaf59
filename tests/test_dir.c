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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
