/*
 * cli_query.c - vmgroup query: the vmGroup objects in the directory, as a
 * firewall or an administrator asks for them.
 *
 *   vmgroup query host HOST    the groups of a host
 *   vmgroup query group NAME   one group: members and addresses
 *   vmgroup query ip ADDRESS   the group(s) holding an address
 *   vmgroup query vm NAME      the group(s) holding a VM
 *
 * Every value from the command line is checked (labels, addresses) and put
 * into filters with ldap_bv2escaped_filter_value and into DNs with
 * ldap_dn2str (dn.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli_common.h"
#include "dn.h"
#include "name.h"
#include "vmgroup_cli.h"
#include "xmem.h"

static void
query_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup query [-f FILE] host HOST | group NAME | ip ADDRESS | vm NAME\n"
"Looks vmGroup objects up in the directory (with vmgroupd's configuration\n"
"and keytab) and prints their names, members, addresses and block state.\n"
"  -f, --config FILE   vmgroupd's configuration (default " CONF_DEFAULT_PATH ")\n");
}

/* The filter for "KIND VALUE"; NULL (message printed) if VALUE is bad. */
static char *
query_filter(const char *kind, const char *value)
{
	char label[NAME_LABEL_BUF], err[256], text[INET6_ADDRSTRLEN];
	struct event_addr a;
	const char *attr = NULL, *v = label;
	char *eq = NULL, *f = NULL;
	size_t len;

	if (strcmp(kind, "ip") == 0) {
		/* a special-purpose address is looked up like any other */
		if (addr_parse(value, &a, err, sizeof(err)) == ADDR_BAD ||
		    event_addr_format(&a, text, sizeof(text)) == -1) {
			fprintf(stderr, "vmgroup query: not an IPv4 or IPv6 "
			    "address\n");
			return NULL;
		}
		attr = "vmGroupAddress";
		v = text;
	} else if (name_label_check(value, label, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup query: %s\n", err);
		return NULL;
	} else if (strcmp(kind, "host") == 0) {
		attr = "vmGroupHost";
	} else if (strcmp(kind, "group") == 0) {
		attr = "cn";
	} else if (strcmp(kind, "vm") == 0) {
		attr = "vmGroupMember";
	}
	if (attr == NULL || dn_filter_eq(attr, v, &eq) == -1) {
		query_usage(stderr);
		return NULL;
	}
	len = strlen(eq) + 32;
	f = xmalloc(len);
	if (xsnprintf(f, len, "(&(objectClass=vmGroup)%s)", eq) == -1) {
		free(f);
		f = NULL;
	}
	free(eq);
	return f;
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
	char err[512], *filter;
	size_t i, n = 0;
	enum cli_parsed p;
	int first, rc = CLI_FAIL;

	p = cli_config_opt(argc, argv, &path, NULL, &first);
	if (p == CLI_PARSED_RUN && argc - first != 2)
		p = CLI_PARSED_USAGE;
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, query_usage);
	if ((filter = query_filter(argv[first], argv[first + 1])) == NULL)
		return CLI_USAGE;
	memset(&krb, 0, sizeof(krb));
	if (cli_conf(path, &c, "query") == -1 ||
	    cli_dir_open(&c, &krb, &d, &dp, "query") == -1)
		goto out;
	if (dir_entries_search(&d, c.ou, filter, cli_group_attrs, &e, &n, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup query: %s\n", err);
		goto out;
	}
	for (i = 0; i < n; i++)
		cli_print_group(&e[i]);
	dir_entries_free(e, n);
	dir_close(&d);
	rc = n > 0 ? CLI_OK : CLI_NOTFOUND;
out:
	krb_free(&krb);
	free(filter);
	return rc;
}

