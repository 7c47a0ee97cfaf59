/*
 * test_withheld.c - what the model leaves out for names held by others,
 * and the pass report (status) that names them.
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

#include "model.h"
#include "ownrec.h"
#include "status.h"
#include "xmem.h"

#define T0 1764000000

static void
reg(struct model_regs *regs, const char *vm, const char *image,
    const char *addr)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.version = 1;
	ev.op = EVENT_OP_REGISTER;
	ev.source = EVENT_SRC_DHCP;
	(void)xstrlcpy(ev.host, "hv1", sizeof(ev.host));
	(void)xstrlcpy(ev.vm, vm, sizeof(ev.vm));
	(void)xstrlcpy(ev.image, image, sizeof(ev.image));
	ev.time = T0;
	ev.naddrs = 1;
	ev.addrs[0].family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, addr, &ev.addrs[0].u), 1);
	assert_int_equal(model_apply(regs, &ev), 1);
}

/* The test's "held by another" set: a space-separated list. */
static int
held(const void *ctx, const char *name)
{
	const char *list = ctx, *p;
	size_t n = strlen(name);

	for (p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static const struct model_node *
find(const struct model_desired *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nnodes; i++)
		if (strcmp(d->nodes[i].name, name) == 0)
			return &d->nodes[i];
	return NULL;
}

/* The number of records of a node that must be there, its owner value
 * (ownrec.h) left out. */
static size_t
nrrs(const struct model_desired *d, const char *name)
{
	const struct model_node *n = find(d, name);
	struct ownrec o;
	size_t i, count = 0;

	assert_non_null(n);
	for (i = 0; n != NULL && i < n->nrrs; i++)
		count += !ownrec_parse(n->rrs[i].val, n->rrs[i].len, &o);
	return count;
}

static void
desired(const char *withheld, struct model_desired *d)
{
	struct model_regs regs;
	struct model_config cfg;
	char err[256];

	model_regs_init(&regs);
	reg(&regs, "good1", "evil", "192.0.2.68");
	reg(&regs, "later1", "evil", "192.0.2.69");
	reg(&regs, "win1", "win", "192.0.2.70");
	model_config_init(&cfg);
	(void)xstrlcpy(cfg.host, "hv1", sizeof(cfg.host));
	(void)xstrlcpy(cfg.zone, "example.test", sizeof(cfg.zone));
	(void)xstrlcpy(cfg.revzones[0], "2.0.192.in-addr.arpa",
	    sizeof(cfg.revzones[0]));
	cfg.nrevzones = 1;
	cfg.vm_records = 1;
	cfg.withheld = held;
	cfg.withheld_ctx = withheld;
	assert_int_equal(model_desired(&regs, &cfg, T0, d, err, sizeof(err)),
	    0);
	model_regs_free(&regs);
}

static void
test_nothing_withheld(void **state)
{
	struct model_desired d;

	(void)state;
	desired("", &d);
	assert_int_equal(d.ngroups, 2);
	assert_non_null(find(&d, "69"));
	assert_non_null(find(&d, "later1"));
	assert_int_equal(nrrs(&d, "_vm._tcp.hv1-evil-vm"), 2);
	assert_int_equal(nrrs(&d, "_vmgroup._tcp.hv1"), 2);
	model_desired_free(&d);
}

/* A withheld VM: no PTR, no VM node, no SRV target, not a member. */
static void
test_vm_withheld(void **state)
{
	struct model_desired d;

	(void)state;
	desired("later1", &d);
	assert_null(find(&d, "69"));
	assert_null(find(&d, "later1"));
	assert_non_null(find(&d, "68"));
	assert_int_equal(nrrs(&d, "_vm._tcp.hv1-evil-vm"), 1);
	assert_int_equal(nrrs(&d, "hv1-evil-vm"), 1);
	assert_string_equal(d.groups[0].name, "hv1-evil-vm");
	assert_int_equal(d.groups[0].nmembers, 1);
	assert_string_equal(d.groups[0].members[0], "good1");
	model_desired_free(&d);
}

/* A withheld group: no group node, no group SRV, no host SRV target, no
 * object; its VMs' own PTRs (true) stay. */
static void
test_group_withheld(void **state)
{
	struct model_desired d;

	(void)state;
	desired("hv1-win-vm", &d);
	assert_null(find(&d, "hv1-win-vm"));
	assert_null(find(&d, "_vm._tcp.hv1-win-vm"));
	assert_int_equal(nrrs(&d, "_vmgroup._tcp.hv1"), 1);
	assert_int_equal(d.ngroups, 1);
	assert_string_equal(d.groups[0].name, "hv1-evil-vm");
	assert_non_null(find(&d, "70"));
	model_desired_free(&d);
}

/* Every group withheld: no host SRV node at all. */
static void
test_all_withheld(void **state)
{
	struct model_desired d;

	(void)state;
	desired("hv1-win-vm hv1-evil-vm", &d);
	assert_int_equal(d.ngroups, 0);
	assert_null(find(&d, "_vmgroup._tcp.hv1"));
	model_desired_free(&d);
}

static void
test_status_report(void **state)
{
	struct status_report s;
	char line[700], path[] = "/tmp/test_withheld.XXXXXX", err[256];
	uint64_t empty;
	FILE *fp;
	int fd;

	(void)state;
	status_init(&s, T0);
	empty = status_digest(&s);
	status_summary(&s, line, sizeof(line));
	assert_string_equal(line, "");
	status_add(&s, STATUS_VM, "later1.example.test");
	status_add(&s, STATUS_GROUP, "hv1-win-vm.example.test");
	status_add(&s, STATUS_NODE, "90.2.0.192.in-addr.arpa");
	assert_true(status_digest(&s) != empty);
	status_summary(&s, line, sizeof(line));
	assert_non_null(strstr(line, "1 VM name(s) and 1 group name(s)"));
	assert_non_null(strstr(line, "1 node(s) and 0 group object(s) not written"));
	assert_non_null(strstr(line, "later1.example.test, hv1-win-vm."));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(status_save(path, &s, err, sizeof(err)), 0);
	fp = tmpfile();
	assert_int_equal(status_print(path, fp, err, sizeof(err)), 1);
	rewind(fp);
	assert_true(fread(line, 1, sizeof(line) - 1, fp) > 0);
	assert_non_null(strstr(line, "NOT IN SYNC"));
	assert_non_null(strstr(line, "missing hv1-win-vm.example.test  (group"));
	assert_non_null(strstr(line, "missing 90.2.0.192.in-addr.arpa  (not"));
	fclose(fp);
	status_free(&s);
	status_init(&s, T0);
	assert_int_equal(status_save(path, &s, err, sizeof(err)), 0);
	fp = tmpfile();
	assert_int_equal(status_print(path, fp, err, sizeof(err)), 0);
	fclose(fp);
	unlink(path);
	assert_int_equal(status_print(path, stdout, err, sizeof(err)), -1);
	status_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_withheld),
		cmocka_unit_test(test_vm_withheld),
		cmocka_unit_test(test_group_withheld),
		cmocka_unit_test(test_all_withheld),
		cmocka_unit_test(test_status_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
