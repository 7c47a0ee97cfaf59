/*
 * test_model.c - the model: registrations -> desired state of one host.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "ownrec.h"
#include "xmem.h"

#define T0 1764000000	/* a fixed "now" for every test */

static struct event
ev_make(enum event_op op, const char *host, const char *vm, const char *image,
    int64_t time, int64_t expires, const char *addrs)
{
	struct event ev;
	char buf[256], *tok, *sp;

	memset(&ev, 0, sizeof(ev));
	ev.version = 1;
	ev.op = op;
	ev.source = EVENT_SRC_DHCP;
	assert_int_equal(xstrlcpy(ev.host, host, sizeof(ev.host)), 0);
	assert_int_equal(xstrlcpy(ev.vm, vm, sizeof(ev.vm)), 0);
	assert_int_equal(xstrlcpy(ev.image, image, sizeof(ev.image)), 0);
	ev.time = time;
	ev.expires = expires;
	assert_int_equal(xstrlcpy(buf, addrs, sizeof(buf)), 0);
	for (tok = buf; *tok != '\0'; tok = sp) {
		struct event_addr *a = &ev.addrs[ev.naddrs++];

		sp = strchr(tok, ' ');
		if (sp != NULL)
			*sp++ = '\0';
		else
			sp = tok + strlen(tok);

		a->family = strchr(tok, ':') ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(a->family, tok, &a->u), 1);
	}
	return ev;
}

static void
apply(struct model_regs *regs, enum event_op op, const char *host,
    const char *vm, const char *image, int64_t time, const char *addrs)
{
	struct event ev = ev_make(op, host, vm, image, time, 0, addrs);

	model_apply(regs, &ev);
}

static void
cfg_make(struct model_config *cfg, const char *host)
{
	model_config_init(cfg);
	assert_int_equal(xstrlcpy(cfg->host, host, sizeof(cfg->host)), 0);
	assert_int_equal(xstrlcpy(cfg->zone, "example.test",
	    sizeof(cfg->zone)), 0);
	assert_int_equal(xstrlcpy(cfg->revzones[0], "2.0.192.in-addr.arpa",
	    sizeof(cfg->revzones[0])), 0);
	assert_int_equal(xstrlcpy(cfg->revzones[1], "8.b.d.0.1.0.0.2.ip6.arpa",
	    sizeof(cfg->revzones[1])), 0);
	cfg->nrevzones = 2;
}

static const struct model_node *
node_find(const struct model_desired *d, const char *zone, const char *name)
{
	size_t i;

	for (i = 0; i < d->nnodes; i++)
		if (strcmp(d->nodes[i].zone, zone) == 0 &&
		    strcmp(d->nodes[i].name, name) == 0)
			return &d->nodes[i];
	return NULL;
}

/* Like node_find, but a missing node fails the test. */
static const struct model_node *
node_get(const struct model_desired *d, const char *zone, const char *name)
{
	static struct model_rr none_rr;
	static const struct model_node none = { .rrs = &none_rr };
	const struct model_node *n = node_find(d, zone, name);

	if (n == NULL) {
		fail_msg("no node %s in zone %s", name, zone);
		return &none;
	}
	return n;
}

/* A record as the model encoded it, decoded back. */
static const struct dnsrec *
rr_rec(const struct model_rr *rr)
{
	static struct dnsrec rec;

	assert_int_equal(dnsrec_decode(rr->val, rr->len, &rec), 0);
	return &rec;
}

/* The host the desired state under test is built for. */
static const char *owner_host = "hv1";

/* The node's owner value (ownrec.h): a node built whole holds exactly
 * one, naming owner_host, a patched one none.  Its time, or -1 for a
 * patched node. */
