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
    "defaults": {"type": "object", "description": "customer field -> value when the row gives none"},
    "default_brand_voice_by_industry": {"type": "boolean"},
    "ignore_unknown_columns": {"type": "boolean"}
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
