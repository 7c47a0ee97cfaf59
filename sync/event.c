/*
 * event.c - parse and validate one spool event (json-c), and write one.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "event.h"
#include "jsontext.h"
#include "xmem.h"

static const char *const event_ops[] = { "register", "release", "refresh" };
static const char *const event_sources[] = { "dhcp", "static", "pcap",
    "libvirt" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum {
	F_VERSION = 1 << 0, F_OP = 1 << 1, F_HOST = 1 << 2, F_VM = 1 << 3,
	F_IMAGE = 1 << 4, F_ADDRS = 1 << 5, F_MAC = 1 << 6, F_SOURCE = 1 << 7,
	F_LEASE = 1 << 8, F_EXPIRES = 1 << 9, F_TIME = 1 << 10
};

struct parse {
	struct event *ev;
	unsigned seen;
	int64_t lease;
	char *err;
	size_t errlen;
};

const char *
event_op_name(enum event_op op)
{
	return (size_t)op < NELEM(event_ops) ? event_ops[op] : "unknown";
}

const char *
event_source_name(enum event_source s)
{
	return (size_t)s < NELEM(event_sources) ? event_sources[s] : "unknown";
}

int
event_addr_format(const struct event_addr *a, char *out, size_t outlen)
{
	return inet_ntop(a->family, &a->u, out, (socklen_t)outlen) == NULL ?
	    -1 : 0;
}

int
event_addr_cmp(const struct event_addr *a, const struct event_addr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(&a->u, &b->u, a->family == AF_INET ? 4 : 16);
}

int
event_addr_qcmp(const void *a, const void *b)
{
	return event_addr_cmp(a, b);
}

int
event_equal(const struct event *a, const struct event *b)
{
	size_t i;

	if (a->version != b->version || a->op != b->op ||
	    a->source != b->source || strcmp(a->host, b->host) != 0 ||
	    strcmp(a->vm, b->vm) != 0 || strcmp(a->image, b->image) != 0 ||
	    a->has_mac != b->has_mac ||
	    (a->has_mac && memcmp(a->mac, b->mac, sizeof(a->mac)) != 0) ||
	    a->naddrs != b->naddrs || a->naddrs > EVENT_MAX_ADDRS ||
	    a->time != b->time || a->expires != b->expires)
		return 0;
	for (i = 0; i < a->naddrs; i++)
		if (a->addrs[i].family != b->addrs[i].family ||
		    event_addr_cmp(&a->addrs[i], &b->addrs[i]) != 0)
			return 0;
	return 1;
}

static int
fail(struct parse *p, const char *field, const char *why)
{
	if (field != NULL)
		(void)xsnprintf(p->err, p->errlen, "field \"%s\": %s", field,
		    why);
	else
		(void)xsnprintf(p->err, p->errlen, "%s", why);
	return -1;
}

/* -1 with the repeated field named if a key occurs twice. */
static int
check_dups(struct parse *p, const char *buf, size_t len, json_object *obj)
{
	struct jsontext_keys ks;
	char key[NAME_LABEL_BUF], q[200];
	size_t n;

	jsontext_top_keys(buf, len, &ks);
	if (ks.dup == -1 && ks.n == (size_t)json_object_object_length(obj))
		return 0;
	if (ks.dup == -1)
		return fail(p, NULL, "a field is given more than once");
	n = ks.len[ks.dup] < sizeof(key) ? ks.len[ks.dup] : sizeof(key) - 1;
	memcpy(key, buf + ks.off[ks.dup], n);
	key[n] = '\0';
	name_quote(key, q, sizeof(q));
	return fail(p, q, "given more than once");
}

static int
get_int(struct parse *p, const char *field, json_object *v, int64_t min,
    int64_t max, int64_t *out)
{
	char why[96];

	if (!json_object_is_type(v, json_type_int))
		return fail(p, field, "must be a whole number");
	*out = json_object_get_int64(v);
	if (*out >= min && *out <= max)
		return 0;
	(void)xsnprintf(why, sizeof(why), "out of range (%" PRId64 " to %"
	    PRId64 ")", min, max);
	return fail(p, field, why);
}