static int64_t
node_owner(const struct model_node *n)
{
	struct ownrec o;
	int64_t t = -1;
	size_t i, count = 0;

	for (i = 0; i < n->nrrs; i++) {
		if (!ownrec_parse(n->rrs[i].val, n->rrs[i].len, &o))
			continue;
		assert_string_equal(o.host, owner_host);
		t = o.t;
		count++;
	}
	assert_int_equal(count, n->gone == NULL ? 1 : 0);
	return t;
}

/* The node's first record that is not its owner value. */
static const struct model_rr *
first_rr(const struct model_node *n)
{
	struct ownrec o;
	size_t i;

	for (i = 0; i < n->nrrs; i++)
		if (!ownrec_parse(n->rrs[i].val, n->rrs[i].len, &o))
			return &n->rrs[i];
	fail_msg("node %s holds no record but its owner value", n->name);
	return NULL;
}

/* The node's records in display form, joined by "|", in stored order,
 * its owner value (checked: node_owner) left out. */
static const char *
node_text(const struct model_desired *d, const char *zone, const char *name)
{
	static char out[4096];
	const struct model_node *n = node_find(d, zone, name);
	struct ownrec o;
	char one[600];
	size_t i;

	if (n == NULL)
		return "(absent)";
	(void)node_owner(n);
	out[0] = '\0';
	for (i = 0; i < n->nrrs; i++) {
		if (ownrec_parse(n->rrs[i].val, n->rrs[i].len, &o))
			continue;
		assert_int_equal(dnsrec_format(rr_rec(&n->rrs[i]), one,
		    sizeof(one)), 0);
		if (out[0] != '\0')
			assert_int_equal(xstrlcat(out, "|", sizeof(out)), 0);
		assert_int_equal(xstrlcat(out, one, sizeof(out)), 0);
	}
	return out;
}

static const char *
group_members(const struct model_desired *d, const char *name)
{
	static char out[1024];
	size_t i, j;

	for (i = 0; i < d->ngroups; i++) {
		if (strcmp(d->groups[i].name, name) != 0)
			continue;
		out[0] = '\0';
		for (j = 0; j < d->groups[i].nmembers; j++) {
			if (j > 0)
				assert_int_equal(xstrlcat(out, ",", sizeof(out)), 0);
			assert_int_equal(xstrlcat(out, d->groups[i].members[j],
			    sizeof(out)), 0);
		}
		return out;
	}
	return "(absent)";
}

static void
desired(const struct model_regs *regs, const struct model_config *cfg,
    struct model_desired *d)
{
	char err[256] = "";

