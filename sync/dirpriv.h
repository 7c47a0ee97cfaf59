/*
 * dirpriv.h - what dir.c (the session, entries, vmGroup objects) shares
 * with dirnode.c (dnsNodes: read, write, scan, pipelined writes), the two
 * halves of the directory module, the only code that speaks LDAP.  Include
 * it nowhere else: callers use dir.h, which has no LDAP types.
 */
#ifndef VMG_DIRPRIV_H
#define VMG_DIRPRIV_H

#include <ldap.h>

#include "dir.h"

/* Views of values ldap_get_values_len returned (bv: NULL for none). */
struct dir_value *dir_priv_values(struct berval **bv, size_t *n);
/* berval views of values: NULL-terminated, one block to free. */
struct berval **dir_priv_bervals(const struct dir_value *v, size_t n);
/* Record rc, say what failed in err, close a lost connection; -1. */
int dir_priv_fail(struct dir *d, int rc, const char *what, const char *dn,
    char *err, size_t errlen);
/* mods as LDAPMods in m (room for DIR_MAX_MODS) and ptrs; -1: too many. */
int dir_ldapmods(const struct dir_mod *mods, size_t nmods, LDAPMod *m,
    LDAPMod **ptrs);
/* The kind of an LDAP result code. */
enum dir_error dir_priv_kind(int rc);
/* Base search of dn for attrs: -1 error, 0 no such object, 1 found (*res
 * set, holding one entry; ldap_msgfree it). */
int dir_priv_base_search(struct dir *d, const char *dn, char *const *attrs,
    LDAPMessage **res, char *err, size_t errlen);

/* The controls of every node read: the SD flags control asking for the
 * owner alone (not critical: OpenLDAP ignores it), NULL-ended. */
LDAPControl **dir_priv_sdflags(void);
/* Who owns entry e (read with nTSecurityDescriptor and creatorsName). */
int dir_priv_owner(struct dir *d, LDAPMessage *e);

/* The URIs dir_open tries (dirdc.c): the configured ones, or the DCs
 * DNS names for the domain (looked up when none are known: at first, and
 * after they all failed); their count, 0 with err. */
size_t dir_dc_uris(struct dir *d, const char **uris, char *err,
    size_t errlen);

#endif
