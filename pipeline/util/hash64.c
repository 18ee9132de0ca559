/*
 * hash64.c - deterministic hashing (include/cfaug/util.h).  Everything
 * random in cfaug derives from (seed, record id, salt) through cf_hash64,
 * so a record gets the same choice whatever shard, chunk or thread it is
 * processed in.  FNV-1a over the bytes, then a splitmix64 finaliser for
 * good low bits (shards use x % N).
 */
#include "cfaug/util.h"

uint64_t cf_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *s = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ cf_mix64(seed);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return cf_mix64(h ^ len);
}
