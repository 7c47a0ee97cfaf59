/*
 * test_conf.c - vmgroupd.conf: values, defaults, ranges, and the errors an
 * administrator sees (file:line: what is wrong).
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "dir.h"
#include "xmem.h"

#define BASIC "[directory]\nuri = ldap://dc1.example.test, ldap://dc2.example.test\n" \
	"principal = svc-vmgroup@EXAMPLE.TEST\nbase = DC=example,DC=test\n" \
	"groups_ou = OU=VM Groups,DC=example,DC=test\n[dns]\nzone = Example.Test.\n" \
	"[groups]\nhost = hv1\n"

static char path[64];

static int
load(const char *text, struct conf *c, char *err, size_t errlen)
{
	FILE *fp;
	int fd;

	(void)snprintf(path, sizeof(path), "/tmp/vmg-conf-test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd != -1);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	fd = conf_load(path, c, err, errlen);
	unlink(path);
	return fd;
}

static void
bad(const char *text, const char *why)
{
	struct conf c;
	char err[512] = "";

	assert_int_equal(load(text, &c, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, why);
}

static void
test_basic_and_defaults(void **state)
{
	struct conf c;
	char err[512] = "";

	(void)state;
	if (load(BASIC, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.nuris, 2);
	assert_string_equal(c.uris[1], "ldap://dc2.example.test");
	assert_string_equal(c.model.zone, "example.test");
	assert_string_equal(c.model.host, "hv1");
	assert_string_equal(c.partition, "DomainDnsZones");
	assert_int_equal(c.ssf_min, 56);
	assert_int_equal(c.model.ttl, 300);
	assert_int_equal(c.model.grouping, MODEL_GROUP_IMAGE);
	assert_string_equal(c.spool, "/var/spool/vmgroup");
	assert_int_equal(c.aging, 0);
}

static void
test_values(void **state)
{
	struct conf c;
	char err[512] = "";

	(void)state;
	if (load(BASIC "grouping = host\nhost_group = everything\n[dns]\n"
	    "ttl = 60\naging = yes\nvm_records = true\n"
	    "reverse_zones = 2.0.192.in-addr.arpa 8.b.d.0.1.0.0.2.ip6.arpa\n"
	    "[daemon]\nbackoff_max = 30\nrenew_margin = 0\nmax_lease = 604800\n",
	    &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.model.grouping, MODEL_GROUP_HOST);
	assert_string_equal(c.model.host_group, "everything");
	assert_int_equal(c.model.ttl, 60);
	assert_int_equal(c.aging, 1);
	assert_int_equal(c.model.vm_records, 1);
	assert_int_equal(c.model.nrevzones, 2);
	assert_string_equal(c.model.revzones[1], "8.b.d.0.1.0.0.2.ip6.arpa");
	assert_int_equal(c.backoff_max, 30);
	assert_int_equal(c.renew_margin, 0);
	assert_int_equal(c.max_lease, 604800);
}

static void
test_errors(void **state)
{
	(void)state;
	bad(BASIC "colour = blue\n", ":10: unknown setting [groups] colour");
	bad(BASIC "[dns]\nttl = -1\n", "[dns] ttl: expected a whole number "
	    "from 0 to 604800");
	bad(BASIC "[dns]\nttl = 99999999999\n", "[dns] ttl");
	bad(BASIC "[dns]\nttl = 3OO\n", "[dns] ttl");
	bad(BASIC "[directory]\nssf_min = 0\n", "[directory] ssf_min");
	bad(BASIC "[groups]\ngrouping = vm\n", "image or host");
	bad(BASIC "[groups]\nhost = hv1.example.test\n", "a DNS label");
	bad(BASIC "[dns]\nzone = bad..zone\n", "a DNS zone name");
	bad(BASIC "[directory]\nuri = http://dc1\n", "ldap://");
	bad(BASIC "[dns]\naging = maybe\n", "yes or no");
	bad("[directory]\nuri = ldap://dc1\n", "missing setting [directory] "
	    "principal");
	bad("[directory\n", ":1:");
	bad("", "missing setting [directory] principal");
}

/* One register (or release) event with the given addresses. */
static void
mkevent(struct event *ev, enum event_op op, const char *a, const char *b)
{
	const char *addrs[2] = { a, b };
	size_t i;

	memset(ev, 0, sizeof(*ev));
	ev->op = op;
	for (i = 0; i < 2 && addrs[i] != NULL; i++) {
		ev->addrs[i].family = strchr(addrs[i], ':') ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(ev->addrs[i].family, addrs[i],
		    &ev->addrs[i].u), 1);
		ev->naddrs++;
	}
}

