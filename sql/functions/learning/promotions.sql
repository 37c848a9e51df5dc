-- What worked (docs/learning.md, "Promotions"): a draft made a positive or negative example, by the
-- learning loop (process_ai_feedback) or by a person, and its reversal. Both audited (the
-- audit log has every promotion row's insert and update, and the example's insert and delete).

-- A person makes a deliverable an example: p_polarity positive (worth copying) or negative (to
-- avoid), p_reason why (1-2,000 characters; the example's annotation), p_by who (else the JWT's
-- subject, else the role). Once per deliverable and polarity: a second call changes nothing
-- (created false). AC001 deliverable_id, polarity, reason, by; AC002 deliverable_id. Returns the
-- promotion row with created.
create or replace function aicrm.promote_example(
    p_deliverable_id uuid, p_polarity text, p_reason text, p_by text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_by text := aicrm_private.alert_actor(p_by);
    v_id uuid;
    v_row aicrm.learning_promotions;
begin
    if p_deliverable_id is null then
        raise exception using errcode = 'AC001', column = 'deliverable_id', message = 'deliverable_id: is required';
    end if;
    if p_polarity is null or p_polarity not in ('positive', 'negative') then
        raise exception using errcode = 'AC001', column = 'polarity',
            message = format('polarity: %s is not positive or negative', coalesce(quote_literal(left(p_polarity, 50)), 'null'));
    end if;
    if p_reason is null or p_reason !~ '[^[:space:]]' or char_length(p_reason) > 2000 then
        raise exception using errcode = 'AC001', column = 'reason', message = 'reason: say why, in 1-2,000 characters',
            hint = 'It becomes the example''s annotation, what a writer reads.';
    end if;
    if char_length(v_by) > 200 then
        raise exception using errcode = 'AC001', column = 'by', message = 'by: over 200 characters';
    end if;
    if not exists (select from aicrm.project_deliverables as d
                   where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id) then
        raise exception using errcode = 'AC002', column = 'deliverable_id',
            message = format('deliverable_id: no deliverable %s in this tenant', p_deliverable_id);
    end if;
    perform pg_advisory_xact_lock(hashtextextended(format('%s:promotion:%s:%s', v_tenant, p_deliverable_id, p_polarity), 0));
    v_id := aicrm_private.promote_deliverable(p_deliverable_id, p_polarity, btrim(p_reason),
                                              jsonb_build_object('by', 'person'), v_by);
    select * into v_row from aicrm.learning_promotions as p
    where p.tenant_id = v_tenant and p.deliverable_id = p_deliverable_id and p.polarity = p_polarity;
    return to_jsonb(v_row) || jsonb_build_object('created', v_id is not null);
end
$$;

revoke execute on function aicrm.promote_example(uuid, text, text, text) from public;
grant execute on function aicrm.promote_example(uuid, text, text, text) to aicrm_app;

-- A person takes a promotion back: its example is deleted (writers no longer see it) and the
-- promotion is kept, marked reversed with p_reason and p_by, so the job does not make it again.
-- A promotion reversed before is left as it is (changed false). AC001 promotion_id, reason, by;
-- AC002 promotion_id. Returns the promotion row with changed.
create or replace function aicrm.reverse_promotion(p_promotion_id uuid, p_reason text, p_by text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_by text := aicrm_private.alert_actor(p_by);
    v_row aicrm.learning_promotions;
    v_example uuid;
begin
    if p_promotion_id is null then
        raise exception using errcode = 'AC001', column = 'promotion_id', message = 'promotion_id: is required';
    end if;
    if p_reason is null or p_reason !~ '[^[:space:]]' or char_length(p_reason) > 2000 then
        raise exception using errcode = 'AC001', column = 'reason', message = 'reason: say why, in 1-2,000 characters';
    end if;
    if char_length(v_by) > 200 then
        raise exception using errcode = 'AC001', column = 'by', message = 'by: over 200 characters';
    end if;
    select * into v_row from aicrm.learning_promotions as p
    where p.tenant_id = v_tenant and p.promotion_id = p_promotion_id
    for update;
    if not found then
        raise exception using errcode = 'AC002', column = 'promotion_id',
            message = format('promotion_id: no promotion %s in this tenant', p_promotion_id);
    end if;
    if v_row.reversed_at is not null then
        return to_jsonb(v_row) || jsonb_build_object('changed', false);
    end if;
    v_example := v_row.example_id;
    -- the promotion first: deleting the example first would null its example_id in a change of its own
    update aicrm.learning_promotions as p
    set example_id = null, reversed_at = clock_timestamp(), reversed_by = v_by, reversal_reason = btrim(p_reason)
    where p.tenant_id = v_tenant and p.promotion_id = p_promotion_id
    returning * into v_row;
    delete from aicrm.content_examples as e where e.tenant_id = v_tenant and e.example_id = v_example;
    return to_jsonb(v_row) || jsonb_build_object('changed', true);
end
$$;

revoke execute on function aicrm.reverse_promotion(uuid, text, text) from public;
grant execute on function aicrm.reverse_promotion(uuid, text, text) to aicrm_app;
