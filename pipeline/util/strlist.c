/* strlist.c - see strlist.h. */
#include <string.h>

#include "strlist.h"

int cf_strlist_index(const cf_strlist *l, const char *v)
{
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (!strcmp(l->v[i], v))
			return (int)i;
	return -1;
}
