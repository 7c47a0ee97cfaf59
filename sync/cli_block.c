/*
 * cli_block.c - vmgroup block / unblock: mark a vmGroup object blocked (with
 * a reason and the time) for policy engines and the enforcer, or clear it.
 *
 *   vmgroup block [-f FILE] [-r REASON] GROUP
 *   vmgroup unblock [-f FILE] GROUP
 *
 * The mark goes through dir_group_modify (struct dir_mod, no LDAP here);
 * a group that is not there is the directory's DIR_CHANGED.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_common.h"
#include "dn.h"
#include "name.h"
#include "vmgroup_attrs.h"
#include "vmgroup_cli.h"
#include "xmem.h"

static void
block_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup block [-f FILE] [-r REASON] GROUP\n"
"       vmgroup unblock [-f FILE] GROUP\n"
"Sets (or clears) vmGroupBlocked on the vmGroup object GROUP, with the\n"
"reason and the time, for policy engines and the enforcer to act on.\n"
"  -f, --config FILE   vmgroupd's configuration (default " CONF_DEFAULT_PATH ")\n"
"  -r, --reason TEXT   why (printable text, up to %d characters)\n",
	    VMG_ATTR_BLOCKREASON_MAX);
}

/* The mark: the flag, the time and the reason (NULL: removed), in one
 * modify.  0, or -1 with err. */
static int
block_mark(struct dir *d, const char *dn, int on, const char *reason,
    char *err, size_t errlen)
{
	static char v_true[] = "TRUE", v_false[] = "FALSE";
	char stamp[DN_GENTIME_BUF], rbuf[VMG_ATTR_BLOCKREASON_MAX + 1];
	char *fv[] = { on ? v_true : v_false, NULL }, *tv[] = { stamp, NULL };
	char *rv[] = { rbuf, NULL };
	const struct dir_mod mods[] = {
		{ DIR_MOD_REPLACE, VMG_ATTR_BLOCKED, fv },
		{ DIR_MOD_REPLACE, VMG_ATTR_BLOCKTIME, on ? tv : NULL },
		{ DIR_MOD_REPLACE, VMG_ATTR_BLOCKREASON,
		    on && reason != NULL && *reason != '\0' ? rv : NULL },
	};

	dn_gentime(time(NULL), stamp);
	if (xstrlcpy(rbuf, reason != NULL ? reason : "", sizeof(rbuf)) == -1) {
		(void)xsnprintf(err, errlen, "the reason is too long");
		return -1;
	}
	return dir_group_modify(d, dn, mods, 3, err, errlen);
}

static int
block_reason_ok(const char *r)
{
	size_t i;

	for (i = 0; r != NULL && r[i] != '\0'; i++)
		if ((unsigned char)r[i] < 0x20 || r[i] == 0x7f ||
		    i >= VMG_ATTR_BLOCKREASON_MAX)
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
	enum cli_parsed p;
	int first, rc = CLI_FAIL;

	cmd = block ? "block" : "unblock";
	p = cli_config_opt(argc, argv, &path, block ? &reason : NULL, &first);
	if (p == CLI_PARSED_RUN && argc - first != 1)
		p = CLI_PARSED_USAGE;
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, block_usage);
	if (name_label_check(argv[first], label, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup %s: %s\n", cmd, err);
		return CLI_USAGE;
	}
	if (!block_reason_ok(reason)) {
		fprintf(stderr, "vmgroup %s: the reason must be printable "
		    "text, up to %d characters\n", cmd,
		    VMG_ATTR_BLOCKREASON_MAX);
		return CLI_USAGE;
	}
	memset(&krb, 0, sizeof(krb));
	if (cli_conf(path, &c, cmd) == -1 ||
	    dn_child(c.ou, "CN", label, &dn) == -1 ||
	    cli_dir_open(&c, &krb, &d, &dp, cmd) == -1)
		goto out;
	rc = block_mark(&d, dn, block, reason, err, sizeof(err));
	if (rc == 0)
		printf("%s %s\n", label, block ? "blocked" : "unblocked");
	else	/* a replace changed under us: the object is gone */
		fprintf(stderr, "vmgroup %s: %s\n", cmd,
		    dir_error(&d) == DIR_CHANGED ? "no such group" : err);
	rc = rc == 0 ? CLI_OK : CLI_FAIL;
	dir_close(&d);
out:
	krb_free(&krb);
	free(dn);
	return rc;
}
