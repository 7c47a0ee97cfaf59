/*
 * dir.h - the LDAP session: the only code that speaks LDAP.
 *
 * One long-lived connection, authenticated with SASL GSSAPI, with a SASL
 * security strength floor (AD requires signing: SSF >= 56), over the first
 * URI of the list that answers.
 *
 * The credential: dir_open binds with whatever credential cache GSSAPI in
 * the calling thread is pointed at.  krb_acquire (krb.h) points it, for
 * the calling thread, at the private cache holding the service account's
 * ticket (gss_krb5_ccache_name: thread-global state, set nowhere else).
 * So call krb_acquire before dir_open, in the same thread, and again (then
 * reopen) before the ticket ends.  It is done this way because libldap's
 * option for handing the bind a GSSAPI credential needs a SASL context
 * that only exists during the bind (see dir_open_one in dir.c).  Nothing
 * here reads struct krb.
 */
#ifndef VMG_DIR_H
#define VMG_DIR_H

#include <stddef.h>
#include <stdint.h>

#define DIR_MAX_URIS 8
#define DIR_URI_BUF 300

struct dir_params {
	const char *uris[DIR_MAX_URIS];	/* tried in order, from the last good */
	size_t nuris;			/* 0: the DCs of domain (dirdc.c) */
	const char *domain;		/* AD domain, for nuris 0 */
	const char *site;		/* its DCs first; NULL: none */
	unsigned ssf_min;		/* refuse a weaker session */
	unsigned timeout;		/* network and operation timeout, s */
	const char *principal;		/* the keytab's (NULL: unknown): finds
					 * the account on AD (dirown.c) */
};

struct dir {
	struct ldap *ld;		/* LDAP *, NULL while closed */
	struct dir_params params;
	char found[DIR_MAX_URIS][DIR_URI_BUF];	/* DNS's DCs (nuris 0) */
	size_t nfound;			/* 0: look them up (again) */
	size_t uri;			/* index of the URI in use / to try */
	unsigned ssf;			/* negotiated SASL SSF */
	char authzid[512];		/* who the server says we are */
	/* who we are, to tell the nodes we own (dirown.c): the account's SID
	 * (AD), or the DN Who am I? gave (OpenLDAP); neither: not known */
	uint8_t self_sid[68];
	size_t self_sidlen;
	char self_dn[512];
	int self_warned;
	int last_rc;			/* result of the last operation */
};

void dir_init(struct dir *d, const struct dir_params *p);
/* The DCs of domain from DNS SRV records (site's first when site is not
 * NULL or ""), as ldap://name:port URIs, at most max: 0 / -1 with err. */
int dir_dc_find(const char *domain, const char *site,
    char (*uris)[DIR_URI_BUF], size_t max, size_t *n, char *err,
    size_t errlen);
/* The "host:port host:port" list of a DNS answer added to uris (each once,
 * at most max): 0, or -1 if an entry was no host name and port (skipped). */
int dir_dc_take(const char *hostlist, char (*uris)[DIR_URI_BUF], size_t max,
    size_t *n);
struct sockaddr_storage;
/* The address of the server d is connected to (dirwatch.c): 0, or -1
 * when closed or not over TCP (ldapi://). */
int dir_peer(struct dir *d, struct sockaddr_storage *ss);
/* The addresses of every server d may connect to: its URIs' host names
 * resolved, or (uri = auto) the DCs found in DNS, at most max (dirdc.c). */
size_t dir_dc_addrs(const struct dir *d, struct sockaddr_storage *out,
    size_t max);
/* One SRV record of a DNS answer (dirdc.c). */
struct dir_srv {
	unsigned prio, weight, port;
	char target[256];
};
/* Order r in place as RFC 2782 asks: lowest priority first; within one
 * priority, each next record drawn with a chance proportional to its
 * weight (weight 0: only when the draw is 0), the draw being
 * rnd(arg) % (sum of the remaining weights + 1). */
void dir_srv_order(struct dir_srv *r, size_t n, uint32_t (*rnd)(void *),
    void *arg);
