/*
 * dn.h - every DN we build goes through libldap (an LDAPDN and
 * ldap_dn2str), every filter value through ldap_bv2escaped_filter_value, so
 * a name with ',', '+', '=', '#', '\', '*', '(' or ')' in it cannot change
 * the meaning of a DN or a filter.  Results are malloc'ed; free() them.
 */
#ifndef VMG_DN_H
#define VMG_DN_H

#include <stddef.h>

/* "<attr>=<value>,<parent>", value being one RDN value.  0 / -1. */
int dn_child(const char *parent, const char *attr, const char *value,
    char **out);
/* "DC=<zone>,CN=MicrosoftDNS,DC=<partition>,<base>". */
int dn_zone(const char *base, const char *partition, const char *zone,
    char **out);
/* "DC=<relname>,<zone_dn>"; relname may hold dots: it is one RDN. */
int dn_node(const char *zone_dn, const char *relname, char **out);
/* The DNS name of a dnsNode DN: "<relname>.<zone>" (just the zone for
 * "@"), from its first two RDN values.  0 / -1. */
int dn_node_fqdn(const char *node_dn, char *out, size_t outlen);
/* The value of the first RDN ("hv1-debian-12-vm" of "CN=hv1-...,OU=..."). */
int dn_first_value(const char *dn, char *out, size_t outlen);
/* "(<attr>=<escaped value>)"; attr letters, digits and hyphens only. */
int dn_filter_eq(const char *attr, const char *value, char **out);

#endif
