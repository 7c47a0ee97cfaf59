/*
 * capstate.h - vmgroup-capture's lease table: per MAC, the VM it
 * registered (name, image), the addresses it holds (each with its lease
 * end) and what the last register or refresh carried; saved in the state
 * folder so that a restart knows which VM a later DHCPRELEASE (no name)
 * belongs to and does not register unchanged leases again.
 *
 * The file (STATEDIR/leases) is text, a line per MAC, written atomically:
 *   # vmgroup-capture leases 1
 *   52:54:00:00:00:10 seen=T vm=web1 image=debian-12 asked=web1
 *       a=192.0.2.10/1764003600 a=2001:db8::10/0 x=1764003600 s=192.0.2.10
 * (one line; "a=" an address held and its lease end, 0 none; "s=" an
 * address the last register/refresh carried, "x=" its lease end).  Read back with every name
 * and address checked again; a bad line is logged and skipped.
 */
#ifndef VMG_CAPSTATE_H
#define VMG_CAPSTATE_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "event.h"

#define CAPSTATE_FILE "leases"
#define CAPSTATE_IDLE (7 * 86400)	/* an entry holding nothing, forgotten */

#define CAPSTATE_INLINE 2		/* address slots in an entry; up to
					 * EVENT_MAX_ADDRS with the heap's */

enum capstate_name { CAPSTATE_VM, CAPSTATE_ASKED, CAPSTATE_IMAGE };

struct capstate_slot {		/* slot i: held address i, sent address i */
	struct event_addr a;		/* held (naddrs of them) */
	struct event_addr sent;		/* the last event's (nsent), sorted */
	int64_t expires;		/* a's lease end; 0: none (static) */
};

/*
 * Laid out for a renewal, which finds its entry cold: it touches the first
 * four cache lines (allocated 64-byte aligned) and no more: the hash
 * handle and key, the counts and times, two address slots (held and sent
 * side by side), the names packed ("vm\0asked\0image\0", the fourth line
 * when they take 64 bytes or less).  A VM with more addresses has the
 * slots after CAPSTATE_INLINE on the heap (more).
 */
struct capstate_entry {
	UT_hash_handle hh;		/* the table's own hash: capstate_get */
	uint8_t mac[6];			/* the key */
	uint8_t naddrs;			/* held */
	uint8_t nsent;			/* the last register/refresh carried */
	int64_t seen;			/* last packet about it */
	int64_t sent_expires;		/* the last event's lease end */
	struct capstate_slot *more;	/* slots CAPSTATE_INLINE.., or NULL */
	uint8_t warned;			/* "no name" said for this lease */
	uint8_t asked_bad;		/* the name asked was no VM name */
	uint8_t at[3];			/* each name's start in names */
	struct capstate_slot slot[CAPSTATE_INLINE];
	char names[3 * NAME_LABEL_BUF];	/* as registered, the name its client
					 * last sent, the image; "" none */
};

/* Slot i (below the room made, capstate_room) of e. */
static inline struct capstate_slot *
capstate_slot(struct capstate_entry *e, size_t i)
{
	return i < CAPSTATE_INLINE ? &e->slot[i] :
	    &e->more[i - CAPSTATE_INLINE];
}

static inline const struct capstate_slot *
capstate_cslot(const struct capstate_entry *e, size_t i)
{
	return i < CAPSTATE_INLINE ? &e->slot[i] :
	    &e->more[i - CAPSTATE_INLINE];
}

static inline const char *
capstate_name(const struct capstate_entry *e, enum capstate_name n)
{
	return e->names + e->at[n];
}

struct capstate {
	struct capstate_entry *h;
	struct capstate_entry *last;	/* the last one found: a client's
					 * exchange comes in a burst */
	int dirty;			/* changed since the last save */
};

/* The entry of mac, created (empty) when create is set, else NULL. */
struct capstate_entry *capstate_get(struct capstate *s, const uint8_t mac[6],
    int create);
void capstate_free(struct capstate *s);
/* Slots for n addresses (n <= EVENT_MAX_ADDRS) in e. */
void capstate_room(struct capstate_entry *e, size_t n);
/* e's names set (NULL: kept; checked names, NAME_LABEL_BUF at most). */
void capstate_set_names(struct capstate_entry *e, const char *vm,
    const char *asked, const char *image);
/* Forget entries that hold nothing and were not seen since now - idle. */
void capstate_prune(struct capstate *s, int64_t now, int64_t idle);
/* Write it all to path atomically (mode 0640).  0 / -1 with err. */
int capstate_save(const struct capstate *s, const char *path, char *err,
    size_t errlen);
/* Read path into s (emptied first).  A missing file is an empty table;
 * bad lines are logged and skipped.  0 / -1 if it cannot be read. */
int capstate_load(struct capstate *s, const char *path);

#endif
