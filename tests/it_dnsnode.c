/*
 * it_dnsnode.c - integration test against the real KDC + slapd that
 * tests/with-testenv.sh starts, in two groups:
 *
 * - "raw": plain libldap + Cyrus SASL + MIT krb5, none of the project's
 *   session code: the TGT comes from the client keytab alone
 *   (KRB5_CLIENT_KTNAME, a fresh MEMORY: ccache), GSSAPI bind with an SSF
 *   floor of 56, whoami, a dnsNode added with the codec's bytes (serial from
 *   the zone's SOA) and read back byte for byte, a write outside the
 *   account's delegation refused.  It proves the test servers themselves.
 * - "dir": the same through the project's krb.c / dir.c / zone.c.
 *
 * The raw group runs first: krb.c points GSSAPI at its own cache for the
 * rest of the process (gss_krb5_ccache_name), and the client keytab set for
 * the raw group is unset again so it cannot stand in for krb.c.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <ldap.h>
#include <setjmp.h>
#include <signal.h>
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
#include <sasl/sasl.h>

#include "dir.h"
#include "dn.h"
#include "dnsrec.h"
#include "krb.h"
#include "zone.h"
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
	dir_init(&t->dir, &t->params);
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
	dir_init(&strict, &p);
	assert_int_equal(dir_open(&strict, err, sizeof(err)), -1);
	assert_null(strict.ld);
}

/* Values of attr on the dnsNode dn, read through ld. */
static struct berval **
node_values(LDAP *ld, const char *dn, const char *attr)
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

