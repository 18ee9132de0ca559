/*
 * input.h - private to the readers (pipeline/input/input*.c): the reader struct, the
 * per-format table and the shared buffered line machinery.
 *
 * One constant cf_input_format per format (jsonl, csv, tsv) holds its name,
 * file extensions, the size of its private state and its functions;
 * pipeline/input/input.c dispatches through it and never switches on the format.
 *
 * The buffer holds at most max_record_bytes + 2 bytes of one unfinished
 * record plus one read chunk, so memory does not grow with the input.  Data
 * handed out (lines, raw text) points into the buffer and stays valid until
 * the next call that reads (cf_input_fill compacts the buffer).
 */
#ifndef CFAUG_INPUT_H
#define CFAUG_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "cfaug/reader.h"

#define CF_INPUT_CHUNK (512u * 1024u)   /* bytes asked of each read() */

typedef struct cf_input_format {
	cf_format fmt;
	const char *name;                  /* "jsonl", ... */
	const char *const *exts;           /* ".jsonl", ...; NULL-terminated */
	char delim;                        /* CSV/TSV: field separator */
	size_t state_size;                 /* zeroed by cf_reader_open */
	/* After the file is open; may be NULL. */
	int (*init)(cf_reader *r, void *state, cf_error *err);
	/* As cf_reader_next; rec is already reset. */
	int (*next)(cf_reader *r, void *state, cf_raw *rec, cf_error *err);
	/* Free what init and next made (not the state itself); may be NULL. */
	void (*destroy)(cf_reader *r, void *state);
} cf_input_format;

extern const cf_input_format cf_input_jsonl, cf_input_csv, cf_input_tsv;

struct cf_reader {
	const cf_input_format *fmt;
	void *state;
	char *path;              /* as given, "-" shown as "<stdin>" in messages */
	int fd, own_fd;
	char *buf;               /* [start, end) is read but not yet consumed */
	size_t cap, start, end;
	size_t scan;             /* line reader: bytes after start known to hold no '\n' */
	int eof;                 /* read() returned 0 */
	int started;             /* the BOM check was done */
	size_t max;              /* max_record_bytes */
	uint64_t consumed;       /* bytes consumed, BOM included */
	long line;               /* 1-based line where the next record starts */
	uint64_t recno;          /* records handed out so far, bad ones too */
	cf_error fatal;          /* sticky once set (cfaug.h: the one fatal path) */
	char raw[CF_RAW_MAX];    /* prefix of a skipped over-long record */
	struct cf_decomp *dz;    /* decompression under read(), input_decomp.c */
	cf_reader_opts opts;     /* columns (borrowed), quoting */
};

/* Decompression (input_decomp.c).  cf_decomp_open peeks at the first
 * bytes of r->fd and picks gzip, zstd or none; cf_input_read returns plain
 * bytes like read() (0 at end), or a negative code with err set and the
 * reader's fatal error recorded. */
int cf_decomp_open(cf_reader *r, cf_error *err);
ssize_t cf_input_read(cf_reader *r, char *buf, size_t n, cf_error *err);
void cf_decomp_close(cf_reader *r);
const char *cf_decomp_name(const cf_reader *r);
uint64_t cf_decomp_raw_bytes(const cf_reader *r);

/* Read more input into the buffer, compacting it first when the free space
 * is smaller than a chunk.  Returns 1 if bytes were added, 0 at end of
 * input, CF_EIO (err set) when read() fails. */
int cf_input_fill(cf_reader *r, cf_error *err);

static inline void cf_input_consume(cf_reader *r, size_t n)
{
	r->start += n;
	r->consumed += n;
	r->scan = 0;
}

enum { CF_LINE_EOF = 0, CF_LINE_OK = 1, CF_LINE_LONG = 2 };

/* Next physical line without its "\n" or "\r\n"; *lineno gets its 1-based
 * number.  CF_LINE_LONG: the line was longer than max_record_bytes and has
 * been skipped to its end; p and len hold its first bytes (at most
 * CF_RAW_MAX).  Returns CF_LINE_OK, CF_LINE_LONG, CF_LINE_EOF or CF_EIO. */
int cf_input_line(cf_reader *r, const char **p, size_t *len, long *lineno,
                  cf_error *err);

/* cf_utf8_check() is declared in cfaug/reader.h. */

/* Make rec a bad record: reason from fmt, text = the first CF_RAW_MAX bytes
 * of text.  Returns CF_READ_BAD. */
int cf_input_bad(cf_raw *rec, const char *text, size_t len,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record a fatal error: every later cf_reader_next returns it again. */
int cf_input_fatal(cf_reader *r, cf_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The input's name for messages. */
const char *cf_input_name(const cf_reader *r);

#endif
