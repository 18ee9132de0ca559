/*
 * input_jsonl.c - JSON Lines reader: one JSON object per physical line.
 *
 * Consumes lines from the shared line reader (pipeline/input/input.c) and emits each
 * as the object cf_json_parse (pipeline/util/json_parse.c) builds from it, a
 * jansson object; the OK record's text is the exact line (no newline, no
 * trailing '\r') so a writer can pass it through.  Whitespace-only lines
 * are skipped but counted as lines.  A line that is not an object, not
 * JSON, holds a NUL byte or invalid UTF-8, or is longer than
 * max_record_bytes is a bad record whose reason names the first problem and
 * its 1-based byte in the line; reading goes on with the next line.  No
 * state of its own: the reader's buffer is all it needs.
 *
 * Speed: one pass of cf_json_parse per line, which checks NUL and UTF-8
 * while it parses and gives every verdict itself (json_loadb reads about
 * 90 MB/s on review-sized lines, far below the pipeline's target).
 */
#include <string.h>
#include "input.h"
#include "json_parse.h"

static int blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

static const char *json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_ARRAY:  return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL:   return "a number";
	case JSON_TRUE:
	case JSON_FALSE:  return "a boolean";
	case JSON_NULL:   return "null";
	default:          return "an object";
	}
}

/* Why cf_json_parse refused p[0..n), in the words used for every format
 * for NUL and bad UTF-8.  Running out of memory is not the record's fault:
 * it is returned as CF_ENOMEM (err set, sticky like every reader error). */
static int explain(cf_reader *r, cf_raw *rec, const char *p, size_t n,
                   const cf_json_error *je, cf_error *err)
{
	switch (je->kind) {
	case CF_JSON_ENUL:
		return cf_input_bad(rec, p, n, "NUL byte at byte %zu", je->offset + 1);
	case CF_JSON_EUTF8:
		return cf_input_bad(rec, p, n, "invalid UTF-8 at byte %zu", je->offset + 1);
	case CF_JSON_ENOMEM:
		return cf_input_fatal(r, err, CF_ENOMEM, "%s: out of memory parsing "
		                      "line %ld", cf_input_name(r), rec->line);
	default:
		if (je->offset >= n)        /* the line ended too soon */
			return cf_input_bad(rec, p, n, "invalid JSON: %s after byte %zu",
			                    je->msg, n);
		return cf_input_bad(rec, p, n, "invalid JSON: %s at byte %zu",
		                    je->msg, je->offset + 1);
	}
}

static int jsonl_next(cf_reader *r, void *state, cf_raw *rec, cf_error *err)
{
	cf_json_error je;
	const char *p;
	size_t n;
	json_t *j;
	int rc;

	for (;;) {
		rc = cf_input_line(r, &p, &n, &rec->line, err);
		if (rc <= 0)
			return rc;                  /* EOF or I/O error */
		if (rc == CF_LINE_LONG) {
			rec->recno = ++r->recno;
			return cf_input_bad(rec, p, n, "record exceeds max_record_bytes (%zu)",
			                    r->max);
		}
		if ((n && p[0] == '{') || !blank(p, n))
			break;
	}
	rec->recno = ++r->recno;
	if (!(j = cf_json_parse(p, n, &je)))
		return explain(r, rec, p, n, &je, err);
	if (!json_is_object(j)) {
		rc = cf_input_bad(rec, p, n, "not a JSON object (got %s)",
		                  json_type_name(j));
		json_decref(j);
		return rc;
	}
	rec->obj = j;
	rec->text = p;
	rec->text_len = n;
	return CF_READ_OK;
}

static const char *const jsonl_exts[] = { ".jsonl", ".ndjson", ".json", NULL };

const cf_input_format cf_input_jsonl = {
	.fmt = CF_FMT_JSONL,
	.name = "jsonl",
	.exts = jsonl_exts,
	.next = jsonl_next,
};
