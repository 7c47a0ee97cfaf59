/*
 * vmgroup_cli.h - the commands of vmgroup(1), one file each (cli_*.c);
 * what they share is in cli_common.h.  Each returns an exit status
 * (enum cli_exit).
 */
#ifndef VMG_VMGROUP_CLI_H
#define VMG_VMGROUP_CLI_H

#include "event.h"

int cli_register(int argc, char *argv[], enum event_op op);
int cli_plan(int argc, char *argv[]);
int cli_status(int argc, char *argv[]);
int cli_query(int argc, char *argv[]);
int cli_block(int argc, char *argv[], int block);
int cli_enforce(int argc, char *argv[]);

#endif
