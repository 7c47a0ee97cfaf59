/*
 * caplease.c - decoded messages -> spool events, through the lease table
 * (caplease.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "caplease.h"
#include "log.h"
#include "xmem.h"

void
caplease_init(struct caplease *cl, const char *host,
    const struct capmap *map, int arp)
{
	memset(cl, 0, sizeof(*cl));
	(void)xstrlcpy(cl->host, host, sizeof(cl->host));
	cl->map = map;
	cl->arp = arp;
}

void
caplease_free(struct caplease *cl)
{
	capstate_free(&cl->st);
}

/* 1 if the name m carries is, byte for byte, the checked name known (a
 * renewal sends the name it sent before), NUL bytes after it allowed (as
 * in a zero-filled name buffer): no need to check it again.  A byte loop:
 * a VM name is a few bytes. */
static int
same_name(const struct capdhcp_msg *m, const char *known)
{
	size_t i;

	if (known[0] == '\0' || m->namelen >= NAME_LABEL_BUF)
		return 0;
	for (i = 0; known[i] != '\0'; i++)
		if (m->name[i] != known[i])
			return 0;
	for (; i <= m->namelen; i++)
		if (m->name[i] != '\0')
			return 0;
	return 1;
}

/* A name m gives that is not the one known: checked into buf, or NULL
 * (refused: *bad set, a warning logged). */
static const char *
check_name(const struct capdhcp_msg *m, char buf[NAME_LABEL_BUF], int *bad)
{
	char err[200], mac[CAPMAP_MAC_BUF];

	if (strlen(m->name) == m->namelen &&
	    name_vm_check(m->name, buf, err, sizeof(err)) == 0)
		return buf;
	buf[0] = '\0';			/* nothing of a refused name kept */
	capmap_format_mac(m->mac, mac);
	if (strlen(m->name) != m->namelen)
		log_warnx("MAC %s: a host name that is no DNS label "
		    "(a NUL byte)", mac);
	else
		log_warnx("MAC %s: refused host name %s", mac, err);
	*bad = 1;
	return NULL;
}

/* The client's name of m, checked: known itself if m carries it (a name
 * checked before), else a copy in buf; NULL if none or refused (*bad set
 * and a warning logged when it was given and refused). */
static const char *
client_name(const struct capdhcp_msg *m, const char *known,
    char buf[NAME_LABEL_BUF], int *bad)
{
	if (!m->name_given)
		return NULL;
	if (same_name(m, known))
		return known;
	return check_name(m, buf, bad);
}

/* No name for e's lease: said once.  NULL. */
static const char *
no_name(struct capstate_entry *e)
{
	char mac[CAPMAP_MAC_BUF];

	capmap_format_mac(e->mac, mac);
	if (!e->warned)
		log_warnx("no name for MAC %s: not registered", mac);
	e->warned = 1;
	return NULL;
}

/* The VM name for a lease of e (e's own, the map's or a copy in buf), or
 * NULL (no event). */
static const char *
choose_name(struct caplease *cl, struct capstate_entry *e,
    const struct capdhcp_msg *m, char buf[NAME_LABEL_BUF])
{
	const struct capmap_entry *me;
	const char *vm = capstate_name(e, CAPSTATE_VM), *name;
	int bad = 0;

	/* when the name the client asked for was refused, the server's
	 * answer is no better ("dc1.example.test" comes back from dnsmasq
	 * as "dc1"): only the map can name the VM then */
	if (!e->asked_bad &&
	    (name = client_name(m, vm, buf, &bad)) != NULL)
		return name;
	name = capstate_name(e, CAPSTATE_ASKED);
	if (!m->name_given && name[0] != '\0')
		return name;
	if (e->asked_bad)
		bad = 1;
	me = capmap_find(cl->map, e->mac);
	if (me != NULL && me->name[0] != '\0')
		return me->name;
	if (bad)
		return NULL;
	return vm[0] != '\0' ? vm : no_name(e);
}

