/*
 * linear_model.h - the built-in teacher: a linear text classifier over
 * hashed n-gram features (internal to cfaug; used by `cfaug teacher` and the
 * teacher stage).
 *
 * Features: lower-cased word unigrams and bigrams (bytes >= 0x80 count as
 * word characters, so UTF-8 words stay whole; HTML "<br />" is a space),
 * optionally character 3-5-grams of each word, hashed into 2^bits buckets
 * with the field index mixed in, so the same words in two fields are
 * different features.  Per field: sublinear tf (1 + ln tf) times idf from
 * the training set, L2-normalised.  Buckets never seen in training are
 * ignored (idf 0), as a vocabulary-based vectoriser would.
 *
 * Model: multinomial logistic regression with L2 (objective
 * sum(logloss) + |W|^2 / (2C)), trained full-batch with L-BFGS in a fixed
 * order, so one seed gives one model, byte for byte.  By default every
 * example trains, for at most 20 iterations (defaults chosen by 5-fold
 * cross-validation inside the training sets of CAD sentiment and NLI,
 * bench/teacher_cv.py; see docs/BENCHMARKS.md).  With a dev split the seed
 * chooses it (by group when examples have groups); the dev log-loss picks
 * the best iteration (early stopping) and, with refit, two more iterations
 * on every example, starting from those weights, take in the dev examples.
 * idf is computed on every example (it uses no labels).  The gradient is
 * summed over CF_LM_MAX_THREADS fixed ranges of the examples, in range
 * order, by a pool of 1 to CF_LM_MAX_THREADS threads: the same bits
 * whatever the count.  With pair features (on by default), a model of two
 * or more text fields also sees which words of field 1 (an NLI
 * hypothesis) are absent from field 0 (its premise), and how many.
 *
 * Ownership: cf_lm_data and cf_lm objects are new objects owned by the
 * caller and freed with cf_lm_data_free / cf_lm_free (both accept NULL and
 * clear the pointer).  Strings passed in are copied; strings returned are
 * borrowed from the object.  A loaded model is read-only: cf_lm_predict may
 * run on it from several threads at once.
 */
#ifndef CFAUG_LINEAR_MODEL_H
#define CFAUG_LINEAR_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "cfaug/cfaug.h"

#define CF_LM_MAGIC          "CFTM"
#define CF_LM_VERSION        4u    /* 2: refit flag, frequency columns;
                                       3: label field name;
                                       4: pair-features flag */
#define CF_LM_MIN_BITS       16
#define CF_LM_MAX_BITS       24
#define CF_LM_MAX_LABELS     1024
#define CF_LM_MAX_FIELDS     16
#define CF_LM_MAX_THREADS    8     /* training threads; also the number of
                                      fixed chunks the gradient is summed
                                      over, so any count gives one model */
#define CF_LM_MAX_NAME       1024           /* bytes in a label or field name */
#define CF_LM_MAX_NNZ        (1ull << 28)   /* feature entries held for training */
#define CF_LM_MAX_FILE       (1ull << 31)   /* model file size accepted by load */

typedef struct cf_lm_opts {
	uint64_t seed;        /* chooses the dev split */
	int epochs;           /* maximum L-BFGS iterations (>= 1) */
	double dev_split;     /* fraction held out for early stopping, [0, 0.5] */
	int char_ngrams;      /* 1: add character 3-5-grams */
	int pair_features;    /* 1: with two or more fields, field 1 also gets
	                         cf_lm_pair_features against field 0 */
	int bucket_bits;      /* log2 of the number of hash buckets */
	double C;             /* inverse L2 strength, as scikit-learn's C */
	int patience;         /* stop after this many iterations without a
	                         better dev loss */
	int refit;            /* 1: after early stopping on the dev split,
	                         continue briefly on all examples */
	int threads;          /* 1 to CF_LM_MAX_THREADS (the result does not
	                         depend on it); not stored in the model file */
} cf_lm_opts;

/* seed 1, 20 iterations, no dev split, words only, 2^20 buckets, C 10,
 * patience 10, refit (used only with a dev split), 2 threads. */
void cf_lm_opts_default(cf_lm_opts *o);

/* What training did, for messages and reports. */
typedef struct cf_lm_report {
	size_t ntrain, ndev;
	size_t nfeatures;     /* distinct buckets seen in training */
	int iterations;       /* L-BFGS iterations run */
	int best_iteration;   /* the one kept (dev loss), == iterations w/o dev */
	int refit_iterations; /* run by the refit on all examples, 0: no refit */
	long evaluations;     /* objective evaluations (full passes) */
	double train_loss;    /* mean objective on the examples of the final
	                         fit (log-loss + L2 term) */
	double dev_loss, dev_accuracy;  /* NAN without a dev split */
	size_t ngroups;       /* distinct groups (== examples without groups) */
	/* the kept model checked on the dev examples, or on the training
	 * examples without a dev split */
	int check_on_dev;
	double check_accuracy;
	double check_majority;  /* share of the commonest label there */
	size_t check_classes;   /* distinct labels predicted there */
	size_t check_labels;    /* distinct labels present there */
} cf_lm_report;

/* Why a trained model looks degenerate, or NULL: one label predicted for
 * examples holding several, accuracy no better than always answering the
 * commonest label, or (with a dev split) early stopping at iteration 2 or
 * before when more were allowed. */
