/*
 * teacher_run.h - the built-in teacher (linear_model.h) run on a data file:
 * train, eval and predict, as `cfaug teacher` (cli/cmd_teacher.c) and any
 * other caller run them.
 *
 *   cf_teacher_train    reads labelled records, trains, writes one model
 *                       file (o->output); the figures on stderr
 *   cf_teacher_eval     accuracy, macro-F1, per-label P/R/F1 and the
 *                       confusion matrix on stdout (JSON, a table with
 *                       o->human)
 *   cf_teacher_predict  streams every input record to stdout as JSONL with
 *                       "probs" and "pred" (a JSONL line is kept as read,
 *                       the two keys spliced in); records are read in
 *                       batches and each batch is scored by two threads,
 *                       then written in input order
 *
 * Input goes through the reader API, so memory stays bounded for eval and
 * predict; train holds the features of every example (capped by the model).
 * A bad record (unreadable, text field missing, no label) is counted and
 * skipped; each distinct reason is told on stderr once, with its first
 * line, and its count at the end (names that differ only in case are said
 * to, with the --field-map / --label-map that fixes them).  train reads
 * each record's group (group_field, default orig_id when the first record
 * has it) for the dev split, and warns when the model looks degenerate
 * (cf_lm_report_degenerate).
 *
 * Ownership: the caller owns the options and everything they point to
 * (the maps' buffers are freed with cf_teacher_map_free); a run owns what
 * it opens and frees it before returning.  Each run returns 0, or a
 * negative cf_status with err set (cf_exit_code gives the exit code: 1
 * runtime, 2 usage, 3 config, 4 data).
 */
#ifndef CFAUG_TEACHER_RUN_H
#define CFAUG_TEACHER_RUN_H

#include <stddef.h>
#include "cfaug/cfaug.h"
#include "linear_model.h"

#define CF_TEACHER_MAX_MAP 64   /* pairs in a --label-map or --field-map */

/* NAME=NAME,... as given: from[i] is the model's name, to[i] the data's. */
typedef struct cf_teacher_map {
	char *buf;
	size_t n;
	const char *from[CF_TEACHER_MAX_MAP], *to[CF_TEACHER_MAX_MAP];
} cf_teacher_map;

typedef struct cf_teacher_opts {
	const char *input, *output, *model, *label_field, *format;
	const char *group_field;   /* train: NULL = orig_id when present */
	const char *fields[CF_LM_MAX_FIELDS];
	size_t nfields;
	int human;                 /* eval: a table, not JSON */
	cf_lm_opts opts;
	cf_teacher_map label_map, field_map;   /* eval, predict */
} cf_teacher_opts;

/* Zeroes o and sets the model's defaults (cf_lm_opts_default). */
void cf_teacher_opts_default(cf_teacher_opts *o);

/* Parse "A=B,C=D" into m (names non-empty, each model name once); opt
 * names the option in errors (CF_EUSAGE). */
int cf_teacher_map_parse(cf_teacher_map *m, const char *opt, const char *v,
                         cf_error *err);
void cf_teacher_map_free(cf_teacher_map *m);

int cf_teacher_train(const cf_teacher_opts *o, cf_error *err);
int cf_teacher_eval(const cf_teacher_opts *o, cf_error *err);
int cf_teacher_predict(const cf_teacher_opts *o, cf_error *err);

#endif
