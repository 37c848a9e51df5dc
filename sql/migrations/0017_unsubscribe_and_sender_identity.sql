-- Unsubscribe links and sender identity (docs/pipeline.md, "Merge tags and unsubscribe links";
-- docs/adr/0011-unsubscribe-links.md). Over SMTP aicrm is the sending service: it fills an email's
-- merge tags per recipient, signs each recipient's unsubscribe link with a key of the tenant, records
-- an unsubscribe (aicrm.record_unsubscribe) and sends nothing more to that address for that customer.
-- The functions are repeatable (sql/functions/pipeline/unsubscribe.sql).

-- Who asked for no more email from a customer: one row per customer and address (lower case),
-- whether or not the address is one of the customer's contacts. Written only by
-- aicrm.record_unsubscribe; a person who wants a re-subscribed address to get email again deletes
-- the row (and sets the contact's email_opt_in), both audited.
create table aicrm.email_suppressions (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    customer_id uuid not null,
    email text not null,
    email_key text generated always as (lower(email)) stored,
    reason text not null default 'unsubscribed',
    source text not null default 'unsubscribe link',
    created_at timestamptz not null default now(),
    constraint email_suppressions_pkey primary key (tenant_id, customer_id, email_key),
    constraint email_suppressions_customer_fkey foreign key (tenant_id, customer_id)
    references aicrm.customers (tenant_id, customer_id) on delete cascade,
    constraint email_suppressions_reason_check check (reason in ('unsubscribed')),
    constraint email_suppressions_email_check check (email like '%_@_%' and char_length(email) <= 320)
);

alter table aicrm.email_suppressions enable row level security;
alter table aicrm.email_suppressions force row level security;
create policy email_suppressions_all_own on aicrm.email_suppressions
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

grant select on aicrm.email_suppressions to aicrm_app, aicrm_worker, aicrm_readonly;
grant delete on aicrm.email_suppressions to aicrm_app;

-- The key each tenant's unsubscribe tokens are signed with (HMAC-SHA256), made on the tenant's first
-- email. No role but the owner reads it: the SECURITY DEFINER functions that mint and verify tokens.
create table aicrm_private.unsubscribe_keys (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    secret bytea not null,
    created_at timestamptz not null default now(),
    constraint unsubscribe_keys_pkey primary key (tenant_id),
    constraint unsubscribe_keys_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade,
    constraint unsubscribe_keys_secret_check check (octet_length(secret) = 64)
);

alter table aicrm_private.unsubscribe_keys enable row level security;
alter table aicrm_private.unsubscribe_keys force row level security;
create policy unsubscribe_keys_all_own on aicrm_private.unsubscribe_keys
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

-- A customer's sender identity: its emails go From "<email_from_name> <email_from_address>" instead
-- of the publisher's AICRM_PUBLISH_SMTP_FROM (set with aicrm.set_email_sender). Not business
-- context: changing it bumps no context version.
alter table aicrm.customers
add column email_from_name text,
add column email_from_address text,
add constraint customers_email_from_address_check
-- The pattern of task.ai_instructions' recipients (sql/seeds/defaults/0007_quality_schemas.sql).
check (email_from_address ~ '^[A-Za-z0-9._%+''-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$'
    and char_length(email_from_address) <= 254),
add constraint customers_email_from_name_check
check (email_from_name !~ '[[:cntrl:]]' and char_length(email_from_name) between 1 and 100),
add constraint customers_email_from_check check (email_from_name is null or email_from_address is not null);
