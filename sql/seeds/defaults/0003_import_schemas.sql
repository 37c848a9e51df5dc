-- The mapping file of "aicrm import customers" (docs/import.md). A target is a customer field or
-- one key of an object field ("address.city"); the meaning of each key is in import_customers.sql
-- and its helpers (sql/functions/private/customers/).
insert into aicrm.json_schemas (schema_name, description, definition) values
('import.mapping', 'How legacy columns map onto customer fields.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "columns": {"type": "object",
                "additionalProperties": {"type": ["string", "null", "array"], "minItems": 1, "uniqueItems": true,
                                         "items": {"type": "string"}},
                "description": "source column -> target, or a list of targets (one column fills several fields), or null to ignore it"},
    "combine": {"type": "object",
                "additionalProperties": {"type": ["array", "object"], "minItems": 1, "uniqueItems": true,
                                         "items": {"type": "string", "minLength": 1},
                                         "additionalProperties": false, "required": ["columns"],
                                         "properties": {
                                           "columns": {"type": "array", "minItems": 1, "uniqueItems": true,
                                                       "items": {"type": "string", "minLength": 1}},
                                           "separator": {"type": "string"}}},
                "description": "text target -> the source columns joined into it, in order (empty cells skipped)"},
    "values": {"type": "object", "additionalProperties": {"type": "object"},
               "description": "target -> {source value: stored value}, matched exactly, else ignoring case"},
    "split": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1},
              "description": "target -> list separator inside one cell"},
    "defaults": {"type": "object", "description": "customer field -> value for a field that neither the row nor the existing customer has"},
    "default_brand_voice_by_industry": {"type": "boolean", "description": "give a customer without a brand voice its industry''s default (default true)"},
    "ignore_unknown_columns": {"type": "boolean", "description": "skip columns that are neither mapped nor a customer field (default false)"},
    "on_duplicate": {"type": "string", "enum": ["error", "first", "last"],
                     "description": "an external_id on several rows of one import: refuse them (default), or import the first or the last"}
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
