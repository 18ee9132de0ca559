/*
 * hash.c - per-record randomness (cf_hash64 itself: pipeline/util/hash64.c).
 *
 * A stage's choice for a record derives from (the pipeline's seed, the
 * record's id, a salt), so a record gets the same choice whatever shard,
 * chunk or thread it is processed in.
 */
#include <string.h>
#include "cfaug/sys/stage.h"
#include "runner.h"

uint64_t cf_record_rand(const cf_stage *st, const cf_record *rec, uint64_t salt)
{
	uint64_t seed = st && st->p ? cf_pipeline_seed(st->p) : 0;

	return cf_mix64(cf_hash64(rec->id, strlen(rec->id), seed) ^ cf_mix64(salt));
}