/* Remove dn as the admin if an earlier run in the same servers left it. */
static void
admin_delete(const char *dn)
{
	LDAP *ld = admin_conn();
	int rc = ldap_delete_ext_s(ld, dn, NULL, NULL);

	assert_true(rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

static void
encode_rec(struct dnsrec *r, uint8_t *buf, struct berval *bv)
{
	size_t len;

	assert_int_equal(dnsrec_encode(r, buf, DNSREC_BUF, &len), 0);
	bv->bv_val = (char *)buf;
	bv->bv_len = len;
}

static struct dir_value
as_value(const struct berval *bv)
{
	return (struct dir_value){ (const uint8_t *)bv->bv_val, bv->bv_len };
}

static void
test_write_dnsnode(void **state)
{
	struct it *t = *state;
	uint8_t abuf[DNSREC_BUF], aaaabuf[DNSREC_BUF];
	struct berval bv[2], **got;
	struct dir_value vals[2];
	struct dnsrec r;
	uint32_t serial = 0;
	char err[512], *dn = NULL;
	LDAP *ld;
	size_t i, j, n;

	if (dir_open(&t->dir, err, sizeof(err)) == -1)
		fail_msg("bind: %s", err);
	/* the serial comes from the zone's SOA, as seeded */
	if (zone_serial(&t->dir, env("VMG_TEST_BASE"), "DomainDnsZones",
	    env("VMG_TEST_ZONE"), &serial, err, sizeof(err)) == -1)
		fail_msg("SOA: %s", err);
	assert_int_equal(serial, strtoul(env("VMG_TEST_SOA_SERIAL"), NULL, 10));
	dnsrec_init(&r, DNSREC_TYPE_A, serial, 300, 0);
	memcpy(r.u.a, "\xc0\x00\x02\x0a", 4);		/* 192.0.2.10 */
	encode_rec(&r, abuf, &bv[0]);
	dnsrec_init(&r, DNSREC_TYPE_AAAA, serial, 300, 0);
	memcpy(r.u.aaaa, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x0a", 16);
	encode_rec(&r, aaaabuf, &bv[1]);
	vals[0] = as_value(&bv[0]);
	vals[1] = as_value(&bv[1]);
	assert_int_equal(dn_node(env("VMG_TEST_ZONE_DN"), "vmtest1", &dn), 0);
	admin_delete(dn);
	if (dir_node_add(&t->dir, dn, "vmtest1", vals, 2, err,
	    sizeof(err)) == -1)
		fail_msg("add: %s", err);
	ld = admin_conn();
	got = node_values(ld, dn, "dnsRecord");
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
	static char v_x[] = "x";
	char *vals[] = { v_x, NULL };
	struct dir_mod m = { DIR_MOD_REPLACE, "description", vals };
	char err[512];
	LDAP *ld = NULL;
	LDAPMessage *res = NULL;
	int v3 = LDAP_VERSION3, rc;

	if (dir_open(&t->dir, err, sizeof(err)) == -1)
		fail_msg("bind: %s", err);
	/* outside its delegation the account may not write */
	assert_int_equal(dir_group_modify(&t->dir, env("VMG_TEST_SVC_DN"), &m,
	    1, err, sizeof(err)), -1);
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

/* ---- the raw group: libldap, SASL and krb5 only ---- */

struct raw {
	LDAP *ld;
	char ccname[64];
	char filecc[4096];	/* env.sh's FILE ccache */
	int filecc_before;	/* it existed before the test (a kinit) */
};

/* Answer every SASL prompt with its default (GSSAPI asks at most for an
 * authorization identity, and the default is none). */
static int
raw_interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *i;

	(void)ld;
	(void)flags;
	(void)defaults;
	for (i = in; i->id != SASL_CB_LIST_END; i++) {
		i->result = i->defresult != NULL ? i->defresult : "";
		i->len = (unsigned)strlen(i->result);
	}
	return LDAP_SUCCESS;
}

static int
raw_setup(void **state)
{
	struct raw *t = xcalloc(1, sizeof(*t));

	/* the keytab is the only credential: a fresh, empty MEMORY cache */
	if (xsnprintf(t->ccname, sizeof(t->ccname), "MEMORY:it_dnsnode_%ld",
	    (long)getpid()) == -1 ||
	    setenv("KRB5CCNAME", t->ccname, 1) == -1 ||
	    setenv("KRB5_CLIENT_KTNAME", env("VMG_TEST_KEYTAB"), 1) == -1) {
		free(t);
		return -1;
	}
	if (xsnprintf(t->filecc, sizeof(t->filecc), "%s/ccache",
	    env("VMG_TEST_DIR")) == -1) {
		free(t);
		return -1;
	}
	t->filecc_before = access(t->filecc, F_OK) == 0;
	*state = t;
	return 0;
}

static int
raw_teardown(void **state)
{
	struct raw *t = *state;

	if (t->ld != NULL)
		ldap_unbind_ext_s(t->ld, NULL, NULL);
	free(t);
	return unsetenv("KRB5_CLIENT_KTNAME");
}

/* A GSSAPI-bound connection, with the SSF floor, as the service account. */
static LDAP *
raw_bind(void)
{
	LDAP *ld = NULL;
	int v3 = LDAP_VERSION3, rc;
	ber_len_t ssf_min = 56;

	assert_int_equal(ldap_initialize(&ld, env("VMG_TEST_LDAP_URI")),
	    LDAP_SUCCESS);
	assert_int_equal(ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3),
	    LDAP_OPT_SUCCESS);
	assert_int_equal(ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON,
	    LDAP_OPT_ON), LDAP_OPT_SUCCESS);
	assert_int_equal(ldap_set_option(ld, LDAP_OPT_X_SASL_SSF_MIN,
	    &ssf_min), LDAP_OPT_SUCCESS);
	rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL,
	    LDAP_SASL_QUIET, raw_interact, NULL);
	if (rc != LDAP_SUCCESS)
		fail_msg("GSSAPI bind: %s", ldap_err2string(rc));
	return ld;
}

static void
test_raw_bind(void **state)
{
	struct raw *t = *state;
	struct berval *who = NULL;
	ber_len_t ssf = 0;
	char want[600];

	t->ld = raw_bind();
	assert_int_equal(ldap_get_option(t->ld, LDAP_OPT_X_SASL_SSF, &ssf),
	    LDAP_OPT_SUCCESS);
	assert_true(ssf >= 56);
	assert_int_equal(ldap_whoami_s(t->ld, &who, NULL, NULL), LDAP_SUCCESS);
	assert_non_null(who);
	assert_int_equal(xsnprintf(want, sizeof(want), "dn:%s",
	    env("VMG_TEST_SVC_DN")), 0);
	if (who->bv_len != strlen(want) ||
	    strncasecmp(who->bv_val, want, who->bv_len) != 0)
		fail_msg("bound as \"%.*s\", wanted \"%s\"", (int)who->bv_len,
		    who->bv_val, want);
	ber_bvfree(who);
	/* the TGT went to the MEMORY cache: env.sh's FILE cache, if it did
	 * not exist before, still does not */
	if (!t->filecc_before && access(t->filecc, F_OK) == 0)
		fail_msg("%s was created: the bind did not use its own cache",
		    t->filecc);
}

