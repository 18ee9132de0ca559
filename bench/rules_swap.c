/*
 * rules_swap.c - drive the rules engine without the runner (benchmark and
 * development tool, not part of the library or the tests).
 *
 * Usage: rules_swap [-d both|a_to_b|b_to_a] [-f FIELD] [-q] PACK|FILE.tsv...
 *   Reads stdin line by line.  Without -f each line is a text; with -f each
 *   line is a JSON object whose string FIELD is rewritten (CDA: the original
 *   line and, when an edit fired, the counterfactual are written).  -q
 *   writes nothing (times the engine alone).  Figures go to stderr.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../stages/rules/rules.h"

int main(int argc, char **argv)
{
	cf_rules *r = NULL;
	cf_rules_out o = { 0 };
	cf_error err = { 0 };
	cf_rules_dir dir = CF_RULES_BOTH;
	const char *field = NULL;
	char *line = NULL;
	size_t cap = 0, nrec = 0, nedit = 0, bytes = 0;
	uint64_t amb[CF_AMB_COUNT] = { 0 };
	ssize_t n;
	int i, quiet = 0, rc = 1;
	struct timespec t0, t1;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			i++;
			dir = !strcmp(argv[i], "a_to_b") ? CF_RULES_A_TO_B :
			      !strcmp(argv[i], "b_to_a") ? CF_RULES_B_TO_A : CF_RULES_BOTH;
		} else if (!strcmp(argv[i], "-f") && i + 1 < argc) {
			field = argv[++i];
		} else if (!strcmp(argv[i], "-q")) {
			quiet = 1;
		}
	}
	if (cf_rules_new(&r, dir, &err) < 0)
		goto done;
	for (; i < argc; i++) {
		int e = strchr(argv[i], '.') || strchr(argv[i], '/') ?
		        cf_rules_add_lexicon_file(r, NULL, argv[i], &err) :
		        cf_rules_add_pack(r, argv[i], &err);
		if (e < 0)
			goto done;
	}
	if (cf_rules_compile(r, &err) < 0)
		goto done;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		bytes += (size_t)n + 1;
		nrec++;
		if (!field) {
			int k = cf_rules_apply(r, line, (size_t)n, &o, amb);
			if (k < 0)
				goto done;
			nedit += (size_t)(k > 0);
			if (!quiet)
				printf("%s\n", o.text);
			continue;
		}
		json_error_t je;
		json_t *obj = json_loadb(line, (size_t)n, 0, &je), *v;
		if (!obj || !(v = json_object_get(obj, field)) || !json_is_string(v)) {
			json_decref(obj);
			continue;
		}
		int k = cf_rules_apply(r, json_string_value(v), json_string_length(v),
		                       &o, amb);
		if (k < 0) {
			json_decref(obj);
			goto done;
		}
		if (!quiet)
			fwrite(line, 1, (size_t)n, stdout), putchar('\n');
		if (k > 0) {
			nedit++;
			json_object_set_new(obj, field, json_stringn(o.text, o.len));
			if (!quiet) {
				char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
				if (s)
					puts(s);
				free(s);
			}
		}
		json_decref(obj);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double sec = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "records %zu edited %zu bytes %zu seconds %.3f MB/s %.1f "
	        "her->his %llu her->him %llu his->her %llu his->hers %llu\n",
	        nrec, nedit, bytes, sec, bytes / 1e6 / (sec > 0 ? sec : 1e-9),
	        (unsigned long long)amb[CF_HER_TO_HIS],
	        (unsigned long long)amb[CF_HER_TO_HIM],
	        (unsigned long long)amb[CF_HIS_TO_HER],
	        (unsigned long long)amb[CF_HIS_TO_HERS]);
	rc = 0;
done:
	if (err.code)
		fprintf(stderr, "rules_swap: %s\n", err.msg);
	free(line);
	cf_rules_out_free(&o);
	cf_rules_free(&r);
	return rc;
}
