/*
 * datafile.c - the one search order for shipped data files (datafile.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "datafile.h"

static const struct {
	const char *dir, *env;
} kinds[] = {
	[CF_DATA_PROMPTS]  = { "prompts", "CFAUG_PROMPTS" },
	[CF_DATA_LEXICONS] = { "lexicons", "CFAUG_LEXICONS" },
};

static int readable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, R_OK) == 0;
}

/* Try DIR/BASE (or BASE when dir is NULL): 1 if found, into out; the place
 * is appended to the "looked in" list either way. */
static int try_place(const char *dir, const char *base, char *out,
                     size_t outsz, char *looked, size_t lsz)
{
	size_t used = strlen(looked);
	int n = dir ? snprintf(out, outsz, "%s/%s", dir, base)
	            : snprintf(out, outsz, "%s", base);

	if (n > 0 && (size_t)n < outsz && readable(out))
		return 1;
	if (used < lsz)
		snprintf(looked + used, lsz - used, "%s%s", used ? ", " : "",
		         n > 0 ? out : base);
	return 0;
}

int cf_datafile_find(cf_datakind kind, const char *name, int flags,
                     char *out, size_t outsz, cf_error *err)
{
	const char *dir = kinds[kind].dir, *env = getenv(kinds[kind].env);
	const char *base = name;
	size_t dl = strlen(dir);
	char looked[CF_ERRMSG_MAX] = "";
	char d[4096];

	if ((flags & CF_DATAFILE_AS_GIVEN) &&
	    try_place(NULL, name, out, outsz, looked, sizeof looked))
		return 0;
	if (name[0] != '/') {
		if (strncmp(name, dir, dl) == 0 && name[dl] == '/')
			base = name + dl + 1;
		if (env && *env &&
		    try_place(env, base, out, outsz, looked, sizeof looked))
			return 0;
		snprintf(d, sizeof d, "%s/%s", CFAUG_SRCDIR, dir);
		if (try_place(d, base, out, outsz, looked, sizeof looked))
			return 0;
		snprintf(d, sizeof d, "%s/%s", CFAUG_DATADIR, dir);
		if (try_place(d, base, out, outsz, looked, sizeof looked))
			return 0;
	}
	if (outsz)
		out[0] = '\0';
	return cf_error_set(err, CF_ECONFIG, "looked in %s", looked);
}