const char *cf_lm_report_degenerate(const cf_lm_report *rep,
                                    const cf_lm_opts *opts);

typedef struct cf_lm_data cf_lm_data;
typedef struct cf_lm cf_lm;

/* A training set for nfields text fields (names copied).  Features are
 * extracted as examples are added, with opts' bucket_bits and char_ngrams;
 * the same opts must be passed to cf_lm_train.  *out is a new object. */
int cf_lm_data_new(cf_lm_data **out, const char *const *field_names,
                   size_t nfields, const cf_lm_opts *opts, cf_error *err);

/* Add one example: nfields texts (NULL = empty; lens NULL = NUL-terminated)
 * and its label.  CF_ELIMIT past CF_LM_MAX_NNZ features or
 * CF_LM_MAX_LABELS labels; CF_ENOMEM. */
int cf_lm_data_add(cf_lm_data *d, const char *const *texts,
                   const size_t *lens, const char *label, cf_error *err);

/* cf_lm_data_add for n examples: texts[i * nfields + f] (lens likewise,
 * or NULL) and labels[i], features extracted on two threads when threads
 * > 1; the set is the same as after n calls of cf_lm_data_add.  On
 * failure some of the examples may have been added. */
int cf_lm_data_add_batch(cf_lm_data *d, size_t n, const char *const *texts,
                         const size_t *lens, const char *const *labels,
                         int threads, cf_error *err);

/* Give examples [first, first + n) groups: keys[i] (lens[i] bytes, or
 * NUL-terminated when lens is NULL; a NULL key leaves that example in a
 * group of its own).  Examples of one group (a review and its
 * counterfactuals) fall on the same side of the dev split and in the same
 * cross-validation fold.  CF_EUSAGE when the range is past the set,
 * CF_ENOMEM. */
int cf_lm_data_set_groups(cf_lm_data *d, size_t first, size_t n,
                          const char *const *keys, const size_t *lens,
                          cf_error *err);

/* Record the name of the label field (copied) for the model file, so
 * eval can find the labels without being told.  CF_ENOMEM. */
int cf_lm_data_set_label_field(cf_lm_data *d, const char *name,
                               cf_error *err);

size_t cf_lm_data_count(const cf_lm_data *d);
void cf_lm_data_free(cf_lm_data **d);

/* Train on d (which is consumed: its features are rewritten; free it after).
 * Needs at least two labels and one training example.  rep may be NULL.
 * *out is a new model.  CF_EDATA when the data cannot train a model. */
int cf_lm_train(cf_lm **out, cf_lm_data *d, const cf_lm_opts *opts,
                cf_lm_report *rep, cf_error *err);

/* Write the model file (written to PATH.tmp, then renamed).  CF_EIO. */
int cf_lm_save(const cf_lm *m, const char *path, cf_error *err);

/* Read a model file.  A foreign, truncated, corrupt or newer file is
 * CF_EDATA with "PATH: what is wrong"; unreadable is CF_EIO. */
int cf_lm_load(cf_lm **out, const char *path, cf_error *err);

/* Class probabilities for one input: fields[i] is the text of the model's
 * i-th field (NULL = empty), nfields must be cf_lm_nfields(m); probs gets
 * cf_lm_nlabels(m) values summing to 1.  0, CF_EINTERNAL on a field count
 * mismatch, CF_ENOMEM. */
int cf_lm_predict(const cf_lm *m, const char *const *fields, size_t nfields,
                  double *probs);
/* Same with explicit lengths (texts need not be NUL-terminated). */
int cf_lm_predict_len(const cf_lm *m, const char *const *fields,
                      const size_t *lens, size_t nfields, double *probs);

size_t cf_lm_nlabels(const cf_lm *m);
const char *cf_lm_label(const cf_lm *m, size_t i);   /* sorted by bytes */
int cf_lm_label_index(const cf_lm *m, const char *label);  /* -1: unknown */
size_t cf_lm_nfields(const cf_lm *m);
const char *cf_lm_field(const cf_lm *m, size_t i);
/* The label field the model was trained on; NULL when not recorded (a
 * version 2 file, or cf_lm_data_set_label_field was not called). */
const char *cf_lm_label_field(const cf_lm *m);
/* Hyper-parameters the model was trained with. */
const cf_lm_opts *cf_lm_options(const cf_lm *m);

void cf_lm_free(cf_lm **m);

/* ---- exposed for tests ------------------------------------------------ */

/* Pair features of a hypothesis against its premise (NLI): each
 * hypothesis word absent from the premise, as its own feature kind, the
 * share of hypothesis words found in the premise (in quarters) and the
 * number of new words (0 to 4+).  Stored into out as cf_lm_features does;
 * returns the count (may exceed cap). */
size_t cf_lm_pair_features(const char *prem, size_t plen, const char *hyp,
                           size_t hlen, int bucket_bits, uint32_t *out,
                           size_t cap);

/* The feature buckets of one text as field `field` (with repeats, in text
 * order): writes at most cap, returns how many there are. */
size_t cf_lm_features(const char *text, size_t len, unsigned field,
                      int bucket_bits, int char_ngrams, uint32_t *out,
                      size_t cap);

/* CRC-32 (IEEE, as zlib) of a buffer. */
uint32_t cf_lm_crc32(const void *data, size_t len);

#endif
