/*
 * output_writers.h - writers kept out of output.c: compressed streams
 * (output_zfile.c), augmented rows as CSV/TSV (output_dsv.c), bad records
 * told on stderr (error_lines.c).
 */
#ifndef CF_OUTPUT_WRITERS_H
#define CF_OUTPUT_WRITERS_H

#include <stdio.h>
#include "cfaug/sys/stage.h"
#include "cfaug/util.h"
#include "group.h"

enum { CF_ZFILE_NONE = 0, CF_ZFILE_GZIP = 1, CF_ZFILE_ZSTD = 2 };

/* A stream that compresses into f's file (steals f: it is closed, also on
 * failure).  kind CF_ZFILE_NONE returns f itself.  NULL with errno set on
 * failure.  fclose() of the result ends the compressed stream and fsyncs. */
FILE *cf_zfile_wrap(FILE *f, int kind);

/* ".gz", ".zst" or "" for a kind. */
const char *cf_zfile_suffix(int kind);

/* Augmented rows as CSV/TSV (output_dsv.c).  The header is the first
 * record's field names, in order, then source and pair_id; a row is the
 * record's values (a candidate's text fields and target label put in).
 * Fields holding the delimiter, a quote, CR or LF are quoted (RFC 4180).
 * Values that are not strings are written as their JSON text.  Returns 0,
 * CF_ENOMEM or CF_EIO. */
typedef struct cf_dsv_writer {
	char delim;
	int header_done;
	cf_buf line;               /* one row being built */
} cf_dsv_writer;

int cf_dsv_write_flat(cf_dsv_writer *w, FILE *f, const cf_item *it,
                      const char *pair_id, const cf_strlist *text_fields,
                      const char *label_field);
void cf_dsv_writer_free(cf_dsv_writer *w);

/* Errors told on stderr with -o - (error_lines.c): one line each, the
 * first CF_ERROR_LINES_EACH of a kind (the reason without its numbers),
 * then counted; cf_error_lines_end prints "... and N more" per kind. */
#define CF_ERROR_LINES_EACH 5
#define CF_ERROR_LINES_KINDS 32
typedef struct cf_error_lines {
	char kind[CF_ERROR_LINES_KINDS][64];
	unsigned long long count[CF_ERROR_LINES_KINDS];
	unsigned n;
	unsigned long long other;    /* kinds past the table, after it filled */
} cf_error_lines;

void cf_error_line(cf_error_lines *el, FILE *f, const char *input, long line,
                   uint64_t recno, const char *stage, const char *reason);
void cf_error_lines_end(cf_error_lines *el, FILE *f);

#endif
