/*
 * cli_block.c - vmgroup block / unblock: mark a vmGroup object blocked (with
 * a reason and the time) for policy engines and the enforcer, or clear it;
 * either way vmGroupBlockedBy says who did it.
 *
 *   vmgroup block [-f FILE] [-r REASON] [-b TEXT] GROUP | -H HOST
 *   vmgroup unblock [-f FILE] [-b TEXT] GROUP | -H HOST
 *
 * With -H, every vmGroup object whose vmGroupHost is HOST.  The mark goes
 * through dir_group_modify (struct dir_mod, no LDAP here); a group that is
 * not there is the directory's DIR_CHANGED.
 */
#include "config.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_common.h"
#include "dn.h"
#include "jsontext.h"
#include "name.h"
#include "vmgroup_attrs.h"
#include "vmgroup_cli.h"
#include "xmem.h"

/* A user name in "who": letters, digits and ._@$\- (DOMAIN\user and
 * user@realm included), at most this long. */
#define BLOCK_USER_MAX 64

struct block_opts {
	const char *path, *reason, *by, *host;
	int first;
};

static void
block_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup block [-f FILE] [-r REASON] [-b TEXT] GROUP | -H HOST\n"
"       vmgroup unblock [-f FILE] [-b TEXT] GROUP | -H HOST\n"
"Sets (or clears) vmGroupBlocked on the vmGroup object GROUP, or on every\n"
"vmGroup object of HOST, with the reason and the time, for policy engines\n"
"and the enforcer to act on; vmGroupBlockedBy records who did it.\n"
"  -f, --config FILE   vmgroupd's configuration (default " CONF_DEFAULT_PATH ")\n"
"  -r, --reason TEXT   why (printable text, up to %d characters)\n"
"  -b, --by TEXT       who, instead of \"USER [(via sudo as LOGIN)] on HOST\"\n"
"                      (printable text, up to %d characters)\n"
"  -H, --host HOST     every group of HOST instead of one GROUP\n",
	    VMG_ATTR_BLOCKREASON_MAX, VMG_ATTR_BLOCKEDBY_MAX);
}

/* The mark: the flag, the time and the reason (NULL: removed), and who,
 * in one modify.  0, or -1 with err. */
static int
block_mark(struct dir *d, const char *dn, int on, const char *reason,
    const char *by, char *err, size_t errlen)
{
	static char v_true[] = "TRUE", v_false[] = "FALSE";
	char stamp[DN_GENTIME_BUF], rbuf[VMG_ATTR_BLOCKREASON_MAX + 1];
	char bbuf[VMG_ATTR_BLOCKEDBY_MAX + 1];
	char *fv[] = { on ? v_true : v_false, NULL }, *tv[] = { stamp, NULL };
	char *rv[] = { rbuf, NULL }, *bv[] = { bbuf, NULL };
	const struct dir_mod mods[] = {
		{ DIR_MOD_REPLACE, VMG_ATTR_BLOCKED, fv },
		{ DIR_MOD_REPLACE, VMG_ATTR_BLOCKTIME, on ? tv : NULL },
		{ DIR_MOD_REPLACE, VMG_ATTR_BLOCKREASON,
		    on && reason != NULL && *reason != '\0' ? rv : NULL },
		{ DIR_MOD_REPLACE, VMG_ATTR_BLOCKEDBY, bv },
	};

	dn_gentime(time(NULL), stamp);
	if (xstrlcpy(rbuf, reason != NULL ? reason : "", sizeof(rbuf)) == -1 ||
	    xstrlcpy(bbuf, by, sizeof(bbuf)) == -1) {
		(void)xsnprintf(err, errlen, "the reason is too long");
		return -1;
	}
	return dir_group_modify(d, dn, mods, 4, err, errlen);
}

/* Printable text of at most max octets, valid UTF-8 (what a
 * directoryString takes): no control characters. */
