/*
 * jsontext.c - checks on JSON text that json-c does not make.
 */
#include "config.h"

#include <string.h>

#include "jsontext.h"

static void
jsontext_key_seen(struct jsontext_keys *ks, const char *buf, size_t off,
    size_t len)
{
	size_t i, kept = ks->n < JSONTEXT_KEYS_KEPT ? ks->n :
	    JSONTEXT_KEYS_KEPT;

	for (i = 0; i < kept && ks->dup == -1; i++)
		if (ks->len[i] == len && memcmp(buf + ks->off[i], buf + off,
		    len) == 0)
			ks->dup = (int)i;
	if (ks->n < JSONTEXT_KEYS_KEPT) {
		ks->off[ks->n] = off;
		ks->len[ks->n] = len;
	}
	ks->n++;
}

void
jsontext_top_keys(const char *buf, size_t len, struct jsontext_keys *ks)
{
	size_t i, start = 0;
	int depth = 0, in_str = 0, expect_key = 0, is_key = 0;

	ks->n = 0;
	ks->dup = -1;
	for (i = 0; i < len; i++) {
		if (in_str) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"') {
				in_str = 0;
				if (is_key)
					jsontext_key_seen(ks, buf, start,
					    i - start);
			}
			continue;
		}
		if (buf[i] == '"') {
			in_str = 1;
			is_key = depth == 1 && expect_key;
			start = i + 1;
			expect_key = 0;
		} else if (buf[i] == '{' || buf[i] == '[') {
			expect_key = ++depth == 1;
		} else if (buf[i] == '}' || buf[i] == ']') {
			depth--;
		} else if (buf[i] == ',') {
			expect_key = depth == 1;
		}
	}
}

size_t
jsontext_utf8_bad_at(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned char lo, hi;

	while (i < len) {
		lo = 0x80;
		hi = 0xbf;
		if (s[i] < 0x80) {
			i++;
			continue;
		} else if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			lo = s[i] == 0xe0 ? 0xa0 : 0x80;	/* overlong */
			hi = s[i] == 0xed ? 0x9f : 0xbf;	/* surrogates */
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			lo = s[i] == 0xf0 ? 0x90 : 0x80;	/* overlong */
			hi = s[i] == 0xf4 ? 0x8f : 0xbf;	/* > U+10FFFF */
		} else {
			return i;
		}
		if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return i;
		i += n + 1;
	}
	return len;
}

int
jsontext_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
