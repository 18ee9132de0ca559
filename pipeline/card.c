/*
 * card.c - README.md in the output directory: a Hugging Face dataset card.
 *
 * YAML front matter with `configs` (one per data file a loader wants:
 * augmented, the default, and pairs) so `datasets.load_dataset(DIR)` and a
 * Hub upload of the folder find the right files, then the provenance in
 * Markdown: tool and version, the pipeline's path and sha256, the seed,
 * the stages with their packs, models and prompts, the input, and the
 * report's totals.  Everything comes from report.json and the pipeline
 * file, whose stages are read through option tables (stage_rows below;
 * conf may be NULL: stages are then listed from the report), so the card
 * says nothing the report and the pipeline do not.
 *
 * Written after the output set is committed, as DIR/.README.md.part
 * renamed into place.  A README.md that cfaug did not write (no marker
 * line) is left alone with a warning: it is the user's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "card.h"

#define CARD_MARKER "<!-- written by cfaug: rewritten on every run -->"

/* A YAML double-quoted scalar: JSON's string escapes are YAML's. */
static void yq(FILE *f, const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	fputs(t ? t : "\"\"", f);
	free(t);
	json_decref(j);
}

static int has_file(json_t *files, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(files, i, v)
		if (!strcmp(json_string_value(v), name))
			return 1;
	return 0;
}

/* The written file whose name starts with prefix ("augmented."), or NULL. */
static const char *file_like(json_t *files, const char *prefix)
{
	json_t *v;
	size_t i;

	json_array_foreach(files, i, v)
		if (!strncmp(json_string_value(v), prefix, strlen(prefix)))
			return json_string_value(v);
	return NULL;
}

/* What the card says of a stage and of each of its judges: a view of the
 * pipeline through option tables (cf_options_pick; the stages' own tables
 * have checked every mapping before the run).  The STRLIST rows of
 * stage_rows are the provenance keys, printed in table order; a scalar
 * reads as a list of one. */
typedef struct card_top {
	cf_nodelist stages;
} card_top;

typedef struct card_stage {
	char *type, *name;
	cf_strlist packs, lexicons, model, prompt, base_url;
	cf_nodelist judges;
} card_stage;

typedef struct card_judge {
	char *kind;
	cf_strlist model;
} card_judge;

#define ROW(T, k, t, f) { .key = (k), .type = (t), .offset = offsetof(T, f) }
static const cf_option top_rows[] = {
	ROW(card_top, "stages", CF_OPT_NODELIST, stages),
	{ .key = NULL }
};
static const cf_option stage_rows[] = {
	ROW(card_stage, "type", CF_OPT_STRING, type),
	ROW(card_stage, "name", CF_OPT_STRING, name),
	ROW(card_stage, "packs", CF_OPT_STRLIST, packs),
	ROW(card_stage, "lexicons", CF_OPT_STRLIST, lexicons),
	ROW(card_stage, "model", CF_OPT_STRLIST, model),
	ROW(card_stage, "prompt", CF_OPT_STRLIST, prompt),
	ROW(card_stage, "base_url", CF_OPT_STRLIST, base_url),
	ROW(card_stage, "judges", CF_OPT_NODELIST, judges),
	{ .key = NULL }
};
static const cf_option judge_rows[] = {
	ROW(card_judge, "kind", CF_OPT_STRING, kind),
	ROW(card_judge, "model", CF_OPT_STRLIST, model),
	{ .key = NULL }
};
#undef ROW

/* "`a`, `b`" */
static void list_line(FILE *f, const cf_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s`%s`", i ? ", " : "", l->v[i]);
}

