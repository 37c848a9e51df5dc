-- The JSON Schema of a project's brief (aicrm.create_project_brief; docs/agents.md, "The strategist:
-- from a project brief to tasks"). Its instruction fields (topic, purpose, audience, key_points,
-- offer, event, links, avoid_topics) are copied from task.ai_instructions (0007, vocabularies
-- already resolved) and its channels are the keys of content.channel (0000), each list written
-- once: a brief accepted here gives every task of its plan instructions the task schema accepts,
-- and a new channel or purpose changes the brief with them (then "aicrm migrate"). Idempotent.
with
task as (
    select s.definition -> 'properties' as p
    from aicrm.json_schemas as s
    where s.schema_name = 'task.ai_instructions'
),

channel as (
    select jsonb_object_agg(
        c.name, '{"type": "integer", "minimum": 1, "maximum": 20, "description": "a number of pieces 1-20"}'::jsonb
    ) as properties
    from aicrm.json_schemas as s
    cross join lateral jsonb_array_elements_text(s.definition -> 'enum') as c (name)
    where s.schema_name = 'content.channel'
)

insert into aicrm.json_schemas (schema_name, description, definition)
select
    'project.brief' as schema_name,
    'A project''s brief: what the strategist plans the content tasks from (aicrm.create_project_brief).'
    as description,
    jsonb_build_object(
        'type', 'object',
        'additionalProperties', false,
        'required', '["goals", "audience", "channels", "starts_on", "ends_on", "topic"]'::jsonb,
        'properties', jsonb_build_object(
            'goals', '{"type": "array", "minItems": 1, "maxItems": 5, "description": "1-5 goals",
                       "items": {"type": "string", "minLength": 1, "maxLength": 300}}'::jsonb,
            'audience', task.p -> 'audience' || '{"type": "string", "minLength": 1}',
            'channels', jsonb_build_object(
                'type', 'object', 'additionalProperties', false, 'properties', channel.properties
            ),
            'starts_on', '{"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                           "description": "a date such as 2027-03-01"}'::jsonb,
            'ends_on', '{"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                         "description": "a date such as 2027-03-31, from starts_on to a year after it"}'::jsonb,
            'topic', task.p -> 'topic' || '{"type": "string", "minLength": 1}',
            'purpose', task.p -> 'purpose',
            'key_points', task.p -> 'key_points',
            'offer', task.p -> 'offer',
            'event', task.p -> 'event',
            'links', task.p -> 'links',
            'avoid_topics', task.p -> 'avoid_topics',
            -- a strategist's proposed plan (a model's): each channel's pieces with their own due date,
            -- title, angle (topic), the brief's key points they carry and call to action
            'pieces', jsonb_build_object(
                'type', 'array', 'minItems', 1, 'maxItems', 100, 'description', 'the planned pieces, 1-100',
                'items', jsonb_build_object(
                    'type', 'object', 'additionalProperties', false,
                    'required', '["channel", "piece", "due_on"]'::jsonb,
                    'properties', jsonb_build_object(
                        'channel', '{"$ref": "content.channel"}'::jsonb,
                        'piece', '{"type": "integer", "minimum": 1, "maximum": 20, "description": "1-20"}'::jsonb,
                        'due_on', '{"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                                    "description": "a date such as 2027-03-08, from starts_on to ends_on"}'::jsonb,
                        'title', '{"type": "string", "minLength": 1, "maxLength": 300}'::jsonb,
                        'topic', task.p -> 'topic' || '{"type": "string", "minLength": 1}',
                        'key_points', task.p -> 'key_points',
                        'cta', task.p -> 'cta',
                        'why', '{"type": "string", "minLength": 1, "maxLength": 500,
                                 "description": "why this piece, in a sentence"}'::jsonb
                    )
                )
            )
        )
    ) as definition
from task cross join channel
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