	assert_int_equal(model_desired(regs, cfg, T0, d, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

#define Z "example.test"
#define R4 "2.0.192.in-addr.arpa"
#define R6 "8.b.d.0.1.0.0.2.ip6.arpa"

static void
three_vms(struct model_regs *regs)
{
	model_regs_init(regs);
	apply(regs, EVENT_OP_REGISTER, "hv1", "web1", "debian-12", T0 - 30,
	    "192.0.2.10");
	apply(regs, EVENT_OP_REGISTER, "hv1", "web2", "debian-12", T0 - 20,
	    "192.0.2.11 2001:db8::11");
	apply(regs, EVENT_OP_REGISTER, "hv1", "db1", "rocky-9", T0 - 10,
	    "192.0.2.20");
}

static void
test_per_image(void **state)
{
	struct model_regs regs;
	struct model_config cfg;
	struct model_desired d;

	(void)state;
	three_vms(&regs);
	cfg_make(&cfg, "hv1");
	cfg.serial = 5;
	cfg.revserials[0] = 7;
	desired(&regs, &cfg, &d);
	/* each record carries the serial of its own zone */
	assert_int_equal(rr_rec(first_rr(node_get(&d, R4, "10")))->serial, 7);
	assert_int_equal(rr_rec(first_rr(node_get(&d, R6,
	    "1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0")))->serial, 1);
	assert_int_equal(rr_rec(first_rr(node_get(&d, Z,
	    "hv1-rocky-9-vm")))->serial, 5);
	/* the owner value: a PTR's time is its VM's registration time, a
	 * group node's 0 */
	assert_int_equal(node_owner(node_get(&d, R4, "10")), T0 - 30);
	assert_int_equal(node_owner(node_get(&d, Z, "hv1-rocky-9-vm")), 0);
	assert_int_equal(node_owner(node_get(&d, Z, "_vmgroup._tcp.hv1")), 0);
	assert_int_equal(d.ngroups, 2);
	assert_string_equal(d.groups[0].name, "hv1-debian-12-vm");
	assert_string_equal(d.groups[0].fqdn, "hv1-debian-12-vm.example.test");
	assert_string_equal(d.groups[0].image, "debian-12");
	assert_string_equal(group_members(&d, "hv1-debian-12-vm"), "web1,web2");
	assert_string_equal(group_members(&d, "hv1-rocky-9-vm"), "db1");
	assert_string_equal(node_text(&d, Z, "hv1-debian-12-vm"),
	    "A 192.0.2.10|A 192.0.2.11|AAAA 2001:db8::11");
	assert_string_equal(node_text(&d, Z, "hv1-rocky-9-vm"), "A 192.0.2.20");
	assert_string_equal(node_text(&d, Z, "_vmgroup._tcp.hv1"),
	    "SRV 0 0 0 hv1-rocky-9-vm.example.test|"
	    "SRV 0 0 0 hv1-debian-12-vm.example.test");
	assert_string_equal(node_text(&d, Z, "_vm._tcp.hv1-debian-12-vm"),
	    "SRV 0 0 0 web1.example.test|SRV 0 0 0 web2.example.test");
	assert_string_equal(node_text(&d, Z, "_vm._tcp.hv1-rocky-9-vm"),
	    "SRV 0 0 0 db1.example.test");
	assert_string_equal(node_text(&d, R4, "10"), "PTR web1.example.test");
	assert_string_equal(node_text(&d, R4, "20"), "PTR db1.example.test");
	assert_string_equal(node_text(&d, R6,
	    "1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"),
	    "PTR web2.example.test");
	/* no VM records unless asked for */
	assert_string_equal(node_text(&d, Z, "web1"), "(absent)");
	/* 2 group nodes, 2 group SRV nodes, 1 host SRV node, 4 PTR nodes */
	assert_int_equal(d.nnodes, 9);
	model_desired_free(&d);
	model_regs_free(&regs);
}

static void
test_host_wide(void **state)
{
	struct model_regs regs;
	struct model_config cfg;
	struct model_desired d;

	(void)state;
	three_vms(&regs);
	cfg_make(&cfg, "hv1");
	cfg.grouping = MODEL_GROUP_HOST;
	desired(&regs, &cfg, &d);
	assert_int_equal(d.ngroups, 1);
	assert_string_equal(d.groups[0].name, "hv1-all-vm");
	assert_string_equal(d.groups[0].image, "");
	assert_string_equal(group_members(&d, "hv1-all-vm"), "db1,web1,web2");
	assert_string_equal(node_text(&d, Z, "hv1-all-vm"),
	    "A 192.0.2.10|A 192.0.2.11|A 192.0.2.20|AAAA 2001:db8::11");
	assert_string_equal(node_text(&d, Z, "_vmgroup._tcp.hv1"),
	    "SRV 0 0 0 hv1-all-vm.example.test");
	assert_string_equal(node_text(&d, Z, "hv1-debian-12-vm"), "(absent)");
	model_desired_free(&d);
	model_regs_free(&regs);
}

/* The encoded value is exactly the MS-DNSP bytes of formats.md. */
static void
test_bytes(void **state)
{
	static const uint8_t want[] = {
		0x04, 0x00, 0x01, 0x00, 0x05, 0xf0, 0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x02, 0x04 };
	struct model_regs regs;
	struct model_config cfg;
	struct model_desired d;
	const struct model_node *n;

	(void)state;
	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "hv1", "vm1", "img", T0, "10.1.2.4");
	cfg_make(&cfg, "hv1");
	desired(&regs, &cfg, &d);
	n = node_get(&d, Z, "hv1-img-vm");
	assert_int_equal(n->nrrs, 2);
	assert_int_equal(node_owner(n), 0);
	assert_int_equal(first_rr(n)->len, sizeof(want));
	assert_memory_equal(first_rr(n)->val, want, sizeof(want));
	/* 10.1.2.4 is in no configured reverse zone: no PTR node at all */
	assert_int_equal(d.nnodes, 3);
	model_desired_free(&d);
	model_regs_free(&regs);
}

static void
test_release(void **state)
{
	struct model_regs regs;
	struct model_config cfg;
	struct model_desired d;

	(void)state;
	three_vms(&regs);
	cfg_make(&cfg, "hv1");
	/* older than web2's registration: stale, ignored */
	apply(&regs, EVENT_OP_RELEASE, "hv1", "web2", "", T0 - 25, "");
	/* from a host web1 is not on: ignored */
	apply(&regs, EVENT_OP_RELEASE, "hv9", "web1", "", T0, "");
	assert_int_equal(model_regs_count(&regs), 3);
	apply(&regs, EVENT_OP_RELEASE, "hv1", "web2", "", T0, "");
	apply(&regs, EVENT_OP_RELEASE, "hv1", "db1", "", T0, "");
	assert_int_equal(model_regs_count(&regs), 1);
	desired(&regs, &cfg, &d);
	assert_int_equal(d.ngroups, 1);
	assert_string_equal(group_members(&d, "hv1-debian-12-vm"), "web1");
	assert_string_equal(node_text(&d, Z, "hv1-debian-12-vm"),
	    "A 192.0.2.10");
	assert_string_equal(node_text(&d, Z, "hv1-rocky-9-vm"), "(absent)");
	assert_string_equal(node_text(&d, Z, "_vm._tcp.hv1-rocky-9-vm"),
	    "(absent)");
	assert_string_equal(node_text(&d, Z, "_vmgroup._tcp.hv1"),
	    "SRV 0 0 0 hv1-debian-12-vm.example.test");
	assert_string_equal(node_text(&d, R4, "11"), "(absent)");
	model_desired_free(&d);
	/* the last one goes: nothing is desired at all */
	apply(&regs, EVENT_OP_RELEASE, "hv1", "web1", "", T0, "");
	desired(&regs, &cfg, &d);
	assert_int_equal(d.nnodes, 0);
	assert_int_equal(d.ngroups, 0);
	model_desired_free(&d);
	model_regs_free(&regs);
}

static void
test_expiry(void **state)
{
	struct model_regs regs;
	struct model_config cfg;
	struct model_desired d;
	struct event ev;

	(void)state;
	model_regs_init(&regs);
	ev = ev_make(EVENT_OP_REGISTER, "hv1", "old", "img", T0 - 100, T0,
	    "192.0.2.30");
	model_apply(&regs, &ev);
	ev = ev_make(EVENT_OP_REGISTER, "hv1", "young", "img", T0 - 100,
	    T0 + 1, "192.0.2.31");
	model_apply(&regs, &ev);
	cfg_make(&cfg, "hv1");
	/* a lease ending at now is over, even before model_expire runs */
	desired(&regs, &cfg, &d);
	assert_string_equal(group_members(&d, "hv1-img-vm"), "young");
	assert_string_equal(node_text(&d, Z, "hv1-img-vm"), "A 192.0.2.31");
	model_desired_free(&d);
	assert_int_equal(model_expire(&regs, T0), 1);
	assert_int_equal(model_regs_count(&regs), 1);
	assert_int_equal(model_expire(&regs, T0 + 1), 1);
	assert_int_equal(model_regs_count(&regs), 0);
	/* a refresh extends the lease */
	ev = ev_make(EVENT_OP_REGISTER, "hv1", "vm", "img", T0 - 100, T0,
	    "192.0.2.32");
	model_apply(&regs, &ev);
	ev = ev_make(EVENT_OP_REFRESH, "hv1", "vm", "img", T0 - 50, T0 + 3600,
	    "192.0.2.32");
	model_apply(&regs, &ev);
	assert_int_equal(model_expire(&regs, T0), 0);
	model_regs_free(&regs);
}

static void
test_move(void **state)
{
	struct model_regs regs;
	struct model_config cfg1, cfg2;
	struct model_desired d;

	(void)state;
	three_vms(&regs);
	cfg_make(&cfg1, "hv1");
	cfg_make(&cfg2, "hv2");
	apply(&regs, EVENT_OP_REGISTER, "hv2", "web1", "debian-12", T0 - 5,
	    "192.0.2.40");
	/* the old host's late release must not undo the move */
	apply(&regs, EVENT_OP_RELEASE, "hv1", "web1", "", T0, "");
	desired(&regs, &cfg1, &d);
	assert_string_equal(group_members(&d, "hv1-debian-12-vm"), "web2");
	assert_string_equal(node_text(&d, R4, "10"), "(absent)");
	model_desired_free(&d);
	owner_host = "hv2";
	desired(&regs, &cfg2, &d);
	assert_int_equal(d.ngroups, 1);
	assert_string_equal(group_members(&d, "hv2-debian-12-vm"), "web1");
	assert_string_equal(node_text(&d, Z, "hv2-debian-12-vm"),
	    "A 192.0.2.40");
	assert_string_equal(node_text(&d, Z, "_vmgroup._tcp.hv2"),
	    "SRV 0 0 0 hv2-debian-12-vm.example.test");
	assert_string_equal(node_text(&d, R4, "40"), "PTR web1.example.test");
	model_desired_free(&d);
	/* an older registration on hv1 arriving late changes nothing */
	apply(&regs, EVENT_OP_REGISTER, "hv1", "web1", "debian-12", T0 - 6,
	    "192.0.2.10");
	desired(&regs, &cfg2, &d);
	assert_string_equal(group_members(&d, "hv2-debian-12-vm"), "web1");
	/* the PTR's owner value: hv2 and the time of the move */
	assert_int_equal(node_owner(node_get(&d, R4, "40")), T0 - 5);
	owner_host = "hv1";
	model_desired_free(&d);
	model_regs_free(&regs);
}

static void
test_shared_address_and_vm_records(void **state)
{
	struct model_regs regs;
	struct model_config cfg;
	struct model_desired d;

	(void)state;
	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "hv1", "a", "img", T0, "192.0.2.50");
	apply(&regs, EVENT_OP_REGISTER, "hv1", "b", "img", T0,
	    "192.0.2.50 2001:db8::50");
	apply(&regs, EVENT_OP_REGISTER, "hv1", "c", "", T0, "192.0.2.51");
	cfg_make(&cfg, "hv1");
	cfg.vm_records = 1;
	desired(&regs, &cfg, &d);
	/* one address twice in a group: one value */
	assert_string_equal(node_text(&d, Z, "hv1-img-vm"),
	    "A 192.0.2.50|AAAA 2001:db8::50");
	/* and two PTR values on its reverse node */
	assert_string_equal(node_text(&d, R4, "50"),
	    "PTR a.example.test|PTR b.example.test");
	assert_string_equal(node_text(&d, Z, "b"),
	    "A 192.0.2.50|AAAA 2001:db8::50");
	assert_string_equal(node_text(&d, Z, "c"), "A 192.0.2.51");
	/* no image: the no-image group */
	assert_string_equal(group_members(&d, "hv1-noimage-vm"), "c");
	model_desired_free(&d);
	model_regs_free(&regs);
}

/* Group names over 63 octets take the hashed form and stay labels. */
static void
test_long_names(void **state)
{
	struct model_regs regs;
	struct model_config cfg;
	struct model_desired d;
	const char *img =
	    "an-os-image-name-long-enough-that-the-group-name-will-not-fit";

	(void)state;
	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "hv1", "vm1", img, T0, "192.0.2.60");
	cfg_make(&cfg, "hv1");
	desired(&regs, &cfg, &d);
	assert_int_equal(d.ngroups, 1);
	assert_true(strlen(d.groups[0].name) <= 63);
	assert_int_equal(strncmp(d.groups[0].name, "hv1-an-os-image", 15), 0);
	assert_string_equal(d.groups[0].name + strlen(d.groups[0].name) - 3,
	    "-vm");
	assert_string_equal(d.groups[0].image, img);
	assert_string_equal(node_text(&d, Z, d.groups[0].name), "A 192.0.2.60");
	model_desired_free(&d);
	model_regs_free(&regs);
}

