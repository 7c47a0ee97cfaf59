/*
 * cli_common.c - what the commands of vmgroup(1) share (cli_common.h).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "dn.h"
#include "vmgroup_attrs.h"
#include "xmem.h"

static char q_cn[] = "cn", q_dns[] = VMG_ATTR_DNSNAME,
    q_host[] = VMG_ATTR_HOST, q_image[] = VMG_ATTR_IMAGE,
    q_member[] = VMG_ATTR_MEMBER, q_addr[] = VMG_ATTR_ADDRESS,
    q_blocked[] = VMG_ATTR_BLOCKED, q_reason[] = VMG_ATTR_BLOCKREASON,
    q_time[] = VMG_ATTR_BLOCKTIME;
char *const cli_group_attrs[] = { q_cn, q_dns, q_host, q_image, q_member,
    q_addr, q_blocked, q_reason, q_time, NULL };

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
cli_config_opt(int argc, char *argv[], const char **path, const char **reason,
    int *first)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "reason", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, reason ? "f:r:h" : "f:h", lo,
	    NULL)) != -1) {
		if (ch == 'f')
			*path = optarg;
		else if (ch == 'r' && reason != NULL)
			*reason = optarg;
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
