/*
 * status.c - what the last pass could not publish (status.h).
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomic.h"
#include "log.h"
#include "status.h"
#include "xmem.h"

#define STATUS_MAX_ITEMS 100000

static const char *const status_kinds[] = { "vm", "group", "node",
    "object" };
static const char *const status_why[] = {
	"VM withheld: a DNS node of that name belongs to someone else",
	"group withheld: a DNS node of that name belongs to someone else",
	"not written: the node exists and vmgroupd does not own it",
	"not written: a vmGroup object of that name exists and is not ours"
};

void
status_init(struct status_report *s, int64_t now)
{
	memset(s, 0, sizeof(*s));
	s->time = now;
}

void
status_add(struct status_report *s, enum status_kind kind, const char *fqdn)
{
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 8 : s->cap * 2;
		s->items = xreallocarray(s->items, s->cap, sizeof(*s->items));
	}
	s->items[s->n].kind = kind;
	(void)xstrlcpy(s->items[s->n].name, fqdn, NAME_FQDN_BUF);
	s->n++;
}

uint64_t
status_digest(const struct status_report *s)
{
	uint64_t h = NAME_FNV_BASIS;
	size_t i;

	for (i = 0; i < s->n; i++) {
		h = name_fnv1a64_update(h, &s->items[i].kind,
		    sizeof(s->items[i].kind));
		h = name_fnv1a64_update(h, s->items[i].name,
		    strlen(s->items[i].name) + 1);
	}
	return h;
}

void
status_summary(const struct status_report *s, char *out, size_t outlen)
{
	size_t i, n[STATUS_NKINDS] = { 0 };
	char list[400] = "";

	for (i = 0; i < s->n; i++) {
		n[s->items[i].kind]++;
		if (i < 8 && ((i > 0 && xstrlcat(list, ", ", sizeof(list)) ==
		    -1) || xstrlcat(list, s->items[i].name, sizeof(list)) == -1))
			break;
	}
	if (s->n == 0) {
		(void)xstrlcpy(out, "", outlen);
		return;
	}
	(void)xsnprintf(out, outlen, "%zu VM name(s) and %zu group name(s) "
	    "withheld (held by another node), %zu node(s) and %zu group "
	    "object(s) not written (not ours): %s%s", n[STATUS_VM],
	    n[STATUS_GROUP], n[STATUS_NODE], n[STATUS_OBJECT], list,
	    s->n > 8 ? ", ..." : "");
}

int
status_save(const char *path, const struct status_report *s, char *err,
    size_t errlen)
{
	json_object *doc, *arr, *it;
	const char *text;
	size_t i;
	int rc;

	doc = json_object_new_object();
	json_object_object_add(doc, "time", json_object_new_int64(s->time));
	json_object_object_add(doc, "in_sync", json_object_new_boolean(s->n ==
	    0));
	arr = json_object_new_array();
	for (i = 0; i < s->n; i++) {
		it = json_object_new_object();
		json_object_object_add(it, "kind",
		    json_object_new_string(status_kinds[s->items[i].kind]));
		json_object_object_add(it, "name",
		    json_object_new_string(s->items[i].name));
		json_object_array_add(arr, it);
	}
	json_object_object_add(doc, "missing", arr);
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
	rc = atomic_write(path, text, strlen(text), 0640, err, errlen);
	json_object_put(doc);
	return rc;
}

void
status_publish(const struct status_report *s, const char *path,
    struct status_last *last)
{
	char line[700], err[512];
	uint64_t digest = status_digest(s);

	if (last->saved && digest == last->digest)
		return;
	status_summary(s, line, sizeof(line));
	if (s->n > 0)
		log_warnx("not in sync: %s", line);
	else if (last->saved)
		log_info("in sync again: the directory holds everything wanted");
	if (status_save(path, s, err, sizeof(err)) == -1)
		log_warnx("cannot write %s: %s", path, err);
	last->saved = 1;
	last->digest = digest;
}

/* One saved item: its kind's index and a printable name, or -1. */
static int
status_item_parse(json_object *it, const char **name)
{
	json_object *k, *v;
	size_t i;

	if (!json_object_object_get_ex(it, "kind", &k) ||
	    !json_object_object_get_ex(it, "name", &v) ||
	    !json_object_is_type(v, json_type_string))
		return -1;
	*name = json_object_get_string(v);
	if (strlen(*name) == 0 || strlen(*name) > NAME_FQDN_MAX ||
	    strspn(*name, "abcdefghijklmnopqrstuvwxyz0123456789._-") !=
	    strlen(*name))
		return -1;	/* not a name vmgroupd writes: not printed */
	for (i = 0; i < STATUS_NKINDS; i++)
		if (strcmp(json_object_get_string(k), status_kinds[i]) == 0)
			return (int)i;
	return -1;
}