/* A name the client sent in a DISCOVER/REQUEST/Solicit ..., kept. */
static void
remember(struct caplease *cl, struct capstate_entry *e,
    const struct capdhcp_msg *m)
{
	const char *asked = capstate_name(e, CAPSTATE_ASKED), *name;
	char buf[NAME_LABEL_BUF];
	int bad = 0;

	if (!m->name_given)
		return;
	if ((name = client_name(m, asked, buf, &bad)) == NULL)
		name = "";
	if ((name != asked && strcmp(name, asked) != 0) ||
	    bad != e->asked_bad) {
		capstate_set_names(e, NULL, name, NULL);
		e->asked_bad = (uint8_t)bad;
		cl->st.dirty = 1;
	}
}

/* The held address of slot from into slot to. */
static void
move_held(struct capstate_entry *e, size_t to, size_t from)
{
	struct capstate_slot *d = capstate_slot(e, to);
	const struct capstate_slot *h = capstate_slot(e, from);

	d->a = h->a;
	d->expires = h->expires;
}

static void
drop_expired(struct capstate_entry *e, int64_t t)
{
	size_t i, j = 0;
	int64_t x;

	for (i = 0; i < e->naddrs; i++) {
		x = capstate_slot(e, i)->expires;
		if (x == 0 || x > t) {
			if (j != i)
				move_held(e, j, i);
			j++;
		}
	}
	e->naddrs = (uint8_t)j;
}

/* event_addr_cmp(a, b) == 0, inline: the hot path's compares. */
static int
same_addr(const struct event_addr *a, const struct event_addr *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	return memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)) == 0;
}

