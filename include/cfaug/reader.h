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
 * the next call goes on with the record after it.
 */
#ifndef CFAUG_READER_H
#define CFAUG_READER_H

#include <jansson.h>
#include "cfaug.h"

typedef enum { CF_FMT_AUTO = 0, CF_FMT_JSONL, CF_FMT_CSV, CF_FMT_TSV } cf_format;

#define CF_RAW_MAX 512                 /* bytes of raw text kept for errors */
#define CF_MAX_RECORD_BYTES_DEFAULT (1u << 20)

enum { CF_READ_EOF = 0, CF_READ_OK = 1, CF_READ_BAD = 2 };

typedef struct cf_raw {
	json_t *obj;        /* OK: new reference, the caller owns it (steal or decref) */
	long line;          /* 1-based line in the source where the record starts */
	uint64_t recno;     /* 1-based record number, counting bad records too */
	const char *text;   /* the record's bytes (OK: whole JSONL line without
	                       newline, NULL for CSV/TSV; BAD: cut to CF_RAW_MAX);
	                       valid until the next call */
	size_t text_len;
	char reason[256];   /* BAD: why, one line, e.g. "invalid UTF-8 at byte 17" */
} cf_raw;

typedef struct cf_reader cf_reader;

/* Format from a file name's extension (.jsonl/.json/.ndjson, .csv, .tsv,
 * also under .gz? no); CF_FMT_AUTO when unknown. */
cf_format cf_format_from_path(const char *path);
/* "jsonl" | "csv" | "tsv" -> format; CF_FMT_AUTO if unknown. */
cf_format cf_format_from_name(const char *name);
const char *cf_format_name(cf_format f);

/* Open path ("-" = stdin) for reading in format fmt (not AUTO).
 * *out is a new reader, free with cf_reader_close. */
int cf_reader_open(cf_reader **out, const char *path, cf_format fmt,
                   size_t max_record_bytes, cf_error *err);

/* Read the next record into *rec.  Returns CF_READ_OK, CF_READ_BAD,
 * CF_READ_EOF, or a negative code on an I/O failure or when memory runs
 * out (err set). */
int cf_reader_next(cf_reader *r, cf_raw *rec, cf_error *err);

/* Bytes consumed so far (for progress and throughput). */
uint64_t cf_reader_bytes(const cf_reader *r);

void cf_reader_close(cf_reader **r);

#endif
