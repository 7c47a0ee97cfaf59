/*
 * capmap.c - the map file of vmgroup-capture: MAC -> image, name
 * (capmap.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capmap.h"
#include "log.h"
#include "xmem.h"

#define LINE_MAX_BYTES 1024
#define MAX_FIELDS 3

int
capmap_parse_mac(const char *s, uint8_t mac[6])
{
	char pair[3] = "";
	int i;

	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++, s += 3) {
		if (!isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]) || (i < 5 && s[2] != ':'))
			return -1;
		memcpy(pair, s, 2);
		mac[i] = (uint8_t)strtoul(pair, NULL, 16);
	}
	return 0;
}

void
capmap_format_mac(const uint8_t mac[6], char out[CAPMAP_MAC_BUF])
{
	(void)xsnprintf(out, CAPMAP_MAC_BUF, "%02x:%02x:%02x:%02x:%02x:%02x",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

const struct capmap_entry *
capmap_find(const struct capmap *map, const uint8_t mac[6])
{
	struct capmap_entry *e = NULL;

	HASH_FIND(hh, map->h, mac, 6, e);
	return e;
}

void
capmap_free(struct capmap *map)
{
	struct capmap_entry *e, *tmp;

	HASH_ITER(hh, map->h, e, tmp) {
		HASH_DEL(map->h, e);
		free(e);
	}
	map->n = 0;
}

/* Split line on blanks in place: at most MAX_FIELDS + 1 fields counted. */
static size_t
split(char *line, char *f[MAX_FIELDS + 1])
{
	size_t n = 0;
	char *p = line;

	while (*p != '\0' && n <= MAX_FIELDS) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			*p++ = '\0';
		if (*p == '\0' || *p == '#')
			break;
		f[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n')
			p++;
	}
	if (*p == '#')
		*p = '\0';
	return n;
}

/* One line's fields -> e.  0, or -1 with why. */
static int
parse_fields(char **f, size_t n, struct capmap_entry *e, char *why,
    size_t whylen)
{
	char q[64], err[200];

	if (n < 2 || n > 3)
		return xsnprintf(why, whylen, "want MAC IMAGE [NAME], %zu "
		    "field%s given", n, n == 1 ? "" : "s"), -1;
	if (capmap_parse_mac(f[0], e->mac) == -1) {
		name_quote(f[0], q, sizeof(q));
		return xsnprintf(why, whylen, "\"%s\" is no MAC "
		    "(52:54:00:12:34:56)", q), -1;
	}
	if (strcmp(f[1], "-") != 0 &&
	    name_label_check(f[1], e->image, err, sizeof(err)) == -1)
		return xsnprintf(why, whylen, "image %s", err), -1;
	if (n == 3 && strcmp(f[2], "-") != 0 &&
	    name_vm_check(f[2], e->name, err, sizeof(err)) == -1)
		return xsnprintf(why, whylen, "name %s", err), -1;
	return 0;
}

static void
add_line(struct capmap *map, char *line, const char *path, size_t lineno)
{
	struct capmap_entry *e, *old = NULL;
	char *f[MAX_FIELDS + 1], why[300];
	size_t n = split(line, f);

	if (n == 0)
		return;
	e = xcalloc(1, sizeof(*e));
	if (parse_fields(f, n, e, why, sizeof(why)) == -1) {
		log_warnx("%s: line %zu: %s; line skipped", path, lineno, why);
		free(e);
		return;
	}
	HASH_FIND(hh, map->h, e->mac, 6, old);
	if (old != NULL) {
		log_warnx("%s: line %zu: MAC listed again; line skipped",
		    path, lineno);
		free(e);
		return;
	}
	HASH_ADD(hh, map->h, mac, 6, e);
	map->n++;
}

int
capmap_load(struct capmap *map, const char *path)
{
	char line[LINE_MAX_BYTES];
	size_t lineno = 0, len;
	int rc = 0, longline = 0;
	FILE *fp;

	capmap_free(map);
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		log_warn("map file %s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		len = strlen(line);
		if (!longline)
			lineno++;
		if (longline || (len == sizeof(line) - 1 &&
		    line[len - 1] != '\n')) {
			if (!longline)
				log_warnx("%s: line %zu: longer than %d bytes; "
				    "line skipped", path, lineno,
				    LINE_MAX_BYTES - 2);
			longline = len == 0 || line[len - 1] != '\n';
			continue;
		}
		add_line(map, line, path, lineno);
	}
	if (ferror(fp)) {
		log_warn("map file %s", path);
		capmap_free(map);
		rc = -1;
	}
	fclose(fp);
	return rc;
}
