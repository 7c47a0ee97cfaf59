/*
 * cli_enforce.c - vmgroup enforce: the addresses of every blocked group,
 * read from the directory, into nftables sets (enforce.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli_common.h"
#include "conf.h"
#include "enforce.h"
#include "name.h"
#include "vmgroup_attrs.h"
#include "vmgroup_cli.h"
#include "xmem.h"

struct enforce_opts {
	const char *config, *family, *table, *netns;
	char host[NAME_LABEL_BUF];
	int print;
	int64_t interval;	/* 0: once */
	char skipped[1024];	/* special addresses the last round skipped */
};

static void
enforce_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup enforce [-f FILE] [--host HOST] [--family F] [--table T]\n"
"                       [--netns NAME] [--print] [--interval SECONDS]\n"
"Puts every address of every blocked vmGroup into the nftables sets\n"
"blocked4 and blocked6 of table F T (default inet vmgroup), in one\n"
"transaction; your rules drop traffic from and to @blocked4/@blocked6.\n"
"  -f, --config FILE   vmgroupd's configuration (default " CONF_DEFAULT_PATH ")\n"
"      --host HOST     only the groups of this host (default: all)\n"
"      --family F      inet (default), bridge, ip, ip6 or netdev\n"
"      --table T       table name (default " ENFORCE_TABLE ")\n"
"      --netns NAME    apply inside network namespace NAME (/run/netns)\n"
"      --print         print the nftables batch instead of applying it\n"
"      --interval S    do it again every S seconds (default: once)\n");
}

enum { EO_HOST = 256, EO_FAMILY, EO_TABLE, EO_NETNS, EO_PRINT, EO_INTERVAL };

static enum cli_parsed
enforce_options(int argc, char *argv[], struct enforce_opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "host", required_argument, NULL, EO_HOST },
		{ "family", required_argument, NULL, EO_FAMILY },
		{ "table", required_argument, NULL, EO_TABLE },
		{ "netns", required_argument, NULL, EO_NETNS },
		{ "print", no_argument, NULL, EO_PRINT },
		{ "interval", required_argument, NULL, EO_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char err[256];
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': o->config = optarg; break;
		case EO_FAMILY: o->family = optarg; break;
		case EO_TABLE: o->table = optarg; break;
		case EO_NETNS: o->netns = optarg; break;
		case EO_PRINT: o->print = 1; break;
		case EO_HOST:
			if (name_label_check(optarg, o->host, err,
			    sizeof(err)) == -1) {
				fprintf(stderr, "vmgroup enforce: --host %s\n",
				    err);
				return CLI_PARSED_USAGE;
			}
			break;
		case EO_INTERVAL:
			if (cli_parse_i64(optarg, 1, 86400, &o->interval) == -1) {
				fprintf(stderr, "vmgroup enforce: --interval "
				    "wants 1 to 86400 seconds\n");
				return CLI_PARSED_USAGE;
			}
			break;
		case 'h':
			return CLI_PARSED_HELP;
		default:
			return CLI_PARSED_USAGE;
		}
	}
	return optind == argc ? CLI_PARSED_RUN : CLI_PARSED_USAGE;
}

/* Apply batch inside /run/netns/<name>, then come back. */
static int
enforce_apply_in(const char *netns, const char *batch, char *err,
    size_t errlen)
{
	char path[256];
	int self, fd, rc;

	if (netns == NULL)
		return enforce_apply(batch, err, errlen);
	if (strchr(netns, '/') != NULL || xsnprintf(path, sizeof(path),
	    "/run/netns/%s", netns) == -1) {
		(void)xsnprintf(err, errlen, "bad namespace name");
		return -1;
	}
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (self == -1 || fd == -1 || setns(fd, CLONE_NEWNET) == -1) {
		(void)xsnprintf(err, errlen, "network namespace %s: %s",
		    netns, strerror(errno));
		rc = -1;
	} else {
		rc = enforce_apply(batch, err, errlen);
		if (setns(self, CLONE_NEWNET) == -1)
			abort();	/* cannot go back: stop here */
	}
	if (fd != -1)
		close(fd);
	if (self != -1)
		close(self);
	return rc;
}

/* What a round skipped: values that are no address, and special-purpose
 * addresses ("0.0.0.0 in group g: unspecified ...; ..."), which never
 * enter a set. */
struct enforce_skip {
	size_t bad, special;
	char text[1024];
};

