/*
 * fuzz_reader.c - libFuzzer target for the streaming readers.
 *
 * Input: one format byte (jsonl, csv, tsv by value mod 3) and the file's
 * bytes.  The bytes go into an in-memory file read through the real reader
 * with a small max_record_bytes, so over-long records, quoting across chunk
 * ends and bad UTF-8 are all reachable.  Every record must come back as OK
 * (an object) or BAD (with a reason and at most CF_RAW_MAX raw bytes); any
 * crash, leak or sanitizer report is a bug.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "cfaug/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const cf_format fmts[3] = { CF_FMT_JSONL, CF_FMT_CSV, CF_FMT_TSV };
	cf_reader *r = NULL;
	cf_error err = { 0 };
	cf_raw rec;
	char path[64];
	int fd, rc, n = 0;

	if (size < 1)
		return 0;
	if ((fd = memfd_create("fuzz", 0)) < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (cf_reader_open(&r, path, fmts[data[0] % 3], 256, &err) == 0) {
		while ((rc = cf_reader_next(r, &rec, &err)) > 0 && n++ < 100000) {
			if (rc == CF_READ_OK && !json_is_object(rec.obj))
				abort();
			if (rc == CF_READ_BAD && (!rec.reason[0] || rec.text_len > CF_RAW_MAX))
				abort();
			json_decref(rec.obj);
		}
	}
	cf_reader_close(&r);
	close(fd);
	return 0;
}
