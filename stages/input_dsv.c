/*
 * input_dsv.c - delimiter-separated values: CSV (',') and TSV ('\t'), with a
 * header row and RFC 4180 quoting.
 *
 * Emits each row as a JSON object header name -> string value.  A field
 * that starts with '"' is quoted: it may hold the delimiter and newlines,
 * and "" in it is one quote.  Lenient like Python's csv module: a quote in
 * the middle of an unquoted field is literal, and text after a closing quote
 * is appended to the field.  Line ends may be "\n" or "\r\n"; a '\r' inside
 * quotes is data.  Empty lines are skipped (like csv.DictReader) but count
 * as lines.
 *
 * State: the header names, and one field buffer of max_record_bytes that
 * receives the unquoted text of the row being parsed.  A row is parsed in
 * one pass over the read buffer from its first byte; when the buffer ends
 * before the row does, more is read and the row is parsed again from its
 * start (rows rarely straddle reads).  A row longer than max_record_bytes is
 * skipped byte by byte with the same quote rules, without being kept.
 *
 * Bad records: wrong number of fields, an unterminated quote at end of
 * input, invalid UTF-8 or a NUL byte anywhere in the row, an over-long row.
 * A bad header (empty or duplicate name, invalid UTF-8, unterminated, too
 * long) is fatal: CF_EDATA from the first cf_reader_next, and again from
 * every later call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "input.h"

#define HEADER_MAX_FIELDS 65536

enum { S_START, S_UNQ, S_Q, S_QQ };    /* field start, unquoted, quoted,
                                          quote seen inside quotes */

typedef struct field { size_t off, len; } field;

typedef struct dsv {
	int have_header;
	char **names;        /* header names, NUL-terminated, owned */
	size_t ncols;
	char *out;           /* unquoted text of the current row's fields */
	field *f;            /* the first fkeep fields of the current row */
	size_t fcap, fkeep;
	size_t nf;           /* fields in the current row (all, kept or not) */
	int quoted;          /* the current row has a quoted field */
} dsv;

enum { ROW_EOF = 0, ROW_OK, ROW_LONG, ROW_UNTERMINATED };

/* A parsed row: bytes [p, p + len) of the buffer (without the line end),
 * starting on line `line`. */
typedef struct row { const char *p; size_t len; long line; } row;

static int dsv_init(cf_reader *r, void *state, cf_error *err)
{
	dsv *d = state;

	d->fcap = 64;
	d->fkeep = HEADER_MAX_FIELDS;
	d->out = malloc(r->max + 2);
	d->f = malloc(d->fcap * sizeof *d->f);
	if (!d->out || !d->f)
		return cf_error_set(err, CF_ENOMEM, "%s: out of memory", cf_input_name(r));
	return 0;
}

static void dsv_destroy(cf_reader *r, void *state)
{
	dsv *d = state;

	for (size_t i = 0; i < d->ncols; i++)
		free(d->names[i]);
	free(d->names);
	free(d->out);
	free(d->f);
}

/* Close the field that started at out offset fstart and ends at o.  Only
 * the first fkeep fields are kept; a failed growth is reported as -1. */
static int end_field(dsv *d, size_t fstart, size_t o)
{
	field *nf;

	if (d->nf < d->fkeep) {
		if (d->nf == d->fcap) {
			nf = realloc(d->f, 2 * d->fcap * sizeof *d->f);
			if (!nf)
				return -1;
			d->f = nf;
			d->fcap *= 2;
		}
		d->f[d->nf].off = fstart;
		d->f[d->nf].len = o - fstart;
	}
	d->nf++;
	return 0;
}

/* Parse one row from p[0..e) into d->out and d->f.  Returns 1 with *endp
 * at the row's end (its '\n', or e when at_eof), 0 when e comes first (then
 * *state is the scanner state at e), -1 when out of memory. */
static int parse_row(dsv *d, const char *p, const char *e, char delim,
                     int at_eof, const char **endp, int *state)
{
	const char *q = p, *t;
	size_t o = 0, fstart = 0;
	int s = S_START;

	d->nf = 0;
	d->quoted = 0;
	while (q < e) {
		switch (s) {
		case S_START:
			if (*q == '"') {
				s = S_Q;
				d->quoted = 1;
				q++;
				break;
			}
			s = S_UNQ;
			/* fall through */
		case S_UNQ:
			for (t = q; t < e && *t != delim && *t != '\n'; t++)
				;
			memcpy(d->out + o, q, (size_t)(t - q));
			o += (size_t)(t - q);
			q = t;
			if (q == e)
				break;
			if (*q == '\n')
				goto row_end;
			if (end_field(d, fstart, o) < 0)
				return -1;
			fstart = o;
			s = S_START;
			q++;
			break;
		case S_Q:
			t = memchr(q, '"', (size_t)(e - q));
			if (!t)
				t = e;
			memcpy(d->out + o, q, (size_t)(t - q));
			o += (size_t)(t - q);
			q = t;
			if (q < e) {
				s = S_QQ;
				q++;
			}
			break;
		case S_QQ:
			if (*q == '"') {
				d->out[o++] = '"';
				s = S_Q;
				q++;
			} else if (*q == delim) {
				if (end_field(d, fstart, o) < 0)
					return -1;
				fstart = o;
				s = S_START;
				q++;
			} else if (*q == '\n') {
				goto row_end;
			} else {
				s = S_UNQ;      /* lenient: text after the closing quote */
			}
			break;
		}
	}
	*state = s;
	if (!at_eof || s == S_Q)
		return 0;
row_end:
	/* a '\r' before the line end is part of it unless it was quoted */
	if (s == S_UNQ && o > fstart && d->out[o - 1] == '\r')
		o--;
	if (end_field(d, fstart, o) < 0)
		return -1;
	*endp = q;
	return 1;
}

