/*
 * cmd_eval.c - `cfaug eval`: the command line into cf_eval_opts, one call
 * of cf_eval_run (pipeline/eval/eval.h, which says what is measured and
 * how), a summary on stderr, the exit code (cf_exit_code).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "eval.h"

int cf_cmd_eval(int argc, char **argv);

#define MAX_JUDGES CF_EVAL_MAX_JUDGES

static const char usage_text[] =
	"usage: cfaug eval -i PAIRS [--format jsonl|csv|tsv]\n"
	"                  [--pair-key FIELD | --block N [--originals FILE]]\n"
	"                  [--text-field F]... [--label-field L] [--target-field T]\n"
	"                  [--generator-field G] [--control KEY=VALUE]\n"
	"                  --judge MODEL.cft|JUDGE.yaml [--judge ...]\n"
	"                  [--fluency LLM.yaml] [--seed N] -o DIR\n"
	"       cfaug eval --spurious BEFORE AFTER [--text-field F]... [--label-field L]\n"
	"                  [--min-count N] [--top N] -o DIR   (may be combined with -i)\n\n"
	"Writes DIR/report.json and DIR/report.html: targeted and untargeted flip\n"
	"rates with Wilson 95% intervals (by label transition and by generator),\n"
	"change of the target's probability, consistency, token-level minimality,\n"
	"diversity, Cohen's kappa between judges and against the data's labels, the\n"
	"paraphrase-control comparison and the spurious-token z-statistics.\n\n"
	"  -i PAIRS            cfaug's pairs.jsonl, or a flat file with --pair-key/--block\n"
	"  --pair-key F        adjacent records with the same F form a group; the\n"
	"                      first is the original\n"
	"  --block N           groups of N records, the first the original\n"
	"  --originals FILE    with --block: originals, one per block of N\n"
	"                      counterfactuals (CAD NLI: revised_dev.tsv + original_dev.tsv)\n"
	"  --text-field F      text fields (default: the first judge's)\n"
	"  --label-field L     label field of flat files (default: the one the first\n"
	"                      judge model was trained with, else label)\n"
	"  --target-field T    counterfactuals' target label field (default: L)\n"
	"  --generator-field G flat files: field naming the generator of a record\n"
	"  --control KEY=VALUE mark paraphrase controls (default: generator kind\n"
	"                      'paraphrase')\n"
	"  --judge PATH        a model from 'cfaug teacher train', or a judge YAML:\n"
	"                      one item of a teacher stage's judges: (kind builtin,\n"
	"                      tei, vllm or llm, with their options); repeatable\n"
	"  --fluency LLM.yaml  perplexity of originals and counterfactuals from a\n"
	"                      completions endpoint scoring a prompt's logprobs\n"
	"                      {base_url, model, api_key_env}\n"
	"  --review-export F.csv  write a stratified sample of the edit pairs (by\n"
	"                      label transition and generator; --seed) for annotators:\n"
	"                      id,original,counterfactual,target,transition,generator,\n"
	"                      human_label,comment (the last two empty)\n"
	"  --review-n N        pairs in the sample (default 100)\n"
	"  --review-import F.csv  the annotated sample (id, human_label): judge-vs-human\n"
	"                      kappa and accuracy, and the human flip rate\n"
	"  --seed N            seeds requests and the review sample (default 1)\n"
	"  --spurious B A      token z-statistics of dataset B and dataset A (e.g. the\n"
	"                      input and augmented.jsonl): the strongest before/after\n"
	"  --min-count N       spurious: tokens in at least N documents (default 10)\n"
	"  --top N             spurious: tokens shown (default 20)\n"
	"  -q, --quiet         no summary on stderr\n";


/* ---- arguments -------------------------------------------------------- */

typedef cf_eval_opts args;

