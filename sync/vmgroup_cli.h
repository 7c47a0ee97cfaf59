/*
 * vmgroup_cli.h - the subcommands of vmgroup(1).
 */
#ifndef VMG_VMGROUP_CLI_H
#define VMG_VMGROUP_CLI_H

#include <stdint.h>

#include "event.h"

int cli_register(int argc, char *argv[], enum event_op op);
int cli_plan(int argc, char *argv[]);
int cli_status(int argc, char *argv[]);

/* strtoll with the whole string, errno and [min, max] checked. */
int cli_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
