/*
 * input.c - the shared part of the streaming readers (include/cfaug/reader.h):
 * open/next/close dispatched through one cf_input_format per format, the
 * buffered reader, the line reader, format names and UTF-8 validation.
 *
 * Input is read with large read() calls into one buffer of
 * max_record_bytes + 2 + CF_INPUT_CHUNK bytes, allocated at open and never
 * grown: a record (or line) longer than max_record_bytes is skipped to its
 * end without being kept, so memory does not depend on the input.  A UTF-8
 * BOM at the very start is skipped for every format.  I/O errors are sticky:
 * once read() failed, every later call returns the same error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "input.h"

static const cf_input_format *const formats[] = {
	&cf_input_jsonl, &cf_input_csv, &cf_input_tsv, NULL
};

static const cf_input_format *format_of(cf_format f)
{
	for (size_t i = 0; formats[i]; i++)
		if (formats[i]->fmt == f)
			return formats[i];
	return NULL;
}

static const char *const compressed_exts[] = { ".gz", ".zst", ".zstd", NULL };

/* The extension ending at end (exclusive) in [path, end). */
static cf_format format_of_ext(const char *path, const char *end)
{
	const char *dot = NULL;
	size_t n;

	for (const char *s = path; s < end; s++)
		if (*s == '.')
			dot = s;
		else if (*s == '/')
			dot = NULL;
	if (!dot)
		return CF_FMT_AUTO;
	n = (size_t)(end - dot);
	for (size_t i = 0; formats[i]; i++)
		for (const char *const *e = formats[i]->exts; *e; e++)
			if (strlen(*e) == n && !strncasecmp(dot, *e, n))
				return formats[i]->fmt;
	return CF_FMT_AUTO;
}

cf_format cf_format_from_path(const char *path)
{
	const char *end;
	size_t n, k;

	if (!path)
		return CF_FMT_AUTO;
	n = strlen(path);
	end = path + n;
	for (size_t i = 0; compressed_exts[i]; i++) {
		k = strlen(compressed_exts[i]);
		if (n > k && !strcasecmp(end - k, compressed_exts[i])) {
			end -= k;
			break;
		}
	}
	return format_of_ext(path, end);
}

cf_format cf_format_from_name(const char *name)
{
	for (size_t i = 0; name && formats[i]; i++)
		if (!strcmp(name, formats[i]->name))
			return formats[i]->fmt;
	return CF_FMT_AUTO;
}

const char *cf_format_name(cf_format f)
{
	const cf_input_format *in = format_of(f);

	return in ? in->name : "auto";
}

const char *cf_input_name(const cf_reader *r)
{
	return strcmp(r->path, "-") ? r->path : "<stdin>";
}

int cf_reader_open(cf_reader **out, const char *path, cf_format fmt,
                   size_t max_record_bytes, cf_error *err)
{
	cf_reader_opts o = { .fmt = fmt, .max_record_bytes = max_record_bytes };

	return cf_reader_open_opts(out, path, &o, err);
}

int cf_reader_open_opts(cf_reader **out, const char *path,
                        const cf_reader_opts *o, cf_error *err)
{
	cf_format fmt = o->fmt;
	size_t max_record_bytes = o->max_record_bytes;
	cf_reader *r = NULL;
	struct stat sb;
	int rc = CF_OK;

	*out = NULL;
	if (fmt == CF_FMT_AUTO)
		fmt = cf_format_from_path(path);
	if (!format_of(fmt)) {
		rc = cf_error_set(err, CF_ECONFIG, "%s: cannot tell the input format "
		                  "from the file name (say jsonl, csv or tsv)", path);
		goto done;
	}
	if (!max_record_bytes)
		max_record_bytes = CF_MAX_RECORD_BYTES_DEFAULT;
	if (max_record_bytes > ((size_t)1 << 30)) {
		rc = cf_error_set(err, CF_ECONFIG, "%s: max_record_bytes %zu is over "
		                  "the limit of 1 GiB", path, max_record_bytes);
		goto done;
	}
	r = calloc(1, sizeof *r);
	if (!r || !(r->path = strdup(path)))
		goto nomem;
	r->fmt = format_of(fmt);
	r->opts = *o;
	r->fd = -1;
	r->max = max_record_bytes;
	r->line = 1;
	r->cap = max_record_bytes + 2 + CF_INPUT_CHUNK;
	if (!(r->buf = malloc(r->cap)))
		goto nomem;
	if (r->fmt->state_size && !(r->state = calloc(1, r->fmt->state_size)))
		goto nomem;

	if (!strcmp(path, "-")) {
		r->fd = STDIN_FILENO;
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			char cwd[1024];
			/* a relative path: say relative to what */
			if (path[0] != '/' && getcwd(cwd, sizeof cwd))
				rc = cf_error_set(err, CF_EIO, "%s (relative to %s): %s", path,
				                  cwd, strerror(errno));
			else
				rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(errno));
			goto done;
		}
		r->own_fd = 1;
		if (fstat(r->fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			rc = cf_error_set(err, CF_EIO, "%s: %s", path, strerror(EISDIR));
			goto done;
		}
		/* only a hint: the kernel may read ahead further */
		(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	if ((rc = cf_decomp_open(r, err)) < 0)
		goto done;
	if (r->fmt->init && (rc = r->fmt->init(r, r->state, err)) < 0)
		goto done;
	*out = r;
	r = NULL;
	goto done;
nomem:
	rc = cf_error_set(err, CF_ENOMEM, "%s: out of memory opening the input", path);
done:
	cf_reader_close(&r);
	return rc;
}

/* Skip a UTF-8 BOM at the very start of the input.  A UTF-16 or UTF-32 BOM
 * is fatal (CF_EDATA): every line would only be NUL bytes and bad UTF-8. */
static int skip_bom(cf_reader *r, cf_error *err)
{
	static const struct { const char *bom; size_t len; const char *name; } wide[] = {
		{ "\xFF\xFE\0\0", 4, "UTF-32 LE" },  /* before UTF-16 LE: same start */
		{ "\0\0\xFE\xFF", 4, "UTF-32 BE" },
		{ "\xFF\xFE", 2, "UTF-16 LE" },
		{ "\xFE\xFF", 2, "UTF-16 BE" },
	};
	const unsigned char *b;
	size_t n;
	int rc;

	while (r->end - r->start < 4 && !r->eof)
		if ((rc = cf_input_fill(r, err)) < 0)
			return rc;
	b = (const unsigned char *)r->buf + r->start;
	n = r->end - r->start;
	r->started = 1;
	for (size_t i = 0; i < sizeof wide / sizeof *wide; i++)
		if (n >= wide[i].len && !memcmp(b, wide[i].bom, wide[i].len))
			return cf_input_fatal(r, err, CF_EDATA, "%s:1: the input is %s "
			                      "(it starts with that byte order mark), not "
			                      "UTF-8: convert it first, e.g. iconv -f %.6s "
			                      "-t UTF-8", cf_input_name(r), wide[i].name,
			                      wide[i].name);
	if (n >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3))
		cf_input_consume(r, 3);
	return 0;
}

