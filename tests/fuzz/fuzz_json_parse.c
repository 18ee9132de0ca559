/*
 * fuzz_json_parse.c - libFuzzer target for cf_json_parse, differential
 * against jansson.
 *
 * Input: any bytes, parsed as one JSON value by cf_json_parse and by
 * json_loadb(JSON_DECODE_ANY).  Aborts when one accepts what the other
 * refuses or their values are not json_equal.  Allowed differences (see
 * json_parse.h): the depth limit, and NUL bytes, which we always refuse and
 * jansson sometimes drops.  The input is copied to an
 * exact-size block so that ASan sees any read past its end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "json_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);
	cf_json_error e;
	json_error_t je;
	json_t *ours, *theirs;

	if (!p)
		return 0;
	memcpy(p, data, size);
	ours = cf_json_parse(p, size, &e);
	theirs = json_loadb(p, size, JSON_DECODE_ANY, &je);
	if (!ours && (e.offset > size || !e.kind || !e.msg[0]))
		abort();
	if (!ours != !theirs &&
	    !(!ours && (e.kind == CF_JSON_EDEPTH || e.kind == CF_JSON_ENUL)))
		abort();
	if (ours && theirs && !json_equal(ours, theirs))
		abort();
	json_decref(ours);
	json_decref(theirs);
	free(p);
	return 0;
}
