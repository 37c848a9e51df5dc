-- Routing (docs/agents.md, "Who gets what"): the tenant's `routing` rules choose who a task is
-- addressed to when it needs someone — a person's review, an answer only a person knows — a role
-- or one agent (a person is an agent of role human). The choice is kept on the task (the review
-- queue shows and filters by it) with the rule that made it.
alter table aicrm.project_tasks
add column routed_role text,
add column routed_agent_id uuid,
add column routed_by jsonb,
add constraint project_tasks_routed_agent_fkey foreign key (tenant_id, routed_agent_id)
references aicrm.ai_agents (tenant_id, agent_id) on delete set null (routed_agent_id),
add constraint project_tasks_routed_check check (routed_role is null or routed_agent_id is null);

create index project_tasks_routed_agent on aicrm.project_tasks (tenant_id, routed_agent_id)
where routed_agent_id is not null;
