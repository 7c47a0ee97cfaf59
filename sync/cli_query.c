/*
 * cli_query.c - vmgroup query: the vmGroup objects in the directory, as a
 * firewall or an administrator asks for them.
 *
 *   vmgroup query host HOST    the groups of a host
 *   vmgroup query group NAME   one group: members and addresses
 *   vmgroup query ip ADDRESS   the group(s) holding an address
 *   vmgroup query vm NAME      the group(s) holding a VM
 *
 * --json prints one document instead (doc/json.md, "vmgroup.query/1"),
 * also when nothing matches (exit 3, an empty "groups").
 *
 * Every value from the command line is checked (labels, addresses); the
 * search filter escapes it (dn_filter_groups, through libldap).
 */
#include "config.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli_common.h"
#include "name.h"
#include "vmgroup_attrs.h"
#include "vmgroup_cli.h"
#include "xmem.h"

static void
query_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup query [-f FILE] [--json] host HOST | group NAME | ip ADDRESS |\n"
"                                          vm NAME\n"
"Looks vmGroup objects up in the directory (with vmgroupd's configuration\n"
"and keytab) and prints their names, members, addresses and block state.\n"
"  -f, --config FILE   vmgroupd's configuration (default " CONF_DEFAULT_PATH ")\n"
"      --json          one JSON document (schema vmgroup.query/1, doc/json.md)\n");
}

/* A label or an address in text. */
#define QUERY_VAL_BUF (NAME_LABEL_BUF > INET6_ADDRSTRLEN ? NAME_LABEL_BUF : \
    INET6_ADDRSTRLEN)

/* The attribute and value for "KIND VALUE" into *attr and val; -1
 * (message printed) if KIND or VALUE is bad. */
static int
query_what(const char *kind, const char *value, const char **attr,
    char val[QUERY_VAL_BUF])
{
	char err[256];
	struct event_addr a;

	*attr = NULL;
	if (strcmp(kind, "ip") == 0) {
		/* a special-purpose address is looked up like any other */
		if (addr_parse(value, &a, err, sizeof(err)) == ADDR_BAD ||
		    event_addr_format(&a, val, INET6_ADDRSTRLEN) == -1) {
			fprintf(stderr, "vmgroup query: not an IPv4 or IPv6 "
			    "address\n");
			return -1;
		}
		*attr = VMG_ATTR_ADDRESS;
		return 0;
	}
	if (name_label_check(value, val, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup query: %s\n", err);
		return -1;
	}
	if (strcmp(kind, "host") == 0)
		*attr = VMG_ATTR_HOST;
	else if (strcmp(kind, "group") == 0)
		*attr = "cn";
	else if (strcmp(kind, "vm") == 0)
		*attr = VMG_ATTR_MEMBER;
	if (*attr == NULL) {
		query_usage(stderr);
		return -1;
	}
	return 0;
}

/* The groups found, as text or as one JSON document; 0 / -1. */
static int
query_print(const struct dir_entry *e, size_t n, int json, const char *kind,
    const char *val)
{
	json_object *doc, *q, *arr;
	size_t i;

	if (!json) {
		for (i = 0; i < n; i++)
			cli_print_group(&e[i]);
		return 0;
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "schema",
	    json_object_new_string("vmgroup.query/1"));
	q = json_object_new_object();
	json_object_object_add(q, "kind", json_object_new_string(kind));
	json_object_object_add(q, "value", json_object_new_string(val));
	json_object_object_add(doc, "query", q);
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, cli_group_json(&e[i]));
	json_object_object_add(doc, "groups", arr);
	return cli_json_print(doc);
}

int
cli_query(int argc, char *argv[])
{
	const char *path = CONF_DEFAULT_PATH;
	struct dir_params dp;
	struct dir_entry *e = NULL;
	struct conf c;
	struct krb krb;
	struct dir d;
	char val[QUERY_VAL_BUF];
	const char *attr;
	size_t n = 0;
	enum cli_parsed p;
	int first, json, rc = CLI_FAIL;

	p = cli_config_opt(argc, argv, &path, &json, &first);
	if (p == CLI_PARSED_RUN && argc - first != 2)
		p = CLI_PARSED_USAGE;
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, query_usage);
	if (query_what(argv[first], argv[first + 1], &attr, val) == -1)
		return CLI_USAGE;
	memset(&krb, 0, sizeof(krb));
	if (cli_conf(path, &c, "query") == -1 ||
	    cli_dir_open(&c, &krb, &d, &dp, "query") == -1)
		goto out;
	if (cli_groups_find(&d, &c, attr, val, 0, cli_group_attrs, &e, &n,
	    "query") == 0) {
		rc = query_print(e, n, json, argv[first], val) == -1 ?
		    CLI_FAIL : n > 0 ? CLI_OK : CLI_NOTFOUND;
		dir_entries_free(e, n);
	}
	dir_close(&d);
out:
	krb_free(&krb);
	return rc;
}

