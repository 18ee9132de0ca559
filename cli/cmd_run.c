/*
 * cmd_run.c - `cfaug run` and `cfaug validate`.
 *
 * Both load the pipeline file, apply -i/-o/--set as overrides of the
 * YAML (so every value goes through the same checks), build the pipeline;
 * run then streams it and prints a short summary.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "runner.h"

typedef struct run_args {
	const char *pipeline;
	char **sets;
	size_t nsets;
	int stdin_input;         /* -i - */
	const char *input_arg;   /* -i PATH as given */
	int output_given;        /* -o DIR */
	const char *dry_run_file;   /* --dry-run=FILE: the estimate as JSON there */
	cf_run_opts o;
} run_args;

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "cfaug %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'cfaug help %s')\n", cmd);
	return CF_EXIT_USAGE;
}

static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
	char *end;
	unsigned long a, b;

	a = strtoul(s, &end, 10);
	if (end == s || *end != '/')
		return -1;
	s = end + 1;
	b = strtoul(s, &end, 10);
	if (end == s || *end || b == 0 || a == 0 || a > b || b > 1000000)
		return -1;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

/* Add "prefix" + value as a --set assignment. */
static int add_set(run_args *a, const char *prefix, const char *value)
{
	size_t n = strlen(prefix) + strlen(value) + 1;
	char *s = malloc(n), **v;

	if (!s || !(v = realloc(a->sets, (a->nsets + 1) * sizeof *v))) {
		free(s);
		return -1;
	}
	snprintf(s, n, "%s%s", prefix, value);
	a->sets = v;
	a->sets[a->nsets++] = s;
	return 0;
}

/* A filter that keeps the flips of one direction far more than the other
 * makes a one-sided augmented set: a model trained on it learns a label
 * prior.  Warn when two targets each had >= 20 candidates and one's
 * acceptance rate is >= 5x the other's. */
static void one_sided(const json_t *by)
{
	const char *k, *hi = NULL, *lo = NULL;
	double rhi = -1, rlo = 2;
	json_t *v;

	json_object_foreach((json_t *)by, k, v) {
		double n = (double)json_integer_value(json_object_get(v, "candidates"));
		double a = (double)json_integer_value(json_object_get(v, "accepted"));
		if (n < 20)
			continue;
		if (a / n > rhi)
			rhi = a / n, hi = k;
		if (a / n < rlo)
			rlo = a / n, lo = k;
	}
	if (!hi || !lo || hi == lo || rhi < 0.05 || rhi < 5 * rlo)
		return;
	fprintf(stderr, "cfaug: warning: one-sided flips: %lld of %lld candidates "
	        "to '%s' were kept, %lld of %lld to '%s': a model trained on the "
	        "augmented set learns that imbalance (flips_by_target in "
	        "report.json)\n",
	        json_integer_value(json_object_get(json_object_get(by, hi), "accepted")),
	        json_integer_value(json_object_get(json_object_get(by, hi), "candidates")), hi,
	        json_integer_value(json_object_get(json_object_get(by, lo), "accepted")),
	        json_integer_value(json_object_get(json_object_get(by, lo), "candidates")), lo);
}

/* getopt's tables from cf_run_options (help.c), for run or validate. */
static void build_getopt(unsigned cmd, struct option *lo, char *so)
{
	const cf_cli_option *t;
	size_t n = 0, k = 0;

	for (t = cf_run_options; t->lng; t++) {
		lo[n].name = t->lng;
		/* "[=FILE]": an optional value, only as --long=VALUE */
		lo[n].has_arg = !t->arg ? no_argument
		              : t->arg[0] == '[' ? optional_argument : required_argument;
		lo[n].flag = NULL;
		lo[n].val = t->shrt;
		n++;
		if ((t->cmds & cmd) && t->shrt >= 'a' && t->shrt <= 'z') {
			so[k++] = t->shrt;
			if (t->arg && t->arg[0] != '[')
				so[k++] = ':';
		}
	}
	memset(&lo[n], 0, sizeof lo[n]);
	so[k] = '\0';
}

