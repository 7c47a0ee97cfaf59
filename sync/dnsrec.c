/*
 * dnsrec.c - MS-DNSP dnsRecord codec (see dnsrec.h for the layout).
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsrec.h"
#include "xmem.h"

#define NTTIME_UNIX_EPOCH 116444736000000000ULL	/* 1970 in 100ns since 1601 */
#define HOURS_UNIX_EPOCH 3234576U

/* A bounded cursor: writing or reading past the end sets bad. */
struct cur {
	uint8_t *w;		/* writer, or NULL */
	const uint8_t *r;	/* reader */
	size_t len, off;
	int bad;
};

static void
put_bytes(struct cur *c, const void *p, size_t n)
{
	if (c->bad || n > c->len - c->off) {
		c->bad = 1;
		return;
	}
	memcpy(c->w + c->off, p, n);
	c->off += n;
}

static void
put_u8(struct cur *c, uint8_t v)
{
	put_bytes(c, &v, 1);
}

static void
put_le16(struct cur *c, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put_bytes(c, b, 2);
}

static void
put_be16(struct cur *c, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put_bytes(c, b, 2);
}

static void
put_le32(struct cur *c, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	put_bytes(c, b, 4);
}

static void
put_be32(struct cur *c, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	put_bytes(c, b, 4);
}

static const uint8_t *
get_bytes(struct cur *c, size_t n)
{
	const uint8_t *p;

	if (c->bad || n > c->len - c->off) {
		c->bad = 1;
		return NULL;
	}
	p = c->r + c->off;
	c->off += n;
	return p;
}

static uint32_t
get_uint(struct cur *c, size_t n, int big)
{
	const uint8_t *p = get_bytes(c, n);
	uint32_t v = 0;
	size_t i;

	if (p == NULL)
		return 0;
	for (i = 0; i < n; i++)
		v |= (uint32_t)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

void
dnsrec_init(struct dnsrec *r, uint16_t type, uint32_t serial, uint32_t ttl,
    uint32_t timestamp)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->version = DNSREC_VERSION;
	r->rank = DNSREC_RANK_ZONE;
	r->serial = serial;
	r->ttl = ttl;
	r->timestamp = timestamp;
}

uint32_t
dnsrec_timestamp_hours(time_t unix_time)
{
	return (uint32_t)(unix_time / 3600) + HOURS_UNIX_EPOCH;
}

uint64_t
dnsrec_nttime(time_t unix_time)
{
	/* signed first: times before 1970 (but after 1601) stay right */
	return (uint64_t)((int64_t)unix_time * 10000000LL +
	    (int64_t)NTTIME_UNIX_EPOCH);
}

/* The Serial field: octets 8..11 of the header, little-endian. */
#define DNSREC_SERIAL_OFF 8
#define DNSREC_SERIAL_END 12

uint32_t
dnsrec_serial_of(const uint8_t *v, size_t len)
{
	const uint8_t *h = v + DNSREC_SERIAL_OFF;

	if (len < DNSREC_HEADER_LEN)
		return 0;
	return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	    (uint32_t)h[3] << 24;
}

/* The octets at the end of v that no comparison looks at: the last
 * character-string of a vmgroup owner TXT value (ownrec.h: "vmgroup=..."
 * then "t=<time>", the time the node was first written for its host, kept
 * when the node is written again), so a newer registration's time is no
 * change.  0 for any other value. */
static size_t
dnsrec_loose_tail(const uint8_t *v, size_t len)
{
	size_t s1, s2, p = DNSREC_HEADER_LEN;

	if (len < DNSREC_HEADER_LEN + 2 || v[2] != DNSREC_TYPE_TXT ||
	    v[3] != 0)
		return 0;
	s1 = v[p];
	if (s1 < sizeof(DNSREC_OWNER_TAG) - 1 || p + 1 + s1 + 1 > len ||
	    memcmp(v + p + 1, DNSREC_OWNER_TAG, sizeof(DNSREC_OWNER_TAG) - 1))
		return 0;
	p += 1 + s1;
	s2 = v[p];
	if (p + 1 + s2 != len || s2 < 2 || v[p + 1] != 't' || v[p + 2] != '=')
		return 0;
	return 1 + s2;
}

void
dnsrec_but_serial(const uint8_t *v, size_t len, size_t *head, size_t *tail,
    size_t *end)
{
	*head = *tail = *end = len;
	if (len >= DNSREC_HEADER_LEN) {
		*head = DNSREC_SERIAL_OFF;
		*tail = DNSREC_SERIAL_END;
		*end = len - dnsrec_loose_tail(v, len);
	}
}