/* The zone's SOA serial, from the DC=@ node's dnsRecord values. */
static uint32_t
raw_soa_serial(LDAP *ld)
{
	char dn[1024], attr[] = "dnsRecord", *attrs[] = { attr, NULL };
	LDAPMessage *res = NULL, *e;
	struct berval **v;
	struct dnsrec r;
	uint32_t serial = 0;
	int i, found = 0;

	assert_int_equal(xsnprintf(dn, sizeof(dn), "DC=@,%s",
	    env("VMG_TEST_ZONE_DN")), 0);
	assert_int_equal(ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE,
	    "(objectClass=dnsNode)", attrs, 0, NULL, NULL, NULL, 0, &res),
	    LDAP_SUCCESS);
	e = ldap_first_entry(ld, res);
	assert_non_null(e);
	v = ldap_get_values_len(ld, e, attr);
	assert_non_null(v);
	for (i = 0; v[i] != NULL; i++) {
		assert_int_equal(dnsrec_decode((const uint8_t *)v[i]->bv_val,
		    v[i]->bv_len, &r), 0);
		if (r.type == DNSREC_TYPE_SOA) {
			serial = r.u.soa.serial;
			found++;
		}
	}
	assert_int_equal(found, 1);
	ldap_value_free_len(v);
	ldap_msgfree(res);
	return serial;
}

/* Add DC=vmtest2 with an A and an AAAA value; the encoded values in bv. */
static void
raw_add_node(LDAP *ld, uint32_t serial, uint8_t bufs[2][DNSREC_BUF],
    struct berval bv[2], char *dn, size_t dnlen)
{
	static char a_oc[] = "objectClass", a_dc[] = "dc", a_rec[] = "dnsRecord";
	static char v_node[] = "dnsNode", v_name[] = "vmtest2";
	char *ocs[] = { v_node, NULL }, *dcs[] = { v_name, NULL };
	struct berval *recs[] = { &bv[0], &bv[1], NULL };
	LDAPMod m_oc = { LDAP_MOD_ADD, a_oc, { .modv_strvals = ocs } };
	LDAPMod m_dc = { LDAP_MOD_ADD, a_dc, { .modv_strvals = dcs } };
	LDAPMod m_rec = { LDAP_MOD_ADD | LDAP_MOD_BVALUES, a_rec,
	    { .modv_bvals = recs } };
	LDAPMod *mods[] = { &m_oc, &m_dc, &m_rec, NULL };
	struct dnsrec r;
	int rc;

