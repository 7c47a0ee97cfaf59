/*
 * agenda.c - the deadlines of vmgroupd and the retry backoff.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"

static const char *const agenda_names[AGENDA_NWHAT] = {
	"retry", "rescan", "full reconcile", "lease end", "ticket renewal",
	"recheck"
};

static int64_t
agenda_clock_ms(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) == -1)
		return 1;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
agenda_now(void)
{
	int64_t t = agenda_clock_ms(CLOCK_MONOTONIC);

	return t > 0 ? t : 1;
}

int64_t
agenda_wall_ms(void)
{
	return agenda_clock_ms(CLOCK_REALTIME);
}

void
agenda_init(struct agenda *s)
{
	memset(s, 0, sizeof(*s));
}

void
agenda_set(struct agenda *s, enum agenda_what w, int64_t at)
{
	s->at[w] = at;
}

void
agenda_set_wall(struct agenda *s, enum agenda_what w, time_t at, int64_t now,
    int64_t wall_ms)
{
	int64_t t;

	if (at == 0) {
		s->at[w] = 0;
		return;
	}
	t = now + ((int64_t)at * 1000 - wall_ms);
	s->at[w] = t > 0 ? t : 1;
}

int64_t
agenda_fail(struct agenda *s, int64_t now, unsigned cap)
{
	int64_t full, delay;

	if (cap == 0)
		cap = 1;
	s->step = s->step == 0 ? 1 : s->step * 2;
	if (s->step > cap)
		s->step = cap;
	/* jitter: between half and all of the step, to the millisecond */
	full = (int64_t)s->step * 1000;
	delay = full / 2 + (int64_t)(random() % (long)(full / 2 + 1));
	if (s->failures++ == 0)
		s->failing_since = now;
	s->last = now;
	s->at[AGENDA_RETRY] = now + delay;
	return delay;
}

unsigned
agenda_ok(struct agenda *s, int64_t now)
{
	unsigned failed = s->failures;

	s->step = 0;
	s->failures = 0;
	s->failing_since = 0;
	s->at[AGENDA_RETRY] = 0;
	s->last = now;
	return failed;
}

int
agenda_waiting(const struct agenda *s, int64_t now)
{
	return s->at[AGENDA_RETRY] != 0 && now < s->at[AGENDA_RETRY];
}

int
agenda_passed(const struct agenda *s, enum agenda_what w, int64_t now)
{
	return s->at[w] != 0 && s->at[w] <= now;
}

int64_t
agenda_when(const struct agenda *s, enum agenda_what w)
{
	int64_t t = s->at[w];

	if (t == 0 || w == AGENDA_RETRY)
		return t;
	if (s->at[AGENDA_RETRY] > t)
		t = s->at[AGENDA_RETRY];
	if (s->last != 0 && s->last + AGENDA_MIN_GAP_MS > t)
		t = s->last + AGENDA_MIN_GAP_MS;
	return t;
}

int
agenda_due(const struct agenda *s, enum agenda_what w, int64_t now)
{
	int64_t t = agenda_when(s, w);

	return t != 0 && t <= now;
}

int64_t
agenda_next(const struct agenda *s, enum agenda_what *what)
{
	int64_t next = 0, t;
	int w;

	for (w = 0; w < AGENDA_NWHAT; w++) {
		t = agenda_when(s, (enum agenda_what)w);
		if (t != 0 && (next == 0 || t < next)) {
			next = t;
			if (what != NULL)
				*what = (enum agenda_what)w;
		}
	}
	return next;
}

int
agenda_timeout(const struct agenda *s, int64_t now)
{
	int64_t next = agenda_next(s, NULL);

	if (next == 0)
		return -1;
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

const char *
agenda_name(enum agenda_what w)
{
	return w < AGENDA_NWHAT ? agenda_names[w] : "?";
}
