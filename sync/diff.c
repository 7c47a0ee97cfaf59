/*
 * diff.c - records wanted against records held.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "dnsrec.h"
#include "xmem.h"

/* True if v is among vals (as dnsrec_same_but_serial). */
static int
diff_among(const struct diff_val *v, const struct diff_val *vals, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (dnsrec_same_but_serial(v->val, v->len, vals[i].val,
		    vals[i].len))
			return 1;
	return 0;
}

void
diff_records(const struct diff_val *held, size_t nheld, int tombstoned,
    const struct diff_val *want, size_t nwant, struct diff *df)
{
	size_t i;

	df->dels = xcalloc(nheld + 1, sizeof(*df->dels));
	df->adds = xcalloc(nwant + 1, sizeof(*df->adds));
	df->ndels = df->nadds = 0;
	df->tomb = tombstoned ? DIFF_TOMB_REVIVE : DIFF_TOMB_LEAVE;
	for (i = 0; i < nheld; i++)
		if (tombstoned || !diff_among(&held[i], want, nwant))
			df->dels[df->ndels++] = i;
	for (i = 0; i < nwant; i++)
		if (tombstoned || !diff_among(&want[i], held, nheld))
			df->adds[df->nadds++] = i;
}

int
diff_empty(const struct diff *df)
{
	return df->ndels == 0 && df->nadds == 0 && df->tomb == DIFF_TOMB_LEAVE;
}

void
diff_free(struct diff *df)
{
	free(df->dels);
	free(df->adds);
	memset(df, 0, sizeof(*df));
}

enum diff_fate
diff_unwanted(int exists, int tombstoned)
{
	if (!exists)
		return DIFF_FORGET;
	return tombstoned ? DIFF_KEEP : DIFF_ENTOMB;
}
