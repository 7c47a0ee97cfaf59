/*
 * zone.c - the zones' SOA serials.
 */
#include "config.h"

#include <stdlib.h>

#include "dn.h"
#include "dnsrec.h"
#include "xmem.h"
#include "zone.h"

int
zone_serial_node(const struct dir_node *n, uint32_t *serial)
{
	struct dnsrec rec;
	size_t i;
	int rc = -1;

	for (i = 0; i < n->nvalues; i++) {
		const uint8_t *v = n->values[i].val;
		size_t len = n->values[i].len;

		if (dnsrec_decode(v, len, &rec) == 0 &&
		    rec.type == DNSREC_TYPE_SOA) {
			*serial = rec.u.soa.serial;
			rc = 0;
		} else if (rc == -1 &&
		    dnsrec_peek_soa_serial(v, len, serial) == 0) {
			rc = 0;	/* names our decoder refuses; serial is fine */
		}
	}
	return rc;
}

int
zone_serial(struct dir *d, const char *base, const char *partition,
    const char *zone, uint32_t *serial, char *err, size_t errlen)
{
	struct dir_node n;
	char *zdn = NULL, *ndn = NULL;
	int rc = -1;

	if (dn_zone(base, partition, zone, &zdn) == -1 ||
	    dn_node(zdn, "@", &ndn) == -1) {
		(void)xsnprintf(err, errlen, "zone %s: cannot build its DN",
		    zone);
		goto out;
	}
	if (dir_node_read(d, ndn, &n, err, errlen) == -1)
		goto out;
	rc = zone_serial_node(&n, serial);
	if (rc == -1)
		(void)xsnprintf(err, errlen, "zone %s: no SOA record at %s "
		    "(does the zone exist, may we read it?)", zone, ndn);
	dir_node_free(&n);
out:
	free(zdn);
	free(ndn);
	return rc;
}
