-- What aicrm.record_content_feedback accepts (docs/agents.md, "Feedback on a draft"): an agent's or
-- a person's judgement of a draft, which decides nothing. Idempotent.
insert into aicrm.json_schemas (schema_name, description, definition) values
('api.content_feedback', 'Feedback on a draft: a rating and/or a comment, tags, anything else measured.', '{
  "type": "object", "additionalProperties": false, "required": ["source"],
  "properties": {
    "source": {"type": "string", "enum": ["agent", "reviewer"], "description": "agent (an AI agent) or reviewer (a person)"},
    "agent_id": {"type": ["string", "null"], "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "the tenant''s agent that gives it (UUID)"},
    "rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5, "description": "1 (poor) to 5 (excellent)"},
    "comment": {"type": ["string", "null"], "minLength": 1, "maxLength": 4000, "description": "text, 1-4,000 characters"},
    "tags": {
      "type": "array", "maxItems": 20, "uniqueItems": true, "description": "at most 20 distinct tags",
      "items": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$", "description": "a lower-case tag such as off_brand or too-long (1-40 of a-z, 0-9, _ and -)"}
    },
    "payload": {"type": "object", "description": "anything else measured, a JSON object of at most 16 KiB"}
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