/* The registration of vm; a missing one fails the test. */
static const struct model_reg *
reg_get(const struct model_regs *regs, const char *vm)
{
	static const struct model_reg none = { .host = "", .image = "" };
	struct model_reg *r;

	HASH_FIND_STR(regs->by_vm, vm, r);
	if (r == NULL) {
		fail_msg("no registration of %s", vm);
		return &none;
	}
	return r;
}

/* A registration is one right-sized allocation: updates that change its
 * size (more or fewer addresses, another image or host) replace it, a
 * refresh of the same size rewrites it in place; what it holds follows. */
static void
test_reg_resize(void **state)
{
	struct model_regs regs;
	const struct model_reg *r;
	char a[64];

	(void)state;
	model_regs_init(&regs);
	apply(&regs, EVENT_OP_REGISTER, "hv1", "web1", "img", T0, "192.0.2.1");
	apply(&regs, EVENT_OP_REGISTER, "hv1", "web2", "", T0, "192.0.2.2");
	apply(&regs, EVENT_OP_REGISTER, "hv1", "web1", "debian-12", T0 + 1,
	    "192.0.2.1 2001:db8::1 2001:db8::2");
	r = reg_get(&regs, "web1");
	assert_string_equal(r->vm, "web1");
	assert_string_equal(r->host, "hv1");
	assert_string_equal(r->image, "debian-12");
	assert_int_equal(r->naddrs, 3);
	assert_int_equal(event_addr_format(&r->addrs[2], a, sizeof(a)), 0);
	assert_string_equal(a, "2001:db8::2");
	apply(&regs, EVENT_OP_REGISTER, "hv2", "web1", "debian-13", T0 + 2,
	    "192.0.2.7 2001:db8::7 2001:db8::8");	/* the same size */
	assert_ptr_equal(reg_get(&regs, "web1"), r);
	assert_string_equal(r->host, "hv2");
	assert_string_equal(r->image, "debian-13");
	assert_int_equal(event_addr_format(&r->addrs[2], a, sizeof(a)), 0);
	assert_string_equal(a, "2001:db8::8");
	apply(&regs, EVENT_OP_REGISTER, "hv2", "web1", "debian-12", T0 + 3,
	    "192.0.2.9");
	r = reg_get(&regs, "web1");
	assert_string_equal(r->host, "hv2");
	assert_string_equal(r->image, "debian-12");
	assert_int_equal(r->naddrs, 1);
	assert_int_equal(event_addr_format(&r->addrs[0], a, sizeof(a)), 0);
	assert_string_equal(a, "192.0.2.9");
	r = reg_get(&regs, "web2");
	assert_string_equal(r->image, "");
	assert_int_equal(model_regs_count(&regs), 2);
	model_regs_free(&regs);
}

