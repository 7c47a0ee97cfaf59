/*
 * test_conf.c - vmgroupd.conf: values, defaults, ranges, and the errors an
 * administrator sees (file:line: what is wrong).
 */
#include "config.h"

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
	    "[daemon]\nbackoff_max = 30\nrenew_margin = 0\n", &c, err,
	    sizeof(err)) != 0)
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
	bad("", "missing setting [directory] uri");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_and_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
