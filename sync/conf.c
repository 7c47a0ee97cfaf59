/*
 * conf.c - read vmgroupd.conf with libinih into a checked struct conf.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "dn.h"
#include "dir.h"
#include "name.h"
#include "xmem.h"

enum conf_type {
	CT_STR, CT_UINT, CT_BOOL, CT_LABEL, CT_ZONE, CT_ZONES, CT_URIS,
	CT_GROUPING, CT_NETS
};

struct conf_key {
	const char *section, *name;
	enum conf_type type;
	size_t off, size;		/* where in struct conf, how big */
	unsigned min, max;		/* CT_UINT */
};

#define OFF(f) offsetof(struct conf, f), sizeof(((struct conf *)0)->f)

static const struct conf_key conf_keys[] = {
	{ "directory", "uri", CT_URIS, OFF(uris), 0, 0 },
	{ "directory", "domain", CT_ZONE, OFF(domain), 0, 0 },
	{ "directory", "site", CT_LABEL, OFF(site), 0, 0 },
	{ "directory", "principal", CT_STR, OFF(principal), 0, 0 },
	{ "directory", "keytab", CT_STR, OFF(keytab), 0, 0 },
	{ "directory", "base", CT_STR, OFF(base), 0, 0 },
	{ "directory", "partition", CT_STR, OFF(partition), 0, 0 },
	{ "directory", "groups_ou", CT_STR, OFF(ou), 0, 0 },
	{ "directory", "ssf_min", CT_UINT, OFF(ssf_min), 56, 256 },
	{ "directory", "timeout", CT_UINT, OFF(timeout), 1, 600 },
	{ "dns", "zone", CT_ZONE, OFF(model.zone), 0, 0 },
	{ "dns", "reverse_zones", CT_ZONES, OFF(model.revzones), 0, 0 },
	{ "dns", "ttl", CT_UINT, OFF(model.ttl), 0, 604800 },
	{ "dns", "aging", CT_BOOL, OFF(aging), 0, 0 },
	{ "dns", "vm_records", CT_BOOL, OFF(model.vm_records), 0, 0 },
	{ "groups", "host", CT_LABEL, OFF(model.host), 0, 0 },
	{ "groups", "grouping", CT_GROUPING, OFF(model.grouping), 0, 0 },
	{ "groups", "host_group", CT_LABEL, OFF(model.host_group), 0, 0 },
	{ "groups", "no_image_group", CT_LABEL, OFF(model.no_image), 0, 0 },
	{ "daemon", "spool", CT_STR, OFF(spool), 0, 0 },
	{ "daemon", "state_dir", CT_STR, OFF(state_dir), 0, 0 },
	{ "daemon", "rescan_interval", CT_UINT, OFF(rescan_interval), 1, 86400 },
	{ "daemon", "reconcile_interval", CT_UINT, OFF(reconcile_interval),
	    10, 604800 },
	{ "daemon", "backoff_max", CT_UINT, OFF(backoff_max), 1, 3600 },
	{ "daemon", "renew_margin", CT_UINT, OFF(renew_margin), 0, 86400 },
	{ "daemon", "networks", CT_NETS, OFF(networks), 0, 0 },
	{ "daemon", "max_lease", CT_UINT, OFF(max_lease), 60,
	    (unsigned)EVENT_MAX_LEASE },
};

struct conf_parse {
	struct conf *c;
	char msg[256];			/* the first error */
	int auto_uri;			/* uri = auto on the last uri line */
};

