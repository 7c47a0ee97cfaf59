/*
 * zone.h - the zones' SOA serials, as the directory holds them (the serial
 * of every record vmgroupd writes is its zone's).
 */
#ifndef VMG_ZONE_H
#define VMG_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"
#include "model.h"

/* Read the SOA serial of zone (its DC=@ node) under base and partition
 * (DomainDnsZones).  0 / -1 with err. */
int zone_serial(struct dir *d, const char *base, const char *partition,
    const char *zone, uint32_t *serial, char *err, size_t errlen);
/* The SOA serial among n's records (the zone's "@" node).  0 / -1. */
int zone_serial_node(const struct dir_node *n, uint32_t *serial);

#endif
