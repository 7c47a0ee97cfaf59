/*
 * state.c - persist the registrations table.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "log.h"
#include "state.h"
#include "xmem.h"

#define STATE_MAX_REGS 1000000
#define STATE_MAX_ENTRIES (STATE_MAX_REGS + RELEASE_MAX)

void
state_reg_event(const struct model_reg *r, struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = EVENT_VERSION;
	ev->op = EVENT_OP_REGISTER;
	ev->source = r->source;
	(void)xstrlcpy(ev->host, r->host, sizeof(ev->host));
	(void)xstrlcpy(ev->vm, r->vm, sizeof(ev->vm));
	(void)xstrlcpy(ev->image, r->image, sizeof(ev->image));
	ev->has_mac = r->has_mac;
	memcpy(ev->mac, r->mac, sizeof(ev->mac));
	memcpy(ev->addrs, r->addrs, r->naddrs * sizeof(*ev->addrs));
	ev->naddrs = r->naddrs;
	ev->time = r->time;
	ev->expires = r->expires;
}

struct state_buf {
	char *p;
	size_t len, cap;
};

/* Append ev as one line of the array; -1 (err naming the VM) if it cannot
 * be written out: the save fails rather than drop it. */
static int
state_add(struct state_buf *b, const struct event *ev, char *err,
    size_t errlen)
{
	char buf[EVENT_MAX_BYTES];
	size_t n;

	if (event_to_json(ev, buf, sizeof(buf)) == -1) {
		(void)xsnprintf(err, errlen, "the %s of VM %s (host %s) cannot "
		    "be written out as an event; not saving", ev->op ==
		    EVENT_OP_RELEASE ? "release record" : "registration",
		    ev->vm, ev->host);
		return -1;
	}
	n = strlen(buf) - 1;	/* without its newline */
	while (b->len + n + 4 > b->cap)
		b->p = xreallocarray(b->p, b->cap *= 2, 1);
	if (b->len > 1)
		b->p[b->len++] = ',';
	b->p[b->len++] = '\n';
	memcpy(b->p + b->len, buf, n);
	b->len += n;
	return 0;
}

/* Release records first: loaded before the registrations, they are in
 * place when a registration is applied again. */
int
state_save(const char *path, const struct model_regs *regs, char *err,
    size_t errlen)
{
	const struct model_reg *r;
	const struct release *rel;
	struct state_buf b = { .cap = 64 };
	struct event ev;
	int rc = -1;

	if (model_regs_count(regs) > STATE_MAX_REGS) {
		(void)xsnprintf(err, errlen, "%zu registrations, more than the "
		    "%d a state file holds; not saving", model_regs_count(regs),
		    STATE_MAX_REGS);
		return -1;
	}
	b.p = xmalloc(b.cap);
	b.p[b.len++] = '[';
	for (rel = regs->released.by_key; rel != NULL; rel = rel->hh.next) {
		release_event(rel, &ev);
		if (state_add(&b, &ev, err, errlen) == -1)
			goto out;
	}
	for (r = regs->by_vm; r != NULL; r = r->hh.next) {
		state_reg_event(r, &ev);
		if (state_add(&b, &ev, err, errlen) == -1)
			goto out;
	}
	b.p = xreallocarray(b.p, b.len + 3, 1);
	b.p[b.len++] = '\n';
	b.p[b.len++] = ']';
	b.p[b.len++] = '\n';
	rc = atomic_write(path, b.p, b.len, 0640, err, errlen);
out:
	free(b.p);
	return rc;
}

int
state_load(const char *path, struct model_regs *regs, size_t *bad, char *err,
    size_t errlen)
{
	json_object *doc;
	const char *js;
	struct event ev;
	char why[256];
	size_t i, n;

	*bad = 0;
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	doc = json_object_from_file(path);
	if (doc == NULL || !json_object_is_type(doc, json_type_array)) {
		(void)xsnprintf(err, errlen, "%s: not a registrations file (%s)",
		    path, json_util_get_last_err());
		json_object_put(doc);
		return -1;
	}
	n = json_object_array_length(doc);
	if (n > STATE_MAX_ENTRIES) {
		log_warnx("%s: %zu entries; only the first %d are read", path,
		    n, STATE_MAX_ENTRIES);
		*bad += n - STATE_MAX_ENTRIES;
	}
	for (i = 0; i < n && i < STATE_MAX_ENTRIES; i++) {
		js = json_object_to_json_string_ext(
		    json_object_array_get_idx(doc, i), JSON_C_TO_STRING_PLAIN);
		if (event_parse(js, strlen(js), &ev, why, sizeof(why)) == -1) {
			log_warnx("%s: entry %zu skipped, its registration is "
			    "not published: %s", path, i, why);
			(*bad)++;
			continue;
		}
		if (ev.op == EVENT_OP_RELEASE)
			release_note(&regs->released, &ev, ev.expires);
		else
			model_apply(regs, &ev);
	}
	json_object_put(doc);
	return 0;
}
