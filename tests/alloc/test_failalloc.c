/*
 * test_failalloc.c - allocation-failure injection over whole pipelines.
 *
 * Linked with -Wl,--wrap for malloc, calloc, realloc, strdup and strndup,
 * so every allocation made by cfaug's own code (the static core library)
 * goes through the wrappers below, and jansson's too (the core routes them
 * through pipeline/util/json_alloc.c, compiled into the same library).  A clean run counts its allocations (K); then the
 * same run is repeated with the N-th allocation failing, for every N up to
 * K (or a stride over them when K is large).  Each run must end with a
 * negative code and a message, or succeed with output byte-identical to
 * the clean run; never crash.  In the sanitizer build LeakSanitizer checks
 * at exit that no failed run leaked, and ASan that no error path touched
 * freed memory.  Not injected: allocations inside libyaml, PCRE2, libcurl
 * and libc itself (stdio buffers), which have no hooks we use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <execinfo.h>
#include "runner.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long counter;     /* allocations seen since arming */
static long fail_at;     /* 1-based allocation to fail; 0 = none */
static int armed;

static long trace_at;     /* CFAUG_FAILALLOC_TRACE=N: print where N fails */

static int should_fail(void)
{
	if (!armed || ++counter != fail_at)
		return 0;
	if (trace_at == fail_at) {   /* a debugging aid: who asked? */
		void *bt[32];
		int n = backtrace(bt, 32);
		backtrace_symbols_fd(bt, n, 2);
	}
	return 1;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return should_fail() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return should_fail() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return should_fail() ? NULL : __real_strndup(s, n); }


static char tmpdir[64];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *s;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = __real_malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	if (s)
		s[n] = '\0';
	fclose(f);
	return s;
}

/* One run of yaml (with %s for the output dir) failing allocation n. */
static int run_once(const char *yaml_fmt, const char *out, long n, cf_error *err)
{
	char yaml[2048], dir[128];
	cf_conf *conf = NULL;
	cf_pipeline *p = NULL;
	cf_run_opts o = { .quiet = 1 };
	int rc;

	snprintf(dir, sizeof dir, "%s/%s", tmpdir, out);
	snprintf(yaml, sizeof yaml, yaml_fmt, tmpdir, dir);
	counter = 0;
	fail_at = n;
	armed = 1;
	rc = cf_conf_load_buffer(&conf, "failalloc.yaml", yaml, strlen(yaml), err);
	if (rc == 0)
		rc = cf_pipeline_new(&p, conf, err);
	if (rc == 0)
		rc = cf_pipeline_run(p, &o, NULL, err);
	cf_pipeline_free(&p);
	cf_conf_free(&conf);
	armed = 0;
	return rc;
}

static const char *const files[] = {
	"pairs.jsonl", "augmented.jsonl", "rejected.jsonl", "errors.jsonl", NULL
};

static int same_outputs(const char *a, const char *b)
{
	char pa[256], pb[256];
	int i, same = 1;

	for (i = 0; files[i] && same; i++) {
		char *x, *y;
		snprintf(pa, sizeof pa, "%s/%s/%s", tmpdir, a, files[i]);
		snprintf(pb, sizeof pb, "%s/%s/%s", tmpdir, b, files[i]);
		x = slurp(pa);
		y = slurp(pb);
		same = x && y && strcmp(x, y) == 0;
		free(x);
		free(y);
	}
	return same;
}

/* Returns the number of failures found. */
static int inject(const char *name, const char *yaml_fmt)
{
	cf_error err = { 0 };
	long total, n, stride, runs = 0, failed_cleanly = 0, tolerated = 0;
	int bad = 0, rc;
	const char *only = getenv("CFAUG_FAILALLOC_ONLY");

	if (only && !strstr(name, only))   /* debugging aid: one case only */
		return 0;
	if ((rc = run_once(yaml_fmt, "ref", 0, &err)) != 0) {
		printf("FAIL - %s: clean run failed: %s\n", name, err.msg);
		return 1;
	}
	total = counter;
	stride = total > 4000 ? total / 4000 + 1 : 1;
	for (n = 1; n <= total; n += stride) {
		memset(&err, 0, sizeof err);
		rc = run_once(yaml_fmt, "inj", n, &err);
		runs++;
		if (rc < 0) {
			if (!err.msg[0]) {
				printf("FAIL - %s: allocation %ld: error %d without a message\n", name, n, rc);
				bad++;
			}
			failed_cleanly++;
		} else if (!same_outputs("ref", "inj")) {
			printf("FAIL - %s: allocation %ld failed, the run succeeded, "
			       "but its output differs\n", name, n);
			bad++;
		} else {
			tolerated++;
		}
	}
	printf("%s - %s: %ld allocations in a clean run; %ld runs with one failing: "
	       "%ld stopped with an error, %ld succeeded with identical output\n",
	       bad ? "FAIL" : "ok  ", name, total, runs, failed_cleanly, tolerated);
	return bad;
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w"))) {
		fputs(text, f);
		fclose(f);
	}
}

int main(void)
{
	int bad = 0, cases = 0;
	char cmd[128];

	if (getenv("CFAUG_FAILALLOC_TRACE"))
		trace_at = atol(getenv("CFAUG_FAILALLOC_TRACE"));
	strcpy(tmpdir, "/tmp/cfaug-failalloc-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	write_file("in.jsonl",
	           "{\"id\":\"a\",\"text\":\"He said his sister loved her job.\",\"label\":\"pos\"}\n"
	           "{\"id\":\"b\",\"text\":\"Not JSON\n"
	           "{\"id\":\"c\",\"text\":\"The film was good and Mary liked it.\",\"label\":\"neg\"}\n"
	           "{\"id\":\"d\",\"text\":\"Odd\",\"label\":\"zzz\"}\n"
	           "{\"id\":\"e\",\"text\":\"She is not the best man here.\",\"label\":\"pos\"}\n");
	write_file("in.csv", "id,text,label\n1,\"A \"\"quoted\"\" Text\",pos\n2,plain text,neg\n3,,pos\n");

	bad += inject("rules gender+names CDA on JSONL",
	        "seed: 5\n"
	        "input: {path: %s/in.jsonl, id_field: id, text_fields: [text],"
	        " label_field: label, labels: [pos, neg]}\n"
	        "stages:\n"
	        "  - {type: rules, packs: [gender, names]}\n"
	        "  - {type: rules, name: flip, packs: [antonyms, negation],"
	        " label: {pos: neg, neg: pos}}\n"
	        "  - {type: edit_filter, max_ratio: 0.5}\n"
	        "output: {dir: %s}\n");
	cases++;
	bad += inject("case + reorder + edit_filter on CSV",
	        "input: {path: %s/in.csv, id_field: id, text_fields: [text], label_field: label}\n"
	        "stages: [{type: case, to: upper}, {type: reorder, hold: 2},"
	        " {type: edit_filter, max_ratio: 0.6}]\n"
	        "output: {dir: %s}\n");
	cases++;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		bad++;
	printf("%d passed, %d failed\n", cases - (bad ? 1 : 0), bad ? 1 : 0);
	return bad ? 1 : 0;
}
