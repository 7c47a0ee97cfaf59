/*
 * viewval.c - a view node's values stored inline (see viewval.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dnsrec.h"
#include "log.h"
#include "ownrec.h"
#include "viewval.h"
#include "xmem.h"

#define VV_SHORT 0x80000000u
#define VV_SERIAL 8		/* the Serial field: octets 8-11 */

/* The index of v's prefix in t (added if new), or -1 when v is no owner
 * value or t is full. */
static int
vv_prefix(struct viewval *t, const uint8_t *v, size_t len, int add,
    size_t *plen)
{
	uint8_t buf[DNSREC_BUF];
	struct ownrec o;
	size_t i, tail;

	if (len > sizeof(buf) || !ownrec_parse(v, len, &o))
		return -1;
	tail = 1 + (size_t)v[DNSREC_HEADER_LEN + 1 + v[DNSREC_HEADER_LEN]];
	*plen = len - tail;
	memcpy(buf, v, *plen);
	memset(buf + VV_SERIAL, 0, 4);
	for (i = 0; i < t->n; i++)
		if (t->plen[i] == *plen && memcmp(t->prefix[i], buf, *plen) == 0)
			return (int)i;
	if (!add || t->n == VIEWVAL_MAX_PREFIXES)
		return -1;
	t->prefix[t->n] = xmalloc(*plen);
	memcpy(t->prefix[t->n], buf, *plen);
	t->plen[t->n] = (uint16_t)*plen;
	return (int)t->n++;
}

size_t
viewval_bytes(struct viewval *t, const struct dir_value *vals, size_t n)
{
	size_t i, plen, bytes = 0;

	for (i = 0; i < n; i++) {
		if (vals[i].len > UINT32_MAX / 2)
			fatalx("view: a value of %zu bytes", vals[i].len);
		bytes += sizeof(uint32_t) + vals[i].len;
		if (vv_prefix(t, vals[i].val, vals[i].len, 1, &plen) >= 0)
			bytes -= plen - 1 - 4;
	}
	return bytes;
}

void
viewval_put(const struct viewval *t, uint8_t *p, const struct dir_value *vals,
    size_t n)
{
	uint32_t len;
	size_t i, plen;
	int k;

	for (i = 0; i < n; i++) {
		k = vv_prefix((struct viewval *)(uintptr_t)t, vals[i].val,
		    vals[i].len, 0, &plen);
		if (k < 0) {
			len = (uint32_t)vals[i].len;
			memcpy(p, &len, sizeof(len));
			memcpy(p + sizeof(len), vals[i].val, vals[i].len);
			p += sizeof(len) + vals[i].len;
			continue;
		}
		len = VV_SHORT | (uint32_t)(1 + 4 + vals[i].len - plen);
		memcpy(p, &len, sizeof(len));
		p[sizeof(len)] = (uint8_t)k;
		memcpy(p + sizeof(len) + 1, vals[i].val + VV_SERIAL, 4);
		memcpy(p + sizeof(len) + 5, vals[i].val + plen,
		    vals[i].len - plen);
		p += sizeof(len) + (len & ~VV_SHORT);
	}
}

size_t
viewval_stored(const uint8_t *p)
{
	uint32_t len;

	memcpy(&len, p, sizeof(len));
	return sizeof(len) + (len & ~VV_SHORT);
}

size_t
viewval_get(const struct viewval *t, const uint8_t *p, uint8_t *out)
{
	uint32_t len;
	size_t plen;

	memcpy(&len, p, sizeof(len));
	if (!(len & VV_SHORT)) {
		memcpy(out, p + sizeof(len), len);
		return len;
	}
	len &= ~VV_SHORT;
	plen = t->plen[p[sizeof(len)]];
	memcpy(out, t->prefix[p[sizeof(len)]], plen);
	memcpy(out + VV_SERIAL, p + sizeof(len) + 1, 4);
	memcpy(out + plen, p + sizeof(len) + 5, len - 5);
	return plen + len - 5;
}

struct dir_value *
viewval_values(const struct viewval *t, const uint8_t *p, uint32_t n)
{
	const uint8_t *q = p;
	struct dir_value *vals;
	uint8_t *buf;
	size_t extra = 0, head;
	uint32_t i, len;

	for (i = 0; i < n; i++) {	/* room for the short ones in full */
		memcpy(&len, q, sizeof(len));
		if (len & VV_SHORT)
			extra += t->plen[q[sizeof(len)]] + (len & ~VV_SHORT);
		q += viewval_stored(q);
	}
	head = ((size_t)n + 1) * sizeof(*vals);
	vals = xcalloc(1, head + extra);
	buf = (uint8_t *)vals + head;
	for (i = 0; i < n; i++) {
		memcpy(&len, p, sizeof(len));
		if (len & VV_SHORT) {
			vals[i].val = buf;
			vals[i].len = viewval_get(t, p, buf);
			buf += vals[i].len;
		} else {
			vals[i].val = p + sizeof(len);
			vals[i].len = len;
		}
		p += viewval_stored(p);
	}
	return vals;
}

void
viewval_free(struct viewval *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->prefix[i]);
	memset(t, 0, sizeof(*t));
}
