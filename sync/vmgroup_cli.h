/*
 * vmgroup_cli.h - the subcommands of vmgroup(1).
 */
#ifndef VMG_VMGROUP_CLI_H
#define VMG_VMGROUP_CLI_H

#include <stdint.h>

#include "conf.h"
#include "dir.h"
#include "event.h"
#include "krb.h"

int cli_register(int argc, char *argv[], enum event_op op);
int cli_plan(int argc, char *argv[]);
int cli_status(int argc, char *argv[]);
int cli_query(int argc, char *argv[]);
int cli_block(int argc, char *argv[], int block);
int cli_enforce(int argc, char *argv[]);
/* The attributes of a vmGroup object the CLI shows (cn first), and one
 * object read with them, as "group CN" and "  attr: values" lines. */
extern char *const cli_group_attrs[];
void cli_print_group(const struct dir_entry *e);
/* Kerberos credentials from c's keytab and a bound LDAP session, as
 * vmgroupd would have them; messages to stderr, prefixed with cmd. */
int cli_dir_open(const struct conf *c, struct krb *krb, struct dir *d,
    struct dir_params *dp, const char *cmd);
/* The configuration at -f FILE (default) for a command; 0 / -1 (printed). */
int cli_conf(const char *path, struct conf *c, const char *cmd);

/* strtoll with the whole string, errno and [min, max] checked. */
int cli_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
