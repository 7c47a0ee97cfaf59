/*
 * cli_status.c - vmgroup status: what vmgroupd owns, read back from the
 * directory with the daemon's configuration and credentials.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "dn.h"
#include "dnsrec.h"
#include "krb.h"
#include "own.h"
#include "status.h"
#include "vmgroup_cli.h"
#include "xmem.h"

static void
status_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup status [-f FILE]\n"
"Connects like vmgroupd (same configuration, keytab and SASL GSSAPI) and\n"
"prints every DNS node and vmGroup object vmgroupd owns, as the directory\n"
"holds them now, after what vmgroupd's last pass could not publish (a VM\n"
"or group name, or a node, held by someone else).\n"
"  -f, --config FILE   vmgroupd's configuration (default " CONF_DEFAULT_PATH ")\n"
"  -h, --help          this text\n");
}

static void
status_node(struct dir *d, const char *dn)
{
	struct dir_node n;
	struct dnsrec r;
	char err[512], name[NAME_FQDN_BUF + 2], text[700];
	size_t i;

	if (dn_node_fqdn(dn, name, sizeof(name)) == -1)
		(void)xstrlcpy(name, dn, sizeof(name));
	if (dir_node_read(d, dn, &n, err, sizeof(err)) == -1) {
		printf("%s\n  (cannot read: %s)\n", name, err);
		return;
	}
	printf("%s%s\n", name, !n.exists ? "  (gone)" :
	    n.tombstoned ? "  (tombstoned)" : "");
	for (i = 0; i < n.nvalues; i++) {
		if (dnsrec_decode(n.values[i].val, n.values[i].len, &r) == -1 ||
		    dnsrec_format(&r, text, sizeof(text)) == -1) {
			printf("  (a value that is no valid dnsRecord)\n");
			continue;
		}
		printf("  %s  ttl %u serial %u\n", text, r.ttl, r.serial);
	}
	dir_node_free(&n);
}

static void
status_group(struct dir *d, const char *dn)
{
	char err[512], cn[256];
	struct dir_entry e;

	if (dn_first_value(dn, cn, sizeof(cn)) == -1)
		(void)xstrlcpy(cn, dn, sizeof(cn));
	if (dir_entry_read(d, dn, cli_group_attrs, &e, err, sizeof(err)) == -1)
		printf("group %s\n  (cannot read: %s)\n", cn, err);
	else if (!e.exists)
		printf("group %s  (gone)\n", cn);
	else
		cli_print_group(&e);
	dir_entry_free(&e);
}

static int
status_show(const struct conf *c)
{
	struct dir_params dp;
	struct krb krb;
	struct dir d;
	struct own own;
	char err[512], path[PATH_MAX];
	const char **dns;
	size_t i, n;
	int rc = CLI_FAIL;

	if (conf_state_path(c, CONF_STATE_OWNED, path, sizeof(path)) == -1) {
		fprintf(stderr, "vmgroup status: state folder path too long\n");
		return CLI_FAIL;
	}
	if (own_load(&own, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup status: %s\n", err);
		return CLI_FAIL;
	}
	if (cli_dir_open(c, &krb, &d, &dp, "status") == -1)
		goto out;
	printf("# host %s, zone %s, directory %s\n", c->model.host,
	    c->model.zone, dir_uri(&d));
	if (conf_state_path(c, CONF_STATE_STATUS, path, sizeof(path)) == -1)
		printf("# state folder path too long\n");
	else if (status_print(path, stdout, err, sizeof(err)) == -1)
		printf("# %s\n", err);
	dns = own_list(&own, OWN_GROUP, &n);
	for (i = 0; i < n; i++)
		status_group(&d, dns[i]);
	free(dns);
	dns = own_list(&own, OWN_NODE, &n);
	for (i = 0; i < n; i++)
		status_node(&d, dns[i]);
	free(dns);
	dir_close(&d);
	rc = CLI_OK;
out:
	krb_free(&krb);
	own_free(&own);
	return rc;
}

int
cli_status(int argc, char *argv[])
{
	const char *path = CONF_DEFAULT_PATH;
	enum cli_parsed p;
	struct conf c;
	int first;

	p = cli_config_opt(argc, argv, &path, NULL, &first);
	if (p == CLI_PARSED_RUN && first != argc)
		p = CLI_PARSED_USAGE;
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, status_usage);
	if (cli_conf(path, &c, "status") == -1)
		return CLI_FAIL;
	return status_show(&c);
}