/* strcmp(a, b) == 0 for names of a few bytes, inline. */
static int
same_str(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* The slot of a among e's held addresses, or e->naddrs. */
static size_t
find_addr(struct capstate_entry *e, const struct event_addr *a)
{
	size_t i;

	for (i = 0; i < e->naddrs; i++)
		if (same_addr(&capstate_slot(e, i)->a, a))
			break;
	return i;
}

/* Hold a with the given lease end: 0, or -1 if the entry is full. */
static int
hold(struct capstate_entry *e, const struct event_addr *a, int64_t expires)
{
	size_t i = find_addr(e, a);

	if (i == e->naddrs) {
		if (e->naddrs >= EVENT_MAX_ADDRS)
			return -1;
		capstate_room(e, i + 1);
		e->naddrs++;
		capstate_slot(e, i)->a = *a;
	}
	capstate_slot(e, i)->expires = expires;
	return 0;
}

/* A checked name into a NAME_LABEL_BUF buffer: a byte loop (a VM name is
 * a few bytes; cheaper than the calls). */
static void
copy_name(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < NAME_LABEL_BUF - 1 && src[i] != '\0'; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* ev's fields but its addresses (naddrs 0; the caller's set goes in after:
 * only the first naddrs of the array count, as the bytes of a name up to
 * its NUL do, so neither is cleared first). */
static void
fill(struct caplease *cl, struct event *ev, enum event_op op,
    const struct capstate_entry *e, const char *vm, int64_t t)
{
	ev->version = EVENT_VERSION;
	ev->op = op;
	ev->source = EVENT_SRC_PCAP;
	memcpy(ev->host, cl->host, sizeof(ev->host));
	copy_name(ev->vm, vm);
	copy_name(ev->image, capstate_name(e, CAPSTATE_IMAGE));
	ev->has_mac = 1;
	memcpy(ev->mac, e->mac, 6);
	ev->naddrs = 0;
	ev->time = t;
	ev->expires = 0;
}

/* event_addr_cmp(a, b) > 0, its call left out across families (IPv4
 * first). */
static int
addr_after(const struct event_addr *a, const struct event_addr *b)
{
	if (a->family != b->family)
		return a->family != AF_INET;
	return event_addr_cmp(a, b) > 0;
}

/* Insertion sort (a VM holds a handful of addresses: cheaper than qsort
 * on the hot path), in event_addr_cmp's order. */
static void
sort_addrs(struct event_addr *a, size_t n)
{
	struct event_addr x;
	size_t i, j;

	for (i = 1; i < n; i++) {
		x = a[i];
		for (j = i; j > 0 && addr_after(&a[j - 1], &x); j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/* The entry's addresses as a sorted set into set; *expires: the latest
 * lease end, 0 if one address has none.  Returns how many. */
static size_t
current_set(const struct capstate_entry *e, struct event_addr *set,
    int64_t *expires)
{
	const struct capstate_slot *h;
	size_t i;
	int forever = 0;

	*expires = 0;
	for (i = 0; i < e->naddrs; i++) {
		h = capstate_cslot(e, i);
		set[i] = h->a;
		if (h->expires == 0)
			forever = 1;
		else if (h->expires > *expires)
			*expires = h->expires;
	}
	if (forever)
		*expires = 0;
	sort_addrs(set, e->naddrs);
	return e->naddrs;
}

static int
same_set(const struct capstate_entry *e, const struct event_addr *set,
    size_t n)
{
	size_t i;

	if (e->nsent != n)
		return 0;
	for (i = 0; i < n; i++)
		if (memcmp(&capstate_cslot(e, i)->sent, &set[i],
		    sizeof(set[0])) != 0)
			return 0;
	return 1;
}

/* The set sent (ev's addresses), kept in e. */
static void
sent(struct caplease *cl, struct capstate_entry *e, const struct event *ev)
{
	size_t i;

	if (ev->naddrs > CAPSTATE_INLINE)
		capstate_room(e, ev->naddrs);
	for (i = 0; i < ev->naddrs; i++)
		capstate_slot(e, i)->sent = ev->addrs[i];
	e->nsent = (uint8_t)ev->naddrs;
	e->sent_expires = ev->expires;
	e->warned = 0;
	cl->st.dirty = 1;
}

/* After e's addresses changed or were renewed: register, refresh or
 * nothing, under vm and image (vm may be one of e's names). */
static void
emit(struct caplease *cl, struct capstate_entry *e, const char *vm,
    const char *image, int64_t t, struct caplease_out *out)
{
	const char *old = capstate_name(e, CAPSTATE_VM);
	enum event_op op = EVENT_OP_REGISTER;
	struct event *ev;
	int newvm = vm != old && !same_str(vm, old);
	int newimage = !same_str(capstate_name(e, CAPSTATE_IMAGE), image);
	int fresh = e->nsent == 0 || (newvm && old[0] != '\0') || newimage;
	int64_t expires;
	size_t n;

	if (newvm && old[0] != '\0' && e->nsent > 0)
		fill(cl, &out->ev[out->n++], EVENT_OP_RELEASE, e, old, t);
	if (newvm || newimage)
		capstate_set_names(e, newvm ? vm : NULL, NULL,
		    newimage ? image : NULL);
	ev = &out->ev[out->n];		/* the set built in place */
	n = current_set(e, ev->addrs, &expires);
	if (!fresh && same_set(e, ev->addrs, n)) {
		if (expires == e->sent_expires)
			return;		/* nothing new (a repeated ACK) */
		op = EVENT_OP_REFRESH;
	}
	fill(cl, ev, op, e, capstate_name(e, CAPSTATE_VM), t);
	ev->naddrs = n;
	ev->expires = expires;
	out->n++;
	sent(cl, e, ev);
}

static const char *
map_image(const struct caplease *cl, const uint8_t mac[6])
{
	const struct capmap_entry *me = capmap_find(cl->map, mac);

	return me != NULL ? me->image : "";
}

/* An ACK or a v6 Reply: its addresses held until t + lease. */
static void
lease(struct caplease *cl, struct capstate_entry *e,
    const struct capdhcp_msg *m, int64_t t, struct caplease_out *out)
{
	char buf[NAME_LABEL_BUF];
	const char *vm;
	const struct capstate_slot *h;
	int64_t lease = m->lease > EVENT_MAX_LEASE ? EVENT_MAX_LEASE : m->lease;
	size_t i, j = 0;

	if ((vm = choose_name(cl, e, m, buf)) == NULL)
		return;
	drop_expired(e, t);
	if (m->kind == CAPDHCP_ACK) {	/* one v4 lease per MAC: replaced */
		for (i = 0; i < e->naddrs; i++) {
			h = capstate_slot(e, i);
			if (h->a.family != AF_INET || h->expires == 0 ||
			    same_addr(&h->a, &m->addrs[0])) {
				if (j != i)
					move_held(e, j, i);
				j++;
			}
		}
		e->naddrs = (uint8_t)j;
	}
	for (i = 0; i < m->naddrs; i++)
		if (addr_special(&m->addrs[i]) == NULL &&
		    hold(e, &m->addrs[i], lease ? t + lease : 0) == -1)
			log_warnx("%s holds more than %d addresses; one left "
			    "out", vm, EVENT_MAX_ADDRS);
	if (e->naddrs > 0)
		emit(cl, e, vm, map_image(cl, e->mac), t, out);
}

/* RELEASE, DECLINE, v6 Release/Decline: those addresses given up. */
static void
give_up(struct caplease *cl, struct capstate_entry *e,
    const struct capdhcp_msg *m, int64_t t, struct caplease_out *out)
{
	const char *vm = capstate_name(e, CAPSTATE_VM);
	size_t i, k;

	drop_expired(e, t);
	for (i = 0; i < m->naddrs; i++) {
		if ((k = find_addr(e, &m->addrs[i])) == e->naddrs)
			continue;
		out->gone[out->ngone++] = capstate_slot(e, k)->a;
		move_held(e, k, --e->naddrs);
	}
	if (out->ngone == 0 || vm[0] == '\0')
		return;
	cl->st.dirty = 1;
	if (e->naddrs > 0) {
		out->ngone = 0;
		emit(cl, e, vm, map_image(cl, e->mac), t, out);
		return;
	}
	if (e->nsent > 0)
		fill(cl, &out->ev[out->n++], EVENT_OP_RELEASE, e, vm, t);
	e->nsent = 0;
	e->sent_expires = 0;
	e->warned = 0;
}

/* ARP / NA of a static VM the map names: a new address registered. */
static void
learn(struct caplease *cl, struct capstate_entry *e,
    const struct capdhcp_msg *m, int64_t t, struct caplease_out *out)
{
	const struct capmap_entry *me = capmap_find(cl->map, m->mac);

	drop_expired(e, t);
	if (me == NULL || me->name[0] == '\0' ||
	    addr_special(&m->addrs[0]) != NULL ||
	    find_addr(e, &m->addrs[0]) != e->naddrs ||
	    hold(e, &m->addrs[0], 0) == -1)
		return;
	emit(cl, e, me->name, me->image, t, out);
}

size_t
caplease_apply(struct caplease *cl, const struct capdhcp_msg *m, int64_t t,
    struct caplease_out *out)
{
	struct capstate_entry *e;

	out->n = 0;
	out->ngone = 0;
	out->what = capdhcp_what(m->kind);
	if (m->kind == CAPDHCP_NONE || t < 1 || t > EVENT_MAX_TIME - 1 ||
	    ((m->kind == CAPDHCP_ARP || m->kind == CAPDHCP_NA) && !cl->arp))
		return 0;
	if ((m->kind == CAPDHCP_ARP || m->kind == CAPDHCP_NA) &&
	    capmap_find(cl->map, m->mac) == NULL)
		return 0;		/* not a static VM of the map */
	e = capstate_get(&cl->st, m->mac, 1);
	e->seen = t;
	switch (m->kind) {
	case CAPDHCP_ASK: case CAPDHCP6_ASK:
		remember(cl, e, m);
		break;
	case CAPDHCP_ACK: case CAPDHCP6_REPLY:
		lease(cl, e, m, t, out);
		break;
	case CAPDHCP_RELEASE: case CAPDHCP_DECLINE:
	case CAPDHCP6_RELEASE: case CAPDHCP6_DECLINE:
		give_up(cl, e, m, t, out);
		break;
	default:
		learn(cl, e, m, t, out);
		break;
	}
	return out->n;
}

size_t
caplease_packet(struct caplease *cl, const uint8_t *frame, size_t caplen,
    int64_t t, struct caplease_out *out)
{
	out->n = 0;
	out->ngone = 0;
	out->what = "nothing";
	if (capdhcp_decode(frame, caplen, &cl->msg) == -1)
		return 0;
	return caplease_apply(cl, &cl->msg, t, out);
}
