/*
 * vmgroup.c - the command line tool.
 *
 *   vmgroup register ...   write a registration into the spool (for hooks)
 *   vmgroup release ...    write a release into the spool
 *   vmgroup plan ...       show the directory state the spool asks for
 *
 * Every field a user or hook passes goes through event_parse(), the one
 * place that validates registrations, before it is written anywhere.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "event.h"
#include "log.h"
#include "vmgroup_cli.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup COMMAND [OPTIONS]\n"
"\n"
"Commands:\n"
"  register   queue a VM registration in the spool (for DHCP / libvirt hooks)\n"
"  release    queue the release of a VM's registration\n"
"  plan       print the group names and records the spool asks for\n"
"  status     print what vmgroupd wrote, read back from the directory\n"
"  query      look groups up: by host, by name, by address, by VM\n"
"  block      mark a group blocked (with a reason) for policy engines\n"
"  unblock    clear the mark\n"
"  enforce    put the addresses of blocked groups into nftables sets\n"
"\n"
"Run 'vmgroup COMMAND --help' for a command's options.\n"
"Options: -h, --help  this text;  -V, --version  the version.\n");
}

int
main(int argc, char *argv[])
{
	log_init(1, "vmgroup");
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("vmgroup %s\n", PACKAGE_VERSION);
		return CLI_OK;
	}
	if (strcmp(argv[1], "register") == 0)
		return cli_register(argc - 1, argv + 1, EVENT_OP_REGISTER);
	if (strcmp(argv[1], "release") == 0)
		return cli_register(argc - 1, argv + 1, EVENT_OP_RELEASE);
	if (strcmp(argv[1], "plan") == 0)
		return cli_plan(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cli_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "query") == 0)
		return cli_query(argc - 1, argv + 1);
	if (strcmp(argv[1], "enforce") == 0)
		return cli_enforce(argc - 1, argv + 1);
	if (strcmp(argv[1], "block") == 0 || strcmp(argv[1], "unblock") == 0)
		return cli_block(argc - 1, argv + 1, argv[1][0] == 'b');
	fprintf(stderr, "vmgroup: unknown command (see vmgroup --help)\n");
	return CLI_USAGE;
}