/* Find who the session is, for struct dir_node's owner (dirown.c): done
 * by dir_open.  Not finding it is no failure (owners stay unknown, said
 * once in the log); -1 only when the connection is lost. */
int dir_self_find(struct dir *d, char *err, size_t errlen);
/* Connect and bind, failing over through the URIs. 0 / -1 with err. */
int dir_open(struct dir *d, char *err, size_t errlen);
void dir_close(struct dir *d);
/* From a signal handler (async-signal-safe): end any wait on the
 * directory now (its connection is shut down, and any made later), so a
 * stop is not held up by a hung server. */
void dir_abort(void);
const char *dir_uri(const struct dir *d);
/* "text (diagnostic)" for the last result on d's connection. */
void dir_errtext(struct dir *d, int rc, char *err, size_t errlen);
/* True if rc means the connection is gone and must be reopened. */
int dir_rc_is_connection(int rc);

/* What went wrong in the last operation, for callers that decide (retry,
 * give up, forget) by kind, never by an LDAP result code. */
enum dir_error {
	DIR_OK,
	DIR_EXISTS,		/* an add found the entry there already */
	DIR_CHANGED,		/* changed under us: a constrained update's
				 * old value or entry is gone (no such
				 * attribute, no such object) or a new value
				 * is there already (type or value exists) */
	DIR_NO_ACCESS,		/* the account may not do it */
	DIR_LOST,		/* the connection is gone (closed: reopen) */
	DIR_OTHER
};
/* The kind of the last operation's result on d (after a call that
 * returned -1; a read of a missing entry leaves DIR_CHANGED). */
enum dir_error dir_error(const struct dir *d);

/* One attribute value, octets (not NUL-terminated).  In what dir returns it
 * points into memory the owning struct's free function releases. */
struct dir_value {
	const uint8_t *val;
	size_t len;
};

/* Who owns a node in the directory: its security descriptor's owner (AD)
 * or creatorsName (OpenLDAP), against who we are (dir_self_find). */
enum dir_owner {
	DIR_OWNER_UNKNOWN,		/* the server did not say, or we do
					 * not know who we are */
	DIR_OWNER_SELF,			/* the account vmgroupd binds as */
	DIR_OWNER_OTHER
};

/* Who owns an entry whose nTSecurityDescriptor (read with the SD flags
 * control: dir_entry_read and node reads send it) and creatorsName values
 * are sd and creator (dirown.c). */
enum dir_owner dir_owner_of(const struct dir *d, const struct dir_value *sd,
    size_t nsd, const struct dir_value *creator, size_t ncreator);

/* A dnsNode as the directory holds it. */
struct dir_node {
	int exists;
	int tombstoned;			/* dNSTombstoned: TRUE */
	enum dir_owner owner;
	struct dir_value *values;	/* dnsRecord values */
	size_t nvalues;
	void *held;			/* private: what values point into */
};

/* Base search of dn; a missing node gives exists = 0 and returns 0. */
int dir_node_read(struct dir *d, const char *dn, struct dir_node *out,
    char *err, size_t errlen);
void dir_node_free(struct dir_node *n);
/* Create a dnsNode with its DC value and records (DIR_EXISTS when it is
 * there already). */
int dir_node_add(struct dir *d, const char *dn, const char *dc,
    const struct dir_value *vals, size_t nvals, char *err, size_t errlen);
/* One constrained modify: delete exactly dels, add adds, and set
 * dNSTombstoned to tomb (0 FALSE, 1 TRUE, -1 leave).  A concurrent change of
 * the deleted values makes it fail (DIR_CHANGED) instead of being lost. */
int dir_node_update(struct dir *d, const char *dn,
    const struct dir_value *dels, size_t ndels, const struct dir_value *adds,
    size_t nadds, int tomb, char *err, size_t errlen);
/* Tombstone a node the way Windows DNS does: delete exactly its values
 * held (DIR_CHANGED if they changed meanwhile), add the one tombstone
 * value, set dNSTombstoned TRUE. */
int dir_node_tombstone(struct dir *d, const char *dn,
    const struct dir_value *held, size_t nheld,
    const struct dir_value *tombstone, char *err, size_t errlen);
