/*
 * test_dn.c - DNs and filters built through libldap: hostile values come
 * out escaped and parse back to the very same single RDN value.
 */
#include "config.h"

#include <ldap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dn.h"

#define BASE "DC=example,DC=test"

/* dn's first RDN is exactly one AVA attr=value. */
static void
first_rdn_is(const char *dn, const char *attr, const char *value)
{
	LDAPDN parsed = NULL;

	assert_int_equal(ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3),
	    LDAP_SUCCESS);
	assert_non_null(parsed);
	assert_non_null(parsed[0]);
	assert_non_null(parsed[0][0]);
	assert_null(parsed[0][1]);		/* one AVA: no '+' split */
	assert_int_equal(parsed[0][0]->la_attr.bv_len, strlen(attr));
	assert_memory_equal(parsed[0][0]->la_attr.bv_val, attr, strlen(attr));
	assert_int_equal(parsed[0][0]->la_value.bv_len, strlen(value));
	assert_memory_equal(parsed[0][0]->la_value.bv_val, value,
	    strlen(value));
	ldap_dnfree(parsed);
}

static void
test_zone_and_node(void **state)
{
	char *zone, *node, out[256];

	(void)state;
	assert_int_equal(dn_zone(BASE, "DomainDnsZones", "example.test", &zone),
	    0);
	assert_string_equal(zone, "DC=example.test,CN=MicrosoftDNS,"
	    "DC=DomainDnsZones,DC=example,DC=test");
	assert_int_equal(dn_node(zone, "_vmgroup._tcp.hv1", &node), 0);
	assert_string_equal(node, "DC=_vmgroup._tcp.hv1,DC=example.test,"
	    "CN=MicrosoftDNS,DC=DomainDnsZones,DC=example,DC=test");
	first_rdn_is(node, "DC", "_vmgroup._tcp.hv1");
	free(node);
	assert_int_equal(dn_node(zone, "@", &node), 0);
	first_rdn_is(node, "DC", "@");
	assert_int_equal(dn_node_fqdn(node, out, sizeof(out)), 0);
	assert_string_equal(out, "example.test");
	free(node);
	assert_int_equal(dn_node(zone, "_vm._tcp.hv1-x-vm", &node), 0);
	assert_int_equal(dn_node_fqdn(node, out, sizeof(out)), 0);
	assert_string_equal(out, "_vm._tcp.hv1-x-vm.example.test");
	assert_int_equal(dn_first_value(node, out, sizeof(out)), 0);
	assert_string_equal(out, "_vm._tcp.hv1-x-vm");
	assert_int_equal(dn_node_fqdn(node, out, 10), -1);
	free(node);
	free(zone);
}

/* The plain names dn_node writes without libldap come out as libldap
 * writes them. */
static void
test_node_fast_path(void **state)
{
	static const char *const names[] = { "vm1", "hv1-img0-vm", "@",
	    "_vm._tcp.hv1-img0-vm", "_vmgroup._tcp.hv1", "A-B_c.D",
	    "1.0.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0",
	    "10.2", NULL };
	char *zdn = NULL, *fast = NULL, *slow = NULL;
	size_t i;

	(void)state;
	assert_int_equal(dn_zone("DC=example,DC=test", "DomainDnsZones",
	    "example.test", &zdn), 0);
	for (i = 0; names[i] != NULL; i++) {
		assert_int_equal(dn_node(zdn, names[i], &fast), 0);
		assert_int_equal(dn_child(zdn, "DC", names[i], &slow), 0);
		assert_string_equal(fast, slow);
		free(fast);
		free(slow);
	}
	/* a name that needs escaping still goes through libldap */
	assert_int_equal(dn_node(zdn, "a,b", &fast), 0);
	assert_non_null(strstr(fast, "DC=a\\2Cb,"));
	free(fast);
	free(zdn);
}

static void
test_hostile_values(void **state)
{
	static const char *const vals[] = { "a,b", "a+b", "x=y", "#x",
	    " lead", "trail ", "*", "(", ")", "\\", "a\"b", "<>;",
	    "DC=evil,DC=example", NULL };
	char *dn;
	size_t i;

	(void)state;
	for (i = 0; vals[i] != NULL; i++) {
		assert_int_equal(dn_child("OU=VM Groups," BASE, "CN", vals[i],
		    &dn), 0);
		first_rdn_is(dn, "CN", vals[i]);
		/* the parent is still the parent */
		assert_non_null(strstr(dn, ",OU=VM Groups,DC=example,DC=test"));
		free(dn);
	}
}

static void
test_refusals(void **state)
{
	char *dn;

	(void)state;
	assert_int_equal(dn_child("not a dn", "CN", "x", &dn), -1);
	assert_null(dn);
	assert_int_equal(dn_child(BASE, "C N", "x", &dn), -1);
	assert_int_equal(dn_child(BASE, "CN", "", &dn), -1);
	assert_int_equal(dn_filter_eq("cn)(x", "v", &dn), -1);
}

