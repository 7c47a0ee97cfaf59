/*
 * fuzz_dnsrec.c - libFuzzer target: any bytes into the strict dnsRecord
 * decoder; whatever it accepts must encode back to the very same bytes.
 * The DNS_COUNT_NAME decoder gets the same treatment, and the display form
 * of anything accepted must be printable ASCII.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_name(const uint8_t *data, size_t size)
{
	char name[NAME_FQDN_BUF];
	uint8_t back[300];
	size_t used, len;

	if (dnsrec_name_decode(data, size, name, sizeof(name), &used) != 0)
		return;
	if (used > size || strlen(name) > NAME_FQDN_MAX)
		abort();
	if (dnsrec_name_encode(name, back, sizeof(back), &len) != 0 ||
	    len != used || memcmp(back, data, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsrec r;
	uint8_t out[70000];
	size_t len;
	char text[700];

	check_name(data, size);
	if (dnsrec_decode(data, size, &r) != 0)
		return 0;
	if (dnsrec_encode(&r, out, sizeof(out), &len) != 0 || len != size ||
	    memcmp(out, data, size) != 0)
		abort();
	/* what the display form shows of untrusted bytes is printable */
	if (dnsrec_format(&r, text, sizeof(text)) == 0)
		for (len = 0; text[len] != '\0'; len++)
			if (text[len] < 0x20 || text[len] > 0x7e)
				abort();
	return 0;
}
