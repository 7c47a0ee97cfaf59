/*
 * replay.c - run a libFuzzer target over its corpus with the normal compiler,
 * so `make check` exercises every saved input (and crasher) without clang.
 *
 * usage: replay_X DIR_OR_FILE...
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX (1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path, uint8_t *buf)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, REPLAY_MAX, fp);
	if (ferror(fp) || !feof(fp)) {
		fprintf(stderr, "replay: %s: read error or over %d bytes\n",
		    path, REPLAY_MAX);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	/* a private copy of exactly n bytes, so ASan sees any overread */
	{
		uint8_t *copy = malloc(n ? n : 1);

		if (copy == NULL)
			return -1;
		memcpy(copy, buf, n);
		LLVMFuzzerTestOneInput(copy, n);
		free(copy);
	}
	return 0;
}

static int
replay_dir(const char *dir, uint8_t *buf, size_t *count)
{
	struct dirent *de;
	char path[4096];
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || replay_file(path, buf) == -1) {
			rc = -1;
			break;
		}
		(*count)++;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat st;
	uint8_t *buf = malloc(REPLAY_MAX);
	size_t count = 0;
	int i, rc = 0;

	if (buf == NULL)
		return 1;
	for (i = 1; i < argc && rc == 0; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = replay_dir(argv[i], buf, &count);
		} else if ((rc = replay_file(argv[i], buf)) == 0) {
			count++;
		}
	}
	free(buf);
	if (rc == 0 && count == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("replayed %zu input(s)\n", count);
	return rc == 0 ? 0 : 1;
}
