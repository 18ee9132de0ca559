/*
 * main.c - the cfaug command line: a table of commands (git's command
 * table), each a function taking its own argc/argv.
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 config, 4 data error
 * under on_error: fail, 130 interrupted.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "json_alloc.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const cf_command commands[] = {
	{ "run", cf_cmd_run, "run a pipeline",
	  "usage: cfaug run PIPELINE.yaml [-i PATH|-] [-o DIR|-] [--set KEY=VALUE]...\n"
	  "                [--shard K/N] [--window N] [--dry-run[=FILE]] [--no-cache] [-q]\n\n"
	  "Streams the input through the pipeline's stages and writes DIR/pairs.jsonl,\n"
	  "augmented.jsonl, rejected.jsonl, errors.jsonl and report.json (renamed into\n"
	  "place only when the run completes).\n\n"
	  "  -i, --input PATH     read PATH instead of input.path ('-' = stdin)\n"
	  "  -o, --output DIR     write to DIR instead of output.dir ('-' = pairs to stdout)\n"
	  "  --set KEY=VALUE      override a value of the pipeline file, e.g.\n"
	  "                       --set input.format=tsv --set stages.0.p=0.3\n"
	  "  --shard K/N          keep only records whose id hashes to shard K of N\n"
	  "                       (1-based); N runs together give the single-run output\n"
	  "  --window N           most records in flight at once (default: window, 4096)\n"
	  "  --dry-run[=FILE]     network stages count the requests and tokens they would\n"
	  "                       send (and the cost, given prices) and send nothing; the\n"
	  "                       estimate goes to stderr (and as JSON to FILE); no output\n"
	  "                       file is written\n"
	  "  --no-cache           network stages neither read nor write their caches\n"
	  "  -q, --quiet          no progress line and no summary\n" },
	{ "validate", cf_cmd_validate, "check a pipeline file without running it",
	  "usage: cfaug validate PIPELINE.yaml [--set KEY=VALUE]...\n\n"
	  "Loads the pipeline and initialises every stage (lexicons, models, regexes),\n"
	  "checks that the input file exists, reads none of it.  Exit 0 when it is\n"
	  "valid, 3 with FILE:LINE:COL: message when it is not.\n" },
#ifdef CFAUG_HAVE_TEACHER
	{ "teacher", cf_cmd_teacher, "train, evaluate and apply the built-in teacher",
	  "usage: cfaug teacher train|eval|predict ...  (see cfaug teacher --help)\n" },
	{ "eval", cf_cmd_eval, "flip rates and quality of counterfactual pairs",
	  "usage: cfaug eval -i PAIRS [--pair-key F | --block N] --judge MODEL -o DIR\n"
	  "       cfaug eval --spurious BEFORE AFTER -o DIR\n"
	  "(see cfaug eval --help)\n" },
#endif
	{ "help", cmd_help, "show help for a command, or 'help stages'",
	  "usage: cfaug help [COMMAND | stages]\n" },
	{ "version", cmd_version, "print the version", "usage: cfaug version\n" },
	{ NULL, NULL, NULL, NULL }
};

static const cf_command *find_command(const char *name)
{
	const cf_command *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	const cf_command *c;

	fprintf(f, "usage: cfaug COMMAND [ARGS]\n\n"
	           "cfaug makes counterfactual training data: it reads labelled text,\n"
	           "generates minimally edited copies, filters them and writes pairs.\n\n"
	           "Commands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'cfaug help COMMAND' for a command's options; 'cfaug help stages'\n"
	           "for the stage types of a pipeline file; 'man cfaug' for the rest.\n"
	           "Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 config, 4 data error\n"
	           "(on_error: fail), 130 interrupted.\n");
}

static void help_stages(void)
{
	const cf_option *o;
	size_t i;

	printf("Stage types (one mapping per stage under 'stages:', key 'type'):\n");
	for (i = 0; cf_stage_kinds[i]; i++) {
		const cf_stage_kind *k = cf_stage_kinds[i];
		printf("\n  %s — %s\n", k->name, k->summary);
		for (o = k->options; o && o->key; o++)
			printf("      %-18s %s%s%s%s\n", o->key, o->help ? o->help : "",
			       o->def ? " (default " : "", o->def ? o->def : "",
			       o->def ? ")" : (o->flags & CF_OPT_REQUIRED ? " (required)" : ""));
	}
}

static int cmd_help(int argc, char **argv)
{
	const cf_command *c;

	if (argc < 2) {
		usage(stdout);
		return CF_EXIT_OK;
	}
	if (strcmp(argv[1], "stages") == 0) {
		help_stages();
		return CF_EXIT_OK;
	}
	if (!(c = find_command(argv[1]))) {
		fprintf(stderr, "cfaug: no such command '%s'; see 'cfaug --help'\n", argv[1]);
		return CF_EXIT_USAGE;
	}
	fputs(c->usage, stdout);
	return CF_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	printf("cfaug %s\n", CFAUG_VERSION);
	return CF_EXIT_OK;
}

/* Print a command's usage (for --help inside a command). */
void cf_cli_usage(const char *name, FILE *f)
{
	const cf_command *c = find_command(name);

	if (c)
		fputs(c->usage, f);
}

int main(int argc, char **argv)
{
	const cf_command *c;

	cf_json_alloc_install();

	if (argc < 2) {
		usage(stderr);
		return CF_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CF_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return cmd_version(argc - 1, argv + 1);
	if (!(c = find_command(argv[1]))) {
		fprintf(stderr, "cfaug: no such command '%s'; see 'cfaug --help'\n", argv[1]);
		return CF_EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
