/*
 * bench.c - speed of the hot paths, as ratios against a floor measured in
 * the same run on the same machine (so a noisy machine moves both):
 *
 *   event_parse   vs  json-c parsing the same document with no checks
 *   dnsrec codec  vs  memcpy of the same bytes
 *   model_desired vs  qsort of the same registrations by name
 *
 * and the model's memory for NREGS VMs on one host (issue 11: the daemon's
 * peak RSS at most 16 MiB with 10,000 VMs): peak RSS growth (ru_maxrss) per
 * registration and per node of the desired state, measured first, on a
 * fresh heap.  Run: make bench
 */
#include "config.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "dnsrec.h"
#include "event.h"
#include "model.h"
#include "xmem.h"

#define DOC "{\"version\":1,\"op\":\"register\",\"host\":\"hv1\",\"vm\":\"web1\"," \
	"\"image\":\"debian-12\",\"addresses\":[\"192.0.2.10\",\"2001:db8::10\"]," \
	"\"mac\":\"52:54:00:ab:cd:01\",\"source\":\"dhcp\",\"time\":1764000000," \
	"\"lease\":3600}"

static volatile size_t sink;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best of five runs of fn(n). */
static double
best(void (*fn)(size_t), size_t n)
{
	double b = 1e30, t;
	int i;

	for (i = 0; i < 5; i++) {
		t = now();
		fn(n);
		t = now() - t;
		if (t < b)
			b = t;
	}
	return b;
}

static void
floor_json(size_t n)
{
	json_object *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = json_tokener_parse(DOC);
		sink += (size_t)json_object_object_length(o);
		json_object_put(o);
	}
}

static void
run_event(size_t n)
{
	struct event ev;
	char err[128];
	size_t i;

	for (i = 0; i < n; i++) {
		if (event_parse(DOC, sizeof(DOC) - 1, &ev, err, sizeof(err)) != 0)
			abort();
		sink += ev.naddrs;
	}
}

static uint8_t srv_val[DNSREC_BUF];
static size_t srv_len;

static void
floor_copy(size_t n)
{
	uint8_t out[DNSREC_BUF];
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(out, srv_val, srv_len);
		out[0] ^= (uint8_t)i;
		sink += out[0];
	}
}

static void
run_codec(size_t n)
{
	struct dnsrec r;
	uint8_t out[DNSREC_BUF];
	size_t i, len;

	for (i = 0; i < n; i++) {
		if (dnsrec_decode(srv_val, srv_len, &r) != 0 ||
		    dnsrec_encode(&r, out, sizeof(out), &len) != 0)
			abort();
		sink += len;
	}
}

#define NREGS 10000
static struct model_regs regs;
static struct model_config cfg;

static void
make_regs(void)
{
	struct event ev;
	size_t i;

	model_regs_init(&regs);
	model_config_init(&cfg);
	(void)xstrlcpy(cfg.host, "hv1", sizeof(cfg.host));
	(void)xstrlcpy(cfg.zone, "example.test", sizeof(cfg.zone));
	(void)xstrlcpy(cfg.revzones[0], "10.in-addr.arpa", sizeof(cfg.revzones[0]));
	(void)xstrlcpy(cfg.revzones[1], "8.b.d.0.1.0.0.2.ip6.arpa",
	    sizeof(cfg.revzones[1]));
	cfg.nrevzones = 2;
	for (i = 0; i < NREGS; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.op = EVENT_OP_REGISTER;
		(void)xstrlcpy(ev.host, "hv1", sizeof(ev.host));
		(void)xsnprintf(ev.vm, sizeof(ev.vm), "vm%zu", i);
		(void)xsnprintf(ev.image, sizeof(ev.image), "img%zu", i % 4);
		/* one address each: IPv4 in 10/8, IPv6 in 2001:db8::/32 */
		if (i % 2 == 0) {
			ev.addrs[0].family = AF_INET;
			ev.addrs[0].u.v4.s_addr =
			    htonl(0x0a000000u + (uint32_t)i);
		} else {
			ev.addrs[0].family = AF_INET6;
			ev.addrs[0].u.v6.s6_addr[0] = 0x20;
			ev.addrs[0].u.v6.s6_addr[1] = 0x01;
			ev.addrs[0].u.v6.s6_addr[2] = 0x0d;
			ev.addrs[0].u.v6.s6_addr[3] = 0xb8;
			ev.addrs[0].u.v6.s6_addr[14] = (uint8_t)(i >> 8);
			ev.addrs[0].u.v6.s6_addr[15] = (uint8_t)i;
		}
		ev.naddrs = 1;
		ev.time = 1;
		model_apply(&regs, &ev);
	}
}

