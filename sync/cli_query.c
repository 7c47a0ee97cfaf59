/*
 * cli_query.c - vmgroup query / block / unblock: the vmGroup objects in the
 * directory, as a firewall or an administrator asks for them.
 *
 *   vmgroup query host HOST    the groups of a host
 *   vmgroup query group NAME   one group: members and addresses
 *   vmgroup query ip ADDRESS   the group(s) holding an address
 *   vmgroup query vm NAME      the group(s) holding a VM
 *   vmgroup block [-r REASON] GROUP / vmgroup unblock GROUP
 *
 * Every value from the command line is checked (labels, addresses) and put
 * into filters with ldap_bv2escaped_filter_value and into DNs with
 * ldap_dn2str (dn.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "conf.h"
#include "dn.h"
#include "name.h"
#include "vmgroup_cli.h"
#include "xmem.h"

static char q_cn[] = "cn", q_dns[] = "vmGroupDNSName", q_host[] = "vmGroupHost",
    q_image[] = "vmGroupImage", q_member[] = "vmGroupMember",
    q_addr[] = "vmGroupAddress", q_blocked[] = "vmGroupBlocked",
    q_reason[] = "vmGroupBlockReason", q_time[] = "vmGroupBlockTime";
char *const cli_group_attrs[] = { q_cn, q_dns, q_host, q_image, q_member,
    q_addr, q_blocked, q_reason, q_time, NULL };

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

/* "-f FILE" then the rest; returns the index of the first operand. */
static int
cli_config_opt(int argc, char *argv[], const char **path, const char **reason,
    void (*usage)(FILE *))
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
		else {
			usage(ch == 'h' ? stdout : stderr);
			return ch == 'h' ? -2 : -1;
		}
	}
	return optind;
}

/* Print one value of a directory entry as text: printable ASCII only. */
static void
cli_print_value(const struct berval *v)
{
	ber_len_t i;

	for (i = 0; i < v->bv_len && i < 1024; i++)
		putchar(v->bv_val[i] >= 0x20 && v->bv_val[i] < 0x7f ?
		    v->bv_val[i] : '?');
}

void
cli_print_group(const struct dir_entry *e)
{
	size_t a, i;

	printf("group");
	for (a = 0; a < e->nattrs; a++) {
		if (e->vals[a] == NULL)
			continue;
		if (a > 0)
			printf("\n  %s:", cli_group_attrs[a]);
		for (i = 0; e->vals[a][i] != NULL; i++) {
			putchar(' ');
			cli_print_value(e->vals[a][i]);
		}
	}
	putchar('\n');
}

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
	unsigned char bin[16];
	const char *attr = NULL, *v = label;
	char *eq = NULL, *f = NULL;
	size_t len;

	if (strcmp(kind, "ip") == 0) {
		int fam = strchr(value, ':') ? AF_INET6 : AF_INET;

		if (inet_pton(fam, value, bin) != 1 ||
		    inet_ntop(fam, bin, text, sizeof(text)) == NULL) {
			fprintf(stderr, "vmgroup query: not an IPv4 or IPv6 "
			    "address\n");
			return NULL;
		}
		attr = q_addr;
		v = text;
	} else if (name_label_check(value, label, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup query: %s\n", err);
		return NULL;
	} else if (strcmp(kind, "host") == 0) {
		attr = q_host;
	} else if (strcmp(kind, "group") == 0) {
		attr = q_cn;
	} else if (strcmp(kind, "vm") == 0) {
		attr = q_member;
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
	int first, rc = 1;

	first = cli_config_opt(argc, argv, &path, NULL, query_usage);
	if (first < 0)
		return first == -2 ? 0 : 2;
	if (argc - first != 2) {
		query_usage(stderr);
		return 2;
	}
	if ((filter = query_filter(argv[first], argv[first + 1])) == NULL)
		return 2;
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
	rc = n > 0 ? 0 : 3;	/* 3: nothing found, like grep's 1 */
out:
	krb_free(&krb);
	free(filter);
	return rc;
}

static void
block_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup block [-f FILE] [-r REASON] GROUP\n"
"       vmgroup unblock [-f FILE] GROUP\n"
"Sets (or clears) vmGroupBlocked on the vmGroup object GROUP, with the\n"
"reason and the time, for policy engines and the enforcer to act on.\n"
"  -f, --config FILE   vmgroupd's configuration (default " CONF_DEFAULT_PATH ")\n"
"  -r, --reason TEXT   why (printable text, up to 1024 characters)\n");
}

