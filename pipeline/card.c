/*
 * card.c - README.md in the output directory: a Hugging Face dataset card.
 *
 * YAML front matter with `configs` (one per data file a loader wants:
 * augmented, the default, and pairs) so `datasets.load_dataset(DIR)` and a
 * Hub upload of the folder find the right files, then the provenance in
 * Markdown: tool and version, the pipeline's path and sha256, the seed,
 * the stages with their packs, models and prompts, the input, and the
 * report's totals.  Everything comes from report.json and the pipeline
 * file (conf may be NULL: stages are then listed from the report), so the
 * card says nothing the report does not.
 *
 * Written after the output set is committed, as DIR/.README.md.part
 * renamed into place.  A README.md that cfaug did not write (no marker
 * line) is left alone with a warning: it is the user's.
 */
#include <errno.h>
#include <fcntl.h>
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

/* A scalar or a sequence of scalars of a stage's node, joined by ", ". */
static void node_list(FILE *f, const cf_node *n)
{
	if (!n)
		return;
	if (n->type == CF_NODE_SCALAR) {
		fprintf(f, "`%s`", n->str);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->type == CF_NODE_SCALAR)
			fprintf(f, "%s`%s`", i ? ", " : "", n->kids[i]->str);
}

static void stage_lines(FILE *f, const cf_conf *conf)
{
	const cf_node *stages = cf_node_get(conf->root, "stages"), *st, *j;
	static const char *const keys[] = { "packs", "lexicons", "model", "prompt",
	                                    "base_url", NULL };

	if (!stages || stages->type != CF_NODE_SEQ || !stages->nkids) {
		fprintf(f, "  - (no stages: records copied)\n");
		return;
	}
	for (size_t i = 0; i < stages->nkids; i++) {
		st = stages->kids[i];
		fprintf(f, "  - `%s`", cf_node_get(st, "type") ? cf_node_get(st, "type")->str : "?");
		if (cf_node_get(st, "name"))
			fprintf(f, " (%s)", cf_node_get(st, "name")->str);
		for (size_t k = 0; keys[k]; k++)
			if (cf_node_get(st, keys[k])) {
				fprintf(f, "; %s: ", keys[k]);
				node_list(f, cf_node_get(st, keys[k]));
			}
		j = cf_node_get(st, "judges");
		for (size_t k = 0; j && j->type == CF_NODE_SEQ && k < j->nkids; k++) {
			const cf_node *m = cf_node_get(j->kids[k], "model");
			fprintf(f, "; judge %s", cf_node_get(j->kids[k], "kind")
			        ? cf_node_get(j->kids[k], "kind")->str : "?");
			if (m) {
				fprintf(f, " ");
				node_list(f, m);
			}
		}
		fprintf(f, "\n");
	}
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
	if (conf) {
		stage_lines(f, conf);
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
