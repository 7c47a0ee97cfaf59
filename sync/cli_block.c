/*
 * cli_block.c - vmgroup block / unblock: mark a vmGroup object blocked (with
 * a reason and the time) for policy engines and the enforcer, or clear it.
 *
 *   vmgroup block [-f FILE] [-r REASON] GROUP
 *   vmgroup unblock [-f FILE] GROUP
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_common.h"
#include "dn.h"
#include "name.h"
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
"  -r, --reason TEXT   why (printable text, up to 1024 characters)\n");
}

/* The modify: blocked flag, time and reason (cleared when unblocking). */
static int
block_apply(struct dir *d, const char *dn, int block, const char *reason,
    char *err, size_t errlen)
{
	static char v_true[] = "TRUE", v_false[] = "FALSE";
	static char q_blocked[] = "vmGroupBlocked",
	    q_time[] = "vmGroupBlockTime", q_reason[] = "vmGroupBlockReason";
	char stamp[DN_GENTIME_BUF], rbuf[1025], *fv[] = { block ? v_true : v_false, NULL };
	char *tv[] = { stamp, NULL }, *rv[] = { rbuf, NULL };
	LDAPMod mf = { LDAP_MOD_REPLACE, q_blocked, { .modv_strvals = fv } };
	LDAPMod mt = { LDAP_MOD_REPLACE, q_time, { .modv_strvals = NULL } };
	LDAPMod mr = { LDAP_MOD_REPLACE, q_reason, { .modv_strvals = NULL } };
	LDAPMod *mods[] = { &mf, &mt, &mr, NULL };

	if (block) {
		dn_gentime(time(NULL), stamp);
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
	enum cli_parsed p;
	int first, rc = CLI_FAIL;

	cmd = block ? "block" : "unblock";
	p = cli_config_opt(argc, argv, &path, block ? &reason : NULL, &first);
	if (p == CLI_PARSED_RUN && argc - first != 1)
		p = CLI_PARSED_USAGE;
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, block_usage);
	if (name_label_check(argv[first], label, err, sizeof(err)) == -1 ||
	    !block_reason_ok(reason)) {
		fprintf(stderr, "vmgroup %s: %s\n", cmd, block_reason_ok(reason) ?
		    err : "the reason must be printable text, up to 1024 characters");
		return CLI_USAGE;
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
		rc = CLI_OK;
	}
	dir_close(&d);
out:
	krb_free(&krb);
	free(dn);
	return rc;
}