static uint32_t
holders(const struct model_regs *regs, const char *text)
{
	struct event_addr a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a.family, text, &a.u), 1);
	return model_addr_holders(regs, &a);
}

/* Each address counts the registrations holding it, through shares,
 * releases, refreshes in place, moves and expiry, and a churn of many. */
static void
test_addr_holders(void **state)
{
	struct model_regs regs;
	char vm[32], addr[32];
	int i, k;

	(void)state;
	three_vms(&regs);
	apply(&regs, EVENT_OP_REGISTER, "hv1", "web3", "debian-12", T0 - 5,
	    "192.0.2.10");
	assert_int_equal(holders(&regs, "192.0.2.10"), 2);
	assert_int_equal(holders(&regs, "2001:db8::11"), 1);
	assert_int_equal(holders(&regs, "192.0.2.99"), 0);
	apply(&regs, EVENT_OP_RELEASE, "hv1", "web3", "debian-12", T0, "");
	assert_int_equal(holders(&regs, "192.0.2.10"), 1);
	/* same size: rewritten in place */
	apply(&regs, EVENT_OP_REGISTER, "hv1", "db1", "rocky-9", T0, "192.0.2.21");
	assert_int_equal(holders(&regs, "192.0.2.20"), 0);
	assert_int_equal(holders(&regs, "192.0.2.21"), 1);
	for (k = 0; k < 3; k++)		/* 600 VMs, each address moving on */
		for (i = 0; i < 600; i++) {
			(void)snprintf(vm, sizeof(vm), "c%d", i);
			(void)snprintf(addr, sizeof(addr), "10.%d.%d.%d", k,
			    i / 256, i % 256);
			apply(&regs, EVENT_OP_REGISTER, "hv1", vm, "x",
			    T0 + k, addr);
		}
	for (i = 0; i < 600; i++) {
		(void)snprintf(addr, sizeof(addr), "10.2.%d.%d", i / 256,
		    i % 256);
		assert_int_equal(holders(&regs, addr), 1);
		(void)snprintf(addr, sizeof(addr), "10.0.%d.%d", i / 256,
		    i % 256);
		assert_int_equal(holders(&regs, addr), 0);
	}
	assert_true(regs.addrs.cap <= 8 * 1024);	/* not every one seen */
	regs.by_vm->expires = T0;
	assert_int_equal(model_expire(&regs, T0), 1);
	assert_int_equal(holders(&regs, "192.0.2.10"), 0);
	model_regs_free(&regs);
}

