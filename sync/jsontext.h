/*
 * jsontext.h - checks on JSON text that json-c does not make (used by
 * event.c before and after json-c parses a spool file).
 */
#ifndef VMG_JSONTEXT_H
#define VMG_JSONTEXT_H

#include <stddef.h>

/* Top-level keys of a document json-c has already accepted: json-c keeps
 * only the last of duplicated keys, so count them here and compare.  The
 * first JSONTEXT_KEYS_KEPT keys are kept to name a repeated one. */
#define JSONTEXT_KEYS_KEPT 32

struct jsontext_keys {
	size_t n;			/* keys at the top level */
	size_t off[JSONTEXT_KEYS_KEPT], len[JSONTEXT_KEYS_KEPT];
	int dup;		/* index of a repeated key, or -1 */
};

/* Scan buf (a JSON object json-c accepted) for its top-level keys. */
void jsontext_top_keys(const char *buf, size_t len, struct jsontext_keys *ks);
/* Offset of the first byte that is not valid UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or len.  json-c's own
 * check lets those through. */
size_t jsontext_utf8_bad_at(const unsigned char *s, size_t len);
/* JSON whitespace (RFC 8259). */
int jsontext_is_space(char c);

#endif
