-- The roles agents and people fill (aicrm.agent_roles; docs/agents.md, "Roles"), kept in step with
-- this file on every migrate. may_send: the message kinds a role sends; may_read: the message types
-- it may be sent ('*': any); decides: the decisions its messages may carry (a handoff to the
-- publisher needs publish). aicrm.send_agent_message enforces them.
insert into aicrm.agent_roles (role, description, may_send, may_read, decides) values
('strategist', 'Plans the content: what to write for whom, and when.',
 '{handoff,request,response,notification}', '{*}', '{plan,assign}'),
('writer', 'Drafts the content from the customer''s context.',
 '{handoff,request,response,notification}', '{*}', '{draft}'),
('editor', 'Revises drafts and sends them on, back for changes, or to the publisher.',
 '{handoff,request,response,notification}', '{*}', '{approve,request_changes,reject,publish}'),
('compliance', 'Checks drafts against the compliance packs before they go out.',
 '{handoff,request,response,notification}', '{*}', '{approve,request_changes,reject,publish}'),
('publisher', 'Publishes approved content on its channels.',
 '{handoff,request,response,notification}', '{*}', '{publish}'),
('analyst', 'Reads the results and reports on them; hands no work on.',
 '{request,response,notification}', '{*}', '{}'),
('external', 'An agent outside the agency: asks and answers about a customer''s profile, is told things; sees no drafts, decides nothing.',
 '{request,response,notification}',
 '{request.missing_profile_field,response.missing_profile_field,notification.info}', '{}'),
('human', 'A person (an account manager): answers what agents ask people, and decides.',
 '{handoff,request,response,notification}', '{*}', '{approve,request_changes,reject,publish,plan,assign}')
on conflict (role) do update
set description = excluded.description, may_send = excluded.may_send, may_read = excluded.may_read,
    decides = excluded.decides
where (agent_roles.*) is distinct from (excluded.*);
