/*
 * cli_enforce.c - vmgroup enforce: the addresses of every blocked group,
 * read from the directory, into nftables sets (enforce.c): options, one
 * round, --install-rules; --follow is cli_follow.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli_common.h"
#include "cli_enforce.h"
#include "conf.h"
#include "enforce.h"
#include "name.h"
#include "vmgroup_attrs.h"
#include "vmgroup_cli.h"
#include "xmem.h"

static void
enforce_usage(FILE *fp)
{
	fprintf(fp,
"usage: vmgroup enforce [-f FILE] [--host HOST] [--family F[,F...]] [--table T]\n"
"                       [--netns NAME] [--install-rules] [--print]\n"
"                       [--follow] [--interval SECONDS]\n"
"Puts every address of every blocked vmGroup into the nftables sets\n"
"blocked4 and blocked6 of table T in each family F (default inet,bridge,\n"
"table vmgroup), in one transaction; drop rules act on @blocked4/@blocked6.\n"
"  -f, --config FILE   vmgroupd's configuration (default " CONF_DEFAULT_PATH ")\n"
"      --host HOST     only the groups of this host (default: all)\n"
"      --family F,...  inet, bridge, ip, ip6 or netdev (default inet,bridge)\n"
"      --table T       table name (default " ENFORCE_TABLE ")\n"
"      --netns NAME    apply inside network namespace NAME (/run/netns)\n"
"      --install-rules first create the table, the sets and the rules that\n"
"                      drop traffic from and to them (inet and bridge)\n"
"      --print         print the nftables batch instead of applying it\n"
"      --follow        stay running: apply at each change the directory\n"
"                      notifies (AD/Samba change notification, OpenLDAP\n"
"                      syncrepl), reading again every --interval seconds\n"
"                      (default %d); polls where neither is offered\n"
"      --interval S    do it again every S seconds (default: once)\n",
	    ENFORCE_FOLLOW_INTERVAL);
}

/* "inet,bridge" into o->families (known, distinct). */
static int
enforce_families(const char *arg, struct enforce_opts *o)
{
	char *p, *save = NULL;
	size_t i, n = strlen(arg);

	if (n == 0 || arg[0] == ',' || arg[n - 1] == ',' ||
	    strstr(arg, ",,") != NULL ||
	    xstrlcpy(o->famtext, arg, sizeof(o->famtext)) == -1 ||
	    xstrlcpy(o->famlist, arg, sizeof(o->famlist)) == -1)
		return -1;
	o->nfamilies = 0;
	for (p = strtok_r(o->famlist, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (o->nfamilies == ENFORCE_MAX_FAMILIES ||
		    !enforce_family_ok(p))
			return -1;
		for (i = 0; i < o->nfamilies; i++)
			if (strcmp(o->families[i], p) == 0)
				return -1;
		o->families[o->nfamilies++] = p;
	}
	return 0;
}

enum { EO_HOST = 256, EO_FAMILY, EO_TABLE, EO_NETNS, EO_PRINT, EO_INTERVAL,
    EO_FOLLOW, EO_INSTALL };

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
		{ "follow", no_argument, NULL, EO_FOLLOW },
		{ "install-rules", no_argument, NULL, EO_INSTALL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char err[256];
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'f': o->config = optarg; break;
		case EO_FAMILY:
			if (enforce_families(optarg, o) == -1) {
				fprintf(stderr, "vmgroup enforce: --family wants "
				    "a list of inet, bridge, ip, ip6, netdev\n");
				return CLI_PARSED_USAGE;
			}
			break;
		case EO_FOLLOW: o->follow = 1; break;
		case EO_INSTALL: o->install = 1; break;
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

/* What a round skipped: values that are no address, special-purpose
 * addresses ("0.0.0.0 in group g: unspecified ...; ..."), which never
 * enter a set, and the address of the directory server the round read
 * (dc): blocked, it would cut the enforcer off from the directory, which
 * would then never see the unblock (a DC that is a VM of a blocked group). */
struct enforce_skip {
	size_t bad, special;
	char text[1024];
	struct event_addr dc[2 + ENFORCE_MAX_DCS];	/* the reads' server,
					 * the watch's, every one it may use */
	size_t ndc;
	char dctext[512];	/* "192.0.2.53 in group g; ..." */
};

/* One directory server's address into sk->dc. */
static void
enforce_dc_put(struct enforce_skip *sk, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	struct event_addr *a = &sk->dc[sk->ndc];

	if (sk->ndc == sizeof(sk->dc) / sizeof(sk->dc[0]))
		return;
	if (ss->ss_family == AF_INET) {
		a->family = AF_INET;
		a->u.v4 = ((const struct sockaddr_in *)ss)->sin_addr;
	} else if (ss->ss_family != AF_INET6)
		return;
	else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		a->family = AF_INET;
		memcpy(&a->u.v4, &s6->sin6_addr.s6_addr[12], 4);
	} else {
		a->family = AF_INET6;
		a->u.v6 = s6->sin6_addr;
	}
	sk->ndc++;
}

/* The directory servers' addresses: the one d is connected to, the
 * watch's, and every one d may connect to (its URIs resolved once per
 * connection: o->ndcs, cleared when --follow connects again). */
static void
enforce_dcs(struct dir *d, struct enforce_opts *o, struct enforce_skip *sk)
{
	struct sockaddr_storage ss;
	size_t i;

	if (dir_peer(d, &ss) == 0)
		enforce_dc_put(sk, &ss);
	if (o->watch != NULL && dir_peer(o->watch, &ss) == 0)
		enforce_dc_put(sk, &ss);
	if (!o->dcs_known) {
		o->ndcs = dir_dc_addrs(d, o->dcs, ENFORCE_MAX_DCS);
		o->dcs_known = 1;
	}
	for (i = 0; i < o->ndcs; i++)
		enforce_dc_put(sk, &o->dcs[i]);
}

/* 1 (noted in sk->dctext) if text is the address of a directory server
 * the enforcer reads. */
static int
enforce_is_dc(const char *text, const char *group, struct enforce_skip *sk)
{
	struct event_addr a;
	char why[256], item[200], t[INET6_ADDRSTRLEN];
	size_t i;

	if (sk->ndc == 0 || addr_parse(text, &a, why, sizeof(why)) != 0)
		return 0;
	for (i = 0; i < sk->ndc; i++)
		if (event_addr_cmp(&a, &sk->dc[i]) == 0)
			break;
	if (i == sk->ndc || event_addr_format(&a, t, sizeof(t)) == -1)
		return 0;
	(void)xsnprintf(item, sizeof(item), "%s%s in group %s",
	    sk->dctext[0] != '\0' ? "; " : "", t, group);
	(void)xstrlcat(sk->dctext, item, sizeof(sk->dctext));
	return 1;
}

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
	if (enforce_is_dc(text, group, sk))
		return;
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

/* Say once (until it changes) that a directory server's address is kept
 * out of the sets. */
static void
enforce_report_dc(struct enforce_opts *o, const struct enforce_skip *sk)
{
	if (strcmp(sk->dctext, o->dcskipped) == 0)
		return;
	if (sk->dctext[0] != '\0')
		fprintf(stderr, "vmgroup enforce: the address of a directory "
		    "server this enforcer reads never put in a set (blocked, "
		    "it would cut the enforcer off, and the unblock would "
		    "never come): %s\n", sk->dctext);
	(void)xstrlcpy(o->dcskipped, sk->dctext, sizeof(o->dcskipped));
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
	enforce_dcs(d, o, &sk);	/* connected now: the server just read */
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
	enforce_report_dc(o, &sk);
	*groups = n;
	dir_entries_free(e, n);
	return 0;
}

/* Append one (freed) to *all. */
static void
enforce_cat(char **all, size_t *len, char *one)
{
	size_t n = strlen(one);

	*all = xreallocarray(*all, *len + n + 1, 1);
	memcpy(*all + *len, one, n + 1);
	*len += n;
	free(one);
}

/* One batch for every family: the rules (with --install-rules, or set
 * NULL: the rules alone; a table deleted by hand comes back whole at the
 * next apply), then the sets holding set.  NULL on a bad table name, or
 * a family the rules do not know (*bad). */
static char *
enforce_batches(const struct enforce_set *set, const struct enforce_opts *o,
    const char **bad)
{
	char *all = NULL, *one;
	size_t i, len = 0;

	*bad = NULL;
	for (i = 0; i < o->nfamilies; i++) {
		if (o->install || set == NULL) {
			if ((one = enforce_rules(o->families[i], o->table)) ==
			    NULL) {
				*bad = o->families[i];
				goto out;
			}
			enforce_cat(&all, &len, one);
		}
		if (set == NULL)
			continue;
		if ((one = enforce_batch(set, o->families[i], o->table)) == NULL)
			goto out;
		enforce_cat(&all, &len, one);
	}
	return all;
out:
	free(all);
	return NULL;
}

/* Apply (or print) batch; 0 / -1 (printed). */
static int
enforce_run(const struct enforce_opts *o, const char *batch)
{
	char err[512];

	if (o->print) {
		fputs(batch, stdout);
		return 0;
	}
	if (enforce_apply_in(o->netns, batch, err, sizeof(err)) == -1) {
		fprintf(stderr, "vmgroup enforce: %s\n", err);
		return -1;
	}
	return 0;
}

enum enforce_result
enforce_round(struct dir *d, const struct conf *c, struct enforce_opts *o,
    int force)
{
	struct enforce_set set = { NULL, 0 };
	enum enforce_result r = ENFORCE_NFT_FAILED;
	const char *bad;
	size_t groups = 0;
	char *batch;

	if (enforce_collect(d, c, o, &set, &groups) == -1)
		return ENFORCE_DIR_FAILED;
	batch = enforce_batches(&set, o, &bad);
	if (batch == NULL) {
		fprintf(stderr, "vmgroup enforce: bad --table%s%s\n",
		    bad != NULL ? ", or --install-rules with family " : "",
		    bad != NULL ? bad : "");
	} else if (!force && o->applied != NULL &&
	    strcmp(o->applied, batch) == 0) {
		r = ENFORCE_SAME;
	} else if (enforce_run(o, batch) == 0) {
		if (!o->print)
			printf("%zu blocked group(s), %zu address(es) in %s %s\n",
			    groups, set.naddrs, o->famtext, o->table);
		free(o->applied);
		o->applied = batch;
		batch = NULL;
		r = ENFORCE_APPLIED;
	} else {	/* apply it again at the next round */
		free(o->applied);
		o->applied = NULL;
	}
	fflush(stdout);
	free(batch);
	enforce_free(&set);
	return r;
}

int
enforce_install(struct enforce_opts *o)
{
	const char *bad;
	char *all;
	int rc = -1;

	if (o->print)		/* each round's batch begins with them */
		return 0;
	if ((all = enforce_batches(NULL, o, &bad)) == NULL) {
		fprintf(stderr, "vmgroup enforce: --install-rules knows the "
		    "families inet and bridge, not %s\n", bad != NULL ? bad :
		    "this one");
		goto out;
	}
	if (enforce_run(o, all) == 0) {
		printf("rules installed in %s %s\n", o->famtext, o->table);
		rc = 0;
	}
	fflush(stdout);
out:
	free(all);
	return rc;
}

/* Without --follow: once, or every --interval seconds. */
static int
enforce_rounds(const struct conf *c, struct enforce_opts *o)
{
	struct dir_params dp;
	struct krb krb;
	struct dir d;
	int rc = CLI_FAIL;

	memset(&krb, 0, sizeof(krb));
	if (cli_dir_open(c, &krb, &d, &dp, "enforce") == -1)
		goto out;
	for (;;) {
		rc = enforce_round(&d, c, o, 1) == ENFORCE_APPLIED ? CLI_OK :
		    CLI_FAIL;
		if (o->interval == 0)
			break;
		sleep((unsigned)o->interval);
		if (d.ld != NULL && !krb_stale(&krb, time(NULL), 600))
			continue;
		/* connection lost or ticket ending: fresh ticket, new bind */
		dir_close(&d);
		krb_free(&krb);
		(void)cli_dir_open(c, &krb, &d, &dp, "enforce");
	}
	dir_close(&d);
out:
	krb_free(&krb);
	return rc;
}

int
cli_enforce(int argc, char *argv[])
{
	struct enforce_opts o = { .config = CONF_DEFAULT_PATH,
	    .table = ENFORCE_TABLE };
	enum cli_parsed p;
	struct conf c;
	int rc;

	(void)enforce_families("inet,bridge", &o);
	p = enforce_options(argc, argv, &o);
	if (p != CLI_PARSED_RUN)
		return cli_parsed_exit(p, enforce_usage);
	if (o.follow && o.print) {
		fprintf(stderr, "vmgroup enforce: --follow with --print: "
		    "choose one\n");
		return CLI_USAGE;
	}
	if (o.install && enforce_install(&o) == -1)
		return CLI_FAIL;
	if (cli_conf(o.config, &c, "enforce") == -1)
		return CLI_FAIL;
	if (o.follow) {
		if (o.interval == 0)
			o.interval = ENFORCE_FOLLOW_INTERVAL;
		rc = cli_follow(&c, &o);
	} else
		rc = enforce_rounds(&c, &o);
	free(o.applied);
	return rc;
}
