/*
 * cli_plan.c - vmgroup plan: read the spool (without consuming it), run the
 * model and print the desired group names, vmGroup objects and records.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_common.h"
#include "dnsrec.h"
#include "model.h"
#include "name.h"
#include "spool.h"
#include "vmgroup_cli.h"
#include "xmem.h"

struct plan_opts {
	const char *spool;
	struct model_config cfg;
	int64_t now;
	int hex;
};

static void
plan_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup plan -H HOST -z ZONE [options]\n"
"Reads the spool without consuming it and prints the group names, vmGroup\n"
"objects and DNS records that HOST's registrations ask for.\n"
"  -s, --spool DIR         spool folder (default " SPOOL_DEFAULT ")\n"
"  -H, --host NAME         the hypervisor host\n"
"  -z, --zone ZONE         forward zone (for example example.test)\n"
"  -r, --reverse-zone Z    a reverse zone for PTR records (repeatable)\n"
"  -g, --grouping MODE     image (one group per OS image, default) or host\n"
"      --host-group NAME   group label in host mode (default all)\n"
"      --vm-records        also each VM's own A/AAAA records\n"
"      --ttl SECONDS       record TTL (default 300)\n"
"      --serial N          zone serial written into records (default 1)\n"
"      --now TIME          evaluate leases at this unix time (default now)\n"
"  -x, --hex               also print each dnsRecord value in hex\n"
"  -h, --help              this text\n");
}

enum { OPT_HOSTGROUP = 256, OPT_VMREC, OPT_TTL, OPT_SERIAL, OPT_NOW };

static const struct option plan_longopts[] = {
	{ "spool", required_argument, NULL, 's' },
	{ "host", required_argument, NULL, 'H' },
	{ "zone", required_argument, NULL, 'z' },
	{ "reverse-zone", required_argument, NULL, 'r' },
	{ "grouping", required_argument, NULL, 'g' },
	{ "host-group", required_argument, NULL, OPT_HOSTGROUP },
	{ "vm-records", no_argument, NULL, OPT_VMREC },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "now", required_argument, NULL, OPT_NOW },
	{ "hex", no_argument, NULL, 'x' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
plan_bad(const char *opt, const char *err)
{
	fprintf(stderr, "vmgroup plan: %s: %s\n", opt, err);
	return -1;
}

static int
plan_name_opt(int ch, const char *arg, struct plan_opts *o)
{
	struct model_config *c = &o->cfg;
	char err[160];

	switch (ch) {
	case 'H':
		if (name_label_check(arg, c->host, err, sizeof(err)) == -1)
			return plan_bad("--host", err);
		return 0;
	case OPT_HOSTGROUP:
		if (name_label_check(arg, c->host_group, err, sizeof(err)) == -1)
			return plan_bad("--host-group", err);
		return 0;
	case 'z':
		if (name_zone_check(arg, c->zone, err, sizeof(err)) == -1)
			return plan_bad("--zone", err);
		return 0;
	default:
		if (c->nrevzones == MODEL_MAX_REVZONES)
			return plan_bad("--reverse-zone", "too many");
		if (name_zone_check(arg, c->revzones[c->nrevzones], err,
		    sizeof(err)) == -1)
			return plan_bad("--reverse-zone", err);
		c->nrevzones++;
		return 0;
	}
}

static int
plan_num_opt(int ch, const char *arg, struct plan_opts *o)
{
	int64_t v;

	switch (ch) {
	case OPT_TTL:
		if (cli_parse_i64(arg, 0, 2147483647, &v) == -1)
			return plan_bad("--ttl", "0 to 2147483647 seconds");
		o->cfg.ttl = (uint32_t)v;
		return 0;
	case OPT_SERIAL:
		if (cli_parse_i64(arg, 0, UINT32_MAX, &v) == -1)
			return plan_bad("--serial", "0 to 4294967295");
		o->cfg.serial = (uint32_t)v;
		return 0;
	default:
		if (cli_parse_i64(arg, 1, INT32_MAX * 64LL, &v) == -1)
			return plan_bad("--now", "unix seconds");
		o->now = v;
		return 0;
	}
}

static enum cli_parsed
plan_options(int argc, char *argv[], struct plan_opts *o)
{
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:H:z:r:g:xh", plan_longopts,
	    NULL)) != -1) {
		rc = 0;
		if (ch == 'h')
			return CLI_PARSED_HELP;
		else if (ch == 's')
			o->spool = optarg;
		else if (ch == 'x')
			o->hex = 1;
		else if (ch == OPT_VMREC)
			o->cfg.vm_records = 1;
		else if (ch == 'g' && strcmp(optarg, "image") == 0)
			o->cfg.grouping = MODEL_GROUP_IMAGE;
		else if (ch == 'g' && strcmp(optarg, "host") == 0)
			o->cfg.grouping = MODEL_GROUP_HOST;
		else if (ch == 'g')
			rc = plan_bad("--grouping", "image or host");
		else if (ch == 'H' || ch == 'z' || ch == 'r' ||
		    ch == OPT_HOSTGROUP)
			rc = plan_name_opt(ch, optarg, o);
		else if (ch == OPT_TTL || ch == OPT_SERIAL || ch == OPT_NOW)
			rc = plan_num_opt(ch, optarg, o);
		else
			return CLI_PARSED_USAGE;
		if (rc == -1)
			return CLI_PARSED_USAGE;
	}
	if (optind != argc || o->cfg.host[0] == '\0' ||
	    o->cfg.zone[0] == '\0') {
		(void)plan_bad("usage", "-H HOST and -z ZONE are required");
		return CLI_PARSED_USAGE;
	}
	return CLI_PARSED_RUN;
}

/* Feed every spool file to the model, in arrival order. */
static int
plan_load(const char *spool, struct model_regs *regs)
{
	char **names = NULL, err[256];
	size_t i, count = 0;
	struct event ev;
	int bad = 0;

	if (spool_list(spool, &names, &count, NULL) == -1) {
		fprintf(stderr, "vmgroup plan: cannot list spool %s\n", spool);
		return -1;
	}
	for (i = 0; i < count; i++) {
		if (spool_read_event(spool, names[i], &ev, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "vmgroup plan: %s: %s\n", names[i], err);
			bad++;
			continue;
		}
		model_apply(regs, &ev);
	}
	spool_list_free(names, count);
	return bad;
}

