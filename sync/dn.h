/*
 * dn.h - every DN we build goes through libldap (an LDAPDN and
 * ldap_dn2str), every filter value through ldap_bv2escaped_filter_value, so
 * a name with ',', '+', '=', '#', '\', '*', '(' or ')' in it cannot change
 * the meaning of a DN or a filter.  Results are malloc'ed; free() them.
 */
#ifndef VMG_DN_H
#define VMG_DN_H

#include <stddef.h>
#include <time.h>

#define DN_GENTIME_BUF 32

/* "<attr>=<value>,<parent>", value being one RDN value, escaped by libldap
 * (',', '+', '=', '#' first, ' ' first or last, '\\', '"', '<', '>', ';').
 * parent must parse as an LDAPv3 DN ("" is the root); attr letters, digits
 * and hyphens; value non-empty, valid UTF-8 (non-ASCII comes out as \XX),
 * no control characters.  0 / -1 (*out NULL). */
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
/* The value of the first RDN ("hv1-debian-12-vm" of "CN=hv1-...,OU=...").
 * -1 if the DN does not parse, the RDN has more than one AVA or a BER
 * ('#' hex) value, the value holds a NUL, or it does not fit in out. */
int dn_first_value(const char *dn, char *out, size_t outlen);
/* The DNS domain of a base DN: its trailing DC RDNs joined with dots
 * ("example.test" of "OU=x,DC=example,DC=test").  -1 if there are none,
 * the DN does not parse, or it does not fit in out (not checked as a DNS
 * name: the caller does). */
int dn_domain(const char *dn, char *out, size_t outlen);
/* The DN of a replication-conflict copy of a node under zone_dn: name is
 * its RDN value "<node name>\nCNF:<GUID>" (the node name plain, as
 * dn_node takes it, the GUID 36 hex digits and hyphens), the newline
 * written \0A.  0 / -1 (not of that shape; *out NULL). */
int dn_cnf_node(const char *zone_dn, const char *name, char **out);
/* "(<attr>=<escaped value>)", the value through
 * ldap_bv2escaped_filter_value ('*', '(', ')', '\\' and non-ASCII as \XX);
 * attr letters, digits and hyphens only.  0 / -1 (*out NULL). */
int dn_filter_eq(const char *attr, const char *value, char **out);
/* "(&(objectClass=dnsNode)(|(dc=<name>)...))" for names[0..n), each
 * value escaped as dn_filter_eq does.  -1 if a value cannot be. */
int dn_filter_nodes(const char *const *names, size_t n, char **out);
/* head (one that opens two parentheses, "(&(objectClass=x)(|" or "(|(|"),
 * then "(<attr>=<name>)" for each name, escaped, then "))". */
int dn_filter_any(const char *head, const char *attr,
    const char *const *names, size_t n, char **out);
/* "(&(objectClass=vmGroup)[(vmGroupBlocked=TRUE)][(<attr>=<value>)])":
 * the vmGroup objects, only the blocked ones if blocked is set, whose attr
 * equals value (attr NULL: any); value escaped as dn_filter_eq does.
 * 0 / -1 (*out NULL). */
int dn_filter_groups(const char *attr, const char *value, int blocked,
    char **out);
/* t as an LDAP GeneralizedTime value, "YYYYmmddHHMMSS.0Z" (UTC); the
 * epoch's if t cannot be converted. */
void dn_gentime(time_t t, char out[DN_GENTIME_BUF]);
/* A GeneralizedTime value as the directory holds it (gt[0..len), UTC:
 * "YYYYmmddHHMMSS[.fraction]Z", as dn_gentime writes and AD returns) as
 * RFC 3339 "YYYY-mm-ddTHH:MM:SSZ", the fraction dropped.  0, or -1 for
 * any other form (a time zone offset, minutes or seconds left out). */
int dn_gentime_rfc3339(const char *gt, size_t len, char out[DN_GENTIME_BUF]);

#endif