/* The modify: blocked flag, time and reason (cleared when unblocking). */
static int
block_apply(struct dir *d, const char *dn, int block, const char *reason,
    char *err, size_t errlen)
{
	static char v_true[] = "TRUE", v_false[] = "FALSE";
	char stamp[32], rbuf[1025], *fv[] = { block ? v_true : v_false, NULL };
	char *tv[] = { stamp, NULL }, *rv[] = { rbuf, NULL };
	LDAPMod mf = { LDAP_MOD_REPLACE, q_blocked, { .modv_strvals = fv } };
	LDAPMod mt = { LDAP_MOD_REPLACE, q_time, { .modv_strvals = NULL } };
	LDAPMod mr = { LDAP_MOD_REPLACE, q_reason, { .modv_strvals = NULL } };
	LDAPMod *mods[] = { &mf, &mt, &mr, NULL };
	time_t now = time(NULL);
	struct tm tm;

	if (block) {
		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S.0Z", &tm) == 0)
			return -1;
		mt.mod_vals.modv_strvals = tv;
		if (reason != NULL && *reason != '\0') {
			if (xstrlcpy(rbuf, reason, sizeof(rbuf)) == -1)
				return -1;
			mr.mod_vals.modv_strvals = rv;
		}
	}
	return dir_entry_modify(d, dn, mods, err, errlen);
}

static int
block_reason_ok(const char *r)
{
	size_t i;

	for (i = 0; r != NULL && r[i] != '\0'; i++)
		if ((unsigned char)r[i] < 0x20 || r[i] == 0x7f || i >= 1024)
			return 0;
	return 1;
}

int
cli_block(int argc, char *argv[], int block)
{
	const char *path = CONF_DEFAULT_PATH, *reason = NULL, *cmd;
	char label[NAME_LABEL_BUF], err[512], *dn = NULL;
	struct dir_params dp;
	struct conf c;
	struct krb krb;
	struct dir d;
	int first, rc = 1;

	cmd = block ? "block" : "unblock";
	first = cli_config_opt(argc, argv, &path, block ? &reason : NULL,
	    block_usage);
	if (first < 0)
		return first == -2 ? 0 : 2;
	if (argc - first != 1) {
		block_usage(stderr);
		return 2;
	}
	if (name_label_check(argv[first], label, err, sizeof(err)) == -1 ||
	    !block_reason_ok(reason)) {
		fprintf(stderr, "vmgroup %s: %s\n", cmd, block_reason_ok(reason) ?
		    err : "the reason must be printable text, up to 1024 characters");
		return 2;
	}
	memset(&krb, 0, sizeof(krb));
	if (cli_conf(path, &c, cmd) == -1 ||
	    dn_child(c.ou, "CN", label, &dn) == -1 ||
	    cli_dir_open(&c, &krb, &d, &dp, cmd) == -1)
		goto out;
	if (block_apply(&d, dn, block, reason, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup %s: %s\n", cmd, dir_last_rc(&d) ==
		    LDAP_NO_SUCH_OBJECT ? "no such group" : err);
	} else {
		printf("%s %s\n", label, block ? "blocked" : "unblocked");
		rc = 0;
	}
	dir_close(&d);
out:
	krb_free(&krb);
	free(dn);
	return rc;
}
