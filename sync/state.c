/*
 * state.c - persist the registrations table.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "log.h"
#include "state.h"
#include "xmem.h"

#define STATE_MAX_REGS 1000000

void
state_reg_event(const struct model_reg *r, struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = EVENT_VERSION;
	ev->op = EVENT_OP_REGISTER;
	ev->source = r->source;
	(void)xstrlcpy(ev->host, r->host, sizeof(ev->host));
	(void)xstrlcpy(ev->vm, r->vm, sizeof(ev->vm));
	(void)xstrlcpy(ev->image, r->image, sizeof(ev->image));
	ev->has_mac = r->has_mac;
	memcpy(ev->mac, r->mac, sizeof(ev->mac));
	memcpy(ev->addrs, r->addrs, sizeof(ev->addrs));
	ev->naddrs = r->naddrs;
	ev->time = r->time;
	ev->expires = r->expires;
}

int
state_save(const char *path, const struct model_regs *regs, char *err,
    size_t errlen)
{
	const struct model_reg *r;
	struct event ev;
	char buf[EVENT_MAX_BYTES];
	size_t cap = 64, len = 0, n;
	char *out = xmalloc(cap);
	int rc;

	out[len++] = '[';
	for (r = regs->by_vm; r != NULL; r = r->hh.next) {
		state_reg_event(r, &ev);
		if (event_to_json(&ev, buf, sizeof(buf)) == -1)
			continue;	/* cannot happen: it parsed once */
		n = strlen(buf);
		while (len + n + 4 > cap)
			out = xreallocarray(out, cap *= 2, 1);
		if (len > 1)
			out[len++] = ',';
		out[len++] = '\n';
		memcpy(out + len, buf, n);
		len += n;
	}
	out = xreallocarray(out, len + 3, 1);
	out[len++] = '\n';
	out[len++] = ']';
	out[len++] = '\n';
	rc = atomic_write(path, out, len, 0640, err, errlen);
	free(out);
	return rc;
}

int
state_load(const char *path, struct model_regs *regs, size_t *bad, char *err,
    size_t errlen)
{
	json_object *doc;
	const char *js;
	struct event ev;
	char why[256];
	size_t i, n;

	*bad = 0;
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	doc = json_object_from_file(path);
	if (doc == NULL || !json_object_is_type(doc, json_type_array)) {
		(void)xsnprintf(err, errlen, "%s: not a registrations file (%s)",
		    path, json_util_get_last_err());
		json_object_put(doc);
		return -1;
	}
	n = json_object_array_length(doc);
	for (i = 0; i < n && i < STATE_MAX_REGS; i++) {
		js = json_object_to_json_string_ext(
		    json_object_array_get_idx(doc, i), JSON_C_TO_STRING_PLAIN);
		if (event_parse(js, strlen(js), &ev, why, sizeof(why)) == -1) {
			log_warnx("%s: entry %zu skipped, its registration is "
			    "not published: %s", path, i, why);
			(*bad)++;
			continue;
		}
		model_apply(regs, &ev);
	}
	json_object_put(doc);
	return 0;
}
