/*
 * cmd_merge.c - `cfaug merge -o OUT DIR...`: one output directory from the
 * output directories of `--shard K/N` runs (or of any runs of one pipeline
 * over parts of an input).
 *
 * Data files are concatenated in the order the directories are given
 * (gzip members and zstd frames concatenate into valid streams; a CSV/TSV
 * augmented file keeps the first header only).  The reports are combined:
 * counters summed (totals, errors_by_kind, rejected_by_reason, every
 * stage's integer fields), records_other_shards recomputed as the input's
 * records that no merged shard kept, wall time the longest.  The merge
 * refuses runs of different pipelines (sha256), a shard given twice, runs
 * with different files, and a result whose totals do not reconcile or
 * whose line counts disagree with its totals.  Output is written as
 * OUT/.NAME.part and renamed into place, report.json last, then the
 * dataset card.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "card.h"

#define MERGE_MAX_DIRS 100000

typedef struct merge_args {
	const char *out;
	char **dirs;
	size_t ndirs;
	int quiet;
	int overwrite;   /* --overwrite: OUT may hold another pipeline's output */
} merge_args;

static char *join(const char *dir, const char *name, const char *pre, const char *suf)
{
	size_t n = strlen(dir) + strlen(name) + strlen(pre) + strlen(suf) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s/%s%s%s", dir, pre, name, suf);
	return s;
}

/* Sum b into a: integers add, objects recurse, arrays of objects pair up by
 * index, anything else keeps a's value. */
static void sum_into(json_t *a, json_t *b)
{
	const char *key;
	json_t *bv, *av;
	size_t i;

	if (json_is_object(a) && json_is_object(b)) {
		json_object_foreach(b, key, bv) {
			av = json_object_get(a, key);
			if (!av)
				json_object_set(a, key, bv);
			else if (json_is_integer(av) && json_is_integer(bv))
				json_object_set_new(a, key, json_integer(json_integer_value(av) +
				                                         json_integer_value(bv)));
			else if (json_is_real(av) && json_is_real(bv) && !strcmp(key, "seconds"))
				json_object_set_new(a, key, json_real(json_real_value(av) +
				                                      json_real_value(bv)));
			else
				sum_into(av, bv);
		}
	} else if (json_is_array(a) && json_is_array(b)) {
		for (i = 0; i < json_array_size(a) && i < json_array_size(b); i++)
			sum_into(json_array_get(a, i), json_array_get(b, i));
	}
}

static long long tot(json_t *rep, const char *key)
{
	return (long long)json_integer_value(json_object_get(json_object_get(rep, "totals"), key));
}

static int read_reports(merge_args *a, json_t **reps, cf_error *err)
{
	json_error_t je;
	const char *sha0 = NULL, *sha;
	char *path;
	unsigned char *seen = NULL;
	long long n0 = -1, n, k;
	size_t i;
	int rc = 0;

	for (i = 0; i < a->ndirs; i++) {
		if (!(path = join(a->dirs[i], "report.json", "", "")))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		reps[i] = json_load_file(path, 0, &je);
		if (!reps[i]) {
			rc = cf_error_set(err, CF_EIO, "%s: %s (is '%s' the output directory "
			                  "of a completed run?)", path, je.text, a->dirs[i]);
			free(path);
			goto done;
		}
		free(path);
		sha = json_string_value(json_object_get(json_object_get(reps[i], "pipeline"), "sha256"));
		if (!sha0)
			sha0 = sha;
		if (!sha || !sha0 || strcmp(sha, sha0)) {
			rc = cf_error_set(err, CF_EDATA, "%s was made by another pipeline "
			                  "(sha256 %.12s..., not %.12s... as %s): merge only "
			                  "runs of one pipeline", a->dirs[i], sha ? sha : "?",
			                  sha0 ? sha0 : "?", a->dirs[0]);
			goto done;
		}
		if (!json_equal(json_object_get(reps[i], "files"), json_object_get(reps[0], "files"))) {
			rc = cf_error_set(err, CF_EDATA, "%s holds other files than %s "
			                  "(output.files, compress or augmented_format differ)",
			                  a->dirs[i], a->dirs[0]);
			goto done;
		}
		/* shards: one N, each K once */
		n = json_integer_value(json_object_get(json_object_get(reps[i], "shard"), "n"));
		k = json_integer_value(json_object_get(json_object_get(reps[i], "shard"), "k"));
		if (i == 0) {
			n0 = n;
			if (n > 0 && !(seen = calloc((size_t)n + 1, 1)))
				return cf_error_set(err, CF_ENOMEM, "out of memory");
		}
		if (n != n0) {
			rc = cf_error_set(err, CF_EDATA, "%s is %s, %s is %s: merge the "
			                  "shards of one --shard K/N split", a->dirs[i],
			                  n ? "a shard run" : "not a shard run", a->dirs[0],
			                  n0 ? "a shard run" : "not a shard run");
			goto done;
		}
		if (n > 0 && n == n0) {
			if (k < 1 || k > n || seen[k]) {
				rc = cf_error_set(err, CF_EDATA, "%s: shard %lld/%lld is given "
				                  "twice", a->dirs[i], k, n);
				goto done;
			}
			seen[k] = 1;
		}
	}
	if (n0 > 0 && !a->quiet)
		for (k = 1; k <= n0; k++)
			if (!seen[k])
				fprintf(stderr, "cfaug merge: shard %lld/%lld is not among the "
				        "directories: its records are missing\n", k, n0);
done:
	free(seen);
	return rc;
}