/* Skip from q in scanner state *s to the end of the row; returns its '\n'
 * or NULL when e comes first.  Counts newlines inside quotes in *nl. */
static const char *skip_row(int *s, const char *q, const char *e, char delim,
                            long *nl)
{
	for (; q < e; q++) {
		switch (*s) {
		case S_START:
			if (*q == '"') {
				*s = S_Q;
				break;
			}
			*s = S_UNQ;
			/* fall through */
		case S_UNQ:
			if (*q == delim)
				*s = S_START;
			else if (*q == '\n')
				return q;
			break;
		case S_Q:
			if (*q == '"')
				*s = S_QQ;
			else if (*q == '\n')
				++*nl;
			break;
		case S_QQ:
			if (*q == '"')
				*s = S_Q;
			else if (*q == delim)
				*s = S_START;
			else if (*q == '\n')
				return q;
			else
				*s = S_UNQ;
			break;
		}
	}
	return NULL;
}

static long count_newlines(const char *p, size_t n)
{
	const char *e = p + n;
	long k = 0;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/* The rest of an over-long row, from scanner state s at the buffer's start:
 * drop it up to its end.  The row's first bytes are already in r->raw. */
static int skip_long(cf_reader *r, int s, long *nl, cf_error *err)
{
	const char *p, *end;
	int rc;

	for (;;) {
		p = r->buf + r->start;
		end = skip_row(&s, p, r->buf + r->end, r->fmt->delim, nl);
		if (end) {
			cf_input_consume(r, (size_t)(end - p) + 1);
			++*nl;
			return 0;
		}
		cf_input_consume(r, r->end - r->start);
		if ((rc = cf_input_fill(r, err)) <= 0)
			return rc;
	}
}

/* Find and parse the next row, empty lines skipped.  Returns ROW_OK,
 * ROW_LONG (row->p is r->raw), ROW_UNTERMINATED, ROW_EOF, or < 0. */
static int next_row(cf_reader *r, dsv *d, row *rw, cf_error *err)
{
	const char *p, *end;
	size_t avail, win, n;
	long nl;
	int rc, s, at_eof;

	for (;;) {
		p = r->buf + r->start;
		avail = r->end - r->start;
		/* max + 2 bytes hold any row that fits, with "\r\n" */
		win = avail < r->max + 2 ? avail : r->max + 2;
		at_eof = r->eof && win == avail;
		if (at_eof && !avail)
			return ROW_EOF;
		rc = parse_row(d, p, p + win, r->fmt->delim, at_eof, &end, &s);
		if (rc < 0)
			return cf_input_fatal(r, err, CF_ENOMEM, "%s: out of memory",
			                      cf_input_name(r));
		if (rc) {
			n = (size_t)(end - p);
			rw->p = p;
			rw->line = r->line;
			r->line += (d->quoted ? count_newlines(p, n) : 0) + (end < p + avail);
			cf_input_consume(r, n + (end < p + avail));
			/* the row ended outside quotes: a last '\r' is a line end */
			rw->len = n && p[n - 1] == '\r' ? n - 1 : n;
			if (rw->len == 0)
				continue;           /* empty line */
			if (rw->len > r->max) {
				rw->len = rw->len < CF_RAW_MAX ? rw->len : CF_RAW_MAX;
				return ROW_LONG;
			}
			return ROW_OK;
		}
		if (at_eof) {               /* an open quote at end of input */
			rw->p = p;
			rw->len = avail;
			rw->line = r->line;
			r->line += count_newlines(p, avail);
			cf_input_consume(r, avail);
			return ROW_UNTERMINATED;
		}
		if (win == r->max + 2) {    /* too long: keep the start, skip */
			rw->len = avail < CF_RAW_MAX ? avail : CF_RAW_MAX;
			memcpy(r->raw, p, rw->len);
			rw->p = r->raw;
			rw->line = r->line;
			nl = count_newlines(p, win);
			cf_input_consume(r, win);
			if ((rc = skip_long(r, s, &nl, err)) < 0)
				return rc;
			r->line += nl;
			return ROW_LONG;
		}
		if ((rc = cf_input_fill(r, err)) < 0)
			return rc;
	}
}

/* Read the header row into d->names; any problem is fatal (CF_EDATA).
 * Returns 1 with a header, 0 for an empty input. */
static int read_header(cf_reader *r, dsv *d, cf_error *err)
{
	const char *name = cf_input_name(r);
	row rw;
	size_t at, i, k;
	int rc, nul;

	rc = next_row(r, d, &rw, err);
	if (rc < 0)
		return rc;
	if (rc == ROW_EOF)
		return 0;
	if (rc == ROW_LONG)
		return cf_input_fatal(r, err, CF_EDATA, "%s:%ld: header row exceeds "
		                      "max_record_bytes (%zu)", name, rw.line, r->max);
	if (rc == ROW_UNTERMINATED)
		return cf_input_fatal(r, err, CF_EDATA, "%s:%ld: header row has an "
		                      "unterminated quote", name, rw.line);
	if ((at = cf_utf8_check(rw.p, rw.len, &nul)) < rw.len)
		return cf_input_fatal(r, err, CF_EDATA, "%s:%ld: %s in the header at "
		                      "byte %zu", name, rw.line,
		                      nul ? "NUL byte" : "invalid UTF-8", at + 1);
	if (d->nf > HEADER_MAX_FIELDS)
		return cf_input_fatal(r, err, CF_EDATA, "%s:%ld: header has more "
		                      "than %d columns", name, rw.line, HEADER_MAX_FIELDS);
	if (!(d->names = calloc(d->nf, sizeof *d->names)))
		goto nomem;
	for (i = 0; i < d->nf; i++) {
		const field *f = &d->f[i];

		if (f->len == 0)
			return cf_input_fatal(r, err, CF_EDATA, "%s:%ld: header column %zu "
			                      "has an empty name", name, rw.line, i + 1);
		for (k = 0; k < i; k++)
			if (strlen(d->names[k]) == f->len &&
			    !memcmp(d->names[k], d->out + f->off, f->len))
				return cf_input_fatal(r, err, CF_EDATA, "%s:%ld: duplicate "
				                      "header name \"%s\" (columns %zu and %zu)",
				                      name, rw.line, d->names[k], k + 1, i + 1);
		if (!(d->names[i] = strndup(d->out + f->off, f->len)))
			goto nomem;
		d->ncols = i + 1;
	}
	d->fkeep = d->ncols + 1;
	d->have_header = 1;
	return 1;
nomem:
	return cf_input_fatal(r, err, CF_ENOMEM, "%s: out of memory", name);
}

static int dsv_next(cf_reader *r, void *state, cf_raw *rec, cf_error *err)
{
	dsv *d = state;
	json_t *obj = NULL, *v;
	size_t at;
	row rw;
	int rc, nul;

	if (!d->have_header && (rc = read_header(r, d, err)) <= 0)
		return rc;
	rc = next_row(r, d, &rw, err);
	if (rc <= 0)
		return rc;
	rec->recno = ++r->recno;
	rec->line = rw.line;
	if (rc == ROW_LONG)
		return cf_input_bad(rec, rw.p, rw.len,
		                    "record exceeds max_record_bytes (%zu)", r->max);
	if (rc == ROW_UNTERMINATED)
		return cf_input_bad(rec, rw.p, rw.len,
		                    "unterminated quote at end of input");
	/* quotes and delimiters are ASCII, so a valid row has valid fields */
	if ((at = cf_utf8_check(rw.p, rw.len, &nul)) < rw.len)
		return cf_input_bad(rec, rw.p, rw.len, "%s at byte %zu",
		                    nul ? "NUL byte" : "invalid UTF-8", at + 1);
	if (d->nf != d->ncols)
		return cf_input_bad(rec, rw.p, rw.len, "expected %zu fields, got %zu",
		                    d->ncols, d->nf);
	if (!(obj = json_object()))
		goto nomem;
	for (size_t i = 0; i < d->ncols; i++) {
		v = json_stringn_nocheck(d->out + d->f[i].off, d->f[i].len);
		if (!v || json_object_set_new_nocheck(obj, d->names[i], v) < 0)
			goto nomem;
	}
	rec->obj = obj;
	return CF_READ_OK;
nomem:
	json_decref(obj);
	return cf_input_fatal(r, err, CF_ENOMEM, "%s: out of memory", cf_input_name(r));
}

static const char *const csv_exts[] = { ".csv", NULL };
static const char *const tsv_exts[] = { ".tsv", ".tab", NULL };

const cf_input_format cf_input_csv = {
	.fmt = CF_FMT_CSV,
	.name = "csv",
	.exts = csv_exts,
	.delim = ',',
	.state_size = sizeof(dsv),
	.init = dsv_init,
	.next = dsv_next,
	.destroy = dsv_destroy,
};

const cf_input_format cf_input_tsv = {
	.fmt = CF_FMT_TSV,
	.name = "tsv",
	.exts = tsv_exts,
	.delim = '\t',
	.state_size = sizeof(dsv),
	.init = dsv_init,
	.next = dsv_next,
	.destroy = dsv_destroy,
};
