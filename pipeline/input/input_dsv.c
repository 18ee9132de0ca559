/*
 * input_dsv.c - delimiter-separated values: CSV (',') and TSV ('\t'), with a
 * header row and RFC 4180 quoting.
 *
 * Emits each row as a JSON object header name -> string value.  A field
 * that starts with '"' is quoted: it may hold the delimiter and newlines,
 * and "" in it is one quote.  Lenient where it is harmless: a quote in the
 * middle of an unquoted field is literal (the CAD corpora have them).
 * Strict where RFC 4180 is broken, because that is where an unbalanced
 * quote would otherwise swallow the lines after it: a closing quote must be
 * followed by the delimiter, a line end or the end of input.  Line ends may
 * be "\n" or "\r\n"; a '\r' inside quotes is data.  Empty lines are skipped
 * (like csv.DictReader) but count as lines.
 *
 * State: the header names, and one field buffer of max_record_bytes that
 * receives the unquoted text of the row being parsed.  A row is parsed in
 * one pass over the read buffer from its first byte; when the buffer ends
 * before the row does, more is read and the row is parsed again from its
 * start (rows rarely straddle reads).
 *
 * Bad records: wrong number of fields, invalid UTF-8 or a NUL byte anywhere
 * in the row, an over-long row, and quoting errors.  Resynchronisation: when
 * the row's extent itself cannot be trusted -- text after a closing quote, a
 * quote still open at end of input or after max_record_bytes, a row longer
 * than max_record_bytes that has not ended, or a row spanning lines whose
 * field count is wrong -- the bad record is the row's FIRST LINE only and
 * reading resumes at the line after it, so the records after an unbalanced
 * quote are read normally.  This only re-scans bytes still in the buffer,
 * so memory stays bounded; the price is that a genuine quoted field longer
 * than max_record_bytes that spans lines is reported at its first line
 * ("quote opened at line L not closed within max_record_bytes") and its
 * later lines are then read as rows of their own (usually bad ones too).
 * A first line longer than max_record_bytes is skipped to its '\n' without
 * being kept.  A bad header (empty or duplicate name, invalid UTF-8, bad
 * quoting, too long) is fatal: CF_EDATA from the first cf_reader_next, and
 * again from every later call.
 */
#include <stdarg.h>
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
	size_t qopen;        /* offset in the row of its last opening quote */
	int noquote;         /* no_quotes: '"' is an ordinary character */
} dsv;

enum { ROW_EOF = 0, ROW_OK, ROW_BAD };
enum { PARSE_MORE = 0, PARSE_ROW = 1, PARSE_QUOTE = 2 };

/* A parsed row: bytes [p, p + len) of the buffer (without the line end),
 * starting on line `line`; for ROW_BAD, why it is bad. */
typedef struct row {
	const char *p;
	size_t len;
	long line;
	char why[200];
} row;

static int dsv_init(cf_reader *r, void *state, cf_error *err)
{
	dsv *d = state;

	d->fcap = 64;
	d->fkeep = HEADER_MAX_FIELDS;
	d->noquote = r->opts.no_quotes;
	d->out = malloc(r->max + 2);
	d->f = malloc(d->fcap * sizeof *d->f);
	if (!d->out || !d->f)
		goto nomem;
	if (r->opts.columns && r->opts.ncolumns) {
		/* no header row: the names come from the pipeline (`columns`) */
		if (!(d->names = calloc(r->opts.ncolumns, sizeof *d->names)))
			goto nomem;
		for (size_t i = 0; i < r->opts.ncolumns; i++, d->ncols++)
			if (!(d->names[i] = strdup(r->opts.columns[i])))
				goto nomem;
		d->fkeep = d->ncols + 1;
		d->have_header = 1;
	}
	return 0;
nomem:
	return cf_error_set(err, CF_ENOMEM, "%s: out of memory", cf_input_name(r));
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

/* Parse one row from p[0..e) into d->out and d->f.  Returns PARSE_ROW with
 * *endp at the row's end (its '\n', or e when at_eof), PARSE_MORE when e
 * comes first (then *state is the scanner state at e), PARSE_QUOTE with
 * *endp at a character that follows a closing quote and is neither the
 * delimiter nor a line end, or -1 when out of memory. */
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
			if (*q == '"' && !d->noquote) {
				s = S_Q;
				d->quoted = 1;
				d->qopen = (size_t)(q - p);
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
			} else if (*q == '\r' && q + 1 == e && !at_eof) {
				*state = s;         /* "\r" or "\r\n": read more to know */
				return PARSE_MORE;
			} else if (*q == '\r' && (q + 1 == e || q[1] == '\n')) {
				q++;                /* its '\n' (or the end) ends the row */
			} else {
				*endp = q;          /* RFC 4180: nothing may follow */
				return PARSE_QUOTE;
			}
			break;
		}
	}
	*state = s;
	if (!at_eof || s == S_Q)
		return PARSE_MORE;
