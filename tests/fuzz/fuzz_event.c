/*
 * fuzz_event.c - libFuzzer target: any bytes into event_parse.  A refusal
 * must say why in printable ASCII only (untrusted bytes never reach a
 * message raw); an accepted event must write out canonically, parse back to
 * an equal event, and write out to the same text again.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_message(const char *err)
{
	size_t i;

	if (err[0] == '\0')
		abort();	/* every refusal says why */
	for (i = 0; err[i] != '\0'; i++)
		if (err[i] < 0x20 || err[i] > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event a, b;
	char err[256] = "", out[EVENT_MAX_BYTES], out2[EVENT_MAX_BYTES];

	if (event_parse((const char *)data, size, &a, err, sizeof(err)) != 0) {
		check_message(err);
		return 0;
	}
	if (event_to_json(&a, out, sizeof(out)) != 0)
		abort();
	if (event_parse(out, strlen(out), &b, err, sizeof(err)) != 0)
		abort();
	if (!event_equal(&a, &b) || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	if (event_to_json(&b, out2, sizeof(out2)) != 0 ||
	    strcmp(out, out2) != 0)
		abort();
	return 0;
}