static json_t *merge_reports(merge_args *a, json_t **reps)
{
	json_t *m = json_deep_copy(reps[0]), *from = json_array(), *t;
	static const char *const summed[] = { "totals", "errors_by_kind",
	                                      "rejected_by_reason", "stages", NULL };
	long long input_records = -1, read = 0;
	double longest = 0, s;
	size_t i, k;

	for (i = 0; i < a->ndirs; i++) {
		json_array_append_new(from, json_string(a->dirs[i]));
		/* every shard run reads the whole input */
		if (input_records < 0)
			input_records = tot(reps[i], "records_read") + tot(reps[i], "records_other_shards");
		read += tot(reps[i], "records_read");
		s = json_real_value(json_object_get(json_object_get(reps[i], "timing"), "seconds"));
		longest = s > longest ? s : longest;
		if (i == 0)
			continue;
		for (k = 0; summed[k]; k++)
			sum_into(json_object_get(m, summed[k]), json_object_get(reps[i], summed[k]));
	}
	t = json_object_get(m, "totals");
	if (json_integer_value(json_object_get(json_object_get(m, "shard"), "n")) > 0)
		json_object_set_new(t, "records_other_shards", json_integer(input_records - read));
	else
		json_object_set_new(t, "records_other_shards", json_integer(0));
	json_object_set_new(m, "merged_from", from);
	json_object_set_new(m, "shard", json_null());
	json_object_set_new(m, "timing", json_pack("{s:f}", "seconds", longest));
	return m;
}

/* Lines in a plain file (compressed ones are not counted: -1). */
static long long count_lines(const char *path)
{
	char buf[65536];
	long long n = 0;
	size_t got;
	FILE *f;

	if (strstr(path, ".gz") || strstr(path, ".zst") || !(f = fopen(path, "rb")))
		return -1;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0)
		for (size_t i = 0; i < got; i++)
			n += buf[i] == '\n';
	fclose(f);
	return n;
}

/* Concatenate DIR/name of every dir into OUT/.name.part. */
static int concat(merge_args *a, const char *name, cf_error *err)
{
	int dsv = (strstr(name, ".csv") || strstr(name, ".tsv"));
	int compressed = strstr(name, ".gz") || strstr(name, ".zst");
	char buf[65536], *src = NULL, *part = join(a->out, name, ".", ".part");
	FILE *in = NULL, *out = NULL;
	size_t got, i;
	int rc = 0, fd, c;

	if (!part)
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	if (dsv && compressed) {
		rc = cf_error_set(err, CF_EDATA, "%s: cannot merge compressed CSV/TSV "
		                  "(each part has a header); decompress them first", name);
		goto done;
	}
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		rc = cf_error_set(err, CF_EIO, "%s: %s", part, strerror(errno));
		goto done;
	}
	for (i = 0; i < a->ndirs; i++) {
		free(src);
		if (!(src = join(a->dirs[i], name, "", ""))) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
		if (!(in = fopen(src, "rb"))) {
			rc = cf_error_set(err, CF_EIO, "%s: %s", src, strerror(errno));
			goto done;
		}
		if (dsv && i > 0)   /* the header once */
			while ((c = getc(in)) != EOF && c != '\n')
				;
		while ((got = fread(buf, 1, sizeof buf, in)) > 0)
			if (fwrite(buf, 1, got, out) != got) {
				rc = cf_error_set(err, CF_EIO, "%s: %s", part, strerror(errno));
				goto done;
			}
		if (ferror(in)) {
			rc = cf_error_set(err, CF_EIO, "%s: %s", src, strerror(errno));
			goto done;
		}
		fclose(in);
		in = NULL;
	}
	if (fflush(out) != 0 || fsync(fileno(out)) != 0)
		rc = cf_error_set(err, CF_EIO, "%s: %s", part, strerror(errno));