/* Every dnsNode directly under zone_dn (filter NULL), or those matching
 * filter (built by dn.c), read page by page (the paged results control):
 * fn gets each node's name (its first RDN value, as the directory spells
 * it) and contents, valid during the call.  fn returns 0 to go on, -1 to
 * stop (then this returns -1, fn having set err). */
typedef int (*dir_node_fn)(void *ctx, const char *name,
    const struct dir_node *n, char *err, size_t errlen);
int dir_node_scan(struct dir *d, const char *zone_dn, const char *filter,
    dir_node_fn fn, void *ctx, char *err, size_t errlen);
/* The same scan taken as it comes, so that other work runs while the
 * server prepares a page: dir_scan_start asks for the first page;
 * dir_scan_step with wait 0 hands fn what has come and asks for the next
 * page when one ends, never blocking (1: more to come), with wait 1 reads
 * to the end; 0 done, -1 failed (err; fn's stop too).  dir_scan_end
 * abandons a page still in flight and closes the connection with it (as
 * fn's stop does): slapd's paged state is the connection's, and the next
 * scan's pages could meet the abandoned one's.  One scan at a time on a
 * connection (the paged results control). */
struct dir_scan {
	struct dir *d;
	char *base, *filter;
	dir_node_fn fn;
	void *ctx;
	void *cookie;			/* the next page's (libldap's), or NULL */
	int msgid;			/* the page in flight, -1: none */
	int rc;				/* the LDAP result so far */
	int stopped, done;
};
void dir_scan_start(struct dir_scan *s, struct dir *d, const char *zone_dn,
    const char *filter, dir_node_fn fn, void *ctx);
int dir_scan_step(struct dir_scan *s, int wait, char *err, size_t errlen);
void dir_scan_end(struct dir_scan *s);

/* One node write of a pipelined batch (dir_node_run). */
/* DIR_OP_MODS: any entry's modify (a vmGroup object's), mods as given */
enum dir_op_kind { DIR_OP_ADD, DIR_OP_UPDATE, DIR_OP_MODS };
struct dir_mod;
struct dir_node_op {
	enum dir_op_kind kind;
	const char *dn;
	const struct dir_mod *mods;	/* DIR_OP_MODS */
	size_t nmods;
	const char *dc;			/* DIR_OP_ADD: the DC value */
	const struct dir_value *dels;	/* DIR_OP_UPDATE: exact old values */
	size_t ndels;
	const struct dir_value *adds;	/* values to add (an add's values) */
	size_t nadds;
	int tomb;			/* DIR_OP_UPDATE: as dir_node_update */
	int sent;			/* out: it was sent */
	int done;			/* out: a result came back */
	enum dir_error result;		/* out: its kind */
};
/* Send ops with up to window of them in flight on the one connection and
 * collect each result into its op.  DIR_EXISTS and DIR_CHANGED are left to
 * the caller (read again, retry).  0 when every op has a result; -1 with
 * err at the first other failure, or when stop (may be NULL) says so
 * before a send: no op is sent after it (those in flight are still
 * collected, unless the connection is lost). */
struct dir_run {
	size_t window;			/* writes in flight at once */
	int (*stop)(void);		/* NULL, or true: send no more */
	void (*done)(void *ctx, size_t i);	/* NULL, or: ops[i] has its
						 * result (as it comes) */
	void *ctx;
};
int dir_node_run(struct dir *d, struct dir_node_op *ops, size_t n,
    const struct dir_run *how, char *err, size_t errlen);

/* Returns the last LDAP result code of d (for the CLI's messages). */
int dir_last_rc(const struct dir *d);

/* Generic entries (vmGroup objects): the values of the attributes asked
 * for, per attribute (none: nvals 0). */
#define DIR_ENTRY_MAX_ATTRS 16
struct dir_entry {
	int exists;
	size_t nattrs;
	struct dir_value *vals[DIR_ENTRY_MAX_ATTRS];	/* per requested attr */
	size_t nvals[DIR_ENTRY_MAX_ATTRS];
	void *held[DIR_ENTRY_MAX_ATTRS];		/* private */
};
/* Base read of attrs (NULL-terminated, at most DIR_ENTRY_MAX_ATTRS); a
 * missing entry gives exists = 0 and returns 0. */