static int parse_args(args *a, int argc, char **argv, cf_error *err)
{
	const char *v = NULL;
	int i, r;

	memset(a, 0, sizeof *a);
	a->min_count = 10;
	a->top = 20;
	a->seed = 1;
	for (i = 1; i < argc; i++) {
#define O(l, s, hv) cf_cli_opt(argc, argv, &i, l, s, hv, &v, err)
		if ((r = O("--input", "-i", 1)) < 0) return r;
		if (r) { a->input = v; continue; }
		if ((r = O("--output", "-o", 1)) < 0) return r;
		if (r) { a->output = v; continue; }
		if ((r = O("--format", NULL, 1)) < 0) return r;
		if (r) { a->format = v; continue; }
		if ((r = O("--pair-key", NULL, 1)) < 0) return r;
		if (r) { a->pair_key = v; continue; }
		if ((r = O("--originals", NULL, 1)) < 0) return r;
		if (r) { a->originals = v; continue; }
		if ((r = O("--label-field", NULL, 1)) < 0) return r;
		if (r) { a->label_field = v; continue; }
		if ((r = O("--target-field", NULL, 1)) < 0) return r;
		if (r) { a->target_field = v; continue; }
		if ((r = O("--generator-field", NULL, 1)) < 0) return r;
		if (r) { a->generator_field = v; continue; }
		if ((r = O("--block", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, 1000000, "--block", &a->block, err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--min-count", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, 1000000000, "--min-count", &a->min_count,
			                 err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--seed", NULL, 1)) < 0) return r;
		if (r) {
			long sd;

			if ((r = cf_cli_long(v, 0, 2147483647L, "--seed", &sd, err)) < 0)
				return r;
			a->seed = (uint64_t)sd;
			continue;
		}
		if ((r = O("--top", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, 1000, "--top", &a->top, err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--control", NULL, 1)) < 0) return r;
		if (r) {
			const char *eq = strchr(v, '=');

			if (!eq || eq == v || a->control_key)
				return cf_cli_usage_error(err, "--control: expected one KEY=VALUE, got '%s'",
				             v);
			a->control_key = v;   /* KEY=VALUE; is_control splits it */
			a->control_value = eq + 1;
			continue;
		}
		if ((r = O("--judge", "-j", 1)) < 0) return r;
		if (r) {
			if (a->njudges == MAX_JUDGES)
				return cf_cli_usage_error(err, "more than %s judges", "8");
			a->judges[a->njudges++] = v;
			continue;
		}
		if ((r = O("--review-export", NULL, 1)) < 0) return r;
		if (r) { a->review_export = v; continue; }
		if ((r = O("--review-import", NULL, 1)) < 0) return r;
		if (r) { a->review_import = v; continue; }
		if ((r = O("--review-n", NULL, 1)) < 0) return r;
		if (r) {
			if ((r = cf_cli_long(v, 1, 1000000, "--review-n", &a->review_n, err)) < 0)
				return r;
			continue;
		}
		if ((r = O("--fluency", NULL, 1)) < 0) return r;
		if (r) { a->fluency = v; continue; }
		if ((r = O("--text-field", NULL, 1)) < 0) return r;
		if (r) {
			if (a->nfields == CF_EVAL_MAX_FIELDS)
				return cf_cli_usage_error(err, "more than %s text fields", "16");
			a->fields[a->nfields++] = v;
			continue;
		}
		if (!strcmp(argv[i], "--spurious")) {
			if (i + 2 >= argc)
				return cf_cli_usage_error(err, "%s", "--spurious needs two files: BEFORE AFTER");
			a->sp_before = argv[++i];
			a->sp_after = argv[++i];
			continue;
		}
		if ((r = O("--quiet", "-q", 0)) < 0) return r;
		if (r) { a->quiet = 1; continue; }
#undef O
		return cf_cli_usage_error(err, "unknown option '%s'", argv[i]);
	}
	if (!a->output)
		return cf_cli_usage_error(err, "%s", "missing -o DIR");
	if (!a->input && !a->sp_before)
		return cf_cli_usage_error(err, "%s", "missing -i PAIRS (or --spurious BEFORE AFTER)");
	if (a->input && !a->njudges)
		return cf_cli_usage_error(err, "%s", "missing --judge MODEL (at least one judge)");
	if ((a->review_export || a->review_import) && !a->input)
		return cf_cli_usage_error(err, "%s", "--review-export/--review-import need -i PAIRS");
	if (a->review_export && !a->review_n)
		a->review_n = 100;
	if (a->pair_key && a->block)
		return cf_cli_usage_error(err, "%s", "give --pair-key or --block, not both");
	if (a->originals && !a->block)
		return cf_cli_usage_error(err, "%s", "--originals goes with --block N");
	if (a->block == 1 && !a->originals)
		return cf_cli_usage_error(err, "%s", "--block 1 leaves no counterfactual; "
		             "use --originals FILE or N >= 2");
	return 0;
}

static void summary(const json_t *r)
{
	json_t *js = json_object_get(r, "judges"), *c = json_object_get(r, "counts");
	size_t i;

	if (c) {
		json_int_t unk = json_integer_value(json_object_get(c,
		                 "unknown_label_pairs")),
		           fail = json_integer_value(json_object_get(c,
		                  "judge_failed_pairs"));

		fprintf(stderr, "cfaug eval: %lld groups, %lld pairs (%lld label-"
		        "changing, %lld controls), %lld bad records",
		        json_integer_value(json_object_get(c, "groups")),
		        json_integer_value(json_object_get(c, "pairs")),
		        json_integer_value(json_object_get(c, "label_changing_pairs")),
		        json_integer_value(json_object_get(c, "control_pairs")),
		        json_integer_value(json_object_get(c, "bad_records")));
		/* pairs counted above that no figure below covers */
		if (unk)
			fprintf(stderr, ", %lld pairs with labels the judges do not "
			        "know", (long long)unk);
		if (fail)
			fprintf(stderr, ", %lld pairs a judge failed on", (long long)fail);
		fprintf(stderr, "\n");
	}
	for (i = 0; i < json_array_size(js); i++) {
		json_t *j = json_array_get(js, i);
		json_t *t = json_object_get(j, "targeted_flip"),
		       *co = json_object_get(j, "consistency"),
		       *lk = json_object_get(j, "label_kept");
		double dp;

		/* a figure over no pairs is not 0: say which kind of set it is */
		fprintf(stderr, "  %s:", json_string_value(json_object_get(j, "name")));
		if (json_integer_value(json_object_get(t, "n")) > 0)
			fprintf(stderr, " targeted flip %.3f [%.3f, %.3f], consistency "
			        "%.3f,", json_number_value(json_object_get(t, "rate")),
			        json_number_value(json_object_get(t, "lo")),
			        json_number_value(json_object_get(t, "hi")),
			        json_number_value(json_object_get(co, "rate")));
		if (json_integer_value(json_object_get(lk, "n")) > 0)
			fprintf(stderr, " label kept %.3f [%.3f, %.3f] of %lld "
			        "label-keeping pairs,",
			        json_number_value(json_object_get(lk, "rate")),
			        json_number_value(json_object_get(lk, "lo")),
			        json_number_value(json_object_get(lk, "hi")),
			        json_integer_value(json_object_get(lk, "n")));
		dp = json_number_value(json_object_get(json_object_get(
		         json_object_get(j, "target_prob_change"), "summary"), "mean"));
		if (fabs(dp) < 0.0005)   /* no "-0.000" */
			dp = 0.0;
		fprintf(stderr, " mean change of p(target) %+.3f (judge right on "
		        "%.3f of the originals)\n", dp,
		        json_number_value(json_object_get(json_object_get(j,
		            "original_accuracy"), "rate")));
	}
	if ((c = json_object_get(r, "minimality")))
		fprintf(stderr, "  minimality: mean token distance %.2f, normalised "
		        "%.3f (median %.3f)\n",
		        json_number_value(json_object_get(json_object_get(c, "distance"),
		                                          "mean")),
		        json_number_value(json_object_get(json_object_get(c, "normalized"),
		                                          "mean")),
		        json_number_value(json_object_get(json_object_get(c, "normalized"),
		                                          "median")));
}

int cf_cmd_eval(int argc, char **argv)
{
	cf_error err = { 0 };
	json_t *report = NULL;
	args a;
	int rc;

	for (rc = 1; rc < argc; rc++)
		if (!strcmp(argv[rc], "-h") || !strcmp(argv[rc], "--help")) {
			fputs(usage_text, stdout);
			return CF_EXIT_OK;
		}
	if ((rc = parse_args(&a, argc, argv, &err)) < 0) {
		fprintf(stderr, "cfaug eval: %s\n(see cfaug eval --help)\n", err.msg);
		return cf_exit_code(rc);
	}
	if ((rc = cf_eval_run(&a, &report, &err)) < 0) {
		fprintf(stderr, "cfaug eval: %s\n", err.msg[0] ? err.msg :
		        cf_strerror(rc));
		return cf_exit_code(rc);
	}
	if (!a.quiet) {
		summary(report);
		fprintf(stderr, "cfaug eval: wrote %s/report.json and %s/report.html\n",
		        a.output, a.output);
	}
	json_decref(report);
	return CF_EXIT_OK;
}
