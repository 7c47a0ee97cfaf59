/*
 * queue.h - the producers' side of the spool: one validated event into the
 * spool, for vmgroup register/release and for capture code in C (a bridge
 * sniffer, a DHCP hook, ...).
 *
 * Producers link libvmgroup-queue.a only (log, xmem, name, addr, event,
 * spool, atomic, queue): never the directory, the daemon or the model.
 * They build a struct event and hand it over; event_parse() is the one
 * place that validates, so a producer either fills the event from
 * event_parse() of a document it assembled, or from values it checked the
 * same way (name.h, addr.h).
 */
#ifndef VMG_QUEUE_H
#define VMG_QUEUE_H

#include <stddef.h>

#include "event.h"
#include "spool.h"

/* Write ev in its canonical form (event_to_json) into the spool at dir
 * (created if missing, spool_init's checks), atomically; the file's name
 * into name (SPOOL_NAME_BUF).  0 / -1 with err. */
int queue_event(const char *dir, const struct event *ev, char *name,
    size_t namelen, char *err, size_t errlen);

#endif
