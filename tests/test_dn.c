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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_and_node),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_filters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
