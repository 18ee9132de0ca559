/*
 * record.c - accessors for items (see include/cfaug/record.h).
 */
#include "cfaug/record.h"
#include "cfaug/sys/stage.h"

const char *cf_item_text(const cf_item *it, const char *field, size_t *len)
{
	json_t *v = json_object_get(it->cf ? it->cf : it->rec->fields, field);

	if (!json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

const char *cf_item_label(const cf_item *it)
{
	if (it->cf)
		return json_string_value(json_object_get(it->cf, "label"));
	return it->rec->label;
}

int cf_item_annotate(cf_item *it, const char *key, json_t *value)
{
	if (!it->notes && !(it->notes = json_object())) {
		json_decref(value);
		return CF_ENOMEM;
	}
	return json_object_set_new(it->notes, key, value) < 0 ? CF_ENOMEM : 0;
}