static int
get_enum(struct parse *p, const char *field, json_object *v,
    const char *const *names, size_t n, int *out)
{
	const char *s;
	size_t i;

	if (!json_object_is_type(v, json_type_string))
		return fail(p, field, "must be a string");
	s = json_object_get_string(v);
	for (i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return fail(p, field, "not one of the allowed values");
}

static int
get_label(struct parse *p, const char *field, json_object *v, char *out,
    int (*check)(const char *, char *, char *, size_t))
{
	char why[200];

	if (!json_object_is_type(v, json_type_string))
		return fail(p, field, "must be a string");
	if ((size_t)json_object_get_string_len(v) !=
	    strlen(json_object_get_string(v)))
		return fail(p, field, "contains a NUL character");
	if (check(json_object_get_string(v), out, why, sizeof(why)) == -1)
		return fail(p, field, why);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
get_mac(struct parse *p, json_object *v)
{
	const char *s;
	int i, hi, lo;

	if (!json_object_is_type(v, json_type_string))
		return fail(p, "mac", "must be a string");
	s = json_object_get_string(v);
	if (strlen(s) != 17)
		return fail(p, "mac", "must look like 52:54:00:12:34:56");
	for (i = 0; i < 6; i++) {
		hi = hexval(s[i * 3]);
		lo = hexval(s[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return fail(p, "mac",
			    "must look like 52:54:00:12:34:56");
		p->ev->mac[i] = (uint8_t)(hi << 4 | lo);
	}
	p->ev->has_mac = 1;
	return 0;
}

/* One element of "addresses" into *a: an address, and none of the
 * special-purpose ones (addr.h). */
static int
get_addr(struct parse *p, json_object *e, size_t i, struct event_addr *a)
{
	char why[300], what[260];

	if (!json_object_is_type(e, json_type_string)) {
		(void)xsnprintf(why, sizeof(why), "element %zu is not a string",
		    i + 1);
		return fail(p, "addresses", why);
	}
	if (addr_parse(json_object_get_string(e), a, what, sizeof(what)) == 0)
		return 0;
	(void)xsnprintf(why, sizeof(why), "element %zu %s", i + 1, what);
	return fail(p, "addresses", why);
}

static int
get_addrs(struct parse *p, json_object *v)
{
	struct event *ev = p->ev;
	char a[INET6_ADDRSTRLEN], why[100];
	size_t i, n;

	if (!json_object_is_type(v, json_type_array))
		return fail(p, "addresses", "must be an array of strings");
	n = json_object_array_length(v);
	if (n > EVENT_MAX_ADDRS)
		return fail(p, "addresses", "more than 16 addresses");
	for (i = 0; i < n; i++)
		if (get_addr(p, json_object_array_get_idx(v, i), i,
		    &ev->addrs[i]) == -1)
			return -1;
	ev->naddrs = n;
	qsort(ev->addrs, n, sizeof(ev->addrs[0]), event_addr_qcmp);
	for (i = 1; i < n; i++) {
		if (event_addr_cmp(&ev->addrs[i - 1], &ev->addrs[i]) != 0)
			continue;
		if (event_addr_format(&ev->addrs[i], a, sizeof(a)) == -1)
			a[0] = '\0';
		(void)xsnprintf(why, sizeof(why), "%s is listed twice", a);
		return fail(p, "addresses", why);
	}
	return 0;
}

static int
get_field2(struct parse *p, const char *key, json_object *v)
{
	char q[200], why[240];

	if (strcmp(key, "addresses") == 0) {
		p->seen |= F_ADDRS;
		return get_addrs(p, v);
	} else if (strcmp(key, "mac") == 0) {
		p->seen |= F_MAC;
		return get_mac(p, v);
	} else if (strcmp(key, "lease") == 0) {
		p->seen |= F_LEASE;
		return get_int(p, key, v, 1, EVENT_MAX_LEASE, &p->lease);
	} else if (strcmp(key, "expires") == 0) {
		p->seen |= F_EXPIRES;
		return get_int(p, key, v, 1, EVENT_MAX_TIME, &p->ev->expires);
	} else if (strcmp(key, "time") == 0) {
		p->seen |= F_TIME;
		return get_int(p, key, v, 1, EVENT_MAX_TIME, &p->ev->time);
	}
	name_quote(key, q, sizeof(q));
	(void)xsnprintf(why, sizeof(why), "unknown field \"%s\"", q);
	return fail(p, NULL, why);
}

/* One top-level field. */
static int
get_field(struct parse *p, const char *key, json_object *v)
{
	struct event *ev = p->ev;
	int64_t n;
	int e;

	if (strcmp(key, "version") == 0) {
		p->seen |= F_VERSION;
		if (!json_object_is_type(v, json_type_int))
			return fail(p, key, "must be a whole number");
		if (get_int(p, key, v, EVENT_VERSION, EVENT_VERSION, &n) == -1)
			return fail(p, key, "unsupported version (this program "
			    "reads version 1)");
		ev->version = (int)n;
	} else if (strcmp(key, "op") == 0) {
		p->seen |= F_OP;
		if (get_enum(p, key, v, event_ops, NELEM(event_ops), &e) == -1)
			return -1;
		ev->op = (enum event_op)e;
	} else if (strcmp(key, "source") == 0) {
		p->seen |= F_SOURCE;
		if (get_enum(p, key, v, event_sources, NELEM(event_sources),
		    &e) == -1)
			return -1;
		ev->source = (enum event_source)e;
	} else if (strcmp(key, "host") == 0) {
		p->seen |= F_HOST;
		return get_label(p, key, v, ev->host, name_label_check);
	} else if (strcmp(key, "vm") == 0) {
		p->seen |= F_VM;
		return get_label(p, key, v, ev->vm, name_vm_check);
	} else if (strcmp(key, "image") == 0) {
		p->seen |= F_IMAGE;
		return get_label(p, key, v, ev->image, name_label_check);
	} else {
		return get_field2(p, key, v);
	}
	return 0;
}

/* Required fields and the rules between fields. */
static int
check_whole(struct parse *p)
{
	struct event *ev = p->ev;

	if (!(p->seen & F_VERSION))
		return fail(p, "version", "missing");
	if (!(p->seen & F_OP))
		return fail(p, "op", "missing");
	if (!(p->seen & F_HOST))
		return fail(p, "host", "missing");
	if (!(p->seen & F_VM))
		return fail(p, "vm", "missing");
	if (!(p->seen & F_SOURCE))
		return fail(p, "source", "missing");
	if (!(p->seen & F_TIME))
		return fail(p, "time", "missing");
	if ((p->seen & F_LEASE) && (p->seen & F_EXPIRES))
		return fail(p, "lease", "give \"lease\" or \"expires\", not both");
	if (ev->op != EVENT_OP_RELEASE && ev->naddrs == 0)
		return fail(p, "addresses", "a registration needs at least one");
	if (p->seen & F_LEASE) {
		ev->expires = ev->time + p->lease;
		if (ev->expires > EVENT_MAX_TIME)
			return fail(p, "lease", "ends after the year 9999");
	}
	if (ev->expires != 0 && ev->expires <= ev->time)
		return fail(p, "expires", "must be after \"time\"");
	return 0;
}

/* Strict JSON text -> object; NULL with p->err set. */
static json_object *
parse_json(struct parse *p, const char *buf, size_t len)
{
	json_tokener *tok;
	json_object *obj;
	enum json_tokener_error jerr;
	size_t end = 0;

	while (end < len && jsontext_is_space(buf[end]))
		end++;
	if (end == len || buf[end] != '{') {
		fail(p, NULL, "the document must be a JSON object");
		return NULL;
	}
	tok = json_tokener_new_ex(EVENT_MAX_DEPTH);
	if (tok == NULL) {
		fail(p, NULL, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (obj == NULL) {
		(void)xsnprintf(p->err, p->errlen, "not JSON: %s (at byte %zu)",
		    jerr == json_tokener_continue ? "the document ends too early" :
		    json_tokener_error_desc(jerr), end);
		return NULL;
	}
	while (end < len && jsontext_is_space(buf[end]))
		end++;
	if (end != len || !json_object_is_type(obj, json_type_object)) {
		fail(p, NULL, end != len ? "text after the JSON object" :
		    "the document must be a JSON object");
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

int
event_parse(const char *buf, size_t len, struct event *ev, char *err,
    size_t errlen)
{
	struct parse p = { .ev = ev, .err = err, .errlen = errlen };
	json_object *obj;
	size_t bad;
	int rc = -1;

	memset(ev, 0, sizeof(*ev));
	if (len == 0)
		return fail(&p, NULL, "empty file");
	if (len > EVENT_MAX_BYTES)
		return fail(&p, NULL, "larger than 4096 bytes");
	if (memchr(buf, '\0', len) != NULL)
		return fail(&p, NULL, "contains a NUL byte");
	/* No valid event needs an escape, and refusing them keeps "\u0000"
	 * and look-alike spellings of names out. */
	if (memchr(buf, '\\', len) != NULL)
		return fail(&p, NULL, "backslash escapes are not allowed");
	/* json-c takes 'single-quoted' strings even in strict mode */
	if (memchr(buf, '\'', len) != NULL)
		return fail(&p, NULL, "not JSON: single quotes");
	bad = jsontext_utf8_bad_at((const unsigned char *)buf, len);
	if (bad != len) {
		(void)xsnprintf(err, errlen, "not valid UTF-8 (at byte %zu)",
		    bad);
		return -1;
	}
	obj = parse_json(&p, buf, len);
	if (obj == NULL)
		return -1;
	if (check_dups(&p, buf, len, obj) == -1)
		goto out;
	{
		json_object_object_foreach(obj, key, val) {
			if (get_field(&p, key, val) == -1)
				goto out;
		}
	}
	rc = check_whole(&p);
out:
	json_object_put(obj);
	return rc;
}

/* Append to buf at *off; -1 when it does not fit. */
static int
put(char *buf, size_t buflen, size_t *off, const char *s)
{
	if (xstrlcpy(buf + *off, s, buflen - *off) == -1)
		return -1;
	*off += strlen(s);
	return 0;
}

static int
put_addrs(const struct event *ev, char *buf, size_t buflen, size_t *off)
{
	char a[INET6_ADDRSTRLEN + 4];
	size_t i;

	if (put(buf, buflen, off, ",\"addresses\":[") == -1)
		return -1;
	for (i = 0; i < ev->naddrs; i++) {
		if (event_addr_format(&ev->addrs[i], a + 1, sizeof(a) - 3) == -1)
			return -1;
		a[0] = '"';
		(void)xstrlcat(a, "\"", sizeof(a));
		if ((i > 0 && put(buf, buflen, off, ",") == -1) ||
		    put(buf, buflen, off, a) == -1)
			return -1;
	}
	return put(buf, buflen, off, "]");
}

/* A folded label as event_parse leaves it ("" allowed if optional), so
 * it needs no escaping in JSON. */
static int
is_folded_label(const char *s, int optional)
{
	size_t i, n = strnlen(s, NAME_LABEL_BUF);

	if (n == NAME_LABEL_BUF || (n == 0 && !optional))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int
event_to_json(const struct event *ev, char *buf, size_t buflen)
{
	char part[512];
	size_t off = 0;

	if (buflen == 0)
		return -1;
	buf[0] = '\0';
	if ((size_t)ev->op >= NELEM(event_ops) ||
	    (size_t)ev->source >= NELEM(event_sources) ||
	    ev->naddrs > EVENT_MAX_ADDRS || !is_folded_label(ev->host, 0) ||
	    !is_folded_label(ev->vm, 0) || !is_folded_label(ev->image, 1))
		return -1;
	if (xsnprintf(part, sizeof(part), "{\"version\":%d,\"op\":\"%s\","
	    "\"host\":\"%s\",\"vm\":\"%s\"", EVENT_VERSION,
	    event_op_name(ev->op), ev->host, ev->vm) == -1 ||
	    put(buf, buflen, &off, part) == -1)
		return -1;
	if (ev->image[0] != '\0' && (xsnprintf(part, sizeof(part),
	    ",\"image\":\"%s\"", ev->image) == -1 ||
	    put(buf, buflen, &off, part) == -1))
		return -1;
	if (put_addrs(ev, buf, buflen, &off) == -1)
		return -1;
	if (ev->has_mac && (xsnprintf(part, sizeof(part), ",\"mac\":\""
	    "%02x:%02x:%02x:%02x:%02x:%02x\"", ev->mac[0], ev->mac[1],
	    ev->mac[2], ev->mac[3], ev->mac[4], ev->mac[5]) == -1 ||
	    put(buf, buflen, &off, part) == -1))
		return -1;
	if (xsnprintf(part, sizeof(part), ",\"source\":\"%s\",\"time\":%"
	    PRId64, event_source_name(ev->source), ev->time) == -1 ||
	    put(buf, buflen, &off, part) == -1)
		return -1;
	if (ev->expires != 0 && (xsnprintf(part, sizeof(part),
	    ",\"expires\":%" PRId64, ev->expires) == -1 ||
	    put(buf, buflen, &off, part) == -1))
		return -1;
	return put(buf, buflen, &off, "}\n");
}
