-- A project's brief (issue 18; docs/agents.md, "The strategist: from a project brief to tasks"):
-- what the strategist plans the project's content tasks from. Written only by
-- aicrm.create_project_brief, which validates it against the stored schema project.brief
-- (seeds/defaults/0019_project_brief_schema.sql) and plans the tasks; null until a brief is set.
alter table aicrm.projects
add column brief jsonb,
add column brief_updated_at timestamptz;
