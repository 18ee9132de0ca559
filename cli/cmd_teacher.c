/*
 * cmd_teacher.c - `cfaug teacher train|eval|predict`: the command line into
 * cf_teacher_opts, one call of cf_teacher_train, cf_teacher_eval or
 * cf_teacher_predict (pipeline/judge/teacher_run.h, which says what each
 * reads and writes), the exit code (cf_exit_code: 0 ok, 1 runtime, 2 usage,
 * 3 config, 4 data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "teacher_run.h"

int cf_cmd_teacher(int argc, char **argv);

/* The subcommand and the run's options. */
typedef struct args {
	const char *sub;
	cf_teacher_opts t;
} args;

static const char usage_text[] =
	"usage: cfaug teacher train -i DATA [--format jsonl|csv|tsv]\n"
	"                           [--text-field F]... --label-field L -o MODEL\n"
	"                           [--seed N] [--epochs N] [--dev-split F]\n"
	"                           [--char-ngrams] [--no-pair-features]\n"
	"                           [--buckets BITS] [--C C]\n"
	"                           [--no-refit] [--threads 1-8]\n"
	"                           [--group-field G]\n"
	"  train keeps the rows of one group (G; default orig_id, which cfaug's\n"
	"  augmented.jsonl carries) on one side of the dev split.\n"
	"       cfaug teacher eval -m MODEL -i DATA [--format F] [--text-field F]...\n"
	"                          [--label-field L] [--human]\n"
	"                          [--field-map M=D,...] [--label-map M=D,...]\n"
	"       cfaug teacher predict -m MODEL -i DATA [--format F] [--text-field F]...\n"
	"                             [--threads 1-8] [--field-map M=D,...]\n"
	"                             [--label-map M=D,...]\n"
	"  eval and predict read the text fields (and eval the label field) the\n"
	"  model was trained on unless told otherwise.  --field-map Text=text reads\n"
	"  the model's field Text (text or label field) from the data's text;\n"
	"  --label-map Positive=positive,Negative=negative takes the data's\n"
	"  positive for the model's Positive (predict writes the data's names).\n";

