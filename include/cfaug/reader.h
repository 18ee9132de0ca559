/*
 * reader.h - streaming readers for labelled text: JSONL, CSV, TSV.
 *
 * A reader yields one raw record at a time as a JSON object of the input's
 * own fields (JSONL: the object as parsed; CSV/TSV: header names -> string
 * values).  Memory stays bounded by max_record_bytes whatever the file size:
 * a longer record is skipped up to its end and reported, never buffered.
 *
 * A bad record is data, not a failure: cf_reader_next() returns
 * CF_READ_BAD with the reason and the raw text (cut to CF_RAW_MAX bytes) and
 * the next call goes on with the record after it.  Reasons name a 1-based
 * byte offset in the record where one helps ("invalid UTF-8 at byte 17",
 * "NUL byte at byte 3", "expected 3 fields, got 2", "record exceeds
 * max_record_bytes (N)", "unterminated quote at end of input", "not a JSON
 * object (got an array)", "invalid JSON: <what> at byte N", or "... after
 * byte N" when the line ended too soon).
 *
 * Formats.  All: a UTF-8 BOM at the start is skipped, a UTF-16 or UTF-32
 * one is fatal (CF_EDATA, "FILE:1: the input is UTF-16 LE ..., not UTF-8");
 * "\n" or "\r\n" ends a line.  JSONL: one object per line; whitespace-only lines are skipped (not
 * records) but count as lines.  CSV/TSV: the first non-empty row is the
 * header; RFC 4180 quoting ("" inside quotes is a quote; quoted fields may
 * hold the delimiter and newlines), lenient like Python's csv for a quote
 * inside an unquoted field (kept), strict after a closing quote: only the
 * delimiter or a line end may follow ("unexpected character after closing
 * quote at line L").  Empty lines are skipped.  Recovery: a record bad
 * because of quoting (that, a quote still open at end of input or after
 * max_record_bytes, a multi-line row with the wrong field count) or an
 * over-long one that has not ended is reported as the bad record of its
 * first line, and reading resumes at the next line, so an unbalanced quote
 * never swallows the records after it; a genuine multi-line quoted field
 * longer than max_record_bytes is reported the same way and its later lines
 * are read as rows.  A bad header (empty or duplicate name, invalid UTF-8,
 * bad quoting, too long) makes cf_reader_next return CF_EDATA with
 * "FILE:LINE: why", and every later call the same.
 */
#ifndef CFAUG_READER_H
#define CFAUG_READER_H

#include <jansson.h>
#include "cfaug.h"
#include "util.h"

typedef enum { CF_FMT_AUTO = 0, CF_FMT_JSONL, CF_FMT_CSV, CF_FMT_TSV } cf_format;

#define CF_RAW_MAX 512                 /* bytes of raw text kept for errors */
#define CF_MAX_RECORD_BYTES_DEFAULT (1u << 20)

enum { CF_READ_EOF = 0, CF_READ_OK = 1, CF_READ_BAD = 2 };

typedef struct cf_raw {
	json_t *obj;        /* OK: new reference, the caller owns it (steal or decref) */
	long line;          /* 1-based line in the source where the record starts */
	uint64_t recno;     /* 1-based record number, counting bad records too */
	const char *text;   /* the record's bytes (OK: whole JSONL line without
	                       newline or final \r, NULL for CSV/TSV; BAD: cut to
	                       CF_RAW_MAX); borrowed, valid until the next call */
	size_t text_len;
	char reason[256];   /* BAD: why, one line, e.g. "invalid UTF-8 at byte 17" */
} cf_raw;

typedef struct cf_reader cf_reader;

/* Format from a file name's extension, case-insensitive (.jsonl, .ndjson,
 * .json, .csv, .tsv, .tab), after a compression suffix (.gz, .zst, .zstd)
 * is set aside: "x.jsonl.gz" is JSONL; CF_FMT_AUTO when unknown. */
cf_format cf_format_from_path(const char *path);
/* "jsonl" | "csv" | "tsv" -> format; CF_FMT_AUTO if unknown. */
cf_format cf_format_from_name(const char *name);
const char *cf_format_name(cf_format f);

/* Open path ("-" = stdin) for reading in format fmt; CF_FMT_AUTO means
 * cf_format_from_path(path), and CF_ECONFIG when that does not tell.
 * max_record_bytes 0 means CF_MAX_RECORD_BYTES_DEFAULT; over 1 GiB is
 * CF_ECONFIG.  Open failure: CF_EIO with "PATH: strerror".  The reader holds
 * about 2 x max_record_bytes + 512 KiB whatever the input's size.
 * *out is a new reader, free with cf_reader_close. */
int cf_reader_open(cf_reader **out, const char *path, cf_format fmt,
                   size_t max_record_bytes, cf_error *err);

/* What cf_reader_open_opts is told.  Compression (gzip, zstd) is not an
 * option: it is recognised by the input's first bytes, for files and stdin. */
typedef struct cf_reader_opts {
	cf_format fmt;                 /* CF_FMT_AUTO: from the path */
	size_t max_record_bytes;       /* 0: CF_MAX_RECORD_BYTES_DEFAULT */
	const char *const *columns;    /* CSV/TSV: column names of a file without a
	                                  header row (borrowed, copied at open);
	                                  NULL: the first row is the header */
	size_t ncolumns;
	int no_quotes;                 /* CSV/TSV: '"' is an ordinary character */
} cf_reader_opts;

int cf_reader_open_opts(cf_reader **out, const char *path,
                        const cf_reader_opts *o, cf_error *err);

/* "gzip", "zstd" or "none": what the input turned out to be. */
const char *cf_reader_compression(const cf_reader *r);

/* Bytes read from the file itself (compressed bytes for gzip/zstd), for an
 * ETA against the file's size. */
uint64_t cf_reader_file_bytes(const cf_reader *r);

/* Read the next record into *rec.  Returns CF_READ_OK, CF_READ_BAD,
 * CF_READ_EOF (again on later calls), or a negative code (err set):
 * CF_EIO when reading fails, CF_EDATA for a bad CSV/TSV header or a
 * UTF-16/32 input, CF_ENOMEM.
 * Negative codes are sticky: later calls return them again. */
int cf_reader_next(cf_reader *r, cf_raw *rec, cf_error *err);

/* Bytes consumed so far, BOM included (for progress and throughput);
 * the file's size once CF_READ_EOF was returned. */
uint64_t cf_reader_bytes(const cf_reader *r);

/* Close and free; *r is set to NULL.  r and *r may be NULL.  stdin is not
 * closed. */
void cf_reader_close(cf_reader **r);



#endif