	dnsrec_init(&r, DNSREC_TYPE_A, serial, 300, 0);
	memcpy(r.u.a, "\xc0\x00\x02\x0b", 4);		/* 192.0.2.11 */
	encode_rec(&r, bufs[0], &bv[0]);
	dnsrec_init(&r, DNSREC_TYPE_AAAA, serial, 300, 0);
	memcpy(r.u.aaaa, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x0b", 16);
	encode_rec(&r, bufs[1], &bv[1]);
	assert_int_equal(xsnprintf(dn, dnlen, "DC=vmtest2,%s",
	    env("VMG_TEST_ZONE_DN")), 0);
	admin_delete(dn);
	rc = ldap_add_ext_s(ld, dn, mods, NULL, NULL);
	if (rc != LDAP_SUCCESS)
		fail_msg("add %s: %s", dn, ldap_err2string(rc));
}

/* True if vals holds exactly the values of want, byte for byte. */
static int
same_values(struct berval **vals, const struct berval *want, size_t n)
{
	size_t i, j;

	if (vals == NULL || (size_t)ldap_count_values_len(vals) != n)
		return 0;
	for (j = 0; j < n; j++) {
		for (i = 0; i < n; i++)
			if (vals[i]->bv_len == want[j].bv_len &&
			    memcmp(vals[i]->bv_val, want[j].bv_val,
			    want[j].bv_len) == 0)
				break;
		if (i == n)
			return 0;
	}
	return 1;
}

static void
test_raw_dnsnode(void **state)
{
	struct raw *t = *state;
	uint8_t bufs[2][DNSREC_BUF];
	struct berval bv[2], **got;
	char dn[1024];
	uint32_t serial;
	LDAP *ld;

	if (t->ld == NULL)
		t->ld = raw_bind();
	serial = raw_soa_serial(t->ld);
	assert_int_equal(serial, strtoul(env("VMG_TEST_SOA_SERIAL"), NULL, 10));
	raw_add_node(t->ld, serial, bufs, bv, dn, sizeof(dn));
	/* read back by the service account and by the admin */
	got = node_values(t->ld, dn, "dnsRecord");
	assert_true(same_values(got, bv, 2));
	ldap_value_free_len(got);
	ld = admin_conn();
	got = node_values(ld, dn, "dnsRecord");
	assert_true(same_values(got, bv, 2));
	ldap_value_free_len(got);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

static void
test_raw_limits(void **state)
{
	struct raw *t = *state;
	static char a_oc[] = "objectClass", a_cn[] = "cn";
	static char v_ap[] = "applicationProcess", v_cn[] = "intruder";
	char *ocs[] = { v_ap, NULL }, *cns[] = { v_cn, NULL }, dn[1024];
	LDAPMod m_oc = { LDAP_MOD_ADD, a_oc, { .modv_strvals = ocs } };
	LDAPMod m_cn = { LDAP_MOD_ADD, a_cn, { .modv_strvals = cns } };
	LDAPMod *mods[] = { &m_oc, &m_cn, NULL };

	if (t->ld == NULL)
		t->ld = raw_bind();
	/* OU=Service Accounts is outside the account's delegation */
	assert_int_equal(xsnprintf(dn, sizeof(dn),
	    "cn=intruder,ou=Service Accounts,%s", env("VMG_TEST_BASE")), 0);
	assert_int_equal(ldap_add_ext_s(t->ld, dn, mods, NULL, NULL),
	    LDAP_INSUFFICIENT_ACCESS);
	/* and so is the zone container itself, one level up */
	assert_int_equal(xsnprintf(dn, sizeof(dn),
	    "cn=intruder,CN=MicrosoftDNS,DC=DomainDnsZones,%s",
	    env("VMG_TEST_BASE")), 0);
	assert_int_equal(ldap_add_ext_s(t->ld, dn, mods, NULL, NULL),
	    LDAP_INSUFFICIENT_ACCESS);
}

/* Replace one value of dn as the admin (a concurrent writer). */
static void
admin_swap(const char *dn, struct berval *old, struct berval *new)
{
	static char a_rec[] = "dnsRecord";
	struct berval *dv[] = { old, NULL }, *av[] = { new, NULL };
	LDAPMod del = { LDAP_MOD_DELETE | LDAP_MOD_BVALUES, a_rec,
	    { .modv_bvals = dv } };
	LDAPMod add = { LDAP_MOD_ADD | LDAP_MOD_BVALUES, a_rec,
	    { .modv_bvals = av } };
	LDAPMod *mods[] = { &del, &add, NULL };
	LDAP *ld = admin_conn();

	assert_int_equal(ldap_modify_ext_s(ld, dn, mods, NULL, NULL),
	    LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

/* A constrained update loses to a concurrent writer instead of overwriting
 * it; the sync then reads again and converges. */
static void
test_constrained_update(void **state)
{
	struct it *t = *state;
	uint8_t b1[DNSREC_BUF], b2[DNSREC_BUF], b9[DNSREC_BUF];
	struct berval v1, v2, v9;
	struct dir_value dels[1], adds[1], vals[1];
	struct dnsrec r;
	struct dir_node n;
	char err[512], *dn = NULL;

	if (dir_open(&t->dir, err, sizeof(err)) == -1)
		fail_msg("bind: %s", err);
	dnsrec_init(&r, DNSREC_TYPE_A, 7, 300, 0);
	memcpy(r.u.a, "\xc0\x00\x02\x01", 4);
	encode_rec(&r, b1, &v1);
	memcpy(r.u.a, "\xc0\x00\x02\x02", 4);
	encode_rec(&r, b2, &v2);
	memcpy(r.u.a, "\xc0\x00\x02\x09", 4);
	encode_rec(&r, b9, &v9);
	dels[0] = vals[0] = as_value(&v1);
	adds[0] = as_value(&v2);
	assert_int_equal(dn_node(env("VMG_TEST_ZONE_DN"), "race1", &dn), 0);
	if (dir_node_add(&t->dir, dn, "race1", vals, 1, err, sizeof(err)) == -1)
		fail_msg("add: %s", err);
	/* we read v1; meanwhile someone replaces it with v9 */
	admin_swap(dn, &v1, &v9);
	/* our update, based on what we read, must fail, not overwrite */
	assert_int_equal(dir_node_update(&t->dir, dn, dels, 1, adds, 1, -1,
	    err, sizeof(err)), -1);
	assert_int_equal(dir_last_rc(&t->dir), LDAP_NO_SUCH_ATTRIBUTE);
	assert_int_equal(dir_error(&t->dir), DIR_CHANGED);
	assert_int_equal(dir_node_read(&t->dir, dn, &n, err, sizeof(err)), 0);
	assert_int_equal(n.nvalues, 1);
	assert_int_equal(n.values[0].len, v9.bv_len);
	assert_memory_equal(n.values[0].val, v9.bv_val, v9.bv_len);
	dir_node_free(&n);
	/* read again, then the same change succeeds */
	dels[0] = as_value(&v9);
	assert_int_equal(dir_node_update(&t->dir, dn, dels, 1, adds, 1, -1,
	    err, sizeof(err)), 0);
	assert_int_equal(dir_node_read(&t->dir, dn, &n, err, sizeof(err)), 0);
	assert_int_equal(n.nvalues, 1);
	assert_memory_equal(n.values[0].val, v2.bv_val, v2.bv_len);
	dir_node_free(&n);
	free(dn);
}

#define SLICE_NODES 1100	/* three pages of a scan */

/* The test slapd (started by tests/testenv.sh for this test). */
static pid_t
slapd_pid(void)
{
	char path[PATH_MAX], buf[32];
	FILE *fp;
	long pid = 0;

	assert_int_equal(xsnprintf(path, sizeof(path), "%s/slapd.pid",
	    env("VMG_TEST_DIR")), 0);
	fp = fopen(path, "r");
	assert_non_null(fp);
	if (fgets(buf, sizeof(buf), fp) != NULL)
		pid = strtol(buf, NULL, 10);
	fclose(fp);
	assert_true(pid > 1);
	return (pid_t)pid;
}

static int
slice_count(void *ctx, const char *name, const struct dir_node *n, char *err,
    size_t errlen)
{
	size_t *seen = ctx;
	unsigned long i;
	char *end;

	(void)n;
	(void)err;
	(void)errlen;
	if (strncmp(name, "slice", 5) != 0)
		return 0;
	i = strtoul(name + 5, &end, 10);
	assert_true(*end == '\0' && i < SLICE_NODES);
	seen[i]++;
	return 0;
}

struct each_seen {
	size_t n, stop_at;
};

static int
each_one(void *ctx, const struct dir_entry *e, char *err, size_t errlen)
{
	struct each_seen *s = ctx;

	assert_true(e->exists);
	if (++s->n == s->stop_at) {
		(void)xsnprintf(err, errlen, "enough");
		return -1;
	}
	return 0;
}

/* dir_entries_each hands over as many entries as dir_entries_search
 * returns (DIR_SEARCH_MAX at most); fn's stop ends it with fn's reason,
 * and the connection serves the next search. */
static void
each_checks(struct it *t)
{
	static char dc[] = "dc";
	char *const attrs[] = { dc, NULL };
	struct each_seen s = { 0, 0 };
	struct dir_entry *e = NULL;
	char err[512];
	size_t n = 0;

	if (dir_entries_search(&t->dir, env("VMG_TEST_ZONE_DN"),
	    "(objectClass=dnsNode)", attrs, &e, &n, err, sizeof(err)) == -1)
		fail_msg("search: %s", err);
	dir_entries_free(e, n);
	assert_true(n >= 1000);
	if (dir_entries_each(&t->dir, env("VMG_TEST_ZONE_DN"),
	    "(objectClass=dnsNode)", attrs, each_one, &s, err,
	    sizeof(err)) == -1)
		fail_msg("each: %s", err);
	assert_int_equal(s.n, n);
	s = (struct each_seen){ 0, 5 };
	assert_int_equal(dir_entries_each(&t->dir, env("VMG_TEST_ZONE_DN"),
	    "(objectClass=dnsNode)", attrs, each_one, &s, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "enough");
	assert_int_equal(s.n, 5);
}

/* A scan taken in slices that never block (dir_scan_step, wait 0) reads
 * every node once, as the blocking scan does, and returns at once while
 * the server cannot answer; one ended half-way leaves the connection fit
 * for the next scan. */
static void
test_scan_slices(void **state)
{
	struct it *t = *state;
	static size_t seen[SLICE_NODES];
	struct dir_node_op *ops;
	struct dir_value val;
	struct dir_scan s;
	struct dnsrec r;
	uint8_t buf[DNSREC_BUF];
	char err[512], name[32], **dns;
	size_t i, len, early = 0;
	pid_t pid;
	int rc;

	if (dir_open(&t->dir, err, sizeof(err)) == -1)
		fail_msg("bind: %s", err);
	dnsrec_init(&r, DNSREC_TYPE_A, 7, 300, 0);
	memcpy(r.u.a, "\xc0\x00\x02\x07", 4);
	assert_int_equal(dnsrec_encode(&r, buf, sizeof(buf), &len), 0);
	val = (struct dir_value){ buf, len };
	ops = xcalloc(SLICE_NODES, sizeof(*ops));
	dns = xcalloc(SLICE_NODES, sizeof(*dns));
	for (i = 0; i < SLICE_NODES; i++) {
		assert_int_equal(xsnprintf(name, sizeof(name), "slice%zu", i),
		    0);
		assert_int_equal(dn_node(env("VMG_TEST_ZONE_DN"), name,
		    &dns[i]), 0);
		admin_delete(dns[i]);	/* a run before failed half-way */
		ops[i] = (struct dir_node_op){ .kind = DIR_OP_ADD,
		    .dn = dns[i], .dc = xstrdup(name), .adds = &val,
		    .nadds = 1 };
	}
	if (dir_node_run(&t->dir, ops, SLICE_NODES, &(struct dir_run){ 32,
	    NULL, NULL, NULL }, err, sizeof(err)) == -1)
		fail_msg("adds: %s", err);
	if (dir_node_scan(&t->dir, env("VMG_TEST_ZONE_DN"), NULL, slice_count,
	    seen, err, sizeof(err)) == -1)
		fail_msg("scan: %s", err);
	for (i = 0; i < SLICE_NODES; i++)
		assert_int_equal(seen[i], 1);
	/* with slapd stopped nothing can come: a slice returns at once,
	 * saying more is to come (no race: the server cannot answer) */
	pid = slapd_pid();
	assert_int_equal(kill(pid, SIGSTOP), 0);
	dir_scan_start(&s, &t->dir, env("VMG_TEST_ZONE_DN"), NULL,
	    slice_count, seen);
	for (i = 0; i < 3; i++)
		early += dir_scan_step(&s, 0, err, sizeof(err)) == 1;
	assert_int_equal(kill(pid, SIGCONT), 0);
	assert_int_equal(early, 3);
	while ((rc = dir_scan_step(&s, 0, err, sizeof(err))) == 1)
		;	/* slices until the end, however the pages come */
	assert_int_equal(rc, 0);
	dir_scan_end(&s);
	for (i = 0; i < SLICE_NODES; i++)
		assert_int_equal(seen[i], 2);
	/* entries one at a time: what the whole search gives, and a stop */
	each_checks(t);
	/* ended in its first page: the connection goes with it (slapd's
	 * paged state is the connection's), and the next one reads them all */
	dir_scan_start(&s, &t->dir, env("VMG_TEST_ZONE_DN"), NULL,
	    slice_count, seen);
	dir_scan_end(&s);
	assert_null(t->dir.ld);
	if (dir_open(&t->dir, err, sizeof(err)) == -1)
		fail_msg("bind again: %s", err);
	memset(seen, 0, sizeof(seen));
	if (dir_node_scan(&t->dir, env("VMG_TEST_ZONE_DN"), NULL, slice_count,
	    seen, err, sizeof(err)) == -1)
		fail_msg("scan after an abandoned one: %s", err);
	for (i = 0; i < SLICE_NODES; i++) {
		assert_int_equal(seen[i], 1);
		admin_delete(dns[i]);
		free((char *)(uintptr_t)ops[i].dc);
		free(dns[i]);
	}
	free(ops);
	free(dns);
}

int
main(void)
{
	const struct CMUnitTest raw[] = {
		cmocka_unit_test(test_raw_bind),
		cmocka_unit_test(test_raw_dnsnode),
		cmocka_unit_test(test_raw_limits),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_ssf_floor),
		cmocka_unit_test(test_write_dnsnode),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_constrained_update),
		cmocka_unit_test(test_scan_slices),
	};
	int fails;

	fails = cmocka_run_group_tests_name("raw", raw, raw_setup,
	    raw_teardown);
	fails += cmocka_run_group_tests_name("dir", tests, setup, teardown);
	return fails;
}