int
dnsrec_same_but_serial(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	size_t head, tail, end;

	if (alen != blen)
		return 0;
	dnsrec_but_serial(a, alen, &head, &tail, &end);
	if (end != blen - dnsrec_loose_tail(b, blen))
		return 0;
	return memcmp(a, b, head) == 0 &&
	    memcmp(a + tail, b + tail, end - tail) == 0;
}

uint64_t
dnsrec_hash_but_serial(uint64_t h, const uint8_t *v, size_t len)
{
	size_t head, tail, end;

	dnsrec_but_serial(v, len, &head, &tail, &end);
	h = name_mix64(h, v, head);
	if (end > tail)
		h = name_mix64(h, v + tail, end - tail);
	return h;
}

int
dnsrec_cmp_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int
name_octet_ok(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '.';
}

/* DNS_COUNT_NAME of dotted (no final dot; "" or "." is the root). */
static void
put_name(struct cur *c, const char *dotted)
{
	uint8_t labels[NAME_FQDN_BUF + 2];
	size_t n = 0, i, start = 0, len = strlen(dotted), count = 0;

	if (len == 1 && dotted[0] == '.')
		len = 0;
	if (len > NAME_FQDN_MAX) {
		c->bad = 1;
		return;
	}
	for (i = 0; len > 0 && i <= len; i++) {
		if (i < len && dotted[i] != '.') {
			if (!name_octet_ok((uint8_t)dotted[i]))
				c->bad = 1;
			continue;
		}
		if (i == start || i - start > NAME_LABEL_MAX) {
			c->bad = 1;
			return;
		}
		labels[n++] = (uint8_t)(i - start);
		memcpy(labels + n, dotted + start, i - start);
		n += i - start;
		count++;
		start = i + 1;
	}
	labels[n++] = 0;
	put_u8(c, (uint8_t)n);
	put_u8(c, (uint8_t)count);
	put_bytes(c, labels, n);
}

/* Read a DNS_COUNT_NAME into out (dotted, no final dot; "" for the root).
 * Strict: Length must cover exactly the labels and the final 0, LabelCount
 * must match, labels 1-63 printable octets without '.', at most 253 dotted. */
static void
get_name(struct cur *c, char *out, size_t outlen)
{
	size_t total = get_uint(c, 1, 0), count = get_uint(c, 1, 0);
	const uint8_t *p = get_bytes(c, total);
	size_t i = 0, o = 0, labels = 0, l;

	if (p == NULL || total == 0 || outlen == 0) {
		c->bad = 1;
		return;
	}
	while (i < total - 1) {
		l = p[i++];
		if (l == 0 || l > NAME_LABEL_MAX || l > total - 1 - i) {
			c->bad = 1;
			return;
		}
		if (o > 0)
			out[o++] = '.';
		if (o + l > NAME_FQDN_MAX || o + l >= outlen) {
			c->bad = 1;
			return;
		}
		for (; l > 0; l--, i++) {
			if (!name_octet_ok(p[i]))
				c->bad = 1;
			out[o++] = (char)p[i];
		}
		labels++;
	}
	out[o] = '\0';
	if (p[total - 1] != 0 || labels != count)
		c->bad = 1;
}

int
dnsrec_name_encode(const char *dotted, uint8_t *buf, size_t buflen,
    size_t *outlen)
{
	struct cur c = { .w = buf, .len = buflen };

	put_name(&c, dotted);
	if (c.bad)
		return -1;
	*outlen = c.off;
	return 0;
}

int
dnsrec_name_decode(const uint8_t *buf, size_t len, char *out, size_t outlen,
    size_t *consumed)
{
	struct cur c = { .r = buf, .len = len };

	get_name(&c, out, outlen);
	if (c.bad)
		return -1;
	*consumed = c.off;
	return 0;
}

static void
put_data(struct cur *c, const struct dnsrec *r)
{
	switch (r->type) {
	case DNSREC_TYPE_ZERO:
		put_le32(c, (uint32_t)r->u.tombstone);
		put_le32(c, (uint32_t)(r->u.tombstone >> 32));
		break;
	case DNSREC_TYPE_A:
		put_bytes(c, r->u.a, 4);
		break;
	case DNSREC_TYPE_AAAA:
		put_bytes(c, r->u.aaaa, 16);
		break;
	case DNSREC_TYPE_NS:
	case DNSREC_TYPE_CNAME:
	case DNSREC_TYPE_PTR:
		put_name(c, r->u.name);
		break;
	case DNSREC_TYPE_SRV:
		put_be16(c, r->u.srv.priority);
		put_be16(c, r->u.srv.weight);
		put_be16(c, r->u.srv.port);
		put_name(c, r->u.srv.target);
		break;
	case DNSREC_TYPE_SOA:
		put_be32(c, r->u.soa.serial);
		put_be32(c, r->u.soa.refresh);
		put_be32(c, r->u.soa.retry);
		put_be32(c, r->u.soa.expire);
		put_be32(c, r->u.soa.minimum);
		put_name(c, r->u.soa.mname);
		put_name(c, r->u.soa.rname);
		break;
	default:
		if (r->rawlen > 0 && r->raw == NULL)
			c->bad = 1;
		else if (r->rawlen > 0)
			put_bytes(c, r->raw, r->rawlen);
		break;
	}
}