done:
	if (in)
		fclose(in);
	if (out && fclose(out) != 0 && !rc)
		rc = cf_error_set(err, CF_EIO, "%s: %s", part, strerror(errno));
	if (rc)
		unlink(part);
	free(src);
	free(part);
	return rc;
}

static int check_totals(merge_args *a, json_t *m, cf_error *err)
{
	static const struct { const char *file, *total; } per[] = {
		{ "pairs.jsonl", "accepted" }, { "rejected.jsonl", "rejected" },
		{ "errors.jsonl", "records_errors" }, { NULL, NULL }
	};
	long long lines;
	char *p;

	if (tot(m, "records_read") != tot(m, "records_processed") + tot(m, "records_errors") ||
	    tot(m, "candidates") != tot(m, "accepted") + tot(m, "rejected"))
		return cf_error_set(err, CF_EDATA, "merged totals do not reconcile: "
		                    "read %lld, processed %lld, errors %lld, candidates "
		                    "%lld, accepted %lld, rejected %lld",
		                    tot(m, "records_read"), tot(m, "records_processed"),
		                    tot(m, "records_errors"), tot(m, "candidates"),
		                    tot(m, "accepted"), tot(m, "rejected"));
	for (size_t i = 0; per[i].file; i++) {
		if (!(p = join(a->out, per[i].file, ".", ".part")))
			return cf_error_set(err, CF_ENOMEM, "out of memory");
		lines = count_lines(p);
		free(p);
		if (lines >= 0 && lines != tot(m, per[i].total))
			return cf_error_set(err, CF_EDATA, "merged %s has %lld lines but the "
			                    "reports count %lld %s: a directory was changed "
			                    "after its run", per[i].file, lines,
			                    tot(m, per[i].total), per[i].total);
	}
	return 0;
}

