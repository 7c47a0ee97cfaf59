/*
 * cli_common.c - what the commands of vmgroup(1) share (cli_common.h).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_common.h"
#include "dn.h"
#include "jsontext.h"
#include "vmgroup_attrs.h"
#include "xmem.h"

static char q_cn[] = "cn", q_dns[] = VMG_ATTR_DNSNAME,
    q_host[] = VMG_ATTR_HOST, q_image[] = VMG_ATTR_IMAGE,
    q_member[] = VMG_ATTR_MEMBER, q_addr[] = VMG_ATTR_ADDRESS,
    q_blocked[] = VMG_ATTR_BLOCKED, q_reason[] = VMG_ATTR_BLOCKREASON,
    q_time[] = VMG_ATTR_BLOCKTIME, q_by[] = VMG_ATTR_BLOCKEDBY,
    q_updated[] = VMG_ATTR_LASTUPDATE;
char *const cli_group_attrs[] = { q_cn, q_dns, q_host, q_image, q_member,
    q_addr, q_blocked, q_reason, q_time, q_by, q_updated, NULL };
/* Their places in cli_group_attrs (and in an entry read with them). */
enum { GA_CN, GA_DNS, GA_HOST, GA_IMAGE, GA_MEMBER, GA_ADDR, GA_BLOCKED,
    GA_REASON, GA_TIME, GA_BY, GA_UPDATED };

int
cli_parsed_exit(enum cli_parsed p, void (*usage)(FILE *))
{
	switch (p) {
	case CLI_PARSED_HELP:
		usage(stdout);
		return CLI_OK;
	case CLI_PARSED_REFUSED:
		return CLI_FAIL;
	default:
		usage(stderr);
		return CLI_USAGE;
	}
}

int
cli_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

enum cli_parsed
cli_config_opt(int argc, char *argv[], const char **path, int *json,
    int *first)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	if (json != NULL)
		*json = 0;
	while ((ch = getopt_long(argc, argv, "f:h", lo, NULL)) != -1) {
		if (ch == 'f')
			*path = optarg;
		else if (ch == 'j' && json != NULL)
			*json = 1;
		else
			return ch == 'h' ? CLI_PARSED_HELP : CLI_PARSED_USAGE;
	}
	*first = optind;
	return CLI_PARSED_RUN;
}

