/*
 * test_dir.c - LDAP result codes sorted into the kinds callers decide by
 * (dir_error), with no server: exists, changed under us, no access,
 * connection lost, other.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ldap.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

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

/* Every server the URIs name, resolved (numeric hosts: no DNS asked);
 * ldapi:// has none; the DCs found stand in for uri = auto; a closed
 * connection has no peer. */
static void
test_dc_addrs(void **state)
{
	struct dir d;
	struct dir_params p = { .uris = { "ldap://192.0.2.53:389",
	    "ldaps://[2001:db8::53]", "ldapi://%2Frun%2Fslapd%2Fldapi",
	    "ldap://192.0.2.54/" }, .nuris = 4 };
	struct sockaddr_storage ss[8];
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss[0];
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss[1];
	const struct sockaddr_in *s4b = (const struct sockaddr_in *)&ss[2];
	char t[64];

	(void)state;
	dir_init(&d, &p);
	assert_int_equal(dir_peer(&d, &ss[0]), -1);
	assert_int_equal(dir_dc_addrs(&d, ss, 8), 3);
	assert_int_equal(ss[0].ss_family, AF_INET);
	assert_string_equal(inet_ntop(AF_INET, &s4->sin_addr, t, sizeof(t)),
	    "192.0.2.53");
	assert_int_equal(ss[1].ss_family, AF_INET6);
	assert_string_equal(inet_ntop(AF_INET6, &s6->sin6_addr, t,
	    sizeof(t)), "2001:db8::53");
	assert_string_equal(inet_ntop(AF_INET, &s4b->sin_addr, t, sizeof(t)),
	    "192.0.2.54");
	assert_int_equal(dir_dc_addrs(&d, ss, 1), 1);	/* at most max */
	p.nuris = 0;
	dir_init(&d, &p);
	assert_int_equal(dir_dc_addrs(&d, ss, 8), 0);
	(void)snprintf(d.found[0], sizeof(d.found[0]), "ldap://192.0.2.55:389");
	d.nfound = 1;
	assert_int_equal(dir_dc_addrs(&d, ss, 8), 1);
	assert_string_equal(inet_ntop(AF_INET, &s4->sin_addr, t, sizeof(t)),
	    "192.0.2.55");
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

/* RFC 2782's order: priority first; within one, each draw picks with a
 * chance proportional to weight.  The draws are fed in: a counter that
 * goes once through every value of the draw counts exactly how often each
 * record comes first. */
static uint32_t
counter(void *arg)
{
	return (*(uint32_t *)arg)++;
}

static uint32_t
fixed(void *arg)
{
	return *(uint32_t *)arg;
}

static void
srv(struct dir_srv *r, unsigned prio, unsigned weight, const char *t)
{
	r->prio = prio;
	r->weight = weight;
	r->port = 389;
	(void)snprintf(r->target, sizeof(r->target), "%s", t);
}

static void
test_srv_priority(void **state)
{
	struct dir_srv r[4];
	uint32_t v = 7;

	(void)state;
	srv(&r[0], 10, 0, "c");
	srv(&r[1], 0, 100, "a");
	srv(&r[2], 5, 1, "b");
	srv(&r[3], 0, 50, "a2");
	dir_srv_order(r, 4, fixed, &v);
	assert_int_equal(r[0].prio, 0);
	assert_int_equal(r[1].prio, 0);
	assert_string_equal(r[2].target, "b");
	assert_string_equal(r[3].target, "c");
}

/* two DCs of equal weight: each first about half of the draws (the
 * draw is 0..200: the first listed takes 0..100, the other 101..200) */
static void
test_srv_spread(void **state)
{
	struct dir_srv r[2];
	uint32_t v = 0, i;
	unsigned first1 = 0, first2 = 0;

	(void)state;
	for (i = 0; i <= 200; i++) {
		srv(&r[0], 0, 100, "dc1");
		srv(&r[1], 0, 100, "dc2");
		v = i;
		dir_srv_order(r, 2, counter, &v);
		if (strcmp(r[0].target, "dc1") == 0)
			first1++;
		else
			first2++;
		assert_string_not_equal(r[0].target, r[1].target);
	}
	assert_int_equal(first1, 101);
	assert_int_equal(first2, 100);
}

/* weights 300 and 100: three to one; weight 0 only when the draw is 0 */
static void
test_srv_weight(void **state)
{
	struct dir_srv r[3];
	uint32_t v = 0, i;
	unsigned heavy = 0, zero = 0;

	(void)state;
	for (i = 0; i <= 400; i++) {
		srv(&r[0], 0, 100, "light");
		srv(&r[1], 0, 300, "heavy");
		srv(&r[2], 0, 0, "zero");
		v = i;	/* the first draw is i */
		dir_srv_order(r, 3, counter, &v);
		heavy += strcmp(r[0].target, "heavy") == 0;
		zero += strcmp(r[0].target, "zero") == 0;
		/* every record once, whatever the draw */
		assert_true(strcmp(r[0].target, r[1].target) != 0 &&
		    strcmp(r[1].target, r[2].target) != 0 &&
		    strcmp(r[0].target, r[2].target) != 0);
	}
	assert_int_equal(zero, 1);
	assert_int_equal(heavy, 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_dc_take),
		cmocka_unit_test(test_dc_addrs),
		cmocka_unit_test(test_srv_priority),
		cmocka_unit_test(test_srv_spread),
		cmocka_unit_test(test_srv_weight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