/* One directory value into set, or counted in sk. */
static void
enforce_add_value(struct enforce_set *set, const struct dir_value *v,
    const char *group, struct enforce_skip *sk)
{
	struct event_addr a;
	char text[64], why[256], item[200], t[INET6_ADDRSTRLEN];

	if (v->len >= sizeof(text) || memchr(v->val, '\0', v->len) != NULL) {
		sk->bad++;
		return;
	}
	memcpy(text, v->val, v->len);
	text[v->len] = '\0';
	switch (enforce_add(set, text)) {
	case 0:
		return;
	case ADDR_SPECIAL:
		if (addr_parse(text, &a, why, sizeof(why)) != ADDR_SPECIAL ||
		    event_addr_format(&a, t, sizeof(t)) == -1)
			t[0] = '\0';
		(void)xsnprintf(item, sizeof(item), "%s%s in group %s: %s",
		    sk->special > 0 ? "; " : "", t, group, addr_special(&a));
		(void)xstrlcat(sk->text, item, sizeof(sk->text));
		sk->special++;
		return;
	default:
		sk->bad++;
	}
}

/* Say what was skipped; the special addresses only when they differ from
 * the previous round's (once, not every --interval). */
static void
enforce_report_skips(struct enforce_opts *o, const struct enforce_skip *sk)
{
	if (sk->bad > 0)
		fprintf(stderr, "vmgroup enforce: %zu value(s) that are no "
		    "address skipped\n", sk->bad);
	if (strcmp(sk->text, o->skipped) == 0)
		return;
	if (sk->special > 0)
		fprintf(stderr, "vmgroup enforce: %zu special-purpose "
		    "address(es) never put in a set: %s\n", sk->special,
		    sk->text);
	(void)xstrlcpy(o->skipped, sk->text, sizeof(o->skipped));
}

/* The blocked groups' addresses, from the directory. */
static int
enforce_collect(struct dir *d, const struct conf *c, struct enforce_opts *o,
    struct enforce_set *set, size_t *groups)
{
	static char a_cn[] = "cn", a_addr[] = VMG_ATTR_ADDRESS;
	char *const attrs[] = { a_cn, a_addr, NULL };
	char cn[NAME_LABEL_BUF], q[200];
	struct enforce_skip sk;
	struct dir_entry *e;
	size_t i, j, n;

	memset(&sk, 0, sizeof(sk));
	if (cli_groups_find(d, c, o->host[0] != '\0' ? VMG_ATTR_HOST : NULL,
	    o->host, 1, attrs, &e, &n, "enforce") == -1)
		return -1;
	for (i = 0; i < n; i++) {
		cn[0] = '\0';
		if (e[i].nvals[0] > 0 && e[i].vals[0][0].len < sizeof(cn)) {
			memcpy(cn, e[i].vals[0][0].val, e[i].vals[0][0].len);
			cn[e[i].vals[0][0].len] = '\0';
		}
		name_quote(cn, q, sizeof(q));
		for (j = 0; j < e[i].nvals[1]; j++)
			enforce_add_value(set, &e[i].vals[1][j], q, &sk);
	}
	enforce_report_skips(o, &sk);
	*groups = n;
	dir_entries_free(e, n);
	return 0;
}

/* One round: read, build, apply (or print).  0 / -1. */
static int
enforce_round(struct dir *d, const struct conf *c, struct enforce_opts *o)
{
	struct enforce_set set = { NULL, 0 };
	char *batch, err[512];
	size_t groups = 0;
	int rc = -1;

	if (enforce_collect(d, c, o, &set, &groups) == -1)
		return -1;
	batch = enforce_batch(&set, o->family, o->table);
	if (batch == NULL) {
		fprintf(stderr, "vmgroup enforce: bad --family or --table\n");
	} else if (o->print) {
		fputs(batch, stdout);
		rc = 0;
	} else if (enforce_apply_in(o->netns, batch, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup enforce: %s\n", err);
	} else {
		printf("%zu blocked group(s), %zu address(es) in %s %s\n",
		    groups, set.naddrs, o->family, o->table);
		rc = 0;
	}
	fflush(stdout);
	free(batch);
	enforce_free(&set);
	return rc;
}

int
cli_enforce(int argc, char *argv[])
{
	struct enforce_opts o = { .config = CONF_DEFAULT_PATH,
	    .family = "inet", .table = ENFORCE_TABLE };
	struct dir_params dp;
	struct conf c;
	struct krb krb;
	struct dir d;
	enum cli_parsed p;
	int rc;

	p = enforce_options(argc, argv, &o);
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, enforce_usage);
	memset(&krb, 0, sizeof(krb));
	rc = CLI_FAIL;
	if (cli_conf(o.config, &c, "enforce") == -1 ||
	    cli_dir_open(&c, &krb, &d, &dp, "enforce") == -1)
		goto out;
	for (;;) {
		rc = enforce_round(&d, &c, &o) == 0 ? CLI_OK : CLI_FAIL;
		if (o.interval == 0)
			break;
		sleep((unsigned)o.interval);
		if (d.ld != NULL && !krb_stale(&krb, time(NULL), 600))
			continue;
		/* connection lost or ticket ending: fresh ticket, new bind */
		dir_close(&d);
		krb_free(&krb);
		(void)cli_dir_open(&c, &krb, &d, &dp, "enforce");
	}
	dir_close(&d);
out:
	krb_free(&krb);
	return rc;
}
