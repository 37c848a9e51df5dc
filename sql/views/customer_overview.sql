-- One row per customer: how complete its business context is, who to talk to, what is running.
-- security_invoker: the caller's row-level security applies, so a tenant sees only its own.
create or replace view aicrm.customer_overview
with (security_invoker = true)
as
select
    c.tenant_id,
    c.customer_id,
    c.external_id,
    c.name,
    c.status,
    c.industry_category,
    c.industry_subcategory,
    c.context_version,
    c.context_updated_at,
    -- Share of the seven context sections filled in, 0-100: what an agent can rely on.
    (
        (c.business_description is not null)::integer
        + (cardinality(c.unique_selling_points) > 0)::integer
        + (c.products_services <> '[]')::integer
        + (c.target_audience <> '{}')::integer
        + (c.business_hours <> '{}')::integer
        + (c.brand_voice <> '{}')::integer
        + (c.content_preferences <> '{}')::integer
    ) * 100 / 7 as context_completeness,
    coalesce(k.contacts, 0) as contacts,
    coalesce(k.email_opt_in, 0) as contacts_email_opt_in,
    coalesce(p.active_projects, 0) as active_projects,
    coalesce(t.open_tasks, 0) as open_tasks
from aicrm.customers as c
left join lateral (
    select
        count(*) as contacts,
        count(*) filter (where cc.email_opt_in) as email_opt_in
    from aicrm.customer_contacts as cc
    where cc.tenant_id = c.tenant_id and cc.customer_id = c.customer_id
) as k on true
left join lateral (
    select count(*) as active_projects
    from aicrm.projects as pr
    where pr.tenant_id = c.tenant_id and pr.customer_id = c.customer_id and pr.status = 'active'
) as p on true
left join lateral (
    select count(*) as open_tasks
    from aicrm.project_tasks as pt
    where pt.tenant_id = c.tenant_id and pt.customer_id = c.customer_id and pt.status in ('todo', 'in_progress')
) as t on true;

grant select on aicrm.customer_overview to aicrm_app, aicrm_worker, aicrm_readonly;