int dir_entry_read(struct dir *d, const char *dn, char *const *attrs,
    struct dir_entry *out, char *err, size_t errlen);
void dir_entry_free(struct dir_entry *e);
/* Subtree search under base with filter (built by dn_filter_eq & co):
 * the matching entries' attrs, at most DIR_SEARCH_MAX. */
#define DIR_SEARCH_MAX 1000
/* The same, each entry handed to fn as it comes (valid during the call)
 * instead of all of them held at once: a few big objects need no more
 * memory than the biggest.  fn returns 0 (go on) or -1 (stop: the rest
 * is abandoned and this returns -1; fn said why in err). */
int dir_entries_each(struct dir *d, const char *base, const char *filter,
    char *const *attrs, int (*fn)(void *ctx, const struct dir_entry *e,
    char *err, size_t errlen), void *ctx, char *err, size_t errlen);
int dir_entries_search(struct dir *d, const char *base, const char *filter,
    char *const *attrs, struct dir_entry **out, size_t *count, char *err,
    size_t errlen);
void dir_entries_free(struct dir_entry *e, size_t count);

/* vmGroup objects: written with attribute changes, no LDAP types. */
enum dir_mod_op { DIR_MOD_ADD, DIR_MOD_REPLACE, DIR_MOD_DELETE };
/* One attribute change; vals NULL-terminated strings (NULL with
 * DIR_MOD_DELETE or DIR_MOD_REPLACE: all values out). */
struct dir_mod {
	enum dir_mod_op op;
	const char *attr;
	char *const *vals;
};
#define DIR_MAX_MODS 16
/* Create dn with the attributes of mods (DIR_MOD_ADD); DIR_EXISTS when it
 * is there already. */
int dir_group_add(struct dir *d, const char *dn, const struct dir_mod *mods,
    size_t nmods, char *err, size_t errlen);
/* Change dn's attributes as mods say, in one modify. */
int dir_group_modify(struct dir *d, const char *dn,
    const struct dir_mod *mods, size_t nmods, char *err, size_t errlen);
/* Delete dn; one that is gone already is no failure. */
int dir_group_delete(struct dir *d, const char *dn, char *err,
    size_t errlen);

/*
 * Following changes under a DN (dirwatch.c), on a connection of its own
 * (open a second struct dir for it): by the change notification control
 * on AD and Samba, by syncrepl refreshAndPersist on OpenLDAP, by nothing
 * (the caller polls) where the root DSE offers neither.  A change says
 * only that something under the DN changed (adds and modifies; deletes on
 * OpenLDAP, not on Samba): read what you need, and read again now and then.
 */
enum dir_watch_kind { DIR_WATCH_NONE, DIR_WATCH_NOTIFY, DIR_WATCH_SYNC };
struct dir_watch {
	struct dir *d;			/* the connection it runs on */
	const char *base;		/* the caller's: what it follows */
	int msgid;			/* the persistent search; -1: none */
	enum dir_watch_kind kind;
};
/* Start on d's connection, one level under base: 0 (w->kind says how;
 * DIR_WATCH_NONE: nothing started), -1 with err. */
int dir_watch_start(struct dir_watch *w, struct dir *d, const char *base,
    char *err, size_t errlen);
/* The socket to wait on (readable: call dir_watch_take); -1: none. */
int dir_watch_fd(const struct dir_watch *w);
/* Take what has arrived, without waiting: the number of changes (0:
 * none), or -1 with err when the search or its connection ended (closed:
 * open again and restart), or -2 with err when the server refused to
 * follow this base (kind is DIR_WATCH_NONE now: poll).  Call it before each wait: SASL may hold a
 * decoded message the socket no longer shows. */
int dir_watch_take(struct dir_watch *w, char *err, size_t errlen);
void dir_watch_stop(struct dir_watch *w);
/* "change notification (OID)", "syncrepl refreshAndPersist (OID)",
 * "polling". */
const char *dir_watch_name(enum dir_watch_kind k);

#endif