void
conf_defaults(struct conf *c)
{
	char host[256], err[128];

	memset(c, 0, sizeof(*c));
	model_config_init(&c->model);
	(void)xstrlcpy(c->partition, "DomainDnsZones", sizeof(c->partition));
	(void)xstrlcpy(c->keytab, "/etc/vmgroup/vmgroupd.keytab",
	    sizeof(c->keytab));
	(void)xstrlcpy(c->spool, SPOOL_DEFAULT, sizeof(c->spool));
	(void)xstrlcpy(c->state_dir, "/var/lib/vmgroup", sizeof(c->state_dir));
	c->ssf_min = 56;
	c->timeout = 15;
	c->rescan_interval = 60;
	c->reconcile_interval = 3600;
	c->backoff_max = 300;
	c->renew_margin = 600;
	c->max_lease = RELEASE_DEFAULT_HOLD;
	/* the host's short name, when it is a usable label */
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
		if (name_label_syntax(host, c->model.host, err, sizeof(err)) == -1)
			c->model.host[0] = '\0';
	}
}

static int
conf_uint(const char *v, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int
conf_bool(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Split v on blanks or commas, calling fn for each word. */
static int
conf_words(const char *v, struct conf_parse *p,
    int (*fn)(struct conf_parse *, const char *))
{
	char buf[2048], *w, *next;

	if (xstrlcpy(buf, v, sizeof(buf)) == -1)
		return -1;
	for (w = buf; *w != '\0'; w = next) {
		w += strspn(w, " \t,");
		if (*w == '\0')
			break;
		next = w + strcspn(w, " \t,");
		if (*next != '\0')
			*next++ = '\0';
		if (fn(p, w) == -1)
			return -1;
	}
	return 0;
}

static int
conf_add_uri(struct conf_parse *p, const char *w)
{
	struct conf *c = p->c;

	if (strcmp(w, "auto") == 0) {	/* alone: conf_dcs checks */
		p->auto_uri = 1;
		return 0;
	}

	if (strncmp(w, "ldap://", 7) != 0 && strncmp(w, "ldaps://", 8) != 0 &&
	    strncmp(w, "ldapi://", 8) != 0)
		return -1;
	if (c->nuris == CONF_MAX_URIS)
		return -1;
	return xstrlcpy(c->uris[c->nuris++], w, CONF_URI_BUF);
}

static int
conf_add_zone(struct conf_parse *p, const char *w)
{
	struct model_config *m = &p->c->model;
	char err[128];

	if (m->nrevzones == MODEL_MAX_REVZONES)
		return -1;
	if (name_zone_check(w, m->revzones[m->nrevzones], err,
	    sizeof(err)) == -1)
		return -1;
	m->nrevzones++;
	return 0;
}

/* One network of [daemon] networks; a bad one says why. */
static int
conf_add_net(struct conf_parse *p, const char *w)
{
	struct addr_nets *nets = &p->c->networks;
	char why[200];

	if (nets->n == ADDR_MAX_NETS)
		(void)xsnprintf(why, sizeof(why), "more than %d networks",
		    ADDR_MAX_NETS);
	else if (addr_net_parse(w, &nets->net[nets->n], why,
	    sizeof(why)) == 0) {
		nets->n++;
		return 0;
	}
	if (p->msg[0] == '\0')
		(void)xsnprintf(p->msg, sizeof(p->msg), "[daemon] networks: %s",
		    why);
	return -1;
}

static int
conf_set(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	char *field = (char *)p->c + k->off, err[128];

	switch (k->type) {
	case CT_STR:
		return *v == '\0' ? -1 : xstrlcpy(field, v, k->size);
	case CT_UINT:
		return conf_uint(v, k->min, k->max, (unsigned *)(void *)field);
	case CT_BOOL:
		return conf_bool(v, (int *)(void *)field);
	case CT_LABEL:
		return name_label_syntax(v, field, err, sizeof(err));
	case CT_ZONE:
		return name_zone_check(v, field, err, sizeof(err));
	case CT_ZONES:
		p->c->model.nrevzones = 0;
		return conf_words(v, p, conf_add_zone);
	case CT_URIS:
		p->c->nuris = 0;
		p->auto_uri = 0;
		return conf_words(v, p, conf_add_uri);
	case CT_NETS:		/* adds: continued on indented lines */
		return conf_words(v, p, conf_add_net);
	case CT_GROUPING:
		if (strcmp(v, "image") == 0)
			p->c->model.grouping = MODEL_GROUP_IMAGE;
		else if (strcmp(v, "host") == 0)
			p->c->model.grouping = MODEL_GROUP_HOST;
		else
			return -1;
		return 0;
	}
	return -1;
}

static const char *
conf_expect(const struct conf_key *k, char *buf, size_t len)
{
	switch (k->type) {
	case CT_UINT:
		if (xsnprintf(buf, len, "a whole number from %u to %u",
		    k->min, k->max) == -1)
			return "a whole number";
		return buf;
	case CT_BOOL:
		return "yes or no";
	case CT_LABEL:
		return "a DNS label (letters, digits, hyphen; 1-63)";
	case CT_ZONE:
		return "a DNS zone name";
	case CT_ZONES:
		return "up to 8 DNS zone names";
	case CT_URIS:
		return "up to 8 ldap://, ldaps:// or ldapi:// URIs";
	case CT_GROUPING:
		return "image or host";
	case CT_NETS:
		return "up to 32 networks (10.0.0.0/8 fd00::/8)";
	default:
		return "a non-empty value that fits";
	}
}

static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_parse *p = user;
	const struct conf_key *k = NULL;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++)
		if (strcmp(conf_keys[i].section, section) == 0 &&
		    strcmp(conf_keys[i].name, name) == 0)
			k = &conf_keys[i];
	if (k == NULL) {
		if (p->msg[0] == '\0')
			(void)xsnprintf(p->msg, sizeof(p->msg),
			    "unknown setting [%.40s] %.40s", section, name);
		return 0;
	}
	if (conf_set(p, k, value) == -1) {
		if (p->msg[0] == '\0')
			(void)xsnprintf(p->msg, sizeof(p->msg),
			    "[%s] %s: expected %s", section, name,
			    conf_expect(k, buf, sizeof(buf)));
		return 0;
	}
	return 1;
}