int
dnsrec_encode(const struct dnsrec *r, uint8_t *buf, size_t buflen,
    size_t *outlen)
{
	struct cur c = { .w = buf, .len = buflen, .off = DNSREC_HEADER_LEN };
	size_t dlen;

	if (buflen < DNSREC_HEADER_LEN || r->version != DNSREC_VERSION)
		return -1;
	put_data(&c, r);
	if (c.bad || c.off - DNSREC_HEADER_LEN > UINT16_MAX)
		return -1;
	dlen = c.off - DNSREC_HEADER_LEN;
	c.off = 0;
	put_le16(&c, (uint16_t)dlen);
	put_le16(&c, r->type);
	put_u8(&c, r->version);
	put_u8(&c, r->rank);
	put_le16(&c, r->flags);
	put_le32(&c, r->serial);
	put_be32(&c, r->ttl);
	put_le32(&c, 0);		/* reserved */
	put_le32(&c, r->timestamp);
	*outlen = DNSREC_HEADER_LEN + dlen;
	return 0;
}

static void
get_data(struct cur *c, struct dnsrec *r, size_t dlen)
{
	const uint8_t *p;
	uint64_t lo;

	switch (r->type) {
	case DNSREC_TYPE_ZERO:
		lo = get_uint(c, 4, 0);
		r->u.tombstone = lo | (uint64_t)get_uint(c, 4, 0) << 32;
		break;
	case DNSREC_TYPE_A:
	case DNSREC_TYPE_AAAA:
		p = get_bytes(c, r->type == DNSREC_TYPE_A ? 4 : 16);
		if (p != NULL)
			memcpy(r->type == DNSREC_TYPE_A ? r->u.a : r->u.aaaa, p,
			    r->type == DNSREC_TYPE_A ? 4 : 16);
		break;
	case DNSREC_TYPE_NS:
	case DNSREC_TYPE_CNAME:
	case DNSREC_TYPE_PTR:
		get_name(c, r->u.name, sizeof(r->u.name));
		break;
	case DNSREC_TYPE_SRV:
		r->u.srv.priority = (uint16_t)get_uint(c, 2, 1);
		r->u.srv.weight = (uint16_t)get_uint(c, 2, 1);
		r->u.srv.port = (uint16_t)get_uint(c, 2, 1);
		get_name(c, r->u.srv.target, sizeof(r->u.srv.target));
		break;
	case DNSREC_TYPE_SOA:
		r->u.soa.serial = get_uint(c, 4, 1);
		r->u.soa.refresh = get_uint(c, 4, 1);
		r->u.soa.retry = get_uint(c, 4, 1);
		r->u.soa.expire = get_uint(c, 4, 1);
		r->u.soa.minimum = get_uint(c, 4, 1);
		get_name(c, r->u.soa.mname, sizeof(r->u.soa.mname));
		get_name(c, r->u.soa.rname, sizeof(r->u.soa.rname));
		break;
	default:
		r->raw = get_bytes(c, dlen);
		r->rawlen = (uint16_t)dlen;
		break;
	}
}

int
dnsrec_peek_soa_serial(const uint8_t *buf, size_t len, uint32_t *serial)
{
	struct cur c = { .r = buf, .len = len };
	size_t dlen;

	if (len < DNSREC_HEADER_LEN + 20)
		return -1;
	dlen = get_uint(&c, 2, 0);
	if (get_uint(&c, 2, 0) != DNSREC_TYPE_SOA || dlen < 20 ||
	    dlen != len - DNSREC_HEADER_LEN)
		return -1;
	c.off = DNSREC_HEADER_LEN;
	*serial = get_uint(&c, 4, 1);
	return c.bad ? -1 : 0;
}