/* A patched group: built from the members let through, what the patch
 * names and none of them holds is gone. */
static const struct model_patch *
only_patch(void *ctx, const char *label)
{
	return strcmp(label, "debian-12") == 0 ? ctx : NULL;
}

static int
only_web1(void *ctx, const struct model_reg *r)
{
	(void)ctx;
	return strcmp(r->vm, "web1") == 0 || strcmp(r->vm, "db1") == 0;
}

static int
only_none(void *ctx, const struct model_reg *r)
{
	(void)ctx;
	(void)r;
	return 0;
}

static void
test_patch(void **state)
{
	static const char *const vms[] = { "web2", "web1", "web2" };
	struct event_addr gone[3];
	struct model_patch p = { vms, 3, gone, 3 };
	struct model_regs regs;
	struct model_config cfg;
	struct model_desired d;
	const struct model_node *n;
	size_t i;

	(void)state;
	three_vms(&regs);
	memcpy(gone, reg_get(&regs, "web2")->addrs, 2 * sizeof(*gone));
	gone[2] = gone[0];				/* a repeat */
	apply(&regs, EVENT_OP_RELEASE, "hv1", "web2", "debian-12", T0, "");
	cfg_make(&cfg, "hv1");
	cfg.only = only_web1;
	cfg.only_full = only_none;
	cfg.patch = only_patch;
	cfg.only_ctx = &p;
	desired(&regs, &cfg, &d);
	n = node_get(&d, Z, "hv1-debian-12-vm");
	assert_non_null(n->gone);
	assert_int_equal(n->nrrs, 1);			/* web1's */
	assert_int_equal(n->gone->nrrs, 2);		/* web2's two */
	n = node_get(&d, Z, "_vm._tcp.hv1-debian-12-vm");
	assert_non_null(n->gone);
	assert_int_equal(n->nrrs, 1);
	assert_int_equal(n->gone->nrrs, 1);		/* web2 */
	assert_null(node_get(&d, Z, "hv1-rocky-9-vm")->gone);
	for (i = 0; i < d.ngroups; i++) {
		if (strcmp(d.groups[i].name, "hv1-debian-12-vm") != 0) {
			assert_false(d.groups[i].patch);
			continue;
		}
		assert_true(d.groups[i].patch);
		assert_int_equal(d.groups[i].nmembers, 1);
		assert_int_equal(d.groups[i].ngone_members, 1);
		assert_string_equal(d.groups[i].gone_members[0], "web2");
		assert_int_equal(d.groups[i].ngone_addrs, 2);
	}
	model_desired_free(&d);
	model_regs_free(&regs);
}

