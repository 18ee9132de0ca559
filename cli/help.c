/*
 * help.c - option tables as data, and the help printed from them.
 *
 * `run` and `validate` parse their options from run_options (cmd_run.c
 * builds getopt's table from it), so their help cannot miss an option.
 * The teacher command parses its own (cli/cmd_teacher.c); its rows here
 * are checked against that parser by tests/cli/test_help.sh, which fails
 * when an option is accepted but not documented.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"

const cf_cli_option cf_run_options[] = {
	{ "input", 'i', "PATH", CF_CLI_RUN, "read PATH instead of input.path ('-' = stdin); "
	  ".gz and .zst are decompressed (told by their first bytes)" },
	{ "output", 'o', "DIR", CF_CLI_RUN, "write to DIR instead of output.dir ('-' = pairs to "
	  "stdout, summary to stderr)" },
	{ "set", 'S', "KEY=VALUE", CF_CLI_RUN | CF_CLI_VALIDATE, "override a value of the "
	  "pipeline file, e.g. --set input.format=tsv --set stages.0.p=0.3" },
	{ "shard", 'K', "K/N", CF_CLI_RUN, "keep only records whose id hashes to shard K of N "
	  "(1-based); N runs together give the single-run output (cfaug merge)" },
	{ "window", 'W', "N", CF_CLI_RUN, "most records in flight at once (default: the "
	  "pipeline's window, 4096)" },
	{ "limit", 'L', "N", CF_CLI_RUN, "read only the first N records of the input (any "
	  "format); the report says the input was cut" },
	{ "seed", 'R', "N", CF_CLI_RUN | CF_CLI_VALIDATE, "the pipeline's seed for this run "
	  "(same as --set seed=N)" },
	{ "overwrite", 'O', NULL, CF_CLI_RUN, "let -o DIR replace the completed output "
	  "of another pipeline (refused otherwise)" },
	{ "dry-run", 'D', "[=FILE]", CF_CLI_RUN, "network stages count the requests and "
	  "tokens they would send (and the cost, given prices) and send nothing; the "
	  "estimate goes to stderr (and as JSON to FILE); no output file is written" },
	{ "no-cache", 'C', NULL, CF_CLI_RUN, "network stages neither read nor write their "
	  "caches" },
	{ "quiet", 'q', NULL, CF_CLI_RUN, "no progress line, no stdin notice and no summary" },
	{ "help", 'h', NULL, CF_CLI_RUN | CF_CLI_VALIDATE, "this help" },
	{ NULL, 0, NULL, 0, NULL }
};

/* The teacher's options, by subcommand (t = train, e = eval, p = predict). */
static const struct { const char *opt, *arg, *subs, *help; } teacher_options[] = {
	{ "-i, --input", "DATA", "tep", "labelled data (train, eval) or data to score "
	  "(predict): .jsonl, .csv, .tsv, also .gz/.zst" },
	{ "--format", "F", "tep", "jsonl | csv | tsv (default: from the extension)" },
	{ "--text-field", "F", "tep", "a text field; repeat for several (premise, hypothesis); "
	  "default text, or the model's" },
	{ "--label-field", "L", "te", "the label field (eval: default the model's)" },
	{ "-o, --output", "MODEL", "t", "the model file to write (.cft)" },
	{ "-m, --model", "MODEL", "ep", "a model written by 'cfaug teacher train'" },
	{ "--seed", "N", "t", "chooses the dev split (default 1): one seed, one model, "
	  "byte for byte" },
	{ "--epochs", "N", "t", "most L-BFGS iterations (default 20)" },
	{ "--dev-split", "F", "t", "fraction held out for early stopping, 0 to 0.5 "
	  "(default 0: no early stopping)" },
	{ "--char-ngrams", NULL, "t", "add character 3-5-grams of each word (typos, "
	  "morphology; slower, bigger)" },
	{ "--no-pair-features", NULL, "t", "with two text fields, leave out the words of "
	  "the second absent from the first and their count (NLI features; default on)" },
	{ "--buckets", "BITS", "t", "2^BITS hash buckets for the features (default 20)" },
	{ "--C", "C", "t", "inverse L2 regularisation strength, as scikit-learn's C "
	  "(default 10)" },
	{ "--no-refit", NULL, "t", "keep the early-stopped model (default: refit on all "
	  "examples, dev included)" },
	{ "--group-field", "G", "t", "rows sharing G stay on one side of the dev split "
	  "(default orig_id when the data has it, as augmented.jsonl does)" },
	{ "--field-map", "M=D,...", "ep", "read the model's field M from the data's field D "
	  "(e.g. Text=text)" },
	{ "--label-map", "M=D,...", "ep", "take the data's label D for the model's label M "
	  "(e.g. Positive=positive; predict writes the data's names)" },
	{ "--threads", "1-8", "tp", "threads for features and gradients (default 2; the "
	  "result does not depend on it)" },
	{ "--human", NULL, "e", "a table for people instead of JSON on stdout" },
	{ "-h, --help", NULL, "tep", "this help" },
	{ NULL, NULL, NULL, NULL }
};

