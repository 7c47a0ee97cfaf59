/*
 * cli_common.h - what the commands of vmgroup(1) share: the exit codes,
 * option results, the configuration and the directory session, numbers,
 * and how a vmGroup object is printed.
 */
#ifndef VMG_CLI_COMMON_H
#define VMG_CLI_COMMON_H

#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "dir.h"
#include "krb.h"

/* The exit status of every command (man/vmgroup.1, EXIT STATUS). */
enum cli_exit {
	CLI_OK = 0,		/* done, or --help */
	CLI_FAIL = 1,		/* refused input, or the work failed */
	CLI_USAGE = 2,		/* usage error: options, operands */
	CLI_NOTFOUND = 3	/* query: nothing found (like grep's 1) */
};

/* What an option parser found. */
enum cli_parsed {
	CLI_PARSED_RUN,		/* go on with the command */
	CLI_PARSED_HELP,	/* --help: print the usage to stdout */
	CLI_PARSED_USAGE,	/* a usage error: the usage to stderr */
	CLI_PARSED_REFUSED	/* refused input (message printed) */
};

/* Print usage for HELP and USAGE; the exit status for p (not RUN). */
int cli_parsed_exit(enum cli_parsed p, void (*usage)(FILE *));

/* strtoll with the whole string, errno and [min, max] checked. */
int cli_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* "-f FILE", --help and, if json is not NULL, --json (*json 1, else 0);
 * *first is the index of the first operand. */
enum cli_parsed cli_config_opt(int argc, char *argv[], const char **path,
    int *json, int *first);

/* The configuration at path for a command; 0 / -1 (printed). */
int cli_conf(const char *path, struct conf *c, const char *cmd);
/* Kerberos credentials from c's keytab and a bound LDAP session, as
 * vmgroupd would have them; messages to stderr, prefixed with cmd. */
int cli_dir_open(const struct conf *c, struct krb *krb, struct dir *d,
    struct dir_params *dp, const char *cmd);

/* The attributes of a vmGroup object the CLI shows (cn first), and one
 * object read with them, as "group CN" and "  attr: values" lines. */
extern char *const cli_group_attrs[];
void cli_print_group(const struct dir_entry *e);
/* --json (doc/json.md): an object read with cli_group_attrs as a group
 * object (name, host, image, dns_name, members, addresses, blocked,
 * block_reason, blocked_at, blocked_by, last_update); a directory value
 * as a JSON string (valid UTF-8 as it is, anything else as
 * cli_print_group shows it); one document printed on stdout with a
 * newline, and put (0, or -1 if stdout failed). */
struct json_object;
struct json_object *cli_group_json(const struct dir_entry *e);
/* A directory value, or a server's text, as a JSON string: as it is when
 * valid UTF-8 with no NUL, else with every octet outside printable ASCII
 * as '?' (as cli_print_group shows it). */
struct json_object *cli_json_text(const uint8_t *val, size_t len);
int cli_json_print(struct json_object *doc);
/* The vmGroup objects under c's OU whose attr equals value (attr NULL:
 * all), only the blocked ones if blocked is set, with attrs
 * (dn_filter_groups, dir_entries_search); 0, or -1 (printed, prefixed
 * with cmd). */
int cli_groups_find(struct dir *d, const struct conf *c, const char *attr,
    const char *value, int blocked, char *const *attrs,
    struct dir_entry **out, size_t *count, const char *cmd);

#endif
