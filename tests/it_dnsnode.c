/*
 * it_dnsnode.c - integration test against the real KDC + slapd that
 * tests/with-testenv.sh starts: a GSSAPI bind from the keytab alone (SSF
 * checked), one dnsNode written with the codec's bytes and read back by an
 * independent connection, and the limits of the service account.
 */
#include "config.h"

#include <errno.h>
#include <ldap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dir.h"
#include "dn.h"
#include "dnsrec.h"
#include "krb.h"
#include "sync.h"
#include "xmem.h"

struct it {
	struct krb krb;
	struct dir dir;
	struct dir_params params;
	char bogus_cc[512];
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		fail_msg("%s is not set: run under tests/with-testenv.sh", name);
	return v;
}

static int
setup(void **state)
{
	struct it *t = xcalloc(1, sizeof(*t));
	char err[512];

	/* A caller's ccache must never be used or written: point
	 * KRB5CCNAME at a file that must still not exist afterwards. */
	if (xsnprintf(t->bogus_cc, sizeof(t->bogus_cc), "%s/caller-ccache",
	    env("VMG_TEST_DIR")) == -1)
		return -1;
	if (setenv("KRB5CCNAME", t->bogus_cc, 1) == -1)
		return -1;
	if (krb_init(&t->krb, env("VMG_TEST_KEYTAB"), env("VMG_TEST_PRINCIPAL"),
	    err, sizeof(err)) == -1 || krb_acquire(&t->krb, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "kerberos: %s\n", err);
		return -1;
	}
	t->params.uris[0] = env("VMG_TEST_LDAP_URI");
	t->params.nuris = 1;
	t->params.ssf_min = 56;
	t->params.timeout = 10;
	dir_init(&t->dir, &t->params, &t->krb);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct it *t = *state;

	dir_close(&t->dir);
	krb_free(&t->krb);
	free(t);
	return 0;
}

/* A simple-bind connection as the directory admin: an independent view. */
static LDAP *
admin_conn(void)
{
	LDAP *ld = NULL;
	int v3 = LDAP_VERSION3;
	struct berval pw;

	assert_int_equal(ldap_initialize(&ld, env("VMG_TEST_LDAP_URI")),
	    LDAP_SUCCESS);
	assert_int_equal(ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3),
	    LDAP_OPT_SUCCESS);
	pw.bv_val = (char *)(uintptr_t)env("VMG_TEST_ADMIN_PW");
	pw.bv_len = strlen(pw.bv_val);
	assert_int_equal(ldap_sasl_bind_s(ld, env("VMG_TEST_ADMIN_DN"),
	    LDAP_SASL_SIMPLE, &pw, NULL, NULL, NULL), LDAP_SUCCESS);
	return ld;
}