static void wrap_line(FILE *f, const char *left, const char *help)
{
	/* the option column is 24 wide; the help wraps at 79 */
	size_t col = 24, width = 79, n, w;
	const char *s = help, *sp;

	fprintf(f, "  %-21s", left);
	if (strlen(left) > 21)
		fprintf(f, "\n%*s", (int)col, "");
	else
		fputc(' ', f);
	n = col;
	while (*s) {
		sp = strchr(s, ' ');
		w = sp ? (size_t)(sp - s) : strlen(s);
		fprintf(f, "%.*s", (int)w, s);
		n += w;
		s += w;
		if (*s == ' ') {   /* a space only before a word on the same line */
			s++;
			sp = strchr(s, ' ');
			w = sp ? (size_t)(sp - s) : strlen(s);
			if (n + 1 + w <= width) {
				fputc(' ', f);
				n++;
			} else {
				fprintf(f, "\n%*s", (int)col, "");
				n = col;
			}
		}
	}
	fputc('\n', f);
}

void cf_cli_print_options(FILE *f, const cf_cli_option *t, unsigned cmd)
{
	char left[64];

	for (; t->lng; t++) {
		if (!(t->cmds & cmd))
			continue;
		if (t->shrt >= 'a' && t->shrt <= 'z')
			snprintf(left, sizeof left, "-%c, --%s%s%s", t->shrt, t->lng,
			         t->arg && t->arg[0] != '[' ? " " : "", t->arg ? t->arg : "");
		else
			snprintf(left, sizeof left, "--%s%s%s", t->lng, t->arg && t->arg[0] != '[' ? " " : "",
			         t->arg ? t->arg : "");
		wrap_line(f, left, t->help);
	}
}

void cf_cli_help_teacher(FILE *f, const char *sub)
{
	static const struct { char c; const char *name, *what; } subs[] = {
		{ 't', "train", "train a model from labelled data" },
		{ 'e', "eval", "accuracy, macro-F1 and the confusion matrix of a model on "
		  "labelled data" },
		{ 'p', "predict", "one JSON line per record: the label and every label's "
		  "probability" },
	};
	char left[64];

	fprintf(f, "usage: cfaug teacher train|eval|predict [OPTIONS]\n\n"
	           "The built-in teacher: a linear classifier (hashed word 1-2-grams, "
	           "optional\ncharacter n-grams, tf-idf, multinomial logistic "
	           "regression).  eval and predict\nread the text fields (and eval the "
	           "label field) the model was trained on\nunless told otherwise.\n");
	for (size_t k = 0; k < sizeof subs / sizeof *subs; k++) {
		if (sub && strcmp(sub, subs[k].name))
			continue;
		fprintf(f, "\ncfaug teacher %s: %s\n", subs[k].name, subs[k].what);
		for (size_t i = 0; teacher_options[i].opt; i++) {
			if (!strchr(teacher_options[i].subs, subs[k].c))
				continue;
			snprintf(left, sizeof left, "%s%s%s", teacher_options[i].opt,
			         teacher_options[i].arg ? " " : "",
			         teacher_options[i].arg ? teacher_options[i].arg : "");
			wrap_line(f, left, teacher_options[i].help);
		}
	}
	fprintf(f, "\nExit codes: 0 ok, 1 runtime failure, 2 usage, 4 data error.\n");
}
