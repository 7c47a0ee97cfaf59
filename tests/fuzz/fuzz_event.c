/*
 * fuzz_event.c - libFuzzer target: any bytes into event_parse; whatever it
 * accepts must write out canonically and parse back to the same event.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event a, b;
	char err[256], out[EVENT_MAX_BYTES];

	if (event_parse((const char *)data, size, &a, err, sizeof(err)) != 0) {
		if (strlen(err) == 0)
			abort();	/* every refusal says why */
		return 0;
	}
	if (event_to_json(&a, out, sizeof(out)) != 0)
		abort();
	if (event_parse(out, strlen(out), &b, err, sizeof(err)) != 0)
		abort();
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	return 0;
}
