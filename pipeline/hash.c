/*
 * hash.c - deterministic hashing and per-record randomness.
 *
 * Everything random in cfaug derives from (seed, record id, salt) through
 * these functions, so a record gets the same choice whatever shard, chunk
 * or thread it is processed in.  FNV-1a over the bytes, then a splitmix64
 * finaliser for good low bits (shards use x % N).
 */
#include <string.h>
#include "cfaug/sys/stage.h"
#include "runner.h"

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t cf_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *s = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ mix64(seed);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return mix64(h ^ len);
}

uint64_t cf_record_rand(const cf_stage *st, const cf_record *rec, uint64_t salt)
{
	uint64_t seed = st && st->p ? cf_pipeline_seed(st->p) : 0;

	return mix64(cf_hash64(rec->id, strlen(rec->id), seed) ^ mix64(salt));
}
