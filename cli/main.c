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

static void run_help(FILE *f) { cf_cli_print_options(f, cf_run_options, CF_CLI_RUN); }
static void validate_help(FILE *f) { cf_cli_print_options(f, cf_run_options, CF_CLI_VALIDATE); }
static void teacher_help(FILE *f) { cf_cli_help_teacher(f, NULL); }
static void eval_help(FILE *f)
{
	char *argv[] = { "eval", "--help", NULL };

	fflush(f);
	cf_cmd_eval(2, argv);   /* eval's help is its own (cli/cmd_eval.c) */
}

static const cf_command commands[] = {
	{ "run", cf_cmd_run, "run a pipeline",
	  "usage: cfaug run PIPELINE.yaml [-i PATH|-] [-o DIR|-] [--set KEY=VALUE]...\n"
	  "                [--shard K/N] [--window N] [--limit N] [--seed N]\n"
	  "                [--overwrite] [--dry-run[=FILE]] [--no-cache] [-q]\n\n"
	  "Streams the input through the pipeline's stages and writes DIR/pairs.jsonl,\n"
	  "augmented.jsonl, rejected.jsonl, errors.jsonl, report.json and README.md\n"
	  "(a dataset card), renamed into place only when the run completes\n"
	  "(output.files chooses the files).\n\n", run_help },
	{ "validate", cf_cmd_validate, "check a pipeline file without running it",
	  "usage: cfaug validate PIPELINE.yaml [--set KEY=VALUE]... [--seed N]\n\n"
	  "Loads the pipeline and initialises every stage (lexicons, models, regexes),\n"
	  "checks that the input file exists, reads none of it.  Exit 0 when it is\n"
	  "valid, 3 with FILE:LINE:COL: message when it is not.\n\n", validate_help },
	{ "teacher", cf_cmd_teacher, "train, evaluate and apply the built-in teacher",
	  "", teacher_help },
	{ "eval", cf_cmd_eval, "flip rates and quality of counterfactual pairs",
	  "", eval_help },
	{ "merge", cf_cmd_merge, "combine the output directories of --shard runs",
	  "usage: cfaug merge -o OUT [--overwrite] DIR...\n\n"
	  "Combines the output directories of runs of one pipeline (the --shard K/N\n"
	  "runs of a split, or runs over parts of an input) into OUT: data files\n"
	  "concatenated in the order given (compressed ones too; a CSV/TSV header\n"
	  "once), reports summed into one report.json whose totals reconcile, and a\n"
	  "dataset card.  Refuses runs of different pipelines, a shard given twice\n"
	  "and directories whose line counts disagree with their reports (exit 1);\n"
	  "warns about missing shards.\n\n"
	  "  -o, --output OUT     the merged directory (created; not one of the DIRs)\n"
	  "  --overwrite          let OUT replace the completed output of another\n"
	  "                       pipeline (refused otherwise, exit 1)\n"
	  "  -q, --quiet          no summary and no warnings\n", NULL },
	{ "init", cf_cmd_init, "write a commented starter pipeline",
	  "usage: cfaug init [sentiment-flip|gender-cda|nli|llm] [-o FILE] [--force]\n\n"
	  "Writes a commented starter pipeline (default gender-cda) to FILE (default\n"
	  "pipeline.yaml; '-' = stdout) that 'cfaug validate' accepts once its\n"
	  "input.path names your data (or with --set input.path=FILE).\n\n"
	  "  -o, --output FILE    where to write it (an existing file needs --force)\n"
	  "  --force              replace an existing FILE\n", NULL },
	{ "schema", cf_cmd_schema, "print the JSON Schema of pipeline files",
	  "usage: cfaug schema\n\n"
	  "Prints a JSON Schema (draft 2020-12) of the pipeline file, made from the\n"
	  "same option tables the loader uses.  For editor completion, save it and\n"
	  "start a pipeline with\n"
	  "  # yaml-language-server: $schema=PATH/TO/cfaug.schema.json\n", NULL },
	{ "completion", cf_cmd_completion, "print a bash completion script",
	  "usage: cfaug completion bash\n\n"
	  "Prints a bash completion script for commands, options and stage types:\n"
	  "  source <(cfaug completion bash)     # or save it under\n"
	  "  ~/.local/share/bash-completion/completions/cfaug\n", NULL },
	{ "help", cmd_help, "show help for a command, or 'help stages'",
	  "usage: cfaug help [COMMAND | stages | teacher train|eval|predict]\n", NULL },
	{ "version", cmd_version, "print the version", "usage: cfaug version\n", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
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
	           "for the stage types of a pipeline file; 'cfaug init' for a starter\n"
	           "pipeline; 'man cfaug' for the rest.\n"
	           "Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 config, 4 data error\n"
	           "(on_error: fail, or every record failed), 130 interrupted.\n");
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
	if (c->fn == cf_cmd_teacher && argc > 2) {
		cf_cli_help_teacher(stdout, argv[2]);
		return CF_EXIT_OK;
	}
	cf_cli_usage(c->name, stdout);
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

	if (!c)
		return;
	fputs(c->usage, f);
	if (c->help)
		c->help(f);
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
