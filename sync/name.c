/*
 * name.c - DNS label rules and the names vmgroup builds.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "name.h"
#include "xmem.h"

/* Labels no VM may take (compared after folding to lower case). */
static const struct {
	const char *name, *why;
} name_reserved[] = {
	{ "domaindnszones", "the directory partition of the zones" },
	{ "forestdnszones", "the directory partition of the zones" },
	{ "wpad", "on the Windows global query block list" },
	{ "isatap", "on the Windows global query block list" },
	{ "localhost", "the loopback name" },
	{ NULL, NULL }
};

void
name_quote(const char *in, char *out, size_t outlen)
{
	size_t i, o = 0;
	unsigned char c;

	if (outlen == 0)
		return;
	for (i = 0; i < 40 && in[i] != '\0'; i++) {
		c = (unsigned char)in[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
			if (o + 2 > outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 5 > outlen)
				break;
			(void)snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	if (in[i] != '\0' && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static int name_fail(char *, size_t, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* err = "\"<in, quoted>\": <reason>"; always -1. */
static int
name_fail(char *err, size_t errlen, const char *in, const char *fmt, ...)
{
	char q[200], why[160];
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (n < 0)
		why[0] = '\0';
	name_quote(in, q, sizeof(q));
	(void)xsnprintf(err, errlen, "\"%s\": %s", q, why);
	return -1;
}

static int
name_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* Syntax of the one label in the len octets at in, folded into out.  idx is
 * its number in a zone name (1 first), or 0 for a lone label; err quotes
 * whole, the name it is part of. */
static int
name_label_span(const char *whole, const char *in, size_t len, int idx,
    char *out, char *err, size_t errlen)
{
	char where[24] = "", one[2] = "", c[8];
	size_t i;

	if (idx > 0)
		(void)xsnprintf(where, sizeof(where), "label %d: ", idx);
	if (len == 0)
		return name_fail(err, errlen, whole, "%sempty label", where);
	if (len > NAME_LABEL_MAX)
		return name_fail(err, errlen, whole,
		    "%slabel longer than 63 octets (%zu)", where, len);
	for (i = 0; i < len; i++) {
		if (!name_ldh(in[i])) {
			one[0] = in[i];
			name_quote(one, c, sizeof(c));
			return name_fail(err, errlen, whole, "%sonly letters, "
			    "digits and hyphens are allowed in a DNS label "
			    "(octet %zu is '%s')", where, i + 1, c);
		}
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ?
		    (char)(in[i] - 'A' + 'a') : in[i];
	}
	if (in[0] == '-' || in[len - 1] == '-')
		return name_fail(err, errlen, whole,
		    "%sa DNS label cannot start or end with a hyphen", where);
	out[len] = '\0';
	return 0;
}

int
name_label_syntax(const char *in, char out[NAME_LABEL_BUF], char *err,
    size_t errlen)
{
	size_t len = strnlen(in, NAME_LABEL_MAX + 1);

	if (len > NAME_LABEL_MAX)
		return name_fail(err, errlen, in,
		    "label longer than 63 octets");
	return name_label_span(in, in, len, 0, out, err, errlen);
}

int
name_label_check(const char *in, char out[NAME_LABEL_BUF], char *err,
    size_t errlen)
{
	size_t i;

	if (strcmp(in, "@") == 0)
		return name_fail(err, errlen, in,
		    "reserved: \"@\" is the zone apex");
	if (in[0] == '_')
		return name_fail(err, errlen, in, "reserved: names starting "
		    "with \"_\" belong to service records and the zone "
		    "(_msdcs, _tcp, ...)");
	if (name_label_syntax(in, out, err, errlen) == -1)
		return -1;
	for (i = 0; name_reserved[i].name != NULL; i++)
		if (strcmp(out, name_reserved[i].name) == 0)
			return name_fail(err, errlen, in, "reserved name: %s",
			    name_reserved[i].why);
	return 0;
}

int
name_vm_check(const char *in, char out[NAME_LABEL_BUF], char *err,
    size_t errlen)
{
	size_t len;

	if (name_label_check(in, out, err, errlen) == -1)
		return -1;
	len = strlen(out);
	if (len >= 3 && strcmp(out + len - 3, "-vm") == 0)
		return name_fail(err, errlen, in, "reserved: names ending in "
		    "\"-vm\" are group names");
	return 0;
}

int
name_zone_check(const char *in, char out[NAME_FQDN_BUF], char *err,
    size_t errlen)
{
	size_t len = strnlen(in, NAME_FQDN_MAX + 2), start = 0, i;
	int idx = 0;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0)
		return name_fail(err, errlen, in, "empty name");
	if (len > NAME_FQDN_MAX)
		return name_fail(err, errlen, in,
		    "name longer than 253 octets");
	for (i = 0; i <= len; i++) {
		if (i < len && in[i] != '.')
			continue;
		if (name_label_span(in, in + start, i - start, ++idx,
		    out + start, err, errlen) == -1)
			return -1;
		if (i < len)
			out[i] = '.';
		start = i + 1;
	}
	out[len] = '\0';
	return 0;
}

uint64_t
name_fnv1a64_update(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t
name_fnv1a64(const char *s)
{
	return name_fnv1a64_update(NAME_FNV_BASIS, s, strlen(s));
}

int
name_group(const char *host, const char *group, char out[NAME_LABEL_BUF])
{
	char h[NAME_LABEL_BUF], g[NAME_LABEL_BUF], full[2 * NAME_LABEL_BUF + 8];
	size_t keep;

	/* both must be labels: the result is then one too, and folded */
	if (name_label_syntax(host, h, NULL, 0) == -1 ||
	    name_label_syntax(group, g, NULL, 0) == -1 ||
	    xsnprintf(full, sizeof(full), "%s-%s-vm", h, g) == -1)
		return -1;
	if (strlen(full) <= NAME_LABEL_MAX)
		return xstrlcpy(out, full, NAME_LABEL_BUF);
	/* "<host>-<group>" is at least 61 octets here: 43 of them exist */
	keep = NAME_GROUP_PREFIX;
	while (keep > 0 && full[keep - 1] == '-')
		keep--;
	return xsnprintf(out, NAME_LABEL_BUF, "%.*s-%016llx-vm", (int)keep,
	    full, (unsigned long long)name_fnv1a64(full));
}

int
name_srv_host(const char *host, char out[NAME_FQDN_BUF])
{
	if (host[0] == '\0')
		return -1;
	return xsnprintf(out, NAME_FQDN_BUF, "_vmgroup._tcp.%s", host);
}

int
name_srv_group(const char *group_node, char out[NAME_FQDN_BUF])
{
	if (group_node[0] == '\0')
		return -1;
	return xsnprintf(out, NAME_FQDN_BUF, "_vm._tcp.%s", group_node);
}

int
name_fqdn(const char *rel, const char *zone, char out[NAME_FQDN_BUF])
{
	if (rel[0] == '\0' || zone[0] == '\0')
		return -1;
	if (strcmp(rel, "@") == 0)
		return xstrlcpy(out, zone, NAME_FQDN_BUF);
	return xsnprintf(out, NAME_FQDN_BUF, "%s.%s", rel, zone);
}

int
name_ptr(int family, const void *addr, char out[NAME_FQDN_BUF])
{
	const unsigned char *a = addr;
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	int i;

	if (family == AF_INET)
		return xsnprintf(out, NAME_FQDN_BUF, "%u.%u.%u.%u.in-addr.arpa",
		    a[3], a[2], a[1], a[0]);
	if (family != AF_INET6)
		return -1;
	for (i = 15; i >= 0; i--) {
		out[o++] = hex[a[i] & 0x0f];
		out[o++] = '.';
		out[o++] = hex[a[i] >> 4];
		out[o++] = '.';
	}
	return xstrlcpy(out + o, "ip6.arpa", NAME_FQDN_BUF - o);
}

int
name_relative(const char *fqdn, const char *zone, char out[NAME_FQDN_BUF])
{
	size_t flen = strlen(fqdn), zlen = strlen(zone);

	if (zlen == 0)
		return -1;
	if (flen == zlen && strcasecmp(fqdn, zone) == 0)
		return xstrlcpy(out, "@", NAME_FQDN_BUF);
	if (flen <= zlen + 1 || fqdn[flen - zlen - 1] != '.' ||
	    strcasecmp(fqdn + flen - zlen, zone) != 0)
		return -1;
	if (flen - zlen - 1 >= NAME_FQDN_BUF)
		return -1;
	memcpy(out, fqdn, flen - zlen - 1);
	out[flen - zlen - 1] = '\0';
	return 0;
}

uint64_t
name_mix64(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	if (len > 0) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w ^ ((uint64_t)len << 56)) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h;
}