static void
test_filters(void **state)
{
	char *f;

	(void)state;
	assert_int_equal(dn_filter_eq("vmGroupMember", "web1", &f), 0);
	assert_string_equal(f, "(vmGroupMember=web1)");
	free(f);
	assert_int_equal(dn_filter_eq("cn", "*)(objectClass=*", &f), 0);
	assert_string_equal(f, "(cn=\\2A\\29\\28objectClass=\\2A)");
	free(f);
	assert_int_equal(dn_filter_eq("cn", "a\\b", &f), 0);
	assert_string_equal(f, "(cn=a\\5Cb)");
	free(f);
}

static void
test_escaped_forms(void **state)
{
	static const struct {
		const char *value, *dn;
	} cases[] = {
		{ "a,b", "CN=a\\2Cb," BASE },
		{ "a+b", "CN=a\\2Bb," BASE },
		{ "x=y", "CN=x\\3Dy," BASE },
		{ "#x", "CN=\\23x," BASE },
		{ " lead", "CN=\\20lead," BASE },
		{ "\\", "CN=\\5C," BASE },
		{ "DC=evil,DC=x", "CN=DC\\3Devil\\2CDC\\3Dx," BASE },
		{ "\xc3\xa9t\xc3\xa9", "CN=\\C3\\A9t\\C3\\A9," BASE },
		{ NULL, NULL }
	};
	char *dn, out[64];
	size_t i;

	(void)state;
	for (i = 0; cases[i].value != NULL; i++) {
		assert_int_equal(dn_child(BASE, "CN", cases[i].value, &dn), 0);
		assert_string_equal(dn, cases[i].dn);
		assert_int_equal(dn_first_value(dn, out, sizeof(out)), 0);
		assert_string_equal(out, cases[i].value);
		free(dn);
	}
	/* a relname with dots and a hostile one stay one RDN under the zone */
	assert_int_equal(dn_node("DC=example.test,CN=MicrosoftDNS,"
	    "DC=DomainDnsZones," BASE, "a,DC=b+c", &dn), 0);
	first_rdn_is(dn, "DC", "a,DC=b+c");
	assert_int_equal(dn_node_fqdn(dn, out, sizeof(out)), 0);
	assert_string_equal(out, "a,DC=b+c.example.test");
	free(dn);
}

static void
test_refused_values(void **state)
{
	char *dn = (char *)(uintptr_t)"x", out[64];

	(void)state;
	/* control characters would go into the DN raw: refused */
	assert_int_equal(dn_child(BASE, "CN", "a\nb", &dn), -1);
	assert_null(dn);
	assert_int_equal(dn_child(BASE, "CN", "a\x7f", &dn), -1);
	/* not UTF-8: libldap refuses */
	assert_int_equal(dn_child(BASE, "CN", "\xff\xfe", &dn), -1);
	assert_int_equal(dn_child(BASE, "", "x", &dn), -1);
	assert_int_equal(dn_child(BASE, "C=N", "x", &dn), -1);
	assert_int_equal(dn_zone(BASE, "DomainDnsZones", "", &dn), -1);
	assert_null(dn);
	assert_int_equal(dn_zone("bad dn", "DomainDnsZones", "x", &dn), -1);
	/* the root as parent */
	assert_int_equal(dn_child("", "DC", "x", &dn), 0);
	assert_string_equal(dn, "DC=x");
	free(dn);
	/* reading values: one AVA holding a string only */
	assert_int_equal(dn_first_value("CN=a+CN=b," BASE, out, sizeof(out)),
	    -1);
	assert_int_equal(dn_first_value("CN=#04026869," BASE, out,
	    sizeof(out)), -1);
	assert_int_equal(dn_first_value("CN=a\\00b," BASE, out, sizeof(out)),
	    -1);
	assert_int_equal(dn_first_value("not a dn", out, sizeof(out)), -1);
	assert_int_equal(dn_first_value("CN=abcdef," BASE, out, 6), -1);
	assert_int_equal(dn_first_value("CN=abcdef," BASE, out, 7), 0);
	assert_int_equal(dn_node_fqdn("DC=x", out, sizeof(out)), -1);
}

static void
test_filter_values(void **state)
{
	static const struct {
		const char *value, *filter;
	} cases[] = {
		{ "*", "(cn=\\2A)" },
		{ "(", "(cn=\\28)" },
		{ ")", "(cn=\\29)" },
		{ "\\", "(cn=\\5C)" },
		{ "a\nb", "(cn=a\\0Ab)" },
		{ "\xc3\xa9", "(cn=\\C3\\A9)" },
		{ "a,b+c=d", "(cn=a,b+c=d)" },
		{ NULL, NULL }
	};
	char *f = (char *)(uintptr_t)"x";
	size_t i;

	(void)state;
	for (i = 0; cases[i].value != NULL; i++) {
		assert_int_equal(dn_filter_eq("cn", cases[i].value, &f), 0);
		assert_string_equal(f, cases[i].filter);
		free(f);
	}
	assert_int_equal(dn_filter_eq("", "v", &f), -1);
	assert_null(f);
	assert_int_equal(dn_filter_eq("cn=x", "v", &f), -1);
	assert_int_equal(dn_filter_eq("dNSTombstoned", "TRUE", &f), 0);
	assert_string_equal(f, "(dNSTombstoned=TRUE)");
	free(f);
}