static int
reg_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct model_reg *const *)a)->vm,
	    (*(const struct model_reg *const *)b)->vm);
}

static void
floor_sort(size_t n)
{
	const struct model_reg **v = xcalloc(NREGS, sizeof(*v)), *r;
	size_t i = 0;

	(void)n;
	for (r = regs.by_vm; r != NULL; r = r->hh.next)
		v[i++] = r;
	qsort(v, i, sizeof(*v), reg_cmp);
	sink += i;
	free(v);
}

static void
run_model(size_t n)
{
	struct model_desired d;
	char err[128];

	(void)n;
	if (model_desired(&regs, &cfg, 2, &d, err, sizeof(err)) != 0)
		abort();
	sink += d.nnodes;
	model_desired_free(&d);
}

static long
rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Peak RSS growth of the registrations, then of one desired state built
 * from them (held while measured). */
static void
bench_memory(void)
{
	struct model_desired d;
	char err[128];
	long base, kregs, kwant;
	size_t i, nrr = 0;

	base = rss_kb();
	make_regs();
	kregs = rss_kb() - base;
	if (model_desired(&regs, &cfg, 2, &d, err, sizeof(err)) != 0)
		abort();
	kwant = rss_kb() - base - kregs;
	for (i = 0; i < d.nnodes; i++)
		nrr += d.nodes[i].nrrs;
	printf("model memory, %d VMs (1 address each, 4 images):\n"
	    "  registrations: peak RSS +%ld KiB, %.0f B per VM\n"
	    "  desired state: %zu nodes, %zu records, peak RSS +%ld KiB, "
	    "%.0f B per node, %.0f B per VM\n"
	    "  together: %.0f B per VM\n", NREGS, kregs,
	    (double)kregs * 1024 / NREGS, d.nnodes, nrr, kwant,
	    (double)kwant * 1024 / (double)d.nnodes,
	    (double)kwant * 1024 / NREGS,
	    (double)(kregs + kwant) * 1024 / NREGS);
	model_desired_free(&d);
}

int
main(void)
{
	struct dnsrec r;
	double f, t;

	bench_memory();
	dnsrec_init(&r, DNSREC_TYPE_SRV, 1, 300, 0);
	(void)xstrlcpy(r.u.srv.target, "web1.example.test", sizeof(r.u.srv.target));
	if (dnsrec_encode(&r, srv_val, sizeof(srv_val), &srv_len) != 0)
		return 1;
	f = best(floor_json, 50000);
	t = best(run_event, 50000);
	printf("event_parse: %.0f ns/event, %.2fx the json-c parse floor "
	    "(%.0f ns)\n", t / 50000 * 1e9, t / f, f / 50000 * 1e9);
	f = best(floor_copy, 1000000);
	t = best(run_codec, 1000000);
	printf("dnsrec decode+encode (SRV): %.0f ns, %.1fx the memcpy floor "
	    "(%.1f ns)\n", t / 1e6 * 1e9, t / f, f / 1e6 * 1e9);
	f = best(floor_sort, 0);
	t = best(run_model, 0);
	printf("model_desired: %.1f ms for %d VMs in 4 groups, %.1fx the qsort "
	    "floor (%.2f ms)\n", t * 1e3, NREGS, t / f, f * 1e3);
	model_regs_free(&regs);
	return 0;
}