int
cli_conf(const char *path, struct conf *c, const char *cmd)
{
	char err[512];

	if (conf_load(path, c, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup %s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

int
cli_dir_open(const struct conf *c, struct krb *krb, struct dir *d,
    struct dir_params *dp, const char *cmd)
{
	char err[512];

	if (krb_init(krb, c->keytab, c->principal, err, sizeof(err)) == -1 ||
	    krb_acquire(krb, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup %s: %s\n", cmd, err);
		return -1;
	}
	conf_dir_params(c, dp);
	dir_init(d, dp);
	if (dir_open(d, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup %s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

/* Print one value of a directory entry as text: printable ASCII only. */
static void
cli_print_value(const struct dir_value *v)
{
	size_t i;

	for (i = 0; i < v->len && i < 1024; i++)
		putchar(v->val[i] >= 0x20 && v->val[i] < 0x7f ?
		    v->val[i] : '?');
}

void
cli_print_group(const struct dir_entry *e)
{
	size_t a, i;

	printf("group");
	for (a = 0; a < e->nattrs; a++) {
		if (e->nvals[a] == 0)
			continue;
		if (a > 0)
			printf("\n  %s:", cli_group_attrs[a]);
		for (i = 0; i < e->nvals[a]; i++) {
			putchar(' ');
			cli_print_value(&e->vals[a][i]);
		}
	}
	putchar('\n');
}

json_object *
cli_json_text(const uint8_t *val, size_t len)
{
	char *c;
	size_t i;
	json_object *o;

	if (memchr(val, '\0', len) == NULL &&
	    jsontext_utf8_bad_at(val, len) == len)
		return json_object_new_string_len((const char *)val, (int)len);
	c = xmalloc(len + 1);	/* as cli_print_value shows it */
	for (i = 0; i < len; i++)
		c[i] = val[i] >= 0x20 && val[i] < 0x7f ? (char)val[i] : '?';
	c[len] = '\0';
	o = json_object_new_string(c);
	free(c);
	return o;
}

/* The first value of attribute a of e as a JSON string, or null. */
static json_object *
cli_json_one(const struct dir_entry *e, int a)
{
	if (e->nattrs <= (size_t)a || e->nvals[a] == 0)
		return NULL;
	return cli_json_text(e->vals[a][0].val, e->vals[a][0].len);
}

/* Every value of attribute a of e, as a JSON array of strings. */
static json_object *
cli_json_all(const struct dir_entry *e, int a)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; e->nattrs > (size_t)a && i < e->nvals[a]; i++)
		json_object_array_add(arr, cli_json_text(e->vals[a][i].val,
		    e->vals[a][i].len));
	return arr;
}

/* The GeneralizedTime of attribute a of e as RFC 3339, or null. */
static json_object *
cli_json_time(const struct dir_entry *e, int a)
{
	char t[DN_GENTIME_BUF];

	if (e->nattrs <= (size_t)a || e->nvals[a] == 0 ||
	    dn_gentime_rfc3339((const char *)e->vals[a][0].val,
	    e->vals[a][0].len, t) == -1)
		return NULL;
	return json_object_new_string(t);
}

json_object *
cli_group_json(const struct dir_entry *e)
{
	json_object *g = json_object_new_object();
	const struct dir_value *b;

	b = e->nattrs > GA_BLOCKED && e->nvals[GA_BLOCKED] > 0 ?
	    &e->vals[GA_BLOCKED][0] : NULL;
	json_object_object_add(g, "name", cli_json_one(e, GA_CN));
	json_object_object_add(g, "host", cli_json_one(e, GA_HOST));
	json_object_object_add(g, "image", cli_json_one(e, GA_IMAGE));
	json_object_object_add(g, "dns_name", cli_json_one(e, GA_DNS));
	json_object_object_add(g, "members", cli_json_all(e, GA_MEMBER));
	json_object_object_add(g, "addresses", cli_json_all(e, GA_ADDR));
	json_object_object_add(g, "blocked", json_object_new_boolean(b != NULL &&
	    b->len == 4 && strncasecmp((const char *)b->val, "TRUE", 4) == 0));
	json_object_object_add(g, "block_reason", cli_json_one(e, GA_REASON));
	json_object_object_add(g, "blocked_at", cli_json_time(e, GA_TIME));
	json_object_object_add(g, "blocked_by", cli_json_one(e, GA_BY));
	json_object_object_add(g, "last_update", cli_json_time(e, GA_UPDATED));
	return g;
}

int
cli_json_print(json_object *doc)
{
	const char *text;
	int rc;

	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = text != NULL && printf("%s\n", text) >= 0 && fflush(stdout) == 0 ?
	    0 : -1;
	json_object_put(doc);
	return rc;
}

int
cli_groups_find(struct dir *d, const struct conf *c, const char *attr,
    const char *value, int blocked, char *const *attrs,
    struct dir_entry **out, size_t *count, const char *cmd)
{
	char err[512], *filter;
	int rc;

	*out = NULL;
	*count = 0;
	if (dn_filter_groups(attr, value, blocked, &filter) == -1) {
		fprintf(stderr, "vmgroup %s: no search filter for that\n", cmd);
		return -1;
	}
	rc = dir_entries_search(d, c->ou, filter, attrs, out, count, err,
	    sizeof(err));
	if (rc == -1)
		fprintf(stderr, "vmgroup %s: %s\n", cmd, err);
	free(filter);
	return rc;
}