static int parse_args(args *a, int argc, char **argv, cf_error *err)
{
	int i, r;
	const char *v = NULL;
	long l;

	memset(a, 0, sizeof *a);
	cf_teacher_opts_default(&a->t);
	if (argc < 2)
		return cf_cli_usage_error(err, "%s", "missing subcommand (train, eval or predict)");
	a->sub = argv[1];
	if (strcmp(a->sub, "train") && strcmp(a->sub, "eval") &&
	    strcmp(a->sub, "predict"))
		return cf_cli_usage_error(err, "unknown subcommand '%s' (train, eval or predict)",
		             a->sub);
	for (i = 2; i < argc; i++) {
#define O(l, s, hv) cf_cli_opt(argc, argv, &i, l, s, hv, &v, err)
		if ((r = O("--input", "-i", 1)) < 0) return r;
		if (r) { a->t.input = v; continue; }
		if ((r = O("--output", "-o", 1)) < 0) return r;
		if (r) { a->t.output = v; continue; }
		if ((r = O("--model", "-m", 1)) < 0) return r;
		if (r) { a->t.model = v; continue; }
		if ((r = O("--format", NULL, 1)) < 0) return r;
		if (r) { a->t.format = v; continue; }
		if ((r = O("--label-field", NULL, 1)) < 0) return r;
		if (r) { a->t.label_field = v; continue; }
		if ((r = O("--group-field", NULL, 1)) < 0) return r;
		if (r) { a->t.group_field = v; continue; }
		if ((r = O("--label-map", NULL, 1)) < 0) return r;
		if (r) {
			if (a->t.label_map.n)   /* a second one would silently replace the first */
				return cf_cli_usage_error(err, "%s given twice: give every pair in "
				                          "one, comma-separated (A=a,B=b)", "--label-map");
			if ((r = cf_teacher_map_parse(&a->t.label_map, "--label-map", v, err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--field-map", NULL, 1)) < 0) return r;
		if (r) {
			if (a->t.field_map.n)   /* a second one would silently replace the first */
				return cf_cli_usage_error(err, "%s given twice: give every pair in "
				                          "one, comma-separated (A=a,B=b)", "--field-map");
			if ((r = cf_teacher_map_parse(&a->t.field_map, "--field-map", v, err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--text-field", NULL, 1)) < 0) return r;
		if (r) {
			if (a->t.nfields == CF_LM_MAX_FIELDS)
				return cf_cli_usage_error(err, "more than %s text fields", "16");
			a->t.fields[a->t.nfields++] = v;
			continue;
		}
		if ((r = O("--seed", NULL, 1)) < 0) return r;
		if (r) {
			char *end;
			unsigned long long s = strtoull(v, &end, 10);

			if (!*v || *end || *v == '-')
				return cf_cli_usage_error(err, "--seed: '%s' is not a non-negative integer", v);
			a->t.opts.seed = s;
			continue;
		}
		if ((r = O("--epochs", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, 100000, "--epochs", &l, err)) < 0)
				return r;
			a->t.opts.epochs = (int)l;
			continue;
		}
		if ((r = O("--buckets", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, CF_LM_MIN_BITS, CF_LM_MAX_BITS, "--buckets",
			                 &l, err)) < 0)
				return r;
			a->t.opts.bucket_bits = (int)l;
			continue;
		}
		if ((r = O("--dev-split", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_double(v, "--dev-split", &a->t.opts.dev_split, err)) < 0)
				return r;
			if (a->t.opts.dev_split < 0 || a->t.opts.dev_split > 0.5)
				return cf_cli_usage_error(err, "--dev-split: '%s' is not in [0, 0.5]", v);
			continue;
		}
		if ((r = O("--C", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_double(v, "--C", &a->t.opts.C, err)) < 0)
				return r;
			if (!(a->t.opts.C > 0))
				return cf_cli_usage_error(err, "--C: '%s' must be positive", v);
			continue;
		}
		if ((r = O("--threads", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, CF_LM_MAX_THREADS, "--threads", &l, err)) < 0)
				return r;
			a->t.opts.threads = (int)l;
			continue;
		}
		if ((r = O("--no-refit", NULL, 0)) < 0) return r;
		if (r) { a->t.opts.refit = 0; continue; }
		if ((r = O("--char-ngrams", NULL, 0)) < 0) return r;
		if (r) { a->t.opts.char_ngrams = 1; continue; }
		if ((r = O("--no-pair-features", NULL, 0)) < 0) return r;
		if (r) { a->t.opts.pair_features = 0; continue; }
		if ((r = O("--human", NULL, 0)) < 0) return r;
		if (r) { a->t.human = 1; continue; }
#undef O
		return cf_cli_usage_error(err, "unknown option '%s'", argv[i]);
	}
	if (!a->t.input)
		return cf_cli_usage_error(err, "%s", "missing -i DATA");
	if (!strcmp(a->sub, "train")) {
		if (!a->t.output)
			return cf_cli_usage_error(err, "%s", "train: missing -o MODEL");
		if (!a->t.label_field)
			return cf_cli_usage_error(err, "%s", "train: missing --label-field L");
		if (a->t.model)
			return cf_cli_usage_error(err, "%s", "train: -m is for eval and predict");
	} else {
		if (!a->t.model)
			return cf_cli_usage_error(err, "%s: missing -m MODEL", a->sub);
		if (a->t.output)
			return cf_cli_usage_error(err, "%s: -o is for train (output goes to stdout)",
			             a->sub);
	}
	if ((a->t.label_map.n || a->t.field_map.n) && !strcmp(a->sub, "train"))
		return cf_cli_usage_error(err, "%s", "--label-map and --field-map are "
		                          "for eval and predict");
	if (a->t.group_field && strcmp(a->sub, "train"))
		return cf_cli_usage_error(err, "%s", "--group-field is for train");
	if (a->t.human && strcmp(a->sub, "eval"))
		return cf_cli_usage_error(err, "%s", "--human is for eval");
	return 0;
}

int cf_cmd_teacher(int argc, char **argv)
{
	cf_error err = { 0 };
	args a;
	int rc;

	for (rc = 1; rc < argc; rc++)
		if (!strcmp(argv[rc], "-h") || !strcmp(argv[rc], "--help")) {
			cf_cli_help_teacher(stdout, rc > 1 ? argv[1] : NULL);
			return CF_EXIT_OK;
		}
	if ((rc = parse_args(&a, argc, argv, &err)) < 0) {
		fprintf(stderr, "cfaug teacher: %s\n%s", err.msg, usage_text);
		cf_teacher_map_free(&a.t.label_map);
		cf_teacher_map_free(&a.t.field_map);
		return cf_exit_code(rc);
	}
	if (!strcmp(a.sub, "train"))
		rc = cf_teacher_train(&a.t, &err);
	else if (!strcmp(a.sub, "eval"))
		rc = cf_teacher_eval(&a.t, &err);
	else
		rc = cf_teacher_predict(&a.t, &err);
	if (rc < 0)
		fprintf(stderr, "cfaug teacher: %s\n", err.msg[0] ? err.msg :
		        cf_strerror(rc));
	fflush(stdout);
	cf_teacher_map_free(&a.t.label_map);
	cf_teacher_map_free(&a.t.field_map);
	return rc < 0 ? cf_exit_code(rc) : CF_EXIT_OK;
}
