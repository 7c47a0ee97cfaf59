/*
 * dir.h - the LDAP session: the only code that speaks LDAP.
 *
 * One long-lived connection, authenticated with SASL GSSAPI from the
 * credential krb.c holds, with a SASL security strength floor (AD requires
 * signing: SSF >= 56), over the first URI of the list that answers.
 */
#ifndef VMG_DIR_H
#define VMG_DIR_H

#include <ldap.h>
#include <stddef.h>

#include "krb.h"

#define DIR_MAX_URIS 8

struct dir_params {
	const char *uris[DIR_MAX_URIS];	/* tried in order, from the last good */
	size_t nuris;
	unsigned ssf_min;		/* refuse a weaker session */
	unsigned timeout;		/* network and operation timeout, s */
};

struct dir {
	LDAP *ld;			/* NULL while closed */
	struct dir_params params;
	struct krb *krb;
	size_t uri;			/* index of the URI in use / to try */
	unsigned ssf;			/* negotiated SASL SSF */
	char authzid[512];		/* who the server says we are */
	int last_rc;			/* result of the last operation */
};

void dir_init(struct dir *d, const struct dir_params *p, struct krb *krb);
/* Connect and bind, failing over through the URIs. 0 / -1 with err. */
int dir_open(struct dir *d, char *err, size_t errlen);
void dir_close(struct dir *d);
const char *dir_uri(const struct dir *d);
/* "text (diagnostic)" for the last result on d's connection. */
void dir_errtext(struct dir *d, int rc, char *err, size_t errlen);
/* True if rc means the connection is gone and must be reopened. */
int dir_rc_is_connection(int rc);

/* A dnsNode as the directory holds it. */
struct dir_node {
	int exists;
	int tombstoned;			/* dNSTombstoned: TRUE */
	struct berval **values;		/* dnsRecord values (ldap_get_values_len) */
	size_t nvalues;
};

/* Base search of dn; a missing node gives exists = 0 and returns 0. */
int dir_node_read(struct dir *d, const char *dn, struct dir_node *out,
    char *err, size_t errlen);
void dir_node_free(struct dir_node *n);
/* Create a dnsNode with its DC value and records. */
int dir_node_add(struct dir *d, const char *dn, const char *dc,
    struct berval *const *vals, size_t nvals, char *err, size_t errlen);
/* One constrained modify: delete exactly dels, add adds, and set
 * dNSTombstoned to tomb (0 FALSE, 1 TRUE, -1 leave).  A concurrent change of
 * the deleted values makes it fail (noSuchAttribute) instead of being lost. */
int dir_node_update(struct dir *d, const char *dn, struct berval *const *dels,
    size_t ndels, struct berval *const *adds, size_t nadds, int tomb,
    char *err, size_t errlen);
/* Returns the last LDAP result code of d (for retry decisions). */
int dir_last_rc(const struct dir *d);

/* Generic entries (vmGroup objects). */
#define DIR_ENTRY_MAX_ATTRS 16
struct dir_entry {
	int exists;
	size_t nattrs;
	struct berval **vals[DIR_ENTRY_MAX_ATTRS];	/* per requested attr */
};
int dir_entry_read(struct dir *d, const char *dn, char *const *attrs,
    struct dir_entry *out, char *err, size_t errlen);
void dir_entry_free(struct dir_entry *e);
/* Subtree search under base with filter (built by dn_filter_eq & co):
 * the matching entries' attrs, at most DIR_SEARCH_MAX. */
#define DIR_SEARCH_MAX 1000
int dir_entries_search(struct dir *d, const char *base, const char *filter,
    char *const *attrs, struct dir_entry **out, size_t *count, char *err,
    size_t errlen);
void dir_entries_free(struct dir_entry *e, size_t count);
int dir_entry_add(struct dir *d, const char *dn, LDAPMod **mods, char *err,
    size_t errlen);
int dir_entry_modify(struct dir *d, const char *dn, LDAPMod **mods,
    char *err, size_t errlen);
int dir_entry_delete(struct dir *d, const char *dn, char *err, size_t errlen);

#endif
