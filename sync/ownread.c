/*
 * ownread.c - the ownership record read back (ownread.h).  The writer
 * (own.c) leaves
 *
 *	{
 *	  "nodes": [
 *	    "DN",
 *	    "DN"
 *	  ],
 *	  "groups": []
 *	}
 *
 * and a DN with a quote, a backslash or a control character escaped, so a
 * line of that shape without a backslash holds its DN as it is between
 * the quotes.  A file of any other shape (an older writer, a hand edit)
 * goes through json-c: with 10,000 nodes json-c's tree took ~4 ms.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ownread.h"
#include "stateload.h"
#include "xmem.h"

struct or_text {
	char *p, *end;		/* what is left; lines end with '\n' */
};

/* The next line (without its newline) at *line, its length at *n: 1;
 * 0 at the end; -1 for a last line without its newline. */
static int
or_line(struct or_text *t, char **line, size_t *n)
{
	char *nl;

	if (t->p == t->end)
		return 0;
	nl = memchr(t->p, '\n', (size_t)(t->end - t->p));
	if (nl == NULL)
		return -1;
	*line = t->p;
	*n = (size_t)(nl - t->p);
	t->p = nl + 1;
	return 1;
}

static int
or_is(const char *line, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(line, lit, n) == 0;
}

/* An element line, "    \"DN\"" with a comma when more follow (*more):
 * the DN's bounds.  0 / -1: not one. */
static int
or_element(char *line, size_t n, char **dn, size_t *dnlen, int *more)
{
	size_t i;

	*more = n > 0 && line[n - 1] == ',';
	if (*more)
		n--;
	if (n < 7 || memcmp(line, "    \"", 5) != 0 || line[n - 1] != '"')
		return -1;
	for (i = 5; i < n - 1; i++)
		if (line[i] == '"' || line[i] == '\\' ||
		    (unsigned char)line[i] < 0x20)
			return -1;
	*dn = line + 5;
	*dnlen = n - 6;
	return 0;
}

/* Kind k's lines; with add, each DN handed over (its closing quote made
 * its NUL).  0 / -1: not the writer's shape. */
static int
or_kind(struct or_text *t, const char *key, int k, int last, ownread_fn add,
    void *ctx)
{
	char head[64], *line, *dn;
	size_t n, dnlen;
	int more = 1;

	if (or_line(t, &line, &n) != 1 ||
	    xsnprintf(head, sizeof(head), "  \"%s\": []%s", key,
	    last ? "" : ",") == -1)
		return -1;
	if (or_is(line, n, head))
		return 0;
	(void)xsnprintf(head, sizeof(head), "  \"%s\": [", key);
	if (!or_is(line, n, head))
		return -1;
	while (more) {
		if (or_line(t, &line, &n) != 1 ||
		    or_element(line, n, &dn, &dnlen, &more) == -1)
			return -1;
		if (add != NULL) {
			dn[dnlen] = '\0';
			add(ctx, k, dn);
		}
	}
	return or_line(t, &line, &n) == 1 &&
	    or_is(line, n, last ? "  ]" : "  ],") ? 0 : -1;
}

/* text in the writer's shape: 0, its DNs handed to add (when not NULL);
 * -1: it is not. */
static int
or_shaped(char *text, size_t len, const char *const *keys, int nkeys,
    ownread_fn add, void *ctx)
{
	struct or_text t = { text, text + len };
	char *line;
	size_t n;
	int k;

	if (or_line(&t, &line, &n) != 1 || !or_is(line, n, "{"))
		return -1;
	for (k = 0; k < nkeys; k++)
		if (or_kind(&t, keys[k], k, k == nkeys - 1, add, ctx) == -1)
			return -1;
	return or_line(&t, &line, &n) == 1 && or_is(line, n, "}") &&
	    t.p == t.end ? 0 : -1;
}

/* Any JSON object: its string arrays named by keys. */
static int
or_json(const char *path, const char *text, size_t len,
    const char *const *keys, int nkeys, ownread_fn add, void *ctx,
    char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc, *arr, *v;
	size_t i, n;
	int k, rc = -1;

	if (tok == NULL || len > INT32_MAX)
		fatalx("json_tokener_new");
	doc = json_tokener_parse_ex(tok, text, (int)len);
	if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
		(void)xsnprintf(err, errlen, "%s: not an ownership record "
		    "(%s)", path, doc == NULL ? json_tokener_error_desc(
		    json_tokener_get_error(tok)) : "not a JSON object");
		goto out;
	}
	for (k = 0; k < nkeys; k++) {
		if (!json_object_object_get_ex(doc, keys[k], &arr) ||
		    !json_object_is_type(arr, json_type_array))
			continue;
		n = json_object_array_length(arr);
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(arr, i);
			if (json_object_is_type(v, json_type_string))
				add(ctx, k, json_object_get_string(v));
		}
	}
	rc = 0;
out:
	json_object_put(doc);
	json_tokener_free(tok);
	return rc;
}

int
ownread_file(const char *path, const char *const *keys, int nkeys,
    ownread_fn add, void *ctx, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (stateload_slurp(path, &text, &len) == -1) {
		if (errno == ENOENT)
			return 1;
		(void)xsnprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* checked whole before anything is added, then taken */
	if (or_shaped(text, len, keys, nkeys, NULL, NULL) == 0)
		rc = or_shaped(text, len, keys, nkeys, add, ctx);
	else
		rc = or_json(path, text, len, keys, nkeys, add, ctx, err,
		    errlen);
	free(text);
	return rc;
}
