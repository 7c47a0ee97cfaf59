/*
 * conf.h - vmgroupd.conf: an INI file (libinih) read into a validated,
 * range-checked struct.  See vmgroupd.conf(5).
 */
#ifndef VMG_CONF_H
#define VMG_CONF_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"
#include "model.h"
#include "spool.h"

#define CONF_DEFAULT_PATH "/etc/vmgroup/vmgroupd.conf"
#define CONF_MAX_URIS 8
#define CONF_URI_BUF 256
#define CONF_DN_BUF 512

/* The files of the state folder ([daemon] state_dir). */
#define CONF_STATE_REGS "registrations.json"	/* state.c */
#define CONF_STATE_OWNED "owned.json"		/* own.c */
#define CONF_STATE_STATUS "status.json"		/* status.c */

struct dir_params;

struct conf {
	/* [directory] */
	char uris[CONF_MAX_URIS][CONF_URI_BUF];
	size_t nuris;			/* 0: uri = auto (DNS SRV) */
	char domain[NAME_FQDN_BUF];	/* for uri = auto; "": from base */
	char site[NAME_LABEL_BUF];	/* its DCs first; "": none */
	char principal[256];
	char keytab[PATH_MAX];
	char base[CONF_DN_BUF];		/* DC=example,DC=test */
	char partition[64];		/* DomainDnsZones */
	char ou[CONF_DN_BUF];		/* where vmGroup objects live */
	unsigned ssf_min;
	unsigned timeout;		/* network timeout, seconds */
	/* [dns] and [groups] */
	struct model_config model;	/* host, zones, grouping, ttl ... */
	int aging;			/* write aging timestamps */
	/* [daemon] */
	char spool[PATH_MAX];
	char state_dir[PATH_MAX];	/* registrations and ownership record */
	unsigned rescan_interval;	/* seconds between spool rescans */
	unsigned reconcile_interval;	/* seconds between full reconciles */
	unsigned backoff_max;		/* cap of the retry backoff, seconds */
	unsigned renew_margin;		/* re-acquire credentials this early */
	struct addr_nets networks;	/* allow-list; none: any address */
	unsigned max_lease;		/* keep release records this long */
};

void conf_defaults(struct conf *c);
/* 0 ok; -1 with err set ("file:line: what is wrong"). */
int conf_load(const char *path, struct conf *c, char *err, size_t errlen);
/* Print the effective configuration (no secrets: there are none in it). */
void conf_dump(const struct conf *c, FILE *fp);
/* The allow-list ([daemon] networks) for one event: 0, or -1 with why
 * naming the address outside every listed network and the setting. */
int conf_event_allowed(const struct conf *c, const struct event *ev,
    char *why, size_t whylen);
/* The directory session settings of a configuration (URIs point into c). */
void conf_dir_params(const struct conf *c, struct dir_params *dp);
/* <state_dir>/<file> (one of CONF_STATE_*): 0, or -1 if too long. */
int conf_state_path(const struct conf *c, const char *file, char *buf,
    size_t len);

#endif
