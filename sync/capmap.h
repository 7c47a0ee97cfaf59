/*
 * capmap.h - vmgroup-capture's map file: which image each VM (by MAC)
 * runs, and the name of a VM that sends none.  The file the dnsmasq hook
 * reads as "MAC IMAGE" (doc/spool.md), with an optional third field:
 *
 *   # comment
 *   52:54:00:00:00:10 debian-12 web1
 *   52:54:00:00:00:11 -         db1      ("-": no image)
 *   52:54:00:00:00:12 ubuntu-24          (no name: the client's)
 *
 * IMAGE must be a DNS label (name_label_check), NAME a VM name
 * (name_vm_check).  A bad line is logged with its number and skipped; a
 * missing file is an empty map.
 */
#ifndef VMG_CAPMAP_H
#define VMG_CAPMAP_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "name.h"

#define CAPMAP_DEFAULT "/etc/vmgroup/images"
#define CAPMAP_MAC_BUF 18		/* "52:54:00:00:00:10" */

struct capmap_entry {
	uint8_t mac[6];
	char image[NAME_LABEL_BUF];	/* "" none */
	char name[NAME_LABEL_BUF];	/* "" none */
	UT_hash_handle hh;
};

struct capmap {
	struct capmap_entry *h;
	size_t n;
};

/* Read path into map (emptied first).  Bad lines are warned about and
 * skipped; 0, or -1 if the file exists but cannot be read (map empty). */
int capmap_load(struct capmap *map, const char *path);
const struct capmap_entry *capmap_find(const struct capmap *map,
    const uint8_t mac[6]);
void capmap_free(struct capmap *map);
/* "52:54:00:00:00:10" (either case) -> mac.  0 / -1. */
int capmap_parse_mac(const char *s, uint8_t mac[6]);
/* mac -> lower-case text (CAPMAP_MAC_BUF). */
void capmap_format_mac(const uint8_t mac[6], char out[CAPMAP_MAC_BUF]);

#endif
