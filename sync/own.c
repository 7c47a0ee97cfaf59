/*
 * own.c - the ownership record, a JSON file in the state folder.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "own.h"
#include "xmem.h"

static const char *const own_keys[OWN_NKINDS] = { "nodes", "groups" };

int
own_has(const struct own *o, enum own_kind k, const char *dn)
{
	struct own_entry *e;

	HASH_FIND_STR(o->set[k], dn, e);
	return e != NULL;
}

void
own_add(struct own *o, enum own_kind k, const char *dn)
{
	struct own_entry *e;

	if (own_has(o, k, dn))
		return;
	e = xcalloc(1, sizeof(*e));
	e->dn = xstrdup(dn);
	HASH_ADD_KEYPTR(hh, o->set[k], e->dn, strlen(e->dn), e);
	o->dirty = 1;
}

void
own_del(struct own *o, enum own_kind k, const char *dn)
{
	struct own_entry *e;

	HASH_FIND_STR(o->set[k], dn, e);
	if (e == NULL)
		return;
	HASH_DEL(o->set[k], e);
	free(e->dn);
	free(e);
	o->dirty = 1;
}

size_t
own_count(const struct own *o, enum own_kind k)
{
	return HASH_COUNT(o->set[k]);
}

void
own_free(struct own *o)
{
	struct own_entry *e, *tmp;
	int k;

	for (k = 0; k < OWN_NKINDS; k++) {
		HASH_ITER(hh, o->set[k], e, tmp) {
			HASH_DEL(o->set[k], e);
			free(e->dn);
			free(e);
		}
	}
	o->dirty = 0;
}

static int
own_sorted_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

const char **
own_list(const struct own *o, enum own_kind k, size_t *count)
{
	const char **dns;
	struct own_entry *e;
	size_t n = 0;

	dns = xcalloc(own_count(o, k) + 1, sizeof(*dns));
	for (e = o->set[k]; e != NULL; e = e->hh.next)
		dns[n++] = e->dn;
	qsort(dns, n, sizeof(*dns), own_sorted_cmp);
	*count = n;
	return dns;
}

static void
own_load_kind(struct own *o, json_object *doc, enum own_kind k)
{
	json_object *arr, *v;
	size_t i, n;

	if (!json_object_object_get_ex(doc, own_keys[k], &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (json_object_is_type(v, json_type_string))
			own_add(o, k, json_object_get_string(v));
	}
}

int
own_load(struct own *o, const char *path, char *err, size_t errlen)
{
	json_object *doc;
	int k;

	memset(o, 0, sizeof(*o));
	if (xstrlcpy(o->path, path, sizeof(o->path)) == -1) {
		(void)xsnprintf(err, errlen, "state path too long");
		return -1;
	}
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	doc = json_object_from_file(path);
	if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
		(void)xsnprintf(err, errlen, "%s: not an ownership record "
		    "(%s)", path, json_util_get_last_err());
		json_object_put(doc);
		return -1;
	}
	for (k = 0; k < OWN_NKINDS; k++)
		own_load_kind(o, doc, (enum own_kind)k);
	json_object_put(doc);
	o->dirty = 0;
	return 0;
}

int
own_save(struct own *o, char *err, size_t errlen)
{
	json_object *doc, *arr;
	const char **dns, *text;
	size_t i, n;
	int k, rc;

	if (!o->dirty)
		return 0;
	doc = json_object_new_object();
	for (k = 0; k < OWN_NKINDS; k++) {
		dns = own_list(o, (enum own_kind)k, &n);
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr,
			    json_object_new_string(dns[i]));
		json_object_object_add(doc, own_keys[k], arr);
		free(dns);
	}
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
	rc = atomic_write(o->path, text, strlen(text), 0640, err, errlen);
	json_object_put(doc);
	if (rc == 0)
		o->dirty = 0;
	return rc;
}
