/*
 * model.c - the registrations of one host, as events leave them (pure);
 * modelbuild.c builds the desired directory state from them.
 */
#include "config.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "model.h"
#include "xmem.h"

void
model_config_init(struct model_config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->grouping = MODEL_GROUP_IMAGE;
	(void)xstrlcpy(cfg->host_group, MODEL_DEFAULT_HOST_GROUP,
	    sizeof(cfg->host_group));
	(void)xstrlcpy(cfg->no_image, MODEL_DEFAULT_NO_IMAGE,
	    sizeof(cfg->no_image));
	cfg->ttl = 300;
	cfg->serial = 1;
	for (i = 0; i < MODEL_MAX_REVZONES; i++)
		cfg->revserials[i] = 1;
}

void
model_regs_init(struct model_regs *regs)
{
	regs->by_vm = NULL;
	release_init(&regs->released, RELEASE_DEFAULT_HOLD);
	memset(&regs->addrs, 0, sizeof(regs->addrs));
}

void
model_regs_free(struct model_regs *regs)
{
	struct model_reg *r, *tmp;

	HASH_ITER(hh, regs->by_vm, r, tmp) {
		HASH_DEL(regs->by_vm, r);
		free(r);
	}
	release_free(&regs->released);
	regaddr_free(&regs->addrs);
}

/* r's addresses counted in (add 1) or out (add 0). */
static void
model_reg_count(struct model_regs *regs, const struct model_reg *r, int add)
{
	size_t i;

	for (i = 0; i < r->naddrs; i++) {
		if (add)
			regaddr_add(&regs->addrs, &r->addrs[i]);
		else
			regaddr_del(&regs->addrs, &r->addrs[i]);
	}
}

void
model_regs_drop(struct model_regs *regs, struct model_reg *r)
{
	model_reg_count(regs, r, 0);
	HASH_DEL(regs->by_vm, r);
	free(r);
}

uint32_t
model_addr_holders(const struct model_regs *regs, const struct event_addr *a)
{
	return regaddr_count(&regs->addrs, a);
}

size_t
model_regs_count(const struct model_regs *regs)
{
	return HASH_COUNT(regs->by_vm);
}

/* Bytes of a registration of ev, and where its addresses and strings go:
 * the struct, vm, the addresses (aligned), host, image. */
static size_t
model_reg_size(const struct event *ev, size_t *aoff, size_t *soff)
{
	size_t align = alignof(struct event_addr);
	size_t naddrs = ev->naddrs < EVENT_MAX_ADDRS ? ev->naddrs :
	    EVENT_MAX_ADDRS;

	*aoff = sizeof(struct model_reg) + strlen(ev->vm) + 1;
	*aoff = (*aoff + align - 1) / align * align;
	*soff = *aoff + naddrs * sizeof(struct event_addr);
	return *soff + strlen(ev->host) + 1 + strlen(ev->image) + 1;
}

static void
model_reg_fill(struct model_reg *r, const struct event *ev, size_t aoff,
    size_t soff)
{
	char *p = (char *)r;
	size_t hlen = strlen(ev->host) + 1;

	r->naddrs = (soff - aoff) / sizeof(struct event_addr);
	r->addrs = (struct event_addr *)(void *)(p + aoff);
	memcpy(r->addrs, ev->addrs, r->naddrs * sizeof(*r->addrs));
	memcpy(p + soff, ev->host, hlen);
	r->host = p + soff;
	memcpy(p + soff + hlen, ev->image, strlen(ev->image) + 1);
	r->image = p + soff + hlen;
	r->time = ev->time;
	r->expires = ev->expires;
	r->source = ev->source;
	r->has_mac = ev->has_mac;
	memcpy(r->mac, ev->mac, sizeof(r->mac));
}

/* Store ev as the registration of its VM (r: the one held, or NULL).  One
 * allocation each, image last (free(r) frees it all): in place if ev needs
 * as many bytes (a refresh), else a new one in r's stead. */
static void
model_reg_store(struct model_regs *regs, struct model_reg *r,
    const struct event *ev)
{
	size_t aoff, soff, size = model_reg_size(ev, &aoff, &soff);
	struct model_reg *n;

	if (r != NULL && (size_t)(r->image - (const char *)r) +
	    strlen(r->image) + 1 == size) {
		model_reg_count(regs, r, 0);
		model_reg_fill(r, ev, aoff, soff);
		model_reg_count(regs, r, 1);
		return;
	}
	n = xcalloc(1, size);
	memcpy(n->vm, ev->vm, strlen(ev->vm) + 1);
	model_reg_fill(n, ev, aoff, soff);
	if (r != NULL)
		model_regs_drop(regs, r);
	HASH_ADD_STR(regs->by_vm, vm, n);
	model_reg_count(regs, n, 1);
}

int
model_apply(struct model_regs *regs, const struct event *ev)
{
	struct model_reg *r;

	HASH_FIND_STR(regs->by_vm, ev->vm, r);
	if (r != NULL && ev->time < r->time)
		return 0;		/* older than what we hold: stale */
	if (ev->op == EVENT_OP_RELEASE) {
		release_note(&regs->released, ev, 0);
		if (r == NULL || strcmp(r->host, ev->host) != 0)
			return 0;	/* unknown, or the VM moved away */
		model_regs_drop(regs, r);
		return 1;
	}
	if (release_blocks(&regs->released, ev))
		return 0;		/* older than its release: stale */
	release_lease(&regs->released, ev);
	model_reg_store(regs, r, ev);
	return 1;
}

size_t
model_expire(struct model_regs *regs, int64_t now)
{
	struct model_reg *r, *tmp;
	size_t n = 0;

	HASH_ITER(hh, regs->by_vm, r, tmp) {
		if (r->expires != 0 && r->expires <= now) {
			model_regs_drop(regs, r);
			n++;
		}
	}
	(void)release_expire(&regs->released, now);
	return n;
}

const char *
model_node_kind_name(enum model_node_kind kind)
{
	switch (kind) {
	case MODEL_NODE_GROUP:
		return "group";
	case MODEL_NODE_SRV_HOST:
		return "srv-host";
	case MODEL_NODE_SRV_GROUP:
		return "srv-group";
	case MODEL_NODE_VM:
		return "vm";
	case MODEL_NODE_PTR:
		return "ptr";
	}
	return "unknown";
}
