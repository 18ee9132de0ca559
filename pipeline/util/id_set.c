/*
 * id_set.c - see id_set.h.
 */
#include <stdlib.h>
#include "cfaug/sys/stage.h"
#include "id_set.h"

static int put(uint64_t *slot, size_t cap, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (slot[i]) {
		if (slot[i] == h)
			return 0;
		i = (i + 1) & (cap - 1);
	}
	slot[i] = h;
	return 1;
}

int cf_id_set_add(cf_id_set *s, const char *id, size_t len)
{
	uint64_t h = cf_hash64(id, len, 0x1d5e7u);
	size_t i, cap;
	uint64_t *v;
	int r;

	if (!h)
		h = 1;   /* 0 marks an empty slot */
	if (2 * (s->n + 1) > s->cap) {
		cap = s->cap ? 2 * s->cap : 1024;
		if (!(v = calloc(cap, sizeof *v)))
			return -1;
		for (i = 0; i < s->cap; i++)
			if (s->slot[i])
				put(v, cap, s->slot[i]);
		free(s->slot);
		s->slot = v;
		s->cap = cap;
	}
	if ((r = put(s->slot, s->cap, h)) == 1)
		s->n++;
	return r;
}

void cf_id_set_free(cf_id_set *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}
