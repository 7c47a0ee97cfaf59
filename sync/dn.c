/*
 * dn.c - DNs and filters through libldap.
 */
#include "config.h"

#include <ldap.h>
#include <stdint.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dn.h"
#include "vmgroup_attrs.h"
#include "xmem.h"

static int
dn_attr_ok(const char *attr)
{
	size_t i;

	if (attr[0] == '\0')
		return 0;
	for (i = 0; attr[i] != '\0'; i++)
		if (!((attr[i] >= 'a' && attr[i] <= 'z') ||
		    (attr[i] >= 'A' && attr[i] <= 'Z') ||
		    (attr[i] >= '0' && attr[i] <= '9') || attr[i] == '-'))
			return 0;
	return 1;
}

/* No control characters: libldap would put them into the DN raw. */
static int
dn_value_ok(const char *value)
{
	size_t i;

	if (value[0] == '\0')
		return 0;
	for (i = 0; value[i] != '\0'; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return 0;
	return 1;
}

int
dn_child(const char *parent, const char *attr, const char *value, char **out)
{
	LDAPDN pdn = NULL, ndn = NULL;
	LDAPAVA ava;
	LDAPAVA *rdn[2] = { &ava, NULL };
	char *str = NULL;
	size_t n = 0;
	int rc = -1;

	*out = NULL;
	if (!dn_attr_ok(attr) || !dn_value_ok(value) ||
	    ldap_str2dn(parent, &pdn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return -1;
	while (pdn != NULL && pdn[n] != NULL)
		n++;
	memset(&ava, 0, sizeof(ava));
	ava.la_attr.bv_val = (char *)(uintptr_t)attr;
	ava.la_attr.bv_len = strlen(attr);
	ava.la_value.bv_val = (char *)(uintptr_t)value;
	ava.la_value.bv_len = strlen(value);
	ava.la_flags = LDAP_AVA_STRING;
	ndn = xcalloc(n + 2, sizeof(*ndn));
	ndn[0] = rdn;
	if (n > 0)
		memcpy(ndn + 1, pdn, n * sizeof(*ndn));
	if (ldap_dn2str(ndn, &str, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    str == NULL)
		goto out;
	*out = xstrdup(str);
	rc = 0;
out:
	ldap_memfree(str);
	free(ndn);
	ldap_dnfree(pdn);
	return rc;
}

/* The last zone DN built: a pass asks for the same few zones' DNs once
 * a node (thousands of times), each built by taking three DNs apart and
 * writing them again.  Kept for the process (reachable, one a zone). */
static struct {
	char *base, *partition, *zone, *dn;
} dn_last_zone;

static int
dn_zone_is_last(const char *base, const char *partition, const char *zone)
{
	return dn_last_zone.dn != NULL && strcmp(dn_last_zone.zone, zone) == 0
	    && strcmp(dn_last_zone.partition, partition) == 0 &&
	    strcmp(dn_last_zone.base, base) == 0;
}

static void
dn_zone_keep(const char *base, const char *partition, const char *zone,
    const char *dn)
{
	free(dn_last_zone.base);
	free(dn_last_zone.partition);
	free(dn_last_zone.zone);
	free(dn_last_zone.dn);
	dn_last_zone.base = xstrdup(base);
	dn_last_zone.partition = xstrdup(partition);
	dn_last_zone.zone = xstrdup(zone);
	dn_last_zone.dn = xstrdup(dn);
}

int
dn_zone(const char *base, const char *partition, const char *zone, char **out)
{
	char *part = NULL, *ms = NULL;
	int rc = -1;

	*out = NULL;
	if (dn_zone_is_last(base, partition, zone)) {
		*out = xstrdup(dn_last_zone.dn);
		return 0;
	}
	if (dn_child(base, "DC", partition, &part) == 0 &&
	    dn_child(part, "CN", "MicrosoftDNS", &ms) == 0 &&
	    dn_child(ms, "DC", zone, out) == 0) {
		dn_zone_keep(base, partition, zone, *out);
		rc = 0;
	}
	free(part);
	free(ms);
	return rc;
}

/* A value libldap writes as it is: letters, digits, '.', '-', '_', '@'
 * (what node names are made of), not empty. */
static int
dn_plain(const char *v)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++)
		if (!isalnum((unsigned char)v[i]) && strchr(".-_@", v[i]) == NULL)
			return 0;
	return i > 0;
}

int
dn_node(const char *zone_dn, const char *relname, char **out)
{
	size_t len;

	/* zone_dn comes from dn_zone, as libldap writes DNs: a plain name
	 * is put in front of it as libldap would, without taking both apart
	 * and writing them again (thousands of nodes a pass) */
	if (!dn_plain(relname))
		return dn_child(zone_dn, "DC", relname, out);
	len = strlen(relname) + strlen(zone_dn) + 5;
	*out = xmalloc(len);
	if (xsnprintf(*out, len, "DC=%s,%s", relname, zone_dn) == -1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
dn_cnf_node(const char *zone_dn, const char *name, char **out)
{
	const char *nl = strchr(name, '\n');
	char label[256];
	size_t i, len;

	*out = NULL;
	if (nl == NULL || (size_t)(nl - name) >= sizeof(label) ||
	    strncmp(nl, "\nCNF:", 5) != 0 || strlen(nl + 5) != 36)
		return -1;
	for (i = 5; nl[i] != '\0'; i++)
		if (!isxdigit((unsigned char)nl[i]) && nl[i] != '-')
			return -1;
	memcpy(label, name, (size_t)(nl - name));
	label[nl - name] = '\0';
	if (!dn_plain(label))
		return -1;
	/* the newline as libldap writes it in a DN: \0A */
	len = strlen(name) + strlen(zone_dn) + 8;
	*out = xmalloc(len);
	if (xsnprintf(*out, len, "DC=%s\\0A%s,%s", label, nl + 1,
	    zone_dn) == -1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
dn_filter_eq(const char *attr, const char *value, char **out)
{
	struct berval bv;
	struct berval esc = { 0, NULL };
	size_t len;
	int rc = -1;

	*out = NULL;
	if (!dn_attr_ok(attr))
		return -1;
	bv.bv_val = (char *)(uintptr_t)value;
	bv.bv_len = strlen(value);
	if (ldap_bv2escaped_filter_value(&bv, &esc) != 0)
		return -1;
	len = strlen(attr) + esc.bv_len + 4;
	*out = xmalloc(len);
	if (xsnprintf(*out, len, "(%s=%s)", attr, esc.bv_val) == -1) {
		free(*out);
		*out = NULL;
	} else {
		rc = 0;
	}
	ldap_memfree(esc.bv_val);
	return rc;
}

int
dn_filter_nodes(const char *const *names, size_t n, char **out)
{
	return dn_filter_any("(&(objectClass=dnsNode)(|", "dc", names, n, out);
}

int
dn_filter_any(const char *head, const char *attr, const char *const *names,
    size_t n, char **out)
{
	static const char tail[] = "))";
	char **eq = xcalloc(n + 1, sizeof(*eq));
	size_t i, len = strlen(head) + sizeof(tail) + 1;
	int rc = -1;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (dn_filter_eq(attr, names[i], &eq[i]) == -1)
			goto out;
		len += strlen(eq[i]);
	}
	*out = xmalloc(len);
	(void)xstrlcpy(*out, head, len);
	for (i = 0; i < n; i++)
		(void)xstrlcat(*out, eq[i], len);
	(void)xstrlcat(*out, tail, len);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(eq[i]);
	free(eq);
	return rc;
}

int
dn_filter_groups(const char *attr, const char *value, int blocked,
    char **out)
{
	char *eq = NULL;
	size_t len;

	*out = NULL;
	if (attr != NULL && dn_filter_eq(attr, value, &eq) == -1)
		return -1;
	len = (eq != NULL ? strlen(eq) : 0) + 64;
	*out = xmalloc(len);
	if (xsnprintf(*out, len, "(&(objectClass=" VMG_CLASS ")%s%s)",
	    blocked ? "(" VMG_ATTR_BLOCKED "=TRUE)" : "",
	    eq != NULL ? eq : "") == -1) {
		free(*out);
		*out = NULL;
	}
	free(eq);
	return *out != NULL ? 0 : -1;
}

/* The value of RDN i of dn into out. */
static int
dn_rdn_value(const char *dn, size_t i, char *out, size_t outlen)
{
	LDAPDN parsed = NULL;
	struct berval *v;
	size_t n;
	int rc = -1;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return -1;
	for (n = 0; parsed != NULL && parsed[n] != NULL && n <= i; n++)
		;
	/* one AVA holding a string: "DC=a+DC=b" or "DC=#04..." are refused */
	if (n > i && parsed[i][0] != NULL && parsed[i][1] == NULL &&
	    (parsed[i][0]->la_flags & LDAP_AVA_BINARY) == 0) {
		v = &parsed[i][0]->la_value;
		if (v->bv_len < outlen && memchr(v->bv_val, '\0',
		    v->bv_len) == NULL) {
			memcpy(out, v->bv_val, v->bv_len);
			out[v->bv_len] = '\0';
			rc = 0;
		}
	}
	ldap_dnfree(parsed);
	return rc;
}

/* 1 if rdn is one string AVA of type DC. */
static int
dn_is_dc(LDAPRDN rdn)
{
	return rdn[0] != NULL && rdn[1] == NULL &&
	    (rdn[0]->la_flags & LDAP_AVA_BINARY) == 0 &&
	    rdn[0]->la_attr.bv_len == 2 &&
	    strncasecmp(rdn[0]->la_attr.bv_val, "dc", 2) == 0;
}

int
dn_domain(const char *dn, char *out, size_t outlen)
{
	LDAPDN parsed = NULL;
	struct berval *v;
	size_t n, first, at = 0;
	int rc = -1;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return -1;
	for (n = 0; parsed != NULL && parsed[n] != NULL; n++)
		;
	for (first = n; first > 0 && dn_is_dc(parsed[first - 1]); first--)
		;
	for (; first < n; first++) {
		v = &parsed[first][0]->la_value;
		if (at + v->bv_len + 1 >= outlen ||
		    memchr(v->bv_val, '\0', v->bv_len) != NULL)
			goto out;
		if (at > 0)
			out[at++] = '.';
		memcpy(out + at, v->bv_val, v->bv_len);
		at += v->bv_len;
	}
	out[at] = '\0';
	rc = at > 0 ? 0 : -1;
out:
	ldap_dnfree(parsed);
	return rc;
}

int
dn_first_value(const char *dn, char *out, size_t outlen)
{
	return dn_rdn_value(dn, 0, out, outlen);
}

int
dn_node_fqdn(const char *node_dn, char *out, size_t outlen)
{
	char rel[256], zone[256];

	if (dn_rdn_value(node_dn, 0, rel, sizeof(rel)) == -1 ||
	    dn_rdn_value(node_dn, 1, zone, sizeof(zone)) == -1)
		return -1;
	if (strcmp(rel, "@") == 0)
		return xstrlcpy(out, zone, outlen);
	return xsnprintf(out, outlen, "%s.%s", rel, zone);
}

void
dn_gentime(time_t t, char out[DN_GENTIME_BUF])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, DN_GENTIME_BUF, "%Y%m%d%H%M%S.0Z", &tm) == 0)
		(void)xstrlcpy(out, "19700101000000.0Z", DN_GENTIME_BUF);
}

/* The whole number in s[0..n) (digits only), or -1. */
static int
dn_digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
dn_gentime_rfc3339(const char *gt, size_t len, char out[DN_GENTIME_BUF])
{
	int y, mo, d, h, mi, s;
	size_t i = 14;

	if (len < 15 || (y = dn_digits(gt, 4)) < 0 ||
	    (mo = dn_digits(gt + 4, 2)) < 1 || mo > 12 ||
	    (d = dn_digits(gt + 6, 2)) < 1 || d > 31 ||
	    (h = dn_digits(gt + 8, 2)) < 0 || h > 23 ||
	    (mi = dn_digits(gt + 10, 2)) < 0 || mi > 59 ||
	    (s = dn_digits(gt + 12, 2)) < 0 || s > 60)
		return -1;
	if (gt[i] == '.' || gt[i] == ',') {	/* a fraction, dropped */
		for (i++; i < len && gt[i] >= '0' && gt[i] <= '9'; i++)
			;
		if (i == 15)
			return -1;
	}
	if (i != len - 1 || gt[i] != 'Z')
		return -1;
	return xsnprintf(out, DN_GENTIME_BUF, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    y, mo, d, h, mi, s);
}
