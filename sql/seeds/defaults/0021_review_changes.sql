-- The edits a person may ask for when sending a draft back (aicrm.request_changes): each one a
-- writer acts on without parsing English. aicrm.request_changes checks what each type needs.
insert into aicrm.json_schemas (schema_name, description, definition) values
('review.changes', 'A person''s requested changes to a draft, as edits a writer can act on.', '{
  "type": "array", "minItems": 1, "maxItems": 20, "description": "1-20 edits",
  "items": {
    "type": "object", "additionalProperties": false, "required": ["type"],
    "properties": {
      "type": {"type": "string",
               "enum": ["add_key_point", "remove", "shorten", "change_cta", "use_phrase", "avoid_phrase"],
               "description": "add_key_point, remove (a phrase or line), shorten, change_cta, use_phrase or avoid_phrase"},
      "text": {"type": "string", "minLength": 1, "maxLength": 500, "description": "the key point, phrase, line or call to action"},
      "max_words": {"type": "integer", "minimum": 1, "maximum": 20000, "description": "shorten to at most this many words"}
    }
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
