-- The vocabularies several schemas share, each list written once: a task's instructions are
-- checked against the same list as the step that later reads them (the templates and examples
-- the context offers, find_similar_content's filters, the brand voice the scorecard compares), so
-- a value accepted when a task is written is never refused further down the pipeline. The other
-- schemas name these with $ref. First of the default seeds, so every schema written after them
-- can refer to them. An enum without a type: whatever the value (a number, null), the error lists
-- the allowed ones. Idempotent.
insert into aicrm.json_schemas (schema_name, description, definition) values
('content.channel', 'Where a piece of content is published.', '{
  "enum": ["email", "social", "sms", "blog", "web"]
}'),
('content.purpose', 'What a piece of content is for: the purposes of templates and examples.', '{
  "enum": ["welcome", "promotion", "newsletter", "re_engagement", "event", "review_request", "announcement", "other"]
}'),
('content.output_type', 'The kind of piece a task asks for (its task_type).', '{
  "enum": ["email", "newsletter", "social_post", "blog_post", "sms", "landing_page", "ad_copy"]
}'),
('content.tone', 'A tone of a brand voice, or of a task that overrides it.', '{
  "enum": [
    "approachable", "authoritative", "bold", "calm", "caring", "casual", "confident", "empathetic",
    "energetic", "enthusiastic", "expert", "friendly", "inspiring", "luxurious", "playful",
    "professional", "reassuring", "trustworthy", "warm", "witty"]
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