/* The line of the stage mapping st into f; 0 or an error of the view. */
static int stage_line(FILE *f, const cf_node *st, const char *file,
                      cf_error *err)
{
	card_stage cs = { 0 };
	card_judge cj;
	const cf_option *o;
	int rc;

	if ((rc = cf_options_pick(stage_rows, &cs, st, file, err)) < 0)
		return rc;
	fprintf(f, "  - `%s`", cs.type ? cs.type : "?");
	if (cs.name)
		fprintf(f, " (%s)", cs.name);
	for (o = stage_rows; o->key; o++) {
		const cf_strlist *l = (const void *)((const char *)&cs + o->offset);

		if (o->type == CF_OPT_STRLIST && l->n) {
			fprintf(f, "; %s: ", o->key);
			list_line(f, l);
		}
	}
	for (size_t k = 0; k < cs.judges.n; k++) {
		memset(&cj, 0, sizeof cj);
		if ((rc = cf_options_pick(judge_rows, &cj, cs.judges.v[k], file,
		                          err)) < 0)
			break;
		fprintf(f, "; judge %s", cj.kind ? cj.kind : "?");
		if (cj.model.n) {
			fprintf(f, " ");
			list_line(f, &cj.model);
		}
		cf_options_free(judge_rows, &cj);
	}
	fprintf(f, "\n");
	cf_options_free(stage_rows, &cs);
	return rc;
}

/* The stage lines of the pipeline conf, as a new string, or NULL when the
 * view cannot be read (the caller lists the report's stages instead). */
static char *stage_lines(const cf_conf *conf)
{
	card_top top = { { 0 } };
	cf_error err = { 0 };
	char *text = NULL;
	size_t len = 0, i;
	FILE *m;
	int rc;

	if (!(m = open_memstream(&text, &len)))
		return NULL;
	rc = cf_options_pick(top_rows, &top, conf->root, conf->path, &err);
	if (rc == 0 && !top.stages.n)
		fprintf(m, "  - (no stages: records copied)\n");
	for (i = 0; rc == 0 && i < top.stages.n; i++)
		rc = stage_line(m, top.stages.v[i], conf->path, &err);
	if (fclose(m) != 0 || rc < 0) {
		free(text);
		text = NULL;
	}
	return text;
}

static void front_matter(FILE *f, json_t *files)
{
	const char *aug = file_like(files, "augmented."), *pairs = file_like(files, "pairs.");

	fprintf(f, "---\n");
	if (aug || pairs) {
		fprintf(f, "configs:\n");
		if (aug) {
			fprintf(f, "- config_name: augmented\n  default: true\n  data_files:\n"
			           "  - split: train\n    path: ");
			yq(f, aug);
			fprintf(f, "\n");
		}
		if (pairs) {
			fprintf(f, "- config_name: pairs\n%s  data_files:\n"
			           "  - split: train\n    path: ", aug ? "" : "  default: true\n");
			yq(f, pairs);
			fprintf(f, "\n");
		}
	}
	fprintf(f, "tags:\n- counterfactual\n- data-augmentation\n- cfaug\n---\n");
}