static void
test_bind(void **state)
{
	struct it *t = *state;
	char err[512], want[600];
	struct stat st;

	if (dir_open(&t->dir, err, sizeof(err)) == -1)
		fail_msg("bind: %s", err);
	assert_true(t->dir.ssf >= 56);
	assert_int_equal(xsnprintf(want, sizeof(want), "dn:%s",
	    env("VMG_TEST_SVC_DN")), 0);
	if (strcasecmp(t->dir.authzid, want) != 0)
		fail_msg("bound as \"%s\", wanted \"%s\"", t->dir.authzid, want);
	/* the caller's ccache was neither used nor created */
	assert_int_equal(stat(t->bogus_cc, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_ssf_floor(void **state)
{
	struct it *t = *state;
	struct dir_params p = t->params;
	struct dir strict;
	char err[512];

	/* no GSSAPI layer offers 1000: the bind must be refused */
	p.ssf_min = 1000;
	dir_init(&strict, &p, &t->krb);
	assert_int_equal(dir_open(&strict, err, sizeof(err)), -1);
	assert_null(strict.ld);
}

/* Values of attr on dn, read through the admin's connection. */
static struct berval **
admin_values(LDAP *ld, const char *dn, const char *attr)
{
	char *attrs[] = { (char *)(uintptr_t)attr, NULL };
	LDAPMessage *res = NULL, *e;
	struct berval **v;

	assert_int_equal(ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE,
	    "(objectClass=dnsNode)", attrs, 0, NULL, NULL, NULL, 0, &res),
	    LDAP_SUCCESS);
	e = ldap_first_entry(ld, res);
	assert_non_null(e);
	v = ldap_get_values_len(ld, e, attr);
	ldap_msgfree(res);
	return v;
}

static void
encode_rec(struct dnsrec *r, uint8_t *buf, struct berval *bv)
{
	size_t len;

	assert_int_equal(dnsrec_encode(r, buf, DNSREC_BUF, &len), 0);
	bv->bv_val = (char *)buf;
	bv->bv_len = len;
}

static void
test_write_dnsnode(void **state)
{
	struct it *t = *state;
	struct sync_params sp = { .base = env("VMG_TEST_BASE"),
	    .partition = "DomainDnsZones" };
	uint8_t abuf[DNSREC_BUF], aaaabuf[DNSREC_BUF];
	struct berval bv[2], *vals[2] = { &bv[0], &bv[1] }, **got;
	struct dnsrec r;
	uint32_t serial = 0;
	char err[512], *dn = NULL;
	LDAP *ld;
	size_t i, j, n;

	if (dir_open(&t->dir, err, sizeof(err)) == -1)
		fail_msg("bind: %s", err);
	/* the serial comes from the zone's SOA, as seeded */
	if (sync_zone_serial(&t->dir, &sp, env("VMG_TEST_ZONE"), &serial, err,
	    sizeof(err)) == -1)
		fail_msg("SOA: %s", err);
	assert_int_equal(serial, strtoul(env("VMG_TEST_SOA_SERIAL"), NULL, 10));
	dnsrec_init(&r, DNSREC_TYPE_A, serial, 300, 0);
	memcpy(r.u.a, "\xc0\x00\x02\x0a", 4);		/* 192.0.2.10 */
	encode_rec(&r, abuf, &bv[0]);
	dnsrec_init(&r, DNSREC_TYPE_AAAA, serial, 300, 0);
	memcpy(r.u.aaaa, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x0a", 16);
	encode_rec(&r, aaaabuf, &bv[1]);
	assert_int_equal(dn_node(env("VMG_TEST_ZONE_DN"), "vmtest1", &dn), 0);
	if (dir_node_add(&t->dir, dn, "vmtest1", vals, 2, err,
	    sizeof(err)) == -1)
		fail_msg("add: %s", err);
	ld = admin_conn();
	got = admin_values(ld, dn, "dnsRecord");
	assert_non_null(got);
	n = (size_t)ldap_count_values_len(got);
	assert_int_equal(n, 2);
	for (j = 0; j < 2; j++) {
		for (i = 0; i < n; i++)
			if (got[i]->bv_len == bv[j].bv_len &&
			    memcmp(got[i]->bv_val, bv[j].bv_val, bv[j].bv_len) == 0)
				break;
		if (i == n)
			fail_msg("value %zu is not stored byte for byte", j);
	}
	/* and the stored bytes decode to what was meant */
	for (i = 0; i < n; i++) {
		assert_int_equal(dnsrec_decode((uint8_t *)got[i]->bv_val,
		    got[i]->bv_len, &r), 0);
		assert_int_equal(r.ttl, 300);
		assert_int_equal(r.serial, serial);
	}
	ldap_value_free_len(got);
	ldap_unbind_ext_s(ld, NULL, NULL);
	free(dn);
}

static void
test_limits(void **state)
{
	struct it *t = *state;
	static char a_desc[] = "description", v_x[] = "x";
	char *vals[] = { v_x, NULL };
	LDAPMod m = { LDAP_MOD_REPLACE, a_desc, { .modv_strvals = vals } };
	LDAPMod *mods[] = { &m, NULL };
	char err[512];
	LDAP *ld = NULL;
	LDAPMessage *res = NULL;
	int v3 = LDAP_VERSION3, rc;

	if (dir_open(&t->dir, err, sizeof(err)) == -1)
		fail_msg("bind: %s", err);
	/* outside its delegation the account may not write */
	assert_int_equal(dir_entry_modify(&t->dir, env("VMG_TEST_SVC_DN"), mods,
	    err, sizeof(err)), -1);
	assert_int_equal(dir_last_rc(&t->dir), LDAP_INSUFFICIENT_ACCESS);
	/* anonymous sees nothing of the zone */
	assert_int_equal(ldap_initialize(&ld, env("VMG_TEST_LDAP_URI")),
	    LDAP_SUCCESS);
	assert_int_equal(ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3),
	    LDAP_OPT_SUCCESS);
	rc = ldap_search_ext_s(ld, env("VMG_TEST_ZONE_DN"), LDAP_SCOPE_SUBTREE,
	    "(objectClass=*)", NULL, 0, NULL, NULL, NULL, 0, &res);
	assert_true(rc == LDAP_NO_SUCH_OBJECT ||
	    (rc == LDAP_SUCCESS && ldap_count_entries(ld, res) == 0));
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_ssf_floor),
		cmocka_unit_test(test_write_dnsnode),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
