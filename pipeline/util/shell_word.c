/*
 * shell_word.c - a path or name written as one POSIX shell word.
 */
#include <stdlib.h>
#include <string.h>
#include "shell_word.h"

static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "0123456789._/+-,=:@%";

void cf_shell_word(FILE *f, const char *s)
{
	const char *c;

	if (s[0] == '-')
		fputs("./", f);
	if (s[0] && strspn(s, safe) == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (c = s; *c; c++)
		if (*c == '\'')
			fputs("'\\''", f);
		else
			fputc(*c, f);
	fputc('\'', f);
}

char *cf_shell_word_dup(const char *s)
{
	char *out = NULL;
	size_t n;
	FILE *f = open_memstream(&out, &n);

	if (!f)
		return NULL;
	cf_shell_word(f, s);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
