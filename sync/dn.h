/*
 * dn.h - every DN we build goes through libldap (an LDAPDN and
 * ldap_dn2str), every filter value through ldap_bv2escaped_filter_value, so
 * a name with ',', '+', '=', '#', '\', '*', '(' or ')' in it cannot change
 * the meaning of a DN or a filter.  Results are malloc'ed; free() them.
 */
#ifndef VMG_DN_H
#define VMG_DN_H

/* "<attr>=<value>,<parent>", value being one RDN value.  0 / -1. */
int dn_child(const char *parent, const char *attr, const char *value,
    char **out);
/* "DC=<zone>,CN=MicrosoftDNS,DC=<partition>,<base>". */
int dn_zone(const char *base, const char *partition, const char *zone,
    char **out);
/* "DC=<relname>,<zone_dn>"; relname may hold dots: it is one RDN. */
int dn_node(const char *zone_dn, const char *relname, char **out);
/* "(<attr>=<escaped value>)"; attr letters, digits and hyphens only. */
int dn_filter_eq(const char *attr, const char *value, char **out);

#endif