static void body(FILE *f, json_t *rep, const cf_conf *conf)
{
	json_t *pl = json_object_get(rep, "pipeline"), *in = json_object_get(rep, "input");
	json_t *tot = json_object_get(rep, "totals"), *files = json_object_get(rep, "files");
	json_t *shard = json_object_get(rep, "shard"), *v;
	const char *key;
	char *lines;
	size_t i;

	fprintf(f, CARD_MARKER "\n\n# Counterfactual data made with cfaug\n\n");
	fprintf(f, "Each input record is kept (`source: original`) and followed by its "
	           "accepted counterfactuals (`source: counterfactual`, with a "
	           "`pair_id`); `pairs` holds each counterfactual next to its "
	           "original with the rules or model that made it.\n\n");
	fprintf(f, "```python\nfrom datasets import load_dataset\n"
	           "ds = load_dataset(\"path/to/this/folder\")            # augmented\n"
	           "pairs = load_dataset(\"path/to/this/folder\", \"pairs\")\n```\n\n");
	fprintf(f, "## Provenance\n\n");
	fprintf(f, "- tool: %s %s\n", json_string_value(json_object_get(rep, "tool")),
	        json_string_value(json_object_get(rep, "version")));
	fprintf(f, "- pipeline: `%s`, sha256 `%s`\n",
	        json_string_value(json_object_get(pl, "path")),
	        json_string_value(json_object_get(pl, "sha256")));
	fprintf(f, "- seed: %lld\n", (long long)json_integer_value(json_object_get(rep, "seed")));
	if (json_is_object(shard))
		fprintf(f, "- shard: %lld of %lld\n",
		        (long long)json_integer_value(json_object_get(shard, "k")),
		        (long long)json_integer_value(json_object_get(shard, "n")));
	fprintf(f, "- input: `%s` (%s, compression %s, %lld bytes)\n",
	        json_string_value(json_object_get(in, "path")),
	        json_string_value(json_object_get(in, "format")),
	        json_string_value(json_object_get(in, "compression")),
	        (long long)json_integer_value(json_object_get(in, "bytes")));
	fprintf(f, "- stages:\n");
	if (conf && (lines = stage_lines(conf))) {
		fputs(lines, f);
		free(lines);
	} else {   /* cfaug merge: the pipeline file may be elsewhere */
		json_array_foreach(json_object_get(rep, "stages"), i, v)
			fprintf(f, "  - `%s` (%s)\n",
			        json_string_value(json_object_get(v, "type")),
			        json_string_value(json_object_get(v, "name")));
	}
	if (json_is_array(json_object_get(rep, "merged_from"))) {
		fprintf(f, "- merged by `cfaug merge` from:");
		json_array_foreach(json_object_get(rep, "merged_from"), i, v)
			fprintf(f, " `%s`", json_string_value(v));
		fprintf(f, "\n");
	}
	fprintf(f, "\n## Counts\n\n| count | value |\n|---|---|\n");
	json_object_foreach(tot, key, v)
		fprintf(f, "| %s | %lld |\n", key, (long long)json_integer_value(v));
	if (json_object_size(json_object_get(rep, "rejected_by_reason"))) {
		fprintf(f, "\nRejected candidates by reason:");
		json_object_foreach(json_object_get(rep, "rejected_by_reason"), key, v)
			fprintf(f, " %s %lld;", key, (long long)json_integer_value(v));
		fprintf(f, "\n");
	}
	fprintf(f, "\n## Files\n\n");
	json_array_foreach(files, i, v)
		fprintf(f, "- `%s`\n", json_string_value(v));
	fprintf(f, "\nreport.json has every figure; `man cfaug` describes each file.\n");
}

int cf_card_write(const char *dir, json_t *rep, const cf_conf *conf, cf_error *err)
{
	char *path = NULL, *part = NULL, head[4096];
	size_t got;
	size_t n = strlen(dir) + 32;
	FILE *f = NULL;
	int fd, rc = 0;

	if (!has_file(json_object_get(rep, "files"), "report.json") &&
	    !json_array_size(json_object_get(rep, "files")))
		return 0;
	if (!(path = malloc(n)) || !(part = malloc(n))) {
		rc = cf_error_set(err, CF_ENOMEM, "out of memory");
		goto done;
	}
	snprintf(path, n, "%s/README.md", dir);
	snprintf(part, n, "%s/.README.md.part", dir);
	if ((f = fopen(path, "r"))) {   /* only ever replace our own card */
		got = fread(head, 1, sizeof head - 1, f);
		head[got] = '\0';
		fclose(f);
		f = NULL;
		if (!strstr(head, CARD_MARKER)) {
			fprintf(stderr, "cfaug: %s exists and was not written by cfaug: "
			        "left alone, no dataset card written (output.card: false "
			        "to silence this)\n", path);
			goto done;
		}
	}
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		rc = cf_error_set(err, CF_EIO, "%s: %s", part, strerror(errno));
		goto done;
	}
	front_matter(f, json_object_get(rep, "files"));
	body(f, rep, conf);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		rc = cf_error_set(err, CF_EIO, "%s: write failed: %s", part, strerror(errno));
		fclose(f);
		unlink(part);
		goto done;
	}
	fclose(f);
	if (rename(part, path) != 0) {
		rc = cf_error_set(err, CF_EIO, "%s: cannot rename into place: %s", path,
		                  strerror(errno));
		unlink(part);
	}
done:
	free(path);
	free(part);
	return rc;
}
