-- JSON Schemas of content templates and examples (validated on every write by the row trigger).
-- Channels and purposes are the shared vocabularies of 0000_vocabulary_schemas.sql.
insert into aicrm.json_schemas (schema_name, description, definition) values
('content.variants', 'A/B variants of a template: another subject and/or body under a key.', '{
  "type": "array", "maxItems": 10,
  "items": {
    "type": "object", "additionalProperties": false, "required": ["key"],
    "properties": {
      "key": {"type": "string", "pattern": "^[a-z0-9_]{1,20}$", "description": "a short key such as b"},
      "subject": {"type": ["string", "null"], "maxLength": 300},
      "body": {"type": "string", "minLength": 1, "maxLength": 50000},
      "weight": {"type": "number", "minimum": 0, "maximum": 100}
    }
  }
}'),
('content.annotations', 'Why an example works or fails, one note per aspect.', '{
  "type": "array", "maxItems": 20,
  "items": {
    "type": "object", "additionalProperties": false, "required": ["note"],
    "properties": {
      "aspect": {"type": "string", "enum": ["cta", "tone", "specificity", "structure", "compliance", "length",
                                             "personalisation", "subject", "audience", "other"]},
      "note": {"type": "string", "minLength": 3, "maxLength": 1000, "description": "why the example works or fails"}
    }
  }
}'),
('row.content_templates', 'A content template.', '{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "a template name"},
    "purpose": {"$ref": "content.purpose"},
    "channel": {"$ref": "content.channel"},
    "subject": {"type": ["string", "null"], "maxLength": 300},
    "body": {"type": "string", "minLength": 1, "maxLength": 50000, "description": "the template body, at most 50,000 characters"},
    "guidelines": {"type": ["string", "null"], "maxLength": 5000},
    "variants": {"$ref": "content.variants"}
  }
}'),
('row.content_examples', 'An annotated content example.', '{
  "type": "object",
  "properties": {
    "purpose": {"$ref": "content.purpose"},
    "channel": {"$ref": "content.channel"},
    "subject": {"type": ["string", "null"], "maxLength": 300},
    "content": {"type": "string", "minLength": 1, "maxLength": 50000, "description": "the example text, at most 50,000 characters"},
    "polarity": {"type": "string", "enum": ["positive", "negative"]},
    "annotations": {"$ref": "content.annotations"},
    "effectiveness": {"type": ["number", "null"], "minimum": 0, "maximum": 100, "description": "a score 0-100"},
    "source": {"type": "string", "enum": ["human", "ai", "feedback", "library"]}
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);

-- find_similar_content's filters (validated on every call, twice per task the worker drafts): the
-- channel and purpose vocabularies are copied in when seeded rather than named with $ref, so the
-- schema compiles to the fast SQL/JSON path (docs/quality.md), as task.ai_instructions does.
select aicrm_private.upsert_schema_with_vocabularies(
    'api.similarity_filters',
    'Filters of find_similar_content.',
    '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "channel": {"$ref": "content.channel"},
    "purpose": {"$ref": "content.purpose"},
    "polarity": {"type": "string", "enum": ["positive", "negative"]},
    "source": {"type": "string", "enum": ["human", "ai", "feedback", "library"]},
    "industry": {"type": "string", "maxLength": 100, "description": "an industry category; industry-agnostic examples match too"},
    "customer_id": {"type": "string", "pattern": "^[0-9a-fA-F-]{36}$", "description": "a customer id (UUID); tenant-wide examples match too"},
    "min_effectiveness": {"type": "number", "minimum": 0, "maximum": 100}
  }
}'
);
