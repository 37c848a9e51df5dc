-- assemble_content: a content as aicrm would store it for a customer and channel, with the
-- system-owned parts the compliance packs require (unsubscribe footer, postal address, SMS opt-out,
-- sender identification) added from the customer's profile. For psql users and the benchmarks;
-- stores nothing. The assembly itself: private/tasks/assemble_draft.sql (submit_draft calls it).

create or replace function aicrm.assemble_content(
    p_customer_id uuid,
    p_channel text,
    p_content text,
    p_content_format text default 'text'
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    return aicrm_private.assemble_draft(p_customer_id, p_channel, p_content, p_content_format);
end
$$;

grant execute on function aicrm.assemble_content(uuid, text, text, text) to aicrm_app, aicrm_worker;