static int write_merged(merge_args *a, json_t *m, cf_error *err)
{
	json_t *files = json_object_get(m, "files"), *v;
	char *part = NULL, *final = NULL;
	size_t i;
	int rc = 0;

	if (mkdir(a->out, 0700) != 0 && errno != EEXIST)
		return cf_error_set(err, CF_EIO, "%s: cannot create directory: %s",
		                    a->out, strerror(errno));
	json_array_foreach(files, i, v)
		if (strcmp(json_string_value(v), "report.json") &&
		    (rc = concat(a, json_string_value(v), err)) < 0)
			goto done;
	if ((rc = check_totals(a, m, err)) < 0)
		goto done;
	if (!(part = join(a->out, "report.json", ".", ".part"))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	if (json_dump_file(m, part, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0) {
		rc = cf_error_set(err, CF_EIO, "%s: write failed", part);
		goto done;
	}
	free(part);
	part = NULL;
	/* in report.files order: the data files, report.json last */
	json_array_foreach(files, i, v) {
		const char *name = json_string_value(v);
		if (!(part = join(a->out, name, ".", ".part")) || !(final = join(a->out, name, "", ""))) {
			rc = cf_error_set(err, CF_ENOMEM, "out of memory");
			goto done;
		}
		if (rename(part, final) != 0) {
			rc = cf_error_set(err, CF_EIO, "%s: cannot rename into place: %s",
			                  final, strerror(errno));
			goto done;
		}
		free(part);
		free(final);
		part = final = NULL;
	}
	rc = cf_card_write(a->out, m, NULL, err);
done:
	if (rc < 0) {   /* leave nothing that looks whole */
		json_array_foreach(files, i, v) {
			char *p = join(a->out, json_string_value(v), ".", ".part");
			if (p)
				unlink(p);
			free(p);
		}
		if ((part = join(a->out, "report.json", ".", ".part")))
			unlink(part);
	}
	free(part);
	free(final);
	return rc;
}

/* As `cfaug run -o`: OUT holding the completed output of another pipeline
 * is replaced only with --overwrite (a mistyped -o must not lose a run). */
static int check_overwrite(const merge_args *a, json_t *first, cf_error *err)
{
	char *path;
	json_t *rep;
	const char *want, *sha, *was;
	int rc = 0;

	if (a->overwrite)
		return 0;
	if (!(path = join(a->out, "report.json", "", "")))
		return cf_error_set(err, CF_ENOMEM, "out of memory");
	rep = json_load_file(path, 0, NULL);
	free(path);
	if (!rep)
		return 0;   /* no completed run there */
	want = json_string_value(json_object_get(json_object_get(first, "pipeline"), "sha256"));
	sha = json_string_value(json_object_get(json_object_get(rep, "pipeline"), "sha256"));
	was = json_string_value(json_object_get(json_object_get(rep, "pipeline"), "path"));
	if (sha && want && strcmp(sha, want))
		rc = cf_error_set(err, CF_EIO, "%s holds the completed output of another "
		                  "pipeline (%s, sha256 %.12s...): choose another directory "
		                  "with -o, or add --overwrite to replace it", a->out,
		                  was ? was : "?", sha);
	json_decref(rep);
	return rc;
}

static int parse(int argc, char **argv, merge_args *a, cf_error *err)
{
	const char *val;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if ((rc = cf_cli_opt(argc, argv, &i, "--output", "-o", 1, &val, err)) < 0)
			return rc;
		if (rc) {
			a->out = val;
			continue;
		}
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			a->quiet = 1;
			continue;
		}
		if (!strcmp(argv[i], "--overwrite")) {
			a->overwrite = 1;
			continue;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
		if (argv[i][0] == '-' && argv[i][1])
			return cf_cli_usage_error(err, "unknown option '%s'", argv[i]);
		if (a->ndirs == MERGE_MAX_DIRS)
			return cf_cli_usage_error(err, "more than %s directories", "100000");
		a->dirs[a->ndirs++] = argv[i];
	}
	if (!a->out)
		return cf_cli_usage_error(err, "%s", "missing -o OUT, the merged directory");
	if (!a->ndirs)
		return cf_cli_usage_error(err, "%s", "no directories to merge");
	for (size_t k = 0; k < a->ndirs; k++) {
		struct stat x, y;
		if (stat(a->dirs[k], &x) == 0 && stat(a->out, &y) == 0 &&
		    x.st_dev == y.st_dev && x.st_ino == y.st_ino)
			return cf_cli_usage_error(err, "-o %s is one of the directories to merge",
			                          a->out);
	}
	return 0;
}

int cf_cmd_merge(int argc, char **argv)
{
	merge_args a = { 0 };
	json_t **reps = NULL, *m = NULL;
	cf_error err = { 0 };
	size_t i;
	int rc;

	if (!(a.dirs = calloc((size_t)argc + 1, sizeof *a.dirs)) ||
	    !(reps = calloc((size_t)argc + 1, sizeof *reps))) {
		rc = cf_error_set(&err, CF_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = parse(argc, argv, &a, &err)) != 0) {
		if (rc == 1) {
			cf_cli_usage("merge", stdout);
			rc = 0;
		} else {
			fprintf(stderr, "cfaug merge: %s\n(see 'cfaug help merge')\n", err.msg);
		}
		goto done;
	}
	if ((rc = read_reports(&a, reps, &err)) < 0 ||
	    (rc = check_overwrite(&a, reps[0], &err)) < 0)
		goto done;
	if (!(m = merge_reports(&a, reps))) {
		rc = cf_error_set(&err, CF_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = write_merged(&a, m, &err)) < 0)
		goto done;
	if (!a.quiet)
		printf("cfaug: merged %zu director%s into %s: %lld records read, %lld "
		       "errors, %lld accepted, %lld rejected\n", a.ndirs,
		       a.ndirs == 1 ? "y" : "ies", a.out,
		       tot(m, "records_read"), tot(m, "records_errors"),
		       tot(m, "accepted"), tot(m, "rejected"));
done:
	if (rc < 0 && err.code != CF_EUSAGE)
		fprintf(stderr, "cfaug merge: %s\n", err.code ? err.msg : cf_strerror(rc));
	for (i = 0; reps && i < a.ndirs; i++)
		json_decref(reps[i]);
	free(reps);
	free(a.dirs);
	json_decref(m);
	/* a refused merge is a failed command (1), not bad input records (4) */
	return rc == CF_EDATA ? CF_EXIT_RUNTIME : cf_exit_code(rc);
}