static void
allowed(const struct conf *c, enum event_op op, const char *a, const char *b)
{
	struct event ev;
	char why[256] = "";

	mkevent(&ev, op, a, b);
	if (conf_event_allowed(c, &ev, why, sizeof(why)) != 0)
		fail_msg("%s %s refused: %s", a, b ? b : "", why);
}

static void
refused(const struct conf *c, const char *a, const char *b, const char *out)
{
	struct event ev;
	char why[256] = "", want[128];

	mkevent(&ev, EVENT_OP_REGISTER, a, b);
	assert_int_equal(conf_event_allowed(c, &ev, why, sizeof(why)), -1);
	(void)snprintf(want, sizeof(want), "address %s is outside every "
	    "network of the setting [daemon] networks", out);
	assert_string_equal(why, want);
}

/* [daemon] networks: parsed with ranges checked, then the allow-list. */
static void
test_networks(void **state)
{
	struct conf c;
	char err[512] = "", buf[64];

	(void)state;
	if (load(BASIC, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.networks.n, 0);	/* unset: any address */
	allowed(&c, EVENT_OP_REGISTER, "203.0.113.9", "2001:db8::9");
	if (load(BASIC "[daemon]\nnetworks = 10.0.0.0/8, FD00::/8 "
	    "192.0.2.128/25 198.51.100.7/32 0.0.0.0/0\n", &c, err,
	    sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.networks.n, 5);
	assert_int_equal(addr_net_format(&c.networks.net[1], buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "fd00::/8");
	if (load(BASIC "[daemon]\nnetworks = 10.0.0.0/8 fd00::/8 "
	    "192.0.2.128/25 198.51.100.7/32\n", &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	allowed(&c, EVENT_OP_REGISTER, "10.0.0.1", "10.255.255.254");
	allowed(&c, EVENT_OP_REGISTER, "fd12:3456::1", "192.0.2.128");
	allowed(&c, EVENT_OP_REGISTER, "192.0.2.255", "198.51.100.7");
	refused(&c, "10.0.0.1", "11.0.0.1", "11.0.0.1");
	refused(&c, "192.0.2.127", NULL, "192.0.2.127");
	refused(&c, "198.51.100.8", NULL, "198.51.100.8");
	refused(&c, "fe00::1", NULL, "fe00::1");
	refused(&c, "2001:db8::1", "10.0.0.1", "2001:db8::1");
	/* a release only takes away: never refused by the list */
	allowed(&c, EVENT_OP_RELEASE, "11.0.0.1", NULL);
	/* indented lines continue the list */
	if (load(BASIC "[daemon]\nnetworks = 10.0.0.0/8\n  fd00::/8\n"
	    "\t192.0.2.0/24\n", &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.networks.n, 3);
	allowed(&c, EVENT_OP_REGISTER, "192.0.2.1", "fd00::1");
	/* an IPv4 address is in no IPv6 network, and the other way round */
	if (load(BASIC "[daemon]\nnetworks = ::/0\n", &c, err,
	    sizeof(err)) != 0)
		fail_msg("%s", err);
	allowed(&c, EVENT_OP_REGISTER, "2001:db8::1", NULL);
	refused(&c, "10.0.0.1", NULL, "10.0.0.1");
}

static void
test_networks_errors(void **state)
{
	char many[1024] = BASIC "[daemon]\nnetworks =";
	size_t i;

	(void)state;
	bad(BASIC "[daemon]\nnetworks = 10.0.0.1/8\n",
	    ":11: [daemon] networks: \"10.0.0.1/8\" has bits set after the "
	    "prefix (did you mean 10.0.0.0/8?)");
	bad(BASIC "[daemon]\nnetworks = fd00::1/8\n", "did you mean fd00::/8?");
	bad(BASIC "[daemon]\nnetworks = 10.0.0.0/33\n", "\"10.0.0.0/33\" is "
	    "no network (an IPv4 address, \"/\", a prefix length from 0 to 32)");
	bad(BASIC "[daemon]\nnetworks = fd00::/129\n", "from 0 to 128");
	bad(BASIC "[daemon]\nnetworks = 10.0.0.0\n", "write address/prefix");
	bad(BASIC "[daemon]\nnetworks = 10.0.0.0/\n", "is no network");
	bad(BASIC "[daemon]\nnetworks = 10.0.0.0/-1\n", "is no network");
	bad(BASIC "[daemon]\nnetworks = 10.0.0.0/+8\n", "is no network");
	bad(BASIC "[daemon]\nnetworks = 10.0.0.0/8x\n", "is no network");
	bad(BASIC "[daemon]\nnetworks = 10.0.0.0/0008\n", "is no network");
	bad(BASIC "[daemon]\nnetworks = 10.0/8\n", "is no network");
	bad(BASIC "[daemon]\nnetworks = 10.0.0.0/8/8\n", "is no network");
	bad(BASIC "[daemon]\nnetworks = fe80::%eth0/64\n", "is no network");
	bad(BASIC "[daemon]\nnetworks = 10.0.0.0/4294967304\n",
	    "is no network");
	/* the first error is the one reported */
	bad(BASIC "[dns]\nttl = x\n[daemon]\nnetworks = 1.2.3.4/8\n",
	    ":11: [dns] ttl");
	for (i = 0; i < 33; i++)	/* continuation lines add */
		(void)snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "%s10.%zu.0.0/16", i % 8 == 7 ? "\n  " : " ", i);
	(void)snprintf(many + strlen(many), sizeof(many) - strlen(many), "\n");
	bad(many, "[daemon] networks: more than 32 networks");
	/* libinih would cut a long line and lose the end of the list */
	(void)snprintf(many, sizeof(many), BASIC "[daemon]\nnetworks =");
	for (i = 0; i < 20; i++)
		(void)snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    " 10.%zu.0.0/16", i);
	(void)snprintf(many + strlen(many), sizeof(many) - strlen(many), "\n");
	bad(many, ":11: longer than 198 characters (continue a list on "
	    "indented lines)");
}

static void
test_missing_file(void **state)
{
	struct conf c;
	char err[512] = "";

	(void)state;
	assert_int_equal(conf_load("/nonexistent/vmgroupd.conf", &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/vmgroupd.conf: No such file"));
}

/* What the daemon and the CLI both take from a configuration: the
 * directory session's settings and the state folder's files. */
static void
test_dir_params_and_state_paths(void **state)
{
	struct dir_params dp;
	struct conf c;
	char file[PATH_MAX], small[8];

	(void)state;
	conf_defaults(&c);
	(void)xstrlcpy(c.uris[0], "ldap://dc1.example.test", CONF_URI_BUF);
	(void)xstrlcpy(c.uris[1], "ldap://dc2.example.test", CONF_URI_BUF);
	c.nuris = 2;
	conf_dir_params(&c, &dp);
	assert_int_equal(dp.nuris, 2);
	assert_ptr_equal(dp.uris[1], c.uris[1]);
	assert_int_equal(dp.ssf_min, 56);
	assert_int_equal(dp.timeout, c.timeout);
	assert_string_equal(c.spool, SPOOL_DEFAULT);
	assert_int_equal(conf_state_path(&c, CONF_STATE_OWNED, file,
	    sizeof(file)), 0);
	assert_string_equal(file, "/var/lib/vmgroup/owned.json");
	assert_int_equal(conf_state_path(&c, CONF_STATE_STATUS, small,
	    sizeof(small)), -1);
}

#define AUTO "principal = svc-vmgroup@EXAMPLE.TEST\n" \
	"groups_ou = OU=VM Groups,DC=example,DC=test\n[dns]\nzone = example.test\n" \
	"[groups]\nhost = hv1\n"

/* uri = auto, or no uri: the DCs from DNS, for [directory] domain or the
 * domain the base's DC= names make; the site's first. */
static void
test_auto(void **state)
{
	struct dir_params dp;
	struct conf c;
	char err[512];

	(void)state;
	assert_int_equal(load("[directory]\nuri = auto\n"
	    "base = OU=x,DC=Corp,DC=Example,DC=test\n" AUTO, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.nuris, 0);
	assert_string_equal(c.domain, "corp.example.test");
	conf_dir_params(&c, &dp);
	assert_int_equal(dp.nuris, 0);
	assert_string_equal(dp.domain, "corp.example.test");
	assert_null(dp.site);
	assert_int_equal(load("[directory]\nbase = DC=example,DC=test\n"
	    "domain = ad.example.test\nsite = Branch-2\n" AUTO, &c, err,
	    sizeof(err)), 0);
	conf_dir_params(&c, &dp);
	assert_string_equal(dp.domain, "ad.example.test");
	assert_string_equal(dp.site, "branch-2");
	/* URIs given: no domain is used */
	assert_int_equal(load(BASIC, &c, err, sizeof(err)), 0);
	conf_dir_params(&c, &dp);
	assert_null(dp.domain);
	bad("[directory]\nuri = auto ldap://dc1\nbase = DC=example,DC=test\n"
	    AUTO, "auto takes no other URI");
	bad("[directory]\nuri = auto\nbase = O=corp\n" AUTO,
	    "set [directory] domain");
	bad("[directory]\nuri = auto\nbase = DC=a..b\n" AUTO,
	    "set [directory] domain");
	bad("[directory]\nbase = DC=example,DC=test\nsite = a.b\n" AUTO,
	    "[directory] site");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_and_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_networks_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_dir_params_and_state_paths),
		cmocka_unit_test(test_auto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
