/*
 * card.h - the dataset card written next to the outputs (card.c).
 */
#ifndef CF_CARD_H
#define CF_CARD_H

#include <jansson.h>
#include "cfaug/conf.h"

/* Write DIR/README.md from the run's report (borrowed) and its pipeline:
 * YAML front matter (configs -> data_files of the written augmented and
 * pairs files) and the provenance; conf may be NULL (cfaug merge).  A README.md without cfaug's marker is
 * left alone (warning on stderr, returns 0).  Returns 0 or CF_EIO/CF_ENOMEM. */
int cf_card_write(const char *dir, json_t *report, const cf_conf *conf,
                  cf_error *err);

#endif
