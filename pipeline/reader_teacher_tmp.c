/*
 * reader_teacher_tmp.c - TEMPORARY minimal implementation of reader.h so
 * the teacher can be developed before the real readers land on main.
 * Delete this file when merging main brings the real ones.
 *
 * JSONL: one object per line.  CSV/TSV: header row, fields may be quoted
 * with doubled inner quotes and hold newlines.  No UTF-8 validation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfaug/reader.h"

struct cf_reader {
	FILE *fp;
	int own;
	cf_format fmt;
	size_t max;
	long line;
	uint64_t recno, bytes;
	char *buf;
	size_t len, cap;
	json_t *header;     /* CSV/TSV: array of names */
};

cf_format cf_format_from_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return CF_FMT_AUTO;
	if (!strcmp(dot, ".jsonl") || !strcmp(dot, ".json") || !strcmp(dot, ".ndjson"))
		return CF_FMT_JSONL;
	if (!strcmp(dot, ".csv"))
		return CF_FMT_CSV;
	if (!strcmp(dot, ".tsv"))
		return CF_FMT_TSV;
	return CF_FMT_AUTO;
}

cf_format cf_format_from_name(const char *name)
{
	if (!strcmp(name, "jsonl"))
		return CF_FMT_JSONL;
	if (!strcmp(name, "csv"))
		return CF_FMT_CSV;
	if (!strcmp(name, "tsv"))
		return CF_FMT_TSV;
	return CF_FMT_AUTO;
}

const char *cf_format_name(cf_format f)
{
	return f == CF_FMT_JSONL ? "jsonl" : f == CF_FMT_CSV ? "csv" :
	       f == CF_FMT_TSV ? "tsv" : "auto";
}

static int push(cf_reader *r, int c)
{
	if (r->len + 1 >= r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 4096;
		char *q = realloc(r->buf, nc);

		if (!q)
			return -1;
		r->buf = q;
		r->cap = nc;
	}
	r->buf[r->len++] = (char)c;
	r->buf[r->len] = 0;
	return 0;
}

/* One CSV/TSV row as an array of strings; NULL at EOF. */
static json_t *read_row(cf_reader *r, int *eof)
{
	char sep = r->fmt == CF_FMT_TSV ? '\t' : ',';
	json_t *row = json_array();
	int c, q = 0, any = 0;

	*eof = 0;
	r->len = 0;
	push(r, 0);
	r->len = 0;
	for (;;) {
		c = getc(r->fp);
		if (c == EOF) {
			if (!any && r->len == 0 && json_array_size(row) == 0) {
				*eof = 1;
				json_decref(row);
				return NULL;
			}
			break;
		}
		r->bytes++;
		any = 1;
		if (q) {
			if (c == '"') {
				int d = getc(r->fp);

				if (d == '"') {
					r->bytes++;
					push(r, '"');
					continue;
				}
				if (d != EOF)
					ungetc(d, r->fp);
				q = 0;
				continue;
			}
			if (c == '\n')
				r->line++;
			push(r, c);
			continue;
		}
		if (c == '"' && r->len == 0) {
			q = 1;
			continue;
		}
		if (c == sep) {
			json_array_append_new(row, json_stringn(r->buf, r->len));
			r->len = 0;
			continue;
		}
		if (c == '\n') {
			r->line++;
			break;
		}
		if (c == '\r')
			continue;
		push(r, c);
	}
	json_array_append_new(row, json_stringn(r->buf, r->len));
	return row;
}

int cf_reader_open(cf_reader **out, const char *path, cf_format fmt,
                   size_t max_record_bytes, cf_error *err)
{
	cf_reader *r = calloc(1, sizeof *r);
	int eof;

	*out = NULL;
	if (!r)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	r->fmt = fmt;
	r->max = max_record_bytes;
	r->line = 1;
	if (!strcmp(path, "-")) {
		r->fp = stdin;
	} else if (!(r->fp = fopen(path, "rb"))) {
		free(r);
		return cf_error_set(err, CF_EIO, "%s: cannot open: %s", path,
		                    strerror(errno));
	} else {
		r->own = 1;
	}
	if (fmt != CF_FMT_JSONL) {
		r->header = read_row(r, &eof);
		if (!r->header) {
			cf_reader_close(&r);
			return cf_error_set(err, CF_EDATA, "%s: no header row", path);
		}
	}
	*out = r;
	return 0;
}

int cf_reader_next(cf_reader *r, cf_raw *rec, cf_error *err)
{
	int c, eof;
	json_t *row;
	size_t i;

	memset(rec, 0, sizeof *rec);
	if (r->fmt == CF_FMT_JSONL) {
		json_error_t je;

		do {
			r->len = 0;
			rec->line = r->line;
			while ((c = getc(r->fp)) != EOF && c != '\n') {
				r->bytes++;
				push(r, c);
			}
			if (c == '\n') {
				r->bytes++;
				r->line++;
			}
			if (c == EOF && r->len == 0)
				return CF_READ_EOF;
		} while (r->len == 0);
		push(r, 0);
		r->len--;
		rec->recno = ++r->recno;
		rec->text = r->buf;
		rec->text_len = r->len;
		rec->obj = json_loadb(r->buf, r->len, 0, &je);
		if (!rec->obj || !json_is_object(rec->obj)) {
			json_decref(rec->obj);
			rec->obj = NULL;
			snprintf(rec->reason, sizeof rec->reason, "%s",
			         je.text[0] ? je.text : "not a JSON object");
			return CF_READ_BAD;
		}
		return CF_READ_OK;
	}
	rec->line = r->line;
	row = read_row(r, &eof);
	if (!row)
		return CF_READ_EOF;
	rec->recno = ++r->recno;
	if (json_array_size(row) != json_array_size(r->header)) {
		snprintf(rec->reason, sizeof rec->reason, "%zu fields, header has %zu",
		         json_array_size(row), json_array_size(r->header));
		json_decref(row);
		return CF_READ_BAD;
	}
	rec->obj = json_object();
	for (i = 0; i < json_array_size(row); i++)
		json_object_set(rec->obj, json_string_value(json_array_get(r->header, i)),
		                json_array_get(row, i));
	json_decref(row);
	(void)err;
	return CF_READ_OK;
}

uint64_t cf_reader_bytes(const cf_reader *r)
{
	return r->bytes;
}

void cf_reader_close(cf_reader **rp)
{
	cf_reader *r;

	if (!rp || !(r = *rp))
		return;
	if (r->own)
		fclose(r->fp);
	free(r->buf);
	json_decref(r->header);
	free(r);
	*rp = NULL;
}