int
dnsrec_decode(const uint8_t *buf, size_t len, struct dnsrec *r)
{
	struct cur c = { .r = buf, .len = len };
	size_t dlen;
	uint32_t reserved;

	memset(r, 0, sizeof(*r));
	if (len < DNSREC_HEADER_LEN)
		return -1;
	dlen = get_uint(&c, 2, 0);
	r->type = (uint16_t)get_uint(&c, 2, 0);
	r->version = (uint8_t)get_uint(&c, 1, 0);
	r->rank = (uint8_t)get_uint(&c, 1, 0);
	r->flags = (uint16_t)get_uint(&c, 2, 0);
	r->serial = get_uint(&c, 4, 0);
	r->ttl = get_uint(&c, 4, 1);
	reserved = get_uint(&c, 4, 0);	/* must be 0 (MS-DNSP) */
	r->timestamp = get_uint(&c, 4, 0);
	if (reserved != 0 || r->version != DNSREC_VERSION ||
	    dlen != len - DNSREC_HEADER_LEN)
		return -1;
	get_data(&c, r, dlen);
	if (c.bad || c.off != len)
		return -1;
	return 0;
}

static int
format_raw(const struct dnsrec *r, char *out, size_t outlen)
{
	size_t i, o;

	if (xsnprintf(out, outlen, "TYPE%u ", r->type) == -1)
		return -1;
	o = strlen(out);
	for (i = 0; i < r->rawlen; i++, o += 2)
		if (o + 3 > outlen)
			return -1;
		else
			(void)snprintf(out + o, 3, "%02x", r->raw[i]);
	return 0;
}

/* TXT as dig shows it: each character-string quoted, '"' and '\\'
 * escaped, octets outside printable ASCII as \DDD; -1 on truncation or
 * when the data are no character-strings (then shown raw). */
static int
format_txt(const struct dnsrec *r, char *out, size_t outlen)
{
	size_t i = 0, n, o = 3;
	uint8_t c;

	if (r->rawlen == 0 || xstrlcpy(out, "TXT", outlen) == -1)
		return -1;
	while (i < r->rawlen) {
		n = r->raw[i++];
		if (n > (size_t)r->rawlen - i || o + 3 > outlen)
			return -1;
		out[o++] = ' ';
		out[o++] = '"';
		for (; n > 0; n--) {
			c = r->raw[i++];
			if (o + 5 > outlen)
				return -1;
			if (c < 0x20 || c >= 0x7f)
				o += (size_t)snprintf(out + o, 5, "\\%03u", c);
			else if (c == '"' || c == '\\') {
				out[o++] = '\\';
				out[o++] = (char)c;
			} else
				out[o++] = (char)c;
		}
		out[o++] = '"';
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* A name for display: the root ("") as ".". */
static const char *
dnsrec_shown(const char *name)
{
	return name[0] == '\0' ? "." : name;
}

int
dnsrec_format(const struct dnsrec *r, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN];

	switch (r->type) {
	case DNSREC_TYPE_ZERO:
		return xsnprintf(out, outlen, "TOMBSTONE %" PRIu64,
		    r->u.tombstone);
	case DNSREC_TYPE_A:
	case DNSREC_TYPE_AAAA:
		if (inet_ntop(r->type == DNSREC_TYPE_A ? AF_INET : AF_INET6,
		    r->type == DNSREC_TYPE_A ? (const void *)r->u.a :
		    (const void *)r->u.aaaa, a, sizeof(a)) == NULL)
			return -1;
		return xsnprintf(out, outlen, "%s %s",
		    r->type == DNSREC_TYPE_A ? "A" : "AAAA", a);
	case DNSREC_TYPE_NS:
	case DNSREC_TYPE_CNAME:
	case DNSREC_TYPE_PTR:
		return xsnprintf(out, outlen, "%s %s",
		    r->type == DNSREC_TYPE_NS ? "NS" :
		    r->type == DNSREC_TYPE_CNAME ? "CNAME" : "PTR",
		    dnsrec_shown(r->u.name));
	case DNSREC_TYPE_SRV:
		return xsnprintf(out, outlen, "SRV %u %u %u %s",
		    r->u.srv.priority, r->u.srv.weight, r->u.srv.port,
		    dnsrec_shown(r->u.srv.target));
	case DNSREC_TYPE_SOA:
		return xsnprintf(out, outlen, "SOA %s %s %u %u %u %u %u",
		    dnsrec_shown(r->u.soa.mname), dnsrec_shown(r->u.soa.rname),
		    r->u.soa.serial,
		    r->u.soa.refresh, r->u.soa.retry, r->u.soa.expire,
		    r->u.soa.minimum);
	case DNSREC_TYPE_TXT:
		if (format_txt(r, out, outlen) == 0)
			return 0;
		return format_raw(r, out, outlen);
	default:
		return format_raw(r, out, outlen);
	}
}