row_end:
	/* a '\r' before the line end is part of it unless it was quoted */
	if (s == S_UNQ && o > fstart && d->out[o - 1] == '\r')
		o--;
	if (end_field(d, fstart, o) < 0)
		return -1;
	*endp = q;
	return PARSE_ROW;
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

/* The row at the buffer's start cannot be trusted to end where the parser
 * says: make its first line alone a bad record (why from fmt) and go on at
 * the line after it.  Only the buffer is looked at; a first line that goes
 * on past it is dropped up to its '\n', keeping CF_RAW_MAX bytes in r->raw.
 * Returns ROW_BAD, or CF_EIO from reading. */
__attribute__((format(printf, 4, 5)))
static int resync(cf_reader *r, row *rw, cf_error *err, const char *fmt, ...)
{
	const char *p = r->buf + r->start, *nl;
	size_t avail = r->end - r->start, n;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(rw->why, sizeof rw->why, fmt, ap);
	va_end(ap);
	rw->line = r->line++;
	/* enough of the line for the error record, unless it ends sooner */
	while (!(nl = memchr(p, '\n', avail)) && avail < CF_RAW_MAX && !r->eof) {
		if ((rc = cf_input_fill(r, err)) < 0)
			return rc;
		p = r->buf + r->start;
		avail = r->end - r->start;
	}
	if (nl || r->eof) {
		n = nl ? (size_t)(nl - p) : avail;
		cf_input_consume(r, nl ? n + 1 : n);
		rw->p = p;
		rw->len = n && p[n - 1] == '\r' ? n - 1 : n;
		return ROW_BAD;
	}
	rw->len = avail < CF_RAW_MAX ? avail : CF_RAW_MAX;
	memcpy(r->raw, p, rw->len);
	rw->p = r->raw;
	for (;;) {
		cf_input_consume(r, avail);
		if ((rc = cf_input_fill(r, err)) <= 0)
			return rc < 0 ? rc : ROW_BAD;
		p = r->buf + r->start;
		avail = r->end - r->start;
		if ((nl = memchr(p, '\n', avail))) {
			cf_input_consume(r, (size_t)(nl - p) + 1);
			return ROW_BAD;
		}
	}
}

/* Find and parse the next row, empty lines skipped.  Returns ROW_OK,
 * ROW_BAD (rw->why says why; rw->p may be r->raw), ROW_EOF, or < 0. */
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
		if (rc == PARSE_QUOTE)
			return resync(r, rw, err, "unexpected character after closing "
			              "quote at line %ld",
			              r->line + count_newlines(p, (size_t)(end - p)));
		if (rc == PARSE_ROW) {
			n = (size_t)(end - p);
			nl = d->quoted ? count_newlines(p, n) : 0;
			/* fields counted wrong over several lines: most likely a
			 * stray quote joined them, so do not swallow those lines */
			if (nl && d->have_header && d->nf != d->ncols)
				return resync(r, rw, err, "expected %zu fields, got %zu in a "
				              "row over lines %ld-%ld (unbalanced quotes?)",
				              d->ncols, d->nf, r->line, r->line + nl);
			rw->p = p;
			rw->line = r->line;
			r->line += nl + (end < p + avail);
			cf_input_consume(r, n + (end < p + avail));
			/* the row ended outside quotes: a last '\r' is a line end */
			rw->len = n && p[n - 1] == '\r' ? n - 1 : n;
			if (rw->len == 0)
				continue;           /* empty line */
			if (rw->len > r->max) {
				snprintf(rw->why, sizeof rw->why,
				         "record exceeds max_record_bytes (%zu)", r->max);
				return ROW_BAD;
			}
			return ROW_OK;
		}
		if (at_eof)                 /* a quote still open at end of input */
			return resync(r, rw, err, "unterminated quote at end of input "
			              "(opened at line %ld)",
			              r->line + count_newlines(p, d->qopen));
		if (win == r->max + 2) {
			if (s == S_Q && memchr(p, '\n', win))
				return resync(r, rw, err, "quote opened at line %ld not "
				              "closed within max_record_bytes (%zu)",
				              r->line + count_newlines(p, d->qopen), r->max);
			return resync(r, rw, err, "record exceeds max_record_bytes (%zu)",
			              r->max);
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
	if (rc == ROW_BAD)
		return cf_input_fatal(r, err, CF_EDATA, "%s:%ld: bad header row: %s",
		                      name, rw.line, rw.why);
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
	if (rc == ROW_BAD)
		return cf_input_bad(rec, rw.p, rw.len, "%s", rw.why);
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