/* GeneralizedTime in UTC, as vmGroupBlockTime and vmGroupLastUpdate hold
 * it; a time gmtime cannot convert gives the epoch's. */
static void
test_gentime(void **state)
{
	char t[DN_GENTIME_BUF];

	(void)state;
	dn_gentime(0, t);
	assert_string_equal(t, "19700101000000.0Z");
	dn_gentime(1764000000, t);
	assert_string_equal(t, "20251124160000.0Z");
	dn_gentime((time_t)INT64_MAX, t);
	assert_string_equal(t, "19700101000000.0Z");
}

/* GeneralizedTime as the directory returns it -> RFC 3339 (vmgroup
 * query --json); any other form is refused, not guessed at. */
static void
test_gentime_rfc3339(void **state)
{
	static const char *const bad[] = { "", "20251124160000", "2025112416Z",
	    "20251124160000.Z", "20251124160000+0100", "20251324160000Z",
	    "20251124250000Z", "2025112416000aZ", "20251124160000.0Zx",
	    "20251100160000Z" };
	char t[DN_GENTIME_BUF];
	size_t i;

	(void)state;
	assert_int_equal(dn_gentime_rfc3339("20251124160000.0Z", 17, t), 0);
	assert_string_equal(t, "2025-11-24T16:00:00Z");
	assert_int_equal(dn_gentime_rfc3339("20251124160509Z", 15, t), 0);
	assert_string_equal(t, "2025-11-24T16:05:09Z");
	assert_int_equal(dn_gentime_rfc3339("19700101000000,125Z", 19, t), 0);
	assert_string_equal(t, "1970-01-01T00:00:00Z");
	/* the length given, not a NUL, ends the value */
	assert_int_equal(dn_gentime_rfc3339("20251124160000ZZZ", 15, t), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dn_gentime_rfc3339(bad[i], strlen(bad[i]), t),
		    -1);
}

/* The vmGroup searches of query and enforce: the class, the blocked flag,
 * one attribute with its value escaped. */
static void
test_filter_groups(void **state)
{
	char *f;

	(void)state;
	assert_int_equal(dn_filter_groups(NULL, NULL, 0, &f), 0);
	assert_string_equal(f, "(&(objectClass=vmGroup))");
	free(f);
	assert_int_equal(dn_filter_groups("vmGroupHost", "hv1", 1, &f), 0);
	assert_string_equal(f,
	    "(&(objectClass=vmGroup)(vmGroupBlocked=TRUE)(vmGroupHost=hv1))");
	free(f);
	assert_int_equal(dn_filter_groups("cn", "a*)(b", 0, &f), 0);
	assert_string_equal(f, "(&(objectClass=vmGroup)(cn=a\\2A\\29\\28b))");
	free(f);
	assert_int_equal(dn_filter_groups("cn=x", "v", 0, &f), -1);
	assert_null(f);
}

/* A replication-conflict copy's DN: the newline as \0A, the shape checked. */
static void
test_cnf_node(void **state)
{
	static const char zone[] = "DC=example.test,CN=MicrosoftDNS,"
	    "DC=DomainDnsZones,DC=example,DC=test";
	char *dn = NULL;

	(void)state;
	assert_int_equal(dn_cnf_node(zone,
	    "web1\nCNF:0f1e2d3c-0000-4000-8000-00000000000A", &dn), 0);
	assert_string_equal(dn, "DC=web1\\0ACNF:"
	    "0f1e2d3c-0000-4000-8000-00000000000A,DC=example.test,"
	    "CN=MicrosoftDNS,DC=DomainDnsZones,DC=example,DC=test");
	free(dn);
	/* no CNF mark, a short or odd GUID, a name that is not plain */
	assert_int_equal(dn_cnf_node(zone, "web1", &dn), -1);
	assert_null(dn);
	assert_int_equal(dn_cnf_node(zone, "web1\nCNF:0f1e", &dn), -1);
	assert_int_equal(dn_cnf_node(zone,
	    "web1\nCNF:0f1e2d3c-0000-4000-8000-00000000000,", &dn), -1);
	assert_int_equal(dn_cnf_node(zone,
	    "we,b1\nCNF:0f1e2d3c-0000-4000-8000-00000000000A", &dn), -1);
	assert_int_equal(dn_cnf_node(zone,
	    "\nCNF:0f1e2d3c-0000-4000-8000-00000000000A", &dn), -1);
	assert_int_equal(dn_cnf_node(zone,
	    "web1\nDEL:0f1e2d3c-0000-4000-8000-00000000000A", &dn), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_and_node),
		cmocka_unit_test(test_node_fast_path),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_escaped_forms),
		cmocka_unit_test(test_refused_values),
		cmocka_unit_test(test_filter_values),
		cmocka_unit_test(test_gentime),
		cmocka_unit_test(test_gentime_rfc3339),
		cmocka_unit_test(test_filter_groups),
		cmocka_unit_test(test_cnf_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