static int
block_text_ok(const char *t, size_t max)
{
	size_t i;

	for (i = 0; t != NULL && t[i] != '\0'; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f || i >= max)
			return 0;
	return t == NULL || jsontext_utf8_bad_at((const unsigned char *)t,
	    i) == i;
}

static int
block_user_ok(const char *u)
{
	size_t n;

	if (u == NULL || (n = strlen(u)) == 0 || n > BLOCK_USER_MAX)
		return 0;
	return strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._@$\\-") == n;
}

/* Who runs this, for vmGroupBlockedBy: "USER on HOST", where USER is the
 * login of the real uid (getpwuid; "uid=N" without one), or, run through
 * sudo by someone else, "SUDO_USER (via sudo as LOGIN)"; HOST is the
 * first label of gethostname, left out with " on " when it is no DNS
 * label.  Names that are not plain user names are not taken. */
static void
block_who(char out[VMG_ATTR_BLOCKEDBY_MAX + 1])
{
	char login[BLOCK_USER_MAX + 1], host[256], label[NAME_LABEL_BUF];
	char who[2 * BLOCK_USER_MAX + 32];
	const struct passwd *pw = getpwuid(getuid());
	const char *sudo = getenv("SUDO_USER");

	if (pw != NULL && block_user_ok(pw->pw_name))
		(void)xstrlcpy(login, pw->pw_name, sizeof(login));
	else
		(void)xsnprintf(login, sizeof(login), "uid=%lu",
		    (unsigned long)getuid());
	if (block_user_ok(sudo) && strcmp(sudo, login) != 0)
		(void)xsnprintf(who, sizeof(who), "%s (via sudo as %s)", sudo,
		    login);
	else
		(void)xstrlcpy(who, login, sizeof(who));
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
	} else
		host[0] = '\0';
	if (host[0] != '\0' && name_label_check(host, label, NULL, 0) == 0)
		(void)xsnprintf(out, VMG_ATTR_BLOCKEDBY_MAX + 1, "%s on %s",
		    who, label);
	else
		(void)xstrlcpy(out, who, VMG_ATTR_BLOCKEDBY_MAX + 1);
}

static enum cli_parsed
block_parse(int argc, char *argv[], int block, struct block_opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "reason", required_argument, NULL, 'r' },
		{ "by", required_argument, NULL, 'b' },
		{ "host", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->path = CONF_DEFAULT_PATH;
	optind = 1;
	while ((ch = getopt_long(argc, argv, block ? "f:r:b:H:h" : "f:b:H:h",
	    lo, NULL)) != -1) {
		if (ch == 'f')
			o->path = optarg;
		else if (ch == 'r' && block)
			o->reason = optarg;
		else if (ch == 'b')
			o->by = optarg;
		else if (ch == 'H')
			o->host = optarg;
		else
			return ch == 'h' ? CLI_PARSED_HELP : CLI_PARSED_USAGE;
	}
	o->first = optind;
	/* one GROUP, or -H HOST and none */
	if (argc - o->first != (o->host != NULL ? 0 : 1))
		return CLI_PARSED_USAGE;
	return CLI_PARSED_RUN;
}

/* The operand (group or host) as a label into label, and the reason and
 * who checked, who into by; 0, or -1 (printed: a usage error). */