static unsigned option_cmds(int c)
{
	const cf_cli_option *t;

	for (t = cf_run_options; t->lng; t++)
		if (t->shrt == c)
			return t->cmds;
	return 0;
}

static int parse_args(const char *cmd, int argc, char **argv, run_args *a)
{
	struct option longopts[32];
	char shortopts[64];
	unsigned me = strcmp(cmd, "run") == 0 ? CF_CLI_RUN : CF_CLI_VALIDATE;
	int c;
	char *end;

	build_getopt(me, longopts, shortopts);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c != '?' && c != ':' && !(option_cmds(c) & me))
			return usage_error(cmd, "option '%s' is only for 'run'", argv[optind - 1]);
		switch (c) {
		case 'i':
			a->stdin_input = strcmp(optarg, "-") == 0;
			a->input_arg = optarg;
			if (add_set(a, "input.path=", optarg) < 0)
				return CF_EXIT_RUNTIME;
			break;
		case 'o':
			a->output_given = 1;
			if (add_set(a, "output.dir=", optarg) < 0)
				return CF_EXIT_RUNTIME;
			break;
		case 'S':
			if (add_set(a, "", optarg) < 0)
				return CF_EXIT_RUNTIME;
			break;
		case 'R':
			strtoll(optarg, &end, 10);
			if (!*optarg || *end)
				return usage_error(cmd, "--seed wants an integer, got '%s'", optarg);
			if (add_set(a, "seed=", optarg) < 0)
				return CF_EXIT_RUNTIME;
			break;
		case 'K':
			if (parse_shard(optarg, &a->o.shard_k, &a->o.shard_n) < 0)
				return usage_error(cmd, "--shard wants K/N with 1 <= K <= N, got '%s'", optarg);
			break;
		case 'W':
			a->o.window = strtol(optarg, &end, 10);
			if (*end || a->o.window < 1)
				return usage_error(cmd, "--window wants a positive integer, got '%s'", optarg);
			break;
		case 'L':
			a->o.limit = strtoll(optarg, &end, 10);
			if (!*optarg || *end || a->o.limit < 1)
				return usage_error(cmd, "--limit wants a positive integer, got '%s'", optarg);
			break;
		case 'O':
			a->o.overwrite = 1;
			break;
		case 'q':
			a->o.quiet = 1;
			break;
		case 'D':
			a->o.dry_run = 1;
			a->dry_run_file = optarg;
			break;
		case 'C':
			a->o.no_cache = 1;
			break;
		case 'h':
			cf_cli_usage(cmd, stdout);
			return -1;
		default:
			return usage_error(cmd, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(cmd, "%s", "missing the pipeline file");
	a->pipeline = argv[optind++];
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static void free_args(run_args *a)
{
	size_t i;

	for (i = 0; i < a->nsets; i++)
		free(a->sets[i]);
	free(a->sets);
}

/* `-i -` on a pipeline whose input.path tells its format (reviews.csv)
 * and that has no input.format: stdin is read in that format, not as the
 * JSONL that a bare "-" means. */
static int keep_format(cf_conf *conf, cf_error *err)
{
	const cf_node *in = cf_node_get(conf->root, "input");
	const cf_node *path = cf_node_get(in, "path"), *fmt = cf_node_get(in, "format");
	cf_format f;
	char set[64];

	if (fmt || !path || path->type != CF_NODE_SCALAR)
		return 0;
	f = cf_format_from_path(path->str);
	if (f == CF_FMT_AUTO)
		return 0;
	snprintf(set, sizeof set, "input.format=%s", cf_format_name(f));
	return cf_conf_set(conf, set, err);
}

/* `-i data.tsv` on a pipeline that says `format: jsonl` read every row as
 * bad JSON (all records errors, exit 4): a name that says another format
 * than the file's input.format is a mistake to name before reading.  Not
 * when --set input.format decides. */
static int check_input_format(const cf_conf *conf, const run_args *a, cf_error *err)
{
	const cf_node *fmt = cf_node_get(cf_node_get(conf->root, "input"), "format");
	cf_format f;
	size_t i;

	if (!a->input_arg || a->stdin_input || !fmt || fmt->type != CF_NODE_SCALAR)
		return 0;
	for (i = 0; i < a->nsets; i++)
		if (!strncmp(a->sets[i], "input.format=", 13))
			return 0;
	f = cf_format_from_path(a->input_arg);
	if (f == CF_FMT_AUTO || !strcmp(cf_format_name(f), fmt->str))
		return 0;
	return cf_conf_error(err, conf->path, fmt, "-i %s: its name says %s, but "
	                     "input.format here is %s: add --set input.format=%s",
	                     a->input_arg, cf_format_name(f), fmt->str, cf_format_name(f));
}

static int load(run_args *a, cf_conf **conf, cf_pipeline **p, cf_error *err)
{
	size_t i;
	int rc;

	if ((rc = cf_conf_load(conf, a->pipeline, err)) < 0 ||
	    (rc = check_input_format(*conf, a, err)) < 0)
		return rc;
	if (a->stdin_input && (rc = keep_format(*conf, err)) < 0)
		return rc;
	for (i = 0; i < a->nsets; i++)
		if ((rc = cf_conf_set(*conf, a->sets[i], err)) < 0)
			return rc;
	a->o.kinds = cf_stage_kinds;   /* the core takes the stage table from us */
	return cf_pipeline_new_opts(p, *conf, &a->o, err);
}

/* A directory given with -o that holds the completed output of another
 * pipeline (its report.json names another sha256) is not replaced without
 * --overwrite: a mistyped -o must not destroy a finished dataset.  The same
 * pipeline re-runs into it as before (resume, same output).  A pipeline
 * file's own output.dir is its author's choice and is trusted (several
 * pipeline files may share one directory on purpose).  A check of the
 * command line, not of the library: programs using the library decide. */
static int check_overwrite(const cf_conf *conf, const run_args *a, cf_error *err)
{
	const cf_run_opts *o = &a->o;
	char path[4096], hex[65];
	json_t *rep;
	const char *sha, *was;
	int rc = 0;

	const cf_node *dir = cf_node_get(cf_node_get(conf->root, "output"), "dir");

	if (o->overwrite || !a->output_given || !dir || dir->type != CF_NODE_SCALAR || !strcmp(dir->str, "-"))
		return 0;
	snprintf(path, sizeof path, "%s/report.json", dir->str);
	if (!(rep = json_load_file(path, 0, NULL)))
		return 0;   /* no completed run there */
	cf_sha256_hex(conf->sha256, hex);
	sha = json_string_value(json_object_get(json_object_get(rep, "pipeline"), "sha256"));
	was = json_string_value(json_object_get(json_object_get(rep, "pipeline"), "path"));
	if (sha && strcmp(sha, hex))
		rc = cf_error_set(err, CF_EIO, "output directory %s holds the completed "
		        "output of another pipeline (%s, sha256 %.12s...): choose another "
		        "directory with -o, or add --overwrite to replace it",
		        dir->str, was ? was : "?", sha);
	json_decref(rep);
	return rc;
}

static void on_signal(int sig)
{
	cf_pipeline_interrupt();
}

/* The first SIGINT/SIGTERM asks the run to stop cleanly (nothing is
 * committed, exit 130); the handler then resets, so a second one ends the
 * process at once even if it is blocked reading a terminal or a pipe. */
static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The top (at most 5) entries of an object of counts, "a 12, b 3". */
static void top_counts(FILE *f, json_t *counts)
{
	const char *key, *used[5] = { 0 };
	json_t *v;
	size_t k;

	for (k = 0; k < 5; k++) {
		const char *best = NULL;
		json_int_t bv = 0;
		json_object_foreach(counts, key, v) {
			int seen = 0;
			for (size_t j = 0; j < k; j++)
				seen |= used[j] == key;
			if (!seen && json_integer_value(v) > bv) {
				best = key;
				bv = json_integer_value(v);
			}
		}
		if (!best)
			break;
		used[k] = best;
		fprintf(f, "%s%s %lld", k ? ", " : "", best, (long long)bv);
	}
}

/* Whether a stage of the report could make candidates (its kind says so;
 * a kind this binary does not know is taken to). */
static int has_generator(json_t *rep)
{
	const cf_stage_kind *k;
	const char *type;
	json_t *st;
	size_t i;

	json_array_foreach(json_object_get(rep, "stages"), i, st) {
		type = json_string_value(json_object_get(st, "type"));
		k = type ? cf_stage_kind_find(type) : NULL;
		if (!k || (k->flags & CF_STAGE_GENERATES))
			return 1;
	}
	return 0;
}

static void summary(FILE *f, json_t *rep, const char *dir)
{
	json_t *t = json_object_get(rep, "totals"), *v, *st;
	long long n[6];
	static const char *const keys[6] = { "records_read", "records_processed",
		"records_errors", "candidates", "accepted", "rejected" };
	size_t i;

	for (i = 0; i < 6; i++)
		n[i] = (long long)json_integer_value(json_object_get(t, keys[i]));
	fprintf(f, "cfaug: %lld records read: %lld processed, %lld errors\n"
	           "cfaug: %lld candidates: %lld accepted, %lld rejected\n",
	        n[0], n[1], n[2], n[3], n[4], n[5]);
	fprintf(f, "cfaug: seed %lld", (long long)json_integer_value(json_object_get(rep, "seed")));
	json_array_foreach(json_object_get(rep, "stages"), i, st)
		fprintf(f, "%s %s: %lld in, %lld made, %lld passed, %lld rejected",
		        i ? ";" : "; stages", json_string_value(json_object_get(st, "name")),
		        (long long)(json_integer_value(json_object_get(st, "in_originals")) +
		                    json_integer_value(json_object_get(st, "in_candidates"))),
		        (long long)json_integer_value(json_object_get(st, "generated")),
		        (long long)json_integer_value(json_object_get(st, "emitted")),
		        (long long)json_integer_value(json_object_get(st, "rejected")));
	fprintf(f, "\n");
	json_array_foreach(json_object_get(rep, "stages"), i, st) {
		json_t *ow = json_object_get(st, "one_way_collisions");
		if (json_integer_value(json_object_get(ow, "records")) > 0)
			fprintf(stderr, "cfaug: warning: stage %s: %lld records hold both "
			        "members of a pair after a one-way swap (e.g. '%s' in record "
			        "%s): see one_way_collisions in report.json\n",
			        json_string_value(json_object_get(st, "name")),
			        (long long)json_integer_value(json_object_get(ow, "records")),
			        json_string_value(json_object_get(json_array_get(
			                json_object_get(ow, "examples"), 0), "word")),
			        json_string_value(json_object_get(json_array_get(
			                json_object_get(ow, "examples"), 0), "id")));
	}
	v = json_object_get(json_object_get(rep, "input"), "limit");
	if (json_is_true(json_object_get(v, "cut")))
		fprintf(f, "cfaug: input cut by --limit %lld: the records after it were "
		        "not read\n", (long long)json_integer_value(json_object_get(v, "records")));
	/* a run that made no training data says so, whatever the exit code */
	if (n[0] + (long long)json_integer_value(json_object_get(t, "records_other_shards")) == 0)
		fprintf(stderr, "cfaug: warning: the input held no records: nothing was "
		        "augmented\n");
	else if (n[3] == 0 && n[1] > 0 && has_generator(rep))
		fprintf(stderr, "cfaug: warning: no stage made a counterfactual from the "
		        "%lld records: the output holds the originals only\n", n[1]);
	else if (n[3] > 0 && n[4] == 0)
		fprintf(stderr, "cfaug: warning: every one of the %lld candidates was "
		        "rejected: the output holds the originals only (reasons in "
		        "rejected.jsonl and report.json)\n", n[3]);
	one_sided(json_object_get(rep, "flips_by_target"));
	if (json_object_size(json_object_get(rep, "rejected_by_reason"))) {
		fprintf(f, "cfaug: top rejection reasons: ");
		top_counts(f, json_object_get(rep, "rejected_by_reason"));
		fprintf(f, "\n");
	}
	if (json_object_size(json_object_get(rep, "errors_by_kind"))) {
		fprintf(f, "cfaug: errors by kind: ");
		top_counts(f, json_object_get(rep, "errors_by_kind"));
		fprintf(f, "\n");
	}
	if (!dir)
		return;
	fprintf(f, "cfaug: wrote");
	json_array_foreach(json_object_get(rep, "files"), i, v)
		fprintf(f, "%s %s/%s", i ? "," : "", dir, json_string_value(v));
	if (json_is_string(json_object_get(rep, "card")))
		fprintf(f, ", %s/%s", dir, json_string_value(json_object_get(rep, "card")));
	fprintf(f, " in %.2fs\n", json_real_value(json_object_get(
	        json_object_get(rep, "timing"), "seconds")));
}

/* A dry run's estimate: one line per network stage on stderr (requests,
 * tokens, cost when `prices` is set), read from the stages' reports. */
static void print_estimate(json_t *rep)
{
	json_t *st, *d, *j;
	size_t i, k;
	long long llm_cands = 0, llm_recs = 0;   /* what llm stages before would make */
	int any = 0;

	json_array_foreach(json_object_get(rep, "stages"), i, st) {
		const char *name = json_string_value(json_object_get(st, "name"));
		if ((d = json_object_get(st, "dry_run"))) {
			fprintf(stderr, "cfaug: dry run: stage %s: %lld requests, ~%lld prompt + "
			        "~%lld completion tokens", name,
			        (long long)json_integer_value(json_object_get(d, "requests")),
			        (long long)json_integer_value(json_object_get(d, "prompt_tokens_est")),
			        (long long)json_integer_value(json_object_get(d, "completion_tokens_est")));
			if (json_object_get(d, "cost_usd_est"))
				fprintf(stderr, ", ~$%.4f", json_real_value(json_object_get(d, "cost_usd_est")));
			else
				fprintf(stderr, " (no cost: set `prices`)");
			fprintf(stderr, "; %lld samples already cached\n",
			        (long long)json_integer_value(json_object_get(d, "cached_samples")));
			llm_cands += (long long)json_integer_value(json_object_get(d, "samples"));
			llm_recs += (long long)json_integer_value(json_object_get(st, "in_originals"));
			any = 1;
		}
		json_array_foreach(json_object_get(st, "judges"), k, j) {
			if (!json_object_get(j, "dry_run_requests"))
				continue;
			/* an llm stage before makes no candidate in a dry run: its
			 * candidates (one request each) and their originals (one
			 * per record) are added as an upper bound */
			fprintf(stderr, "cfaug: dry run: stage %s: judge %s: %lld requests", name,
			        json_string_value(json_object_get(j, "name")),
			        (long long)json_integer_value(json_object_get(j, "dry_run_requests")));
			if (llm_cands)
				fprintf(stderr, " + up to %lld for the llm stage's candidates "
				        "(%lld candidates, %lld originals)", llm_cands + llm_recs,
				        llm_cands, llm_recs);
			fputc('\n', stderr);
			any = 1;
		}
	}
	if (!any)
		fprintf(stderr, "cfaug: dry run: no stage sends requests\n");
	fprintf(stderr, "cfaug: dry run: no output file was written\n");
}

/* A dry run writes nothing: its report must not list output files or
 * count originals as written (the runner counts what it would write). */
static void mark_nothing_written(json_t *rep)
{
	json_t *t = json_object_get(rep, "totals");

	json_object_set_new(rep, "files", json_array());
	if (t && json_object_get(t, "originals_written"))
		json_object_set_new(t, "originals_written", json_integer(0));
}

static int write_estimate(const char *path, json_t *rep, cf_error *err)
{
	if (json_dump_file(rep, path, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0)
		return cf_error_set(err, CF_EIO, "%s: cannot write the dry run's estimate", path);
	return 0;
}

/* An input path that cannot be read is a mistake in the config: say so
 * with the value's location before anything starts (run and validate).
 * access(), not fopen(): opening a named pipe to test it would block, and
 * closing it again would cut off the writer. */
static int check_input_exists(const cf_conf *conf, cf_error *err)
{
	const cf_node *path = cf_node_get(cf_node_get(conf->root, "input"), "path");

	if (!path || path->type != CF_NODE_SCALAR || strcmp(path->str, "-") == 0)
		return 0;
	if (access(path->str, R_OK) != 0) {
		char cwd[1024];
		int e = errno;
		/* a relative path: say relative to what, as `run` does, and the fix */
		if (path->str[0] != '/' && getcwd(cwd, sizeof cwd))
			return cf_conf_error(err, conf->path, path, "input file '%s' (relative "
			                     "to %s): %s; set input.path, or give it with "
			                     "--set input.path=FILE", path->str, cwd, strerror(e));
		return cf_conf_error(err, conf->path, path, "input file '%s': %s; set "
		                     "input.path, or give it with --set input.path=FILE",
		                     path->str, strerror(e));
	}
	return 0;
}

int cf_cmd_run(int argc, char **argv)
{
	run_args a;
	cf_conf *conf = NULL;
	cf_pipeline *p = NULL;
	cf_error err = { 0 };
	json_t *rep = NULL;
	const cf_node *dir;
	int rc;

	memset(&a, 0, sizeof a);
	if ((rc = parse_args("run", argc, argv, &a)) != 0) {
		free_args(&a);
		return rc < 0 ? CF_EXIT_OK : rc;
	}
	if ((rc = load(&a, &conf, &p, &err)) < 0)
		goto done;
	if ((rc = check_input_exists(conf, &err)) < 0) {
		rc = err.code = CF_EIO;   /* exit 1 as documented for input; validate says 3 */
		goto done;
	}
	if ((rc = check_overwrite(conf, &a, &err)) < 0)
		goto done;
	a.o.progress = !a.o.quiet && isatty(STDERR_FILENO);
	install_signals();
	rc = cf_pipeline_run(p, &a.o, &rep, &err);
	if (rc == 0 && a.o.dry_run) {
		mark_nothing_written(rep);
		print_estimate(rep);   /* even with -q: it is what was asked for */
		if (a.dry_run_file)
			rc = write_estimate(a.dry_run_file, rep, &err);
	} else if (rc == 0 && !a.o.quiet) {
		dir = cf_node_get(cf_node_get(conf->root, "output"), "dir");
		if (dir && strcmp(dir->str, "-") == 0)
			summary(stderr, rep, NULL);
		else
			summary(stdout, rep, dir ? dir->str : "?");
	}
done:
	if (rc < 0)
		fprintf(stderr, "cfaug: %s\n", err.code ? err.msg : cf_strerror(rc));
	json_decref(rep);
	cf_pipeline_free(&p);
	cf_conf_free(&conf);
	free_args(&a);
	return cf_exit_code(rc);
}

int cf_cmd_validate(int argc, char **argv)
{
	run_args a;
	cf_conf *conf = NULL;
	cf_pipeline *p = NULL;
	cf_error err = { 0 };
	int rc;

	memset(&a, 0, sizeof a);
	if ((rc = parse_args("validate", argc, argv, &a)) != 0) {
		free_args(&a);
		return rc < 0 ? CF_EXIT_OK : rc;
	}
	rc = load(&a, &conf, &p, &err);
	if (rc == 0)
		rc = check_input_exists(conf, &err);
	if (rc < 0)
		fprintf(stderr, "cfaug: %s\n", err.code ? err.msg : cf_strerror(rc));
	else
		printf("%s: ok\n", a.pipeline);
	cf_pipeline_free(&p);
	cf_conf_free(&conf);
	free_args(&a);
	return cf_exit_code(rc);
}
