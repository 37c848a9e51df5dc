-- The mapping file of "aicrm import customers" (docs/import.md).
insert into aicrm.json_schemas (schema_name, description, definition) values
('import.mapping', 'How legacy columns map onto customer fields.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "columns": {"type": "object", "additionalProperties": {"type": ["string", "null"]},
                "description": "source column -> customer field (null ignores the column)"},
    "values": {"type": "object", "additionalProperties": {"type": "object"},
               "description": "customer field -> {source value: stored value}"},
    "split": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1},
              "description": "customer field -> list separator inside one cell"},
    "defaults": {"type": "object", "description": "customer field -> value for a field that neither the row nor the existing customer has"},
    "default_brand_voice_by_industry": {"type": "boolean", "description": "give a customer without a brand voice its industry''s default (default true)"},
    "ignore_unknown_columns": {"type": "boolean", "description": "skip columns that are neither mapped nor a customer field (default false)"}
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
