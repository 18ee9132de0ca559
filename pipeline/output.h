/*
 * output.h - the output directory: pairs, augmented, rejected, errors,
 * report (internal to the core).
 *
 * Files are written as DIR/.NAME.part (mode 0600) and renamed into place by
 * cf_output_commit() only when the run completes, as one set: a crash or a
 * failed run leaves the previous set whole (see the commit's comment in
 * output.c: .NAME.prev links and the DIR/.cfaug.journal).  With dir "-" pairs go to
 * stdout, errors to stderr as text lines, and nothing else is written.
 */
#ifndef CF_OUTPUT_H
#define CF_OUTPUT_H

#include "group.h"
#include "runner.h"

typedef struct cf_output cf_output;

typedef struct cf_output_layout {
	const cf_strlist *text_fields;
	const char *label_field;      /* NULL when unlabelled */
	const char *input_name;       /* for error lines on stderr */
	struct cf_stage *stages;      /* for the rejecting stage's name */
	int raw_splice;               /* originals may be written from raw JSONL */
	unsigned files;               /* 1 << OUT_*: files to write; 0 = all */
	int compress;                 /* CF_ZFILE_*: data files (.gz, .zst) */
	char aug_delim;               /* augmented as CSV (',') / TSV ('\t'); 0 = JSONL */
	int discard;                  /* dry run: write no file at all */
	const char *input_path;       /* refused if it is one of the outputs */
} cf_output_layout;

/* The output files, in the order of output.files' names (cf_output_file_names). */
enum { CF_OUT_PAIRS, CF_OUT_AUGMENTED, CF_OUT_REJECTED, CF_OUT_ERRORS,
       CF_OUT_REPORT, CF_OUT_N };
extern const char *const cf_output_file_names[];   /* "pairs", ..., NULL */

/* The name file i gets under the layout, e.g. "augmented.csv.gz". */
const char *cf_output_file_name(const cf_output_layout *l, int i, char *buf,
                                size_t n);

int cf_output_open(cf_output **out, const char *dir,
                   const cf_output_layout *layout, cf_error *err);

/* Write everything of one finished group.  Candidates of a record are
 * written sorted by (gen_stage, gen_index). */
int cf_output_write_group(cf_output *o, const cf_group *g, cf_error *err);

/* Flush, write report.json and rename every file into place. */
int cf_output_commit(cf_output *o, json_t *report, cf_error *err);

/* The paths the files will have (for the summary), NULL for "-". */
const char *cf_output_dir(const cf_output *o);

/* Close and remove the partial files (failed or interrupted run). */
void cf_output_free(cf_output **o);

#endif