static int
block_check(char *argv[], const struct block_opts *o, const char *cmd,
    char label[NAME_LABEL_BUF], char by[VMG_ATTR_BLOCKEDBY_MAX + 1])
{
	char err[512];

	if (name_label_check(o->host != NULL ? o->host : argv[o->first],
	    label, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup %s: %s\n", cmd, err);
		return -1;
	}
	if (!block_text_ok(o->reason, VMG_ATTR_BLOCKREASON_MAX)) {
		fprintf(stderr, "vmgroup %s: the reason must be printable "
		    "text, up to %d characters\n", cmd,
		    VMG_ATTR_BLOCKREASON_MAX);
		return -1;
	}
	if (o->by != NULL && (o->by[0] == '\0' ||
	    !block_text_ok(o->by, VMG_ATTR_BLOCKEDBY_MAX))) {
		fprintf(stderr, "vmgroup %s: --by must be printable text, "
		    "1 to %d characters\n", cmd, VMG_ATTR_BLOCKEDBY_MAX);
		return -1;
	}
	if (o->by != NULL)
		(void)xstrlcpy(by, o->by, VMG_ATTR_BLOCKEDBY_MAX + 1);
	else
		block_who(by);
	return 0;
}

/* Block or unblock the group named label under c's OU; printed.  0 / -1. */
static int
block_one(struct dir *d, const struct conf *c, const char *label, int on,
    const char *reason, const char *by, const char *cmd)
{
	char err[512], *dn = NULL;
	int rc;

	if (dn_child(c->ou, "CN", label, &dn) == -1) {
		fprintf(stderr, "vmgroup %s: %s: no DN under %s\n", cmd, label,
		    c->ou);
		return -1;
	}
	rc = block_mark(d, dn, on, reason, by, err, sizeof(err));
	if (rc == 0)
		printf("%s %s\n", label, on ? "blocked" : "unblocked");
	else	/* a replace changed under us: the object is gone */
		fprintf(stderr, "vmgroup %s: %s: %s\n", cmd, label,
		    dir_error(d) == DIR_CHANGED ? "no such group" : err);
	free(dn);
	return rc;
}

/* Every group of host: each one's cn from the directory, checked as a
 * label, then block_one.  0 when all were done; -1 (printed) when one
 * failed or host has none. */
static int
block_host(struct dir *d, const struct conf *c, const char *host, int on,
    const char *reason, const char *by, const char *cmd)
{
	static char a_cn[] = "cn";
	char *const attrs[] = { a_cn, NULL };
	char cn[NAME_LABEL_BUF], label[NAME_LABEL_BUF];
	struct dir_entry *e = NULL;
	size_t i, n = 0;
	int rc = 0;

	if (cli_groups_find(d, c, VMG_ATTR_HOST, host, 0, attrs, &e, &n,
	    cmd) == -1)
		return -1;
	if (n == 0) {
		fprintf(stderr, "vmgroup %s: host %s has no vmGroup object "
		    "under %s\n", cmd, host, c->ou);
		rc = -1;
	}
	for (i = 0; i < n; i++) {
		cn[0] = '\0';
		if (e[i].nvals[0] == 1 && e[i].vals[0][0].len < sizeof(cn)) {
			memcpy(cn, e[i].vals[0][0].val, e[i].vals[0][0].len);
			cn[e[i].vals[0][0].len] = '\0';
		}
		if (name_label_check(cn, label, NULL, 0) == -1) {
			fprintf(stderr, "vmgroup %s: a group of %s is named "
			    "no DNS label; left alone\n", cmd, host);
			rc = -1;
		} else if (block_one(d, c, label, on, reason, by, cmd) == -1)
			rc = -1;
	}
	dir_entries_free(e, n);
	return rc;
}

int
cli_block(int argc, char *argv[], int block)
{
	const char *cmd = block ? "block" : "unblock";
	char label[NAME_LABEL_BUF], by[VMG_ATTR_BLOCKEDBY_MAX + 1];
	struct block_opts o;
	struct dir_params dp;
	struct conf c;
	struct krb krb;
	struct dir d;
	enum cli_parsed p;
	int rc = CLI_FAIL;

	p = block_parse(argc, argv, block, &o);
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, block_usage);
	if (block_check(argv, &o, cmd, label, by) == -1)
		return CLI_USAGE;
	memset(&krb, 0, sizeof(krb));
	if (cli_conf(o.path, &c, cmd) == -1 ||
	    cli_dir_open(&c, &krb, &d, &dp, cmd) == -1)
		goto out;
	if (o.host != NULL)
		rc = block_host(&d, &c, label, block, o.reason, by, cmd);
	else
		rc = block_one(&d, &c, label, block, o.reason, by, cmd);
	rc = rc == 0 ? CLI_OK : CLI_FAIL;
	dir_close(&d);
out:
	krb_free(&krb);
	return rc;
}