/* A whole build's node, bytes and all, is in exactly one part's build,
 * and the part model_part_addr / model_part_vm name; the groups, their
 * nodes and the host's SRV node only in part 0. */
static void
test_parts(void **state)
{
	struct model_regs regs;
	struct model_config cfg, pc;
	struct model_desired whole, part[3];
	const struct model_node *w, *q;
	char vm[32], addr[64];
	size_t i, j, k, found, nodes = 0;

	(void)state;
	model_regs_init(&regs);
	for (i = 0; i < 60; i++) {
		assert_int_equal(xsnprintf(vm, sizeof(vm), "vm%zu", i), 0);
		/* every third shares its IPv4 address with the one before */
		assert_int_equal(xsnprintf(addr, sizeof(addr),
		    "192.0.2.%zu 2001:db8::%zx", 10 + i - (i % 3 == 2),
		    i + 1), 0);
		apply(&regs, EVENT_OP_REGISTER, "hv1", vm, i % 2 ? "a" : "b",
		    T0, addr);
	}
	cfg_make(&cfg, "hv1");
	cfg.vm_records = 1;
	desired(&regs, &cfg, &whole);
	for (k = 0; k < 3; k++) {
		pc = cfg;
		pc.nparts = 3;
		pc.part = (unsigned)k;
		desired(&regs, &pc, &part[k]);
		nodes += part[k].nnodes;
		assert_int_equal(part[k].ngroups, k == 0 ? 2 : 0);
	}
	assert_int_equal(nodes, whole.nnodes);
	for (i = 0; i < whole.nnodes; i++) {
		w = &whole.nodes[i];
		for (k = found = 0; k < 3; k++) {
			if ((q = node_find(&part[k], w->zone, w->name)) == NULL)
				continue;
			found++;
			assert_int_equal(q->kind, w->kind);
			assert_int_equal(q->nrrs, w->nrrs);
			for (j = 0; j < w->nrrs; j++)
				assert_memory_equal(q->rrs[j].val, w->rrs[j].val,
				    w->rrs[j].len);
			if (w->kind == MODEL_NODE_VM)
				assert_int_equal(model_part_vm(w->name, 3), k);
			else if (w->kind != MODEL_NODE_PTR)
				assert_int_equal(k, 0);
		}
		assert_int_equal(found, 1);
	}
	/* each part holds some PTRs: the addresses are spread */
	for (k = 0; k < 3; k++) {
		for (i = found = 0; i < part[k].nnodes; i++)
			found += part[k].nodes[i].kind == MODEL_NODE_PTR;
		assert_true(found > 0);
		model_desired_free(&part[k]);
	}
	assert_string_equal(node_text(&whole, R4, "10"),
	    "PTR vm0.example.test");
	assert_string_equal(node_text(&whole, R4, "11"),
	    "PTR vm1.example.test|PTR vm2.example.test");
	model_desired_free(&whole);
	model_regs_free(&regs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_image),
		cmocka_unit_test(test_host_wide),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_shared_address_and_vm_records),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_reg_resize),
		cmocka_unit_test(test_addr_holders),
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
