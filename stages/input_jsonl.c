/*
 * input_jsonl.c - JSON Lines reader: one JSON object per physical line.
 *
 * Consumes lines from the shared line reader (stages/input.c) and emits each
 * as the object jansson parses from it; the OK record's text is the exact
 * line (no newline, no trailing '\r') so a writer can pass it through.
 * Whitespace-only lines are skipped but counted as lines.  A line that is
 * not an object, not JSON, holds a NUL byte or invalid UTF-8, or is longer
 * than max_record_bytes is a bad record; reading goes on with the next line.
 * No state of its own: the reader's buffer is all it needs.
 *
 * Speed: the good path is one memchr for NUL plus json_loadb (which checks
 * UTF-8 itself); our own UTF-8 scan runs only to explain a failure.
 */
#include <string.h>
#include "input.h"

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

/* Why jansson refused p[0..n): our own words for NUL and bad UTF-8, which
 * jansson reports less clearly, else jansson's message and column. */
static int explain(cf_raw *rec, const char *p, size_t n, const json_error_t *je)
{
	int nul;
	size_t at = cf_utf8_check(p, n, &nul);

	if (at < n && nul)
		return cf_input_bad(rec, p, n, "NUL byte at byte %zu", at + 1);
	if (at < n)
		return cf_input_bad(rec, p, n, "invalid UTF-8 at byte %zu", at + 1);
	return cf_input_bad(rec, p, n, "invalid JSON: %s at column %d",
	                    je->text, je->column);
}

static int jsonl_next(cf_reader *r, void *state, cf_raw *rec, cf_error *err)
{
	json_error_t je;
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
	/* jansson would stop at a NUL inside a string only with a vague message */
	if (memchr(p, '\0', n))
		return explain(rec, p, n, NULL);
	j = json_loadb(p, n, 0, &je);
	if (!j)
		return explain(rec, p, n, &je);
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