/* uri = auto (or no uri): the DCs from DNS SRV records of [directory]
 * domain, or of the domain base names (its DC= RDNs). */
static int
conf_dcs(struct conf *c, int auto_uri, char *msg, size_t len)
{
	char dom[NAME_FQDN_BUF + 2], err[128];

	if (auto_uri && c->nuris > 0) {
		(void)xsnprintf(msg, len, "[directory] uri: auto takes no other "
		    "URI beside it");
		return -1;
	}
	if (c->nuris > 0 || c->domain[0] != '\0' || c->base[0] == '\0')
		return 0;
	if (dn_domain(c->base, dom, sizeof(dom)) == -1 ||
	    name_zone_check(dom, c->domain, err, sizeof(err)) == -1) {
		(void)xsnprintf(msg, len, "[directory] uri = auto needs the "
		    "domain: set [directory] domain (base has no DC= names "
		    "that make one)");
		return -1;
	}
	return 0;
}

static int
conf_required(const struct conf *c, char *msg, size_t len)
{
	const char *missing = NULL;

	if (c->principal[0] == '\0')
		missing = "[directory] principal";
	else if (c->base[0] == '\0')
		missing = "[directory] base";
	else if (c->ou[0] == '\0')
		missing = "[directory] groups_ou";
	else if (c->model.zone[0] == '\0')
		missing = "[dns] zone";
	else if (c->model.host[0] == '\0')
		missing = "[groups] host (the system host name is no DNS label)";
	if (missing == NULL)
		return 0;
	(void)xsnprintf(msg, len, "missing setting %s", missing);
	return -1;
}

/* libinih cuts lines at INI_MAX_LINE and reads the rest as a line of its
 * own, which could silently lose the end of a list: the number of the
 * first line that is too long, or 0. */
static int
conf_long_line(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int lineno = 0, found = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;		/* ini_parse says why */
	while (found == 0 && (n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n > INI_MAX_LINE - 2)
			found = lineno;
	}
	free(line);
	fclose(fp);
	return found;
}

