-- The analyst's notice to the strategist of a pattern that worked (or did not): docs/agents.md,
-- "The analyst"; sent by aicrm_private.notify_what_worked. Idempotent.
select aicrm_private.upsert_schema_with_vocabularies(
    'agent_message.notification.what_worked',
    'A pattern of aicrm.what_worked whose interval excludes zero, told by the analyst to the strategist.',
    '{
  "type": "object", "additionalProperties": false,
  "required": ["scope", "channel", "feature", "lift", "interval", "sample_size"],
  "properties": {
    "scope": {"type": "string", "enum": ["customer", "industry", "tenant"]},
    "customer_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a customer id (UUID)"},
    "industry": {"type": "string", "maxLength": 100},
    "channel": {"$ref": "content.channel"},
    "feature": {"type": "string", "maxLength": 100},
    "lift": {"type": "number", "minimum": 0},
    "interval": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number", "minimum": 0}},
    "sample_size": {"type": "integer", "minimum": 0}
  }
}'
);
