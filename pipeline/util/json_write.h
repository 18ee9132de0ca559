/*
 * json_write.h - fast compact JSON serialisation of jansson values into a
 * growable buffer (internal).
 *
 * Output is byte-identical to json_dumpb(v, JSON_COMPACT |
 * JSON_REAL_PRECISION(10)) for the values cfaug writes (objects keep their
 * insertion order), but strings are escaped eight bytes at a time, which
 * matters when every record's text is written two or three times.
 */
#ifndef CF_JSON_WRITE_H
#define CF_JSON_WRITE_H

#include <jansson.h>
#include <stddef.h>
#include "cfaug/util.h"

/* The JSON writers' buffer is the one capped buffer (cfaug/util.h); the name is
 * kept for its callers. */
typedef cf_buf cf_jbuf;

/* Append v as compact JSON.  Returns 0, or -1 when out of memory, over the
 * cap, or v holds something JSON cannot (a NaN). */
int cf_json_write(cf_jbuf *b, const json_t *v);
/* Append a JSON string literal of s[0..n) (valid UTF-8 assumed). */
int cf_json_write_string(cf_jbuf *b, const char *s, size_t n);
/* Append the integer i as cf_json_write writes a JSON integer (no object
 * built: provenance writes thousands of offsets).  0, or -1 as above. */
int cf_json_write_int(cf_jbuf *b, json_int_t i);
/* Append raw bytes: 0, or -1 (out of memory, over the cap). */
static inline int cf_jbuf_put(cf_jbuf *b, const char *s, size_t n)
{
	return cf_buf_put(b, s, n) < 0 ? -1 : 0;
}

static inline void cf_jbuf_free(cf_jbuf *b)
{
	cf_buf_free(b);
}

#endif
