/*
 * cfaug/util.h - small helpers every layer may use (implemented in
 * pipeline/util/): hashing and UTF-8 validation.  Declared here, below the
 * stage and reader headers that re-export them, so a utility never has to
 * include a header of a layer above it.
 */
#ifndef CFAUG_UTIL_H
#define CFAUG_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64's finaliser: good low bits from any 64-bit value. */
static inline uint64_t cf_mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* FNV-1a over data[0..len), seeded, then cf_mix64 (pipeline/util/hash64.c).
 * Deterministic across machines: shards and samples derive from it. */
uint64_t cf_hash64(const void *data, size_t len, uint64_t seed);

/* Offset of the first byte of s[0..n) that is not part of valid UTF-8 (or
 * is a NUL byte: *nul is then set to 1), or n if all is valid
 * (pipeline/util/utf8.c). */
size_t cf_utf8_check(const char *s, size_t n, int *nul);

#endif