static void
plan_print_group(const struct model_group *g)
{
	char addr[64];
	size_t i;

	printf("group %s\n  host %s\n", g->fqdn, g->host);
	if (g->image[0] != '\0')
		printf("  image %s\n", g->image);
	printf("  members");
	for (i = 0; i < g->nmembers; i++)
		printf(" %s", g->members[i]);
	printf("\n  addresses");
	for (i = 0; i < g->naddrs; i++)
		if (event_addr_format(&g->addrs[i], addr, sizeof(addr)) == 0)
			printf(" %s", addr);
	printf("\n");
}

static void
plan_print_node(const struct model_node *n, int hex)
{
	char text[600], fqdn[NAME_FQDN_BUF];
	struct dnsrec rec;
	size_t i, j;

	if (name_fqdn(n->name, n->zone, fqdn) == -1)
		(void)xstrlcpy(fqdn, n->name, sizeof(fqdn));
	printf("node %s (%s; DC=%s in zone %s)\n", fqdn,
	    model_node_kind_name(n->kind), n->name, n->zone);
	for (i = 0; i < n->nrrs; i++) {
		/* the model keeps the encoded value only: decode it back */
		memset(&rec, 0, sizeof(rec));
		if (dnsrec_decode(n->rrs[i].val, n->rrs[i].len, &rec) == -1 ||
		    dnsrec_format(&rec, text, sizeof(text)) == -1)
			(void)xstrlcpy(text, "(unprintable)", sizeof(text));
		printf("  %s  ttl %u\n", text, rec.ttl);
		if (!hex)
			continue;
		printf("    ");
		for (j = 0; j < n->rrs[i].len; j++)
			printf("%02x", n->rrs[i].val[j]);
		printf("\n");
	}
}

int
cli_plan(int argc, char *argv[])
{
	struct plan_opts o = { .spool = SPOOL_DEFAULT };
	struct model_regs regs;
	struct model_desired d;
	char err[256];
	enum cli_parsed p;
	size_t i;
	int rc, bad;

	model_config_init(&o.cfg);
	o.now = (int64_t)time(NULL);
	p = plan_options(argc, argv, &o);
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, plan_usage);
	model_regs_init(&regs);
	bad = plan_load(o.spool, &regs);
	rc = CLI_FAIL;
	if (bad == -1)
		goto out;
	if (model_desired(&regs, &o.cfg, o.now, &d, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup plan: %s\n", err);
		goto out;
	}
	printf("# host %s, zone %s: %zu group(s), %zu node(s)\n", o.cfg.host,
	    o.cfg.zone, d.ngroups, d.nnodes);
	for (i = 0; i < d.ngroups; i++)
		plan_print_group(&d.groups[i]);
	for (i = 0; i < d.nnodes; i++)
		plan_print_node(&d.nodes[i], o.hex);
	model_desired_free(&d);
	rc = bad > 0 ? CLI_FAIL : CLI_OK;
out:
	model_regs_free(&regs);
	return rc;
}
