/*
 * queue.c - one validated event into the spool (queue.h).
 */
#include "config.h"

#include <string.h>

#include "queue.h"
#include "xmem.h"

int
queue_event(const char *dir, const struct event *ev, char *name,
    size_t namelen, char *err, size_t errlen)
{
	char buf[EVENT_MAX_BYTES], why[256];

	if (event_to_json(ev, buf, sizeof(buf)) == -1) {
		(void)xsnprintf(err, errlen, "event too large");
		return -1;
	}
	if (spool_init(dir, why, sizeof(why)) == -1 ||
	    spool_write(dir, buf, strlen(buf), name, namelen, why,
	    sizeof(why)) == -1) {
		(void)xsnprintf(err, errlen, "spool %s: %s", dir, why);
		return -1;
	}
	return 0;
}
