/*
 * id_set.h - the record ids seen so far, to find duplicates (internal).
 *
 * Holds a 64-bit hash per id, not the id: 16 bytes per distinct record at
 * most (open addressing, load <= 1/2), so a 10M-record input costs 160 MB
 * at worst and the set is only made when input.id_field is set.  Two
 * different ids share a hash with probability ~n^2 / 2^65 (3e-8 for 1M
 * records): such a pair would be reported as a duplicate.
 */
#ifndef CF_ID_SET_H
#define CF_ID_SET_H

#include <stddef.h>
#include <stdint.h>

typedef struct cf_id_set {
	uint64_t *slot;      /* 0 = empty */
	size_t cap, n;       /* cap a power of two */
} cf_id_set;

/* Add id: 1 when it is new, 0 when it was seen before, -1 out of memory. */
int cf_id_set_add(cf_id_set *s, const char *id, size_t len);

void cf_id_set_free(cf_id_set *s);

#endif
