/*
 * addr.c - VM addresses: parsing, special-purpose classes, networks.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "name.h"
#include "xmem.h"

static const char *
addr_special4(const uint8_t *b)
{
	if (b[0] == 0)
		return "unspecified (0.0.0.0/8, \"this network\")";
	if (b[0] == 127)
		return "loopback (127.0.0.0/8)";
	if (b[0] == 169 && b[1] == 254)
		return "link-local (169.254.0.0/16)";
	if ((b[0] & 0xf0) == 224)
		return "multicast (224.0.0.0/4)";
	if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
		return "limited broadcast (255.255.255.255)";
	if ((b[0] & 0xf0) == 240)
		return "reserved (240.0.0.0/4)";
	return NULL;
}

static const char *
addr_special6(const uint8_t *b)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	static const uint8_t zero[15];

	if (memcmp(b, zero, 15) == 0 && b[15] == 0)
		return "unspecified (::)";
	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		return "loopback (::1)";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "link-local (fe80::/10)";
	if (b[0] == 0xff)
		return "multicast (ff00::/8)";
	if (memcmp(b, mapped, sizeof(mapped)) == 0)
		return "IPv4-mapped (::ffff:0:0/96; give the IPv4 address)";
	return NULL;
}

const char *
addr_special(const struct event_addr *a)
{
	if (a->family == AF_INET)
		return addr_special4((const uint8_t *)&a->u.v4);
	if (a->family == AF_INET6)
		return addr_special6(a->u.v6.s6_addr);
	return "of no known family";
}

int
addr_parse(const char *s, struct event_addr *a, char *why, size_t whylen)
{
	char q[200], t[INET6_ADDRSTRLEN];
	const char *kind;

	memset(a, 0, sizeof(*a));
	a->family = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
	if (strlen(s) >= INET6_ADDRSTRLEN ||
	    inet_pton(a->family, s, &a->u) != 1) {
		name_quote(s, q, sizeof(q));
		(void)xsnprintf(why, whylen, "(\"%s\") is not an IPv4 or IPv6 "
		    "address%s", q, strchr(s, '%') != NULL ?
		    " (zone ids are not allowed)" : "");
		return ADDR_BAD;
	}
	if ((kind = addr_special(a)) == NULL)
		return 0;
	if (event_addr_format(a, t, sizeof(t)) == -1)
		t[0] = '\0';
	(void)xsnprintf(why, whylen, "(\"%s\") is a special-purpose address, "
	    "never a VM's own: %s", t, kind);
	return ADDR_SPECIAL;
}

/* The decimal prefix length after '/': digits only, 0 to max. */
static int
addr_prefix(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n;

	if (*s < '0' || *s > '9' || strlen(s) > 3)
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* Clear the bits of a after the first bits bits. */
static void
addr_mask(struct event_addr *a, unsigned bits)
{
	uint8_t *b = a->family == AF_INET ? (uint8_t *)&a->u.v4 :
	    a->u.v6.s6_addr;
	size_t len = a->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			b[i] &= (uint8_t)(0xff00 >> bits);
			bits = 0;
		}
	}
}

int
addr_net_contains(const struct addr_net *n, const struct event_addr *a)
{
	struct event_addr m = *a;

	if (a->family != n->base.family)
		return 0;
	addr_mask(&m, n->prefix);
	return event_addr_cmp(&m, &n->base) == 0;
}

int
addr_net_parse(const char *s, struct addr_net *n, char *why, size_t whylen)
{
	char text[INET6_ADDRSTRLEN], q[200];
	const char *slash = strchr(s, '/');
	struct event_addr m;
	unsigned max;

	memset(n, 0, sizeof(*n));
	name_quote(s, q, sizeof(q));
	if (slash == NULL || (size_t)(slash - s) >= sizeof(text)) {
		(void)xsnprintf(why, whylen, "\"%s\" is no network (write "
		    "address/prefix, e.g. 10.0.0.0/8 or fd00::/8)", q);
		return -1;
	}
	memcpy(text, s, (size_t)(slash - s));
	text[slash - s] = '\0';
	n->base.family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
	max = n->base.family == AF_INET ? 32 : 128;
	if (inet_pton(n->base.family, text, &n->base.u) != 1 ||
	    addr_prefix(slash + 1, max, &n->prefix) == -1) {
		(void)xsnprintf(why, whylen, "\"%s\" is no network (an IPv%c "
		    "address, \"/\", a prefix length from 0 to %u)", q,
		    max == 32 ? '4' : '6', max);
		return -1;
	}
	m = n->base;
	addr_mask(&m, n->prefix);
	if (event_addr_cmp(&m, &n->base) != 0) {
		if (event_addr_format(&m, text, sizeof(text)) == -1)
			text[0] = '\0';
		(void)xsnprintf(why, whylen, "\"%s\" has bits set after the "
		    "prefix (did you mean %s/%u?)", q, text, n->prefix);
		return -1;
	}
	return 0;
}

int
addr_net_format(const struct addr_net *n, char *out, size_t outlen)
{
	char t[INET6_ADDRSTRLEN];

	if (event_addr_format(&n->base, t, sizeof(t)) == -1)
		return -1;
	return xsnprintf(out, outlen, "%s/%u", t, n->prefix);
}

int
addr_nets_allow(const struct addr_nets *nets, const struct event_addr *a)
{
	size_t i;

	if (nets->n == 0)
		return 1;
	for (i = 0; i < nets->n && i < ADDR_MAX_NETS; i++)
		if (addr_net_contains(&nets->net[i], a))
			return 1;
	return 0;
}

int
addr_event_allowed(const struct addr_nets *nets, const struct event *ev,
    char *why, size_t whylen)
{
	char t[INET6_ADDRSTRLEN];
	size_t i;

	if (ev->op == EVENT_OP_RELEASE)
		return 0;
	for (i = 0; i < ev->naddrs && i < EVENT_MAX_ADDRS; i++) {
		if (addr_nets_allow(nets, &ev->addrs[i]))
			continue;
		if (event_addr_format(&ev->addrs[i], t, sizeof(t)) == -1)
			t[0] = '\0';
		(void)xsnprintf(why, whylen, "address %s is outside every "
		    "network of the setting [daemon] networks", t);
		return -1;
	}
	return 0;
}