int cf_reader_next(cf_reader *r, cf_raw *rec, cf_error *err)
{
	int rc;

	rec->obj = NULL;
	rec->text = NULL;
	rec->text_len = 0;
	rec->reason[0] = '\0';
	if (r->fatal.code)
		return cf_error_pass(err, &r->fatal);
	if (!r->started && (rc = skip_bom(r, err)) < 0)
		return rc;
	return r->fmt->next(r, r->state, rec, err);
}

const char *cf_reader_compression(const cf_reader *r)
{
	return cf_decomp_name(r);
}

uint64_t cf_reader_file_bytes(const cf_reader *r)
{
	return cf_decomp_raw_bytes(r);
}

uint64_t cf_reader_bytes(const cf_reader *r)
{
	return r ? r->consumed : 0;
}

void cf_reader_close(cf_reader **rp)
{
	cf_reader *r = rp ? *rp : NULL;

	if (!r)
		return;
	if (r->fmt && r->fmt->destroy && r->state)
		r->fmt->destroy(r, r->state);
	cf_decomp_close(r);
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->state);
	free(r->buf);
	free(r->path);
	free(r);
	*rp = NULL;
}

int cf_input_fatal(cf_reader *r, cf_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cf_error_vset(&r->fatal, code, fmt, ap);
	va_end(ap);
	return cf_error_pass(err, &r->fatal);
}

int cf_input_fill(cf_reader *r, cf_error *err)
{
	ssize_t n;

	if (r->eof)
		return 0;
	if (r->start == r->end) {
		r->start = r->end = 0;
	} else if (r->cap - r->end < CF_INPUT_CHUNK && r->start > 0) {
		/* at most one unfinished record moves: <= max_record_bytes + 2 */
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap)
		return cf_input_fatal(r, err, CF_EINTERNAL, "%s: read buffer full",
		                      cf_input_name(r));
	n = cf_input_read(r, r->buf + r->end, r->cap - r->end, err);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->end += (size_t)n;
	return 1;
}

int cf_input_line(cf_reader *r, const char **p, size_t *len, long *lineno,
                  cf_error *err)
{
	const char *nl, *s;
	size_t n, keep;
	int rc;

	for (;;) {
		s = r->buf + r->start;
		n = r->end - r->start;
		nl = memchr(s + r->scan, '\n', n - r->scan);
		if (nl)
			break;
		if (n > r->max + 1)
			goto too_long;      /* even without a final '\r' */
		if (r->eof) {
			if (!n)
				return CF_LINE_EOF;
			break;              /* last line has no newline */
		}
		r->scan = n;
		if ((rc = cf_input_fill(r, err)) < 0)
			return rc;
	}
	*lineno = r->line++;
	*p = s;
	*len = nl ? (size_t)(nl - s) : n;
	cf_input_consume(r, nl ? *len + 1 : n);
	if (*len && s[*len - 1] == '\r')
		--*len;
	if (*len > r->max) {
		*len = *len < CF_RAW_MAX ? *len : CF_RAW_MAX;
		return CF_LINE_LONG;
	}
	return CF_LINE_OK;

too_long:
	/* keep the start for the error record, drop the rest up to '\n' */
	*lineno = r->line++;
	keep = n < CF_RAW_MAX ? n : CF_RAW_MAX;
	memcpy(r->raw, s, keep);
	*p = r->raw;
	*len = keep;
	for (;;) {
		s = r->buf + r->start;
		n = r->end - r->start;
		nl = memchr(s, '\n', n);
		if (nl) {
			cf_input_consume(r, (size_t)(nl - s) + 1);
			break;
		}
		cf_input_consume(r, n);
		if ((rc = cf_input_fill(r, err)) < 0)
			return rc;
		if (rc == 0)
			break;
	}
	return CF_LINE_LONG;
}

int cf_input_bad(cf_raw *rec, const char *text, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rec->reason, sizeof rec->reason, fmt, ap);
	va_end(ap);
	rec->text = text;
	rec->text_len = len < CF_RAW_MAX ? len : CF_RAW_MAX;
	return CF_READ_BAD;
}