int
conf_load(const char *path, struct conf *c, char *err, size_t errlen)
{
	struct conf_parse p = { .c = c };
	int rc;

	conf_defaults(c);
	if ((rc = conf_long_line(path)) > 0) {
		(void)xsnprintf(err, errlen, "%s:%d: longer than %d characters "
		    "(continue a list on indented lines)", path, rc,
		    INI_MAX_LINE - 2);
		return -1;
	}
	rc = ini_parse(path, conf_handler, &p);
	if (rc == -1) {
		(void)xsnprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (rc != 0) {
		(void)xsnprintf(err, errlen, "%s:%d: %s", path, rc,
		    p.msg[0] != '\0' ? p.msg : "syntax error");
		return -1;
	}
	if (conf_dcs(c, p.auto_uri, p.msg, sizeof(p.msg)) == -1 ||
	    conf_required(c, p.msg, sizeof(p.msg)) == -1) {
		(void)xsnprintf(err, errlen, "%s: %s", path, p.msg);
		return -1;
	}
	return 0;
}

void
conf_dump(const struct conf *c, FILE *fp)
{
	char net[INET6_ADDRSTRLEN + 8];
	size_t i;

	fprintf(fp, "[directory]\nuri =");
	for (i = 0; i < c->nuris; i++)
		fprintf(fp, " %s", c->uris[i]);
	if (c->nuris == 0)
		fprintf(fp, " auto\ndomain = %s\nsite = %s", c->domain, c->site);
	fprintf(fp, "\nprincipal = %s\nkeytab = %s\nbase = %s\n"
	    "partition = %s\ngroups_ou = %s\nssf_min = %u\ntimeout = %u\n",
	    c->principal, c->keytab, c->base, c->partition, c->ou, c->ssf_min,
	    c->timeout);
	fprintf(fp, "\n[dns]\nzone = %s\nreverse_zones =", c->model.zone);
	for (i = 0; i < c->model.nrevzones; i++)
		fprintf(fp, " %s", c->model.revzones[i]);
	fprintf(fp, "\nttl = %u\naging = %s\nvm_records = %s\n", c->model.ttl,
	    c->aging ? "yes" : "no", c->model.vm_records ? "yes" : "no");
	fprintf(fp, "\n[groups]\nhost = %s\ngrouping = %s\nhost_group = %s\n"
	    "no_image_group = %s\n", c->model.host,
	    c->model.grouping == MODEL_GROUP_HOST ? "host" : "image",
	    c->model.host_group, c->model.no_image);
	fprintf(fp, "\n[daemon]\nspool = %s\nstate_dir = %s\n"
	    "rescan_interval = %u\nreconcile_interval = %u\nbackoff_max = %u\n"
	    "renew_margin = %u\nmax_lease = %u\nnetworks =", c->spool,
	    c->state_dir, c->rescan_interval, c->reconcile_interval,
	    c->backoff_max, c->renew_margin, c->max_lease);
	for (i = 0; i < c->networks.n; i++)
		if (addr_net_format(&c->networks.net[i], net, sizeof(net)) == 0)
			fprintf(fp, " %s", net);
	fprintf(fp, "\n");
}

int
conf_event_allowed(const struct conf *c, const struct event *ev, char *why,
    size_t whylen)
{
	return addr_event_allowed(&c->networks, ev, why, whylen);
}

void
conf_dir_params(const struct conf *c, struct dir_params *dp)
{
	size_t i;

	memset(dp, 0, sizeof(*dp));
	for (i = 0; i < c->nuris && i < DIR_MAX_URIS; i++)
		dp->uris[dp->nuris++] = c->uris[i];
	dp->domain = c->nuris == 0 ? c->domain : NULL;
	dp->site = c->site[0] != '\0' ? c->site : NULL;
	dp->ssf_min = c->ssf_min;
	dp->timeout = c->timeout;
	dp->principal = c->principal[0] != '\0' ? c->principal : NULL;
}

int
conf_state_path(const struct conf *c, const char *file, char *buf, size_t len)
{
	return xsnprintf(buf, len, "%s/%s", c->state_dir, file);
}