/* The saved report of path: the document (json_object_put it) and its
 * "missing" array, the time as RFC 3339 into when ("?" if it has none);
 * NULL with err when there is no report. */
static json_object *
status_load(const char *path, json_object **arr, char when[32], char *err,
    size_t errlen)
{
	json_object *doc, *t;
	time_t tt;
	struct tm tm;

	doc = json_object_from_file(path);
	if (doc == NULL || !json_object_object_get_ex(doc, "missing", arr) ||
	    !json_object_is_type(*arr, json_type_array) ||
	    json_object_array_length(*arr) > STATUS_MAX_ITEMS) {
		(void)xsnprintf(err, errlen, "%s: no pass report yet (%s)",
		    path, errno == ENOENT ? "vmgroupd has not reached the "
		    "directory" : "unreadable");
		json_object_put(doc);
		return NULL;
	}
	(void)xstrlcpy(when, "?", 32);
	if (json_object_object_get_ex(doc, "time", &t) &&
	    (tt = (time_t)json_object_get_int64(t)) > 0 &&
	    gmtime_r(&tt, &tm) != NULL)
		(void)strftime(when, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return doc;
}

int
status_print(const char *path, FILE *fp, char *err, size_t errlen)
{
	json_object *doc, *arr;
	const char *name;
	char when[32];
	size_t i, n;
	int kind;

	if ((doc = status_load(path, &arr, when, err, errlen)) == NULL)
		return -1;
	n = json_object_array_length(arr);
	fprintf(fp, "# last pass %s: %s\n", when, n == 0 ?
	    "the directory holds everything wanted" : "NOT IN SYNC");
	for (i = 0; i < n; i++) {
		kind = status_item_parse(json_object_array_get_idx(arr, i),
		    &name);
		if (kind >= 0)
			fprintf(fp, "missing %s  (%s)\n", name,
			    status_why[kind]);
	}
	json_object_put(doc);
	return n == 0 ? 0 : 1;
}

struct json_object *
status_json(const char *path, char *err, size_t errlen)
{
	json_object *doc, *arr, *out, *list, *it;
	const char *name;
	char when[32];
	size_t i, n;
	int kind;

	if ((doc = status_load(path, &arr, when, err, errlen)) == NULL)
		return NULL;
	n = json_object_array_length(arr);
	out = json_object_new_object();
	json_object_object_add(out, "time", strcmp(when, "?") == 0 ? NULL :
	    json_object_new_string(when));
	json_object_object_add(out, "in_sync", json_object_new_boolean(n == 0));
	list = json_object_new_array();
	for (i = 0; i < n; i++) {
		kind = status_item_parse(json_object_array_get_idx(arr, i),
		    &name);
		if (kind < 0)
			continue;
		it = json_object_new_object();
		json_object_object_add(it, "kind",
		    json_object_new_string(status_kinds[kind]));
		json_object_object_add(it, "name", json_object_new_string(name));
		json_object_object_add(it, "why",
		    json_object_new_string(status_why[kind]));
		json_object_array_add(list, it);
	}
	json_object_object_add(out, "missing", list);
	json_object_put(doc);
	return out;
}

void
status_free(struct status_report *s)
{
	free(s->items);
	memset(s, 0, sizeof(*s));
}
