/*
 * fuzz_conf.c - libFuzzer target for the pipeline-file loader.
 *
 * Input: the bytes of a YAML file.  Loads it, walks every node computing its
 * path, and runs an option table over the root and every mapping, so the
 * loader, the located messages and every option type see hostile input.
 * Any crash, leak or sanitizer report is a bug; config errors are expected.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cfaug/conf.h"

typedef struct fz {
	char *s;
	long n;
	double d;
	int b, e;
	cf_strlist l;
	cf_strmap m;
	const cf_node *node;
} fz;

static const char *const choices[] = { "a", "b", NULL };
static const cf_option table[] = {
	{ .key = "s", .type = CF_OPT_STRING, .offset = offsetof(fz, s), .def = "x" },
	{ .key = "n", .type = CF_OPT_INT, .offset = offsetof(fz, n), .min = -5, .max = 5 },
	{ .key = "d", .type = CF_OPT_DOUBLE, .offset = offsetof(fz, d) },
	{ .key = "b", .type = CF_OPT_BOOL, .offset = offsetof(fz, b) },
	{ .key = "e", .type = CF_OPT_ENUM, .offset = offsetof(fz, e), .choices = choices },
	{ .key = "l", .type = CF_OPT_STRLIST, .offset = offsetof(fz, l) },
	{ .key = "m", .type = CF_OPT_STRMAP, .offset = offsetof(fz, m) },
	{ .key = "node", .type = CF_OPT_NODE, .offset = offsetof(fz, node) },
	{ .key = NULL }
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const cf_node *n)
{
	static const char *const skip[] = { "type", NULL };
	char path[128];
	cf_error err;
	fz st;
	size_t i;

	cf_node_path(n, path, sizeof path);
	if (n->type == CF_NODE_MAP) {
		memset(&st, 0, sizeof st);
		memset(&err, 0, sizeof err);
		cf_options_load(table, &st, n, "f.yaml", skip, &err);
		cf_options_free(table, &st);
	}
	for (i = 0; i < n->nkids; i++)
		walk(n->kids[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cf_conf *conf = NULL;
	cf_error err;

	memset(&err, 0, sizeof err);
	if (cf_conf_load_buffer(&conf, "f.yaml", (const char *)data, size, &err) == 0) {
		walk(conf->root);
		memset(&err, 0, sizeof err);
		cf_conf_set(conf, "a.0.b=1", &err);
		walk(conf->root);
	}
	cf_conf_free(&conf);
	return 0;
}
