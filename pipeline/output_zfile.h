/*
 * output_zfile.h - compressed output streams (output_zfile.c) and the
 * augmented CSV/TSV writer (output_dsv.c), kept out of output.c.
 */
#ifndef CF_OUTPUT_ZFILE_H
#define CF_OUTPUT_ZFILE_H

#include <stdio.h>
#include "cfaug/sys/stage.h"
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
	char *line;                /* one row being built */
	size_t len, cap;
} cf_dsv_writer;

int cf_dsv_write_flat(cf_dsv_writer *w, FILE *f, const cf_item *it,
                      const char *pair_id, const cf_strlist *text_fields,
                      const char *label_field);
void cf_dsv_writer_free(cf_dsv_writer *w);

#endif
