/*
 * output_dsv.c - augmented rows as CSV or TSV (output.augmented_format), so
 * a CSV/TSV dataset comes back in its own shape: the input's columns in
 * their order, then `source` and `pair_id`.
 *
 * Consumes the same items as output.c's JSONL writer (put_flat); a
 * candidate's text fields and target label replace the original's.  Rows
 * are built in one growable buffer (bounded by the record, which the
 * reader bounded by max_record_bytes) and written with one fwrite.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "json_write.h"
#include "output_writers.h"

/* Room for more bytes of the row; a row is bounded by the record it comes
 * from (max_record_bytes), so the buffer's own cap is only a backstop. */
static int grow(cf_dsv_writer *w, size_t more)
{
	if (!w->line.max)
		w->line.max = SIZE_MAX / 4;
	return cf_buf_reserve(&w->line, more) < 0 ? -1 : 0;
}

/* One field, quoted when it holds the delimiter, a quote, CR or LF. */
static int put_field(cf_dsv_writer *w, const char *s, size_t n, int first)
{
	int q = 0;

	for (size_t i = 0; i < n && !q; i++)
		q = s[i] == w->delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (grow(w, 2 * n + 3) < 0)
		return -1;
	if (!first)
		w->line.p[w->line.len++] = w->delim;
	if (!q) {
		memcpy(w->line.p + w->line.len, s, n);
		w->line.len += n;
		return 0;
	}
	w->line.p[w->line.len++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			w->line.p[w->line.len++] = '"';
		w->line.p[w->line.len++] = s[i];
	}
	w->line.p[w->line.len++] = '"';
	return 0;
}

static int put_value(cf_dsv_writer *w, json_t *v, int first)
{
	char *s;
	int rc;

	if (json_is_string(v))
		return put_field(w, json_string_value(v), json_string_length(v), first);
	if (json_is_null(v))
		return put_field(w, "", 0, first);
	if (!(s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)))
		return -1;
	rc = put_field(w, s, strlen(s), first);
	free(s);
	return rc;
}

static int is_text_field(const cf_strlist *tf, const char *key)
{
	for (size_t i = 0; i < tf->n; i++)
		if (strcmp(tf->v[i], key) == 0)
			return 1;
	return 0;
}

int cf_dsv_write_flat(cf_dsv_writer *w, FILE *f, const cf_item *it,
                      const char *pair_id, const cf_strlist *text_fields,
                      const char *label_field)
{
	const char *label = cf_item_label(it), *key;
	json_t *v, *cfv;
	int bad = 0, first = 1;

	w->line.len = 0;
	if (!w->header_done) {
		json_object_foreach(it->rec->fields, key, v) {
			if (strcmp(key, "source") && strcmp(key, "pair_id")) {
				bad |= put_field(w, key, strlen(key), first);
				first = 0;
			}
		}
		bad |= put_field(w, "source", 6, first);
		bad |= put_field(w, "pair_id", 7, 0);
		bad |= grow(w, 1);
		if (!bad)
			w->line.p[w->line.len++] = '\n';
		w->header_done = 1;
		first = 1;
	}
	json_object_foreach(it->rec->fields, key, v) {
		if (!strcmp(key, "source") || !strcmp(key, "pair_id"))
			continue;
		if (it->cf && label_field && label && !strcmp(key, label_field))
			bad |= put_field(w, label, strlen(label), first);
		else if (it->cf && is_text_field(text_fields, key) &&
		         (cfv = json_object_get(it->cf, key)))
			bad |= put_value(w, cfv, first);
		else
			bad |= put_value(w, v, first);
		first = 0;
	}
	bad |= it->cf ? put_field(w, "counterfactual", 14, first)
	              : put_field(w, "original", 8, first);
	bad |= put_field(w, pair_id ? pair_id : "", pair_id ? strlen(pair_id) : 0, 0);
	bad |= grow(w, 1);
	if (bad)
		return CF_ENOMEM;
	w->line.p[w->line.len++] = '\n';
	return fwrite(w->line.p, 1, w->line.len, f) == w->line.len ? 0 : CF_EIO;
}

void cf_dsv_writer_free(cf_dsv_writer *w)
{
	cf_buf_free(&w->line);
	memset(w, 0, sizeof *w);
}
