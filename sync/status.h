/*
 * status.h - what the last pass could not publish, for `vmgroup status`.
 *
 * vmgroupd writes <state_dir>/status.json after every pass that reached
 * the directory: the time, whether the directory holds everything wanted,
 * and each thing it does not: a VM or group name withheld because a node
 * of that name belongs to someone else, or a node vmgroupd wanted to write
 * but does not own.  `vmgroup status` prints it.
 */
#ifndef VMG_STATUS_H
#define VMG_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "name.h"

enum status_kind { STATUS_VM, STATUS_GROUP, STATUS_NODE, STATUS_OBJECT,
    STATUS_NKINDS };

struct status_item {
	enum status_kind kind;
	char name[NAME_FQDN_BUF];	/* a full DNS name; a group's cn */
};

struct status_report {
	int64_t time;
	struct status_item *items;
	size_t n, cap;
};

void status_init(struct status_report *s, int64_t now);
void status_add(struct status_report *s, enum status_kind kind,
    const char *fqdn);
/* A digest of the items, to tell whether anything changed. */
uint64_t status_digest(const struct status_report *s);
/* One line naming what is missing ("" when nothing is). */
void status_summary(const struct status_report *s, char *out, size_t outlen);
int status_save(const char *path, const struct status_report *s, char *err,
    size_t errlen);
/* What was last published. */
struct status_last {
	uint64_t digest;
	int saved;			/* a report was written */
};
/* When s differs from the last one published: say so in the log once
 * ("not in sync: ..." or "in sync again") and save it to path. */
void status_publish(const struct status_report *s, const char *path,
    struct status_last *last);
/* Print the saved report of path: 0 in sync, 1 not, -1 no report (err). */
int status_print(const char *path, FILE *fp, char *err, size_t errlen);
/* The same report as JSON (doc/json.md, "last_pass"): an object with
 * "time" (RFC 3339, or null), "in_sync" and "missing" ([{"kind", "name",
 * "why"}]); NULL with err when there is no report. */
struct json_object;
struct json_object *status_json(const char *path, char *err, size_t errlen);
void status_free(struct status_report *s);

#endif
