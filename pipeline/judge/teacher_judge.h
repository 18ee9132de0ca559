/*
 * teacher_judge.h - reading the answers of remote judges into probability
 * vectors over the teacher stage's labels (internal to cfaug; pure
 * functions, shared by stages/teacher.c and its unit tests).
 *
 * Every reader maps the judge's own label names onto the stage's labels
 * (the label set L of K names) through the judge's `labels` map: a name
 * the map holds becomes its value; a name the map does not hold must be a
 * label of L itself.  Anything else is an error for that answer ("label
 * 'LABEL_7' is not in the judge's labels map"), never a crash.  Names that
 * map to one label are summed; labels of L the answer does not name get 0;
 * the vector is then renormalised to sum 1 (an all-zero answer is an
 * error).
 *
 * Shapes read:
 *   TEI     POST /predict {"inputs": TEXT} or {"inputs": [[A, B]]} ->
 *           [{"label": L, "score": p}, ...] or [[{...}, ...]]
 *   vLLM    POST /classify {"model": M, "input": [TEXT]} ->
 *           {"data": [{"index": 0, "probs": [p0, p1, ...], "label": L}]};
 *           class i is named by the map's key "i" or "LABEL_i" (the
 *           response names only the top class, so vLLM judges need a map)
 *   chat    OpenAI-compatible choices[0]: logprobs.content[0].top_logprobs
 *           (and the chosen token itself), or a JSON answer {"label": L}
 *
 * Every function returns 0 and fills p[0..K) or returns -1 with a one-line
 * reason in why (size whysz).  The logprob reader returns 1 when the
 * answer carries no log-probabilities at all (the caller then asks for a
 * JSON answer instead).
 */
#ifndef CF_TEACHER_JUDGE_H
#define CF_TEACHER_JUDGE_H

#include <jansson.h>
#include <stddef.h>
#include "cfaug/conf.h"

typedef struct cf_judge_labels {
	const cf_strlist *labels;   /* the stage's labels L (K = labels->n) */
	const cf_strmap *map;       /* judge's names -> names in L; may be NULL */
} cf_judge_labels;

/* Index in L of a judge's label name (through the map), or -1. */
int cf_judge_label_index(const cf_judge_labels *jl, const char *name);

int cf_judge_read_tei(const cf_judge_labels *jl, const char *body, size_t len,
                      double *p, char *why, size_t whysz);

int cf_judge_read_vllm(const cf_judge_labels *jl, const char *body, size_t len,
                       double *p, char *why, size_t whysz);

/* names[0..K) are the label names as the judge is asked to say them (its
 * side of the map), in the order of L.  A token counts for every label
 * whose name starts with it (case-insensitive, leading spaces dropped),
 * its mass split between them; the masses are renormalised over L.
 * Returns 1 when the choice has no logprobs, -1 when they put no mass on
 * any label. */
int cf_judge_read_logprobs(const char *const *names, size_t K,
                           const json_t *choice, double *p, char *why,
                           size_t whysz);

/* A JSON answer {"label": NAME} (the object may sit inside code fences or
 * chatter), or a bare label name: one-hot on that label. */
int cf_judge_read_label_answer(const char *const *names, size_t K,
                               const char *content, double *p, char *why,
                               size_t whysz);

#endif
