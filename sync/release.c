/*
 * release.c - release records (pure): see release.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "xmem.h"

void
release_init(struct release_set *s, int64_t hold)
{
	memset(s, 0, sizeof(*s));
	s->hold = hold;
}

void
release_free(struct release_set *s)
{
	struct release *r, *tmp;

	HASH_ITER(hh, s->by_key, r, tmp) {
		HASH_DEL(s->by_key, r);
		free(r);
	}
}

size_t
release_count(const struct release_set *s)
{
	return HASH_COUNT(s->by_key);
}

static int
release_key(const char *vm, const char *host, char key[2 * NAME_LABEL_BUF])
{
	return xsnprintf(key, 2 * NAME_LABEL_BUF, "%s/%s", vm, host);
}

void
release_lease(struct release_set *s, const struct event *ev)
{
	if (ev->expires > ev->time && ev->expires - ev->time > s->lease_seen)
		s->lease_seen = ev->expires - ev->time;
}

/* The end of a record of a release at t: t + max(hold, longest lease),
 * at least floor, at most the last time an event may carry. */
static int64_t
release_end(const struct release_set *s, int64_t t, int64_t floor)
{
	int64_t keep = s->hold > s->lease_seen ? s->hold : s->lease_seen;
	int64_t end = t > EVENT_MAX_TIME - keep ? EVENT_MAX_TIME : t + keep;

	return end > floor ? end : floor;
}

/* At the cap: drop the record that would go first. */
static void
release_evict(struct release_set *s)
{
	struct release *r, *first = NULL;

	for (r = s->by_key; r != NULL; r = r->hh.next)
		if (first == NULL || r->until < first->until ||
		    (r->until == first->until && r->time < first->time))
			first = r;
	if (first == NULL)
		return;
	HASH_DEL(s->by_key, first);
	free(first);
	s->evicted++;
}

void
release_note(struct release_set *s, const struct event *ev, int64_t floor)
{
	char key[2 * NAME_LABEL_BUF];
	struct release *r;

	if (release_key(ev->vm, ev->host, key) == -1)
		return;		/* cannot happen: two labels fit */
	HASH_FIND_STR(s->by_key, key, r);
	if (r == NULL) {
		if (release_count(s) >= RELEASE_MAX)
			release_evict(s);
		r = xcalloc(1, sizeof(*r));
		(void)xstrlcpy(r->key, key, sizeof(r->key));
		(void)xstrlcpy(r->vm, ev->vm, sizeof(r->vm));
		(void)xstrlcpy(r->host, ev->host, sizeof(r->host));
		r->time = ev->time;
		r->source = ev->source;
		HASH_ADD_STR(s->by_key, key, r);
	} else if (ev->time > r->time) {
		r->time = ev->time;
		r->source = ev->source;
	}
	r->until = release_end(s, r->time, r->until > floor ? r->until :
	    floor);
}

int
release_blocks(const struct release_set *s, const struct event *ev)
{
	char key[2 * NAME_LABEL_BUF];
	struct release *r;

	if (release_key(ev->vm, ev->host, key) == -1)
		return 0;
	HASH_FIND_STR(s->by_key, key, r);
	return r != NULL && ev->time < r->time;
}

size_t
release_expire(struct release_set *s, int64_t now)
{
	struct release *r, *tmp;
	size_t n = 0;

	HASH_ITER(hh, s->by_key, r, tmp) {
		if (r->until <= now) {
			HASH_DEL(s->by_key, r);
			free(r);
			n++;
		}
	}
	return n;
}

void
release_event(const struct release *r, struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = EVENT_VERSION;
	ev->op = EVENT_OP_RELEASE;
	ev->source = r->source;
	(void)xstrlcpy(ev->host, r->host, sizeof(ev->host));
	(void)xstrlcpy(ev->vm, r->vm, sizeof(ev->vm));
	ev->time = r->time;
	ev->expires = r->until > r->time ? r->until : 0;
}
