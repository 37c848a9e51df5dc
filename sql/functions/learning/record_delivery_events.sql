-- Outcomes in (docs/learning.md): record_delivery_events, per-recipient events in the normal form,
-- and record_provider_events, a provider's webhook body as it comes (normalize_delivery_events).

-- A batch of 1-1000 events in the normal form (schema delivery.event; docs/learning.md): each
-- names its delivery by delivery_id or by the outbox_id the publisher sent (X-Aicrm-Outbox-Id),
-- its recipient by address (kept as a hash only) or by recipient_hash. An event a provider sent
-- before (same provider and provider_event_id) changes nothing. Every delivery the batch touched
-- gets its events folded into its counters (unique recipients per event; see
-- aicrm_private.fold_delivery_events). All or nothing: AC001 naming events[i].<field>, AC002
-- events[i].delivery_id (or .outbox_id) for a delivery not delivered in the caller's tenant.
create or replace function aicrm.record_delivery_events(p_events jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_event jsonb;
    v_i integer;
    v_field text;
    v_delivery uuid;
    v_at timestamptz;
    v_touched uuid[] := '{}';
    v_recorded integer := 0;
    v_rows jsonb := '[]';
    v_id uuid;
begin
    if jsonb_typeof(p_events) is distinct from 'array' or jsonb_array_length(p_events) not between 1 and 1000 then
        raise exception using errcode = 'AC001', message = 'events: must be an array of 1-1000 events',
            hint = 'Pass events in the normal form (docs/learning.md), or a provider''s body to record_provider_events.',
            column = 'events';
    end if;
    for v_event, v_i in select e.value, e.n - 1 from jsonb_array_elements(p_events) with ordinality as e (value, n) loop
        v_field := format('events[%s]', v_i);
        perform aicrm_private.assert_json_valid('delivery.event', v_event, v_field);
        if (v_event ? 'delivery_id') = (v_event ? 'outbox_id') then
            raise exception using errcode = 'AC001', message = v_field || '.delivery_id: give delivery_id or outbox_id, one of them',
                hint = 'The delivery (aicrm.deliveries) or the outbox row the publisher sent.', column = v_field || '.delivery_id';
        end if;
        if (v_event ? 'recipient') = (v_event ? 'recipient_hash') then
            raise exception using errcode = 'AC001', message = v_field || '.recipient: give recipient or recipient_hash, one of them',
                hint = 'The address the event is about (kept hashed only), or its hash.', column = v_field || '.recipient';
        end if;
        begin
            v_at := (v_event ->> 'occurred_at')::timestamptz;
        exception when others then
            raise exception using errcode = 'AC001',
                message = format('%s.occurred_at: %s is not a time', v_field, quote_literal(left(v_event ->> 'occurred_at', 64))),
                hint = 'Pass an ISO 8601 time with its offset, e.g. 2026-05-01T09:30:00Z.', column = v_field || '.occurred_at';
        end;
        if v_event ? 'delivery_id' then
            v_delivery := (v_event ->> 'delivery_id')::uuid;
            perform from aicrm.deliveries as d
            where d.tenant_id = v_tenant and d.delivery_id = v_delivery and d.status = 'delivered';
            if not found then
                raise exception using errcode = 'AC002',
                    message = format('%s.delivery_id: no delivered delivery %s in this tenant', v_field, v_delivery),
                    hint = 'Pass the delivery_id of a delivered row of aicrm.deliveries.', column = v_field || '.delivery_id';
            end if;
        else
            v_id := (v_event ->> 'outbox_id')::uuid;
            select d.delivery_id into v_delivery from aicrm.deliveries as d
            where d.tenant_id = v_tenant and d.outbox_id = v_id and d.status = 'delivered';
            if not found then
                raise exception using errcode = 'AC002',
                    message = format('%s.outbox_id: no delivered outbox row %s in this tenant', v_field, v_id),
                    hint = 'Pass the X-Aicrm-Outbox-Id the publisher sent.', column = v_field || '.outbox_id';
            end if;
        end if;
        insert into aicrm.delivery_events (tenant_id, delivery_id, event, recipient_hash, occurred_at, provider,
                                           provider_event_id, url, revenue, raw)
        values (v_tenant, v_delivery, v_event ->> 'event',
                coalesce(lower(v_event ->> 'recipient_hash'), aicrm_private.recipient_hash(v_tenant, v_event ->> 'recipient')),
                v_at, v_event ->> 'provider', v_event ->> 'provider_event_id', v_event ->> 'url',
                round((v_event ->> 'revenue')::numeric, 2), coalesce(v_event -> 'raw', '{}'))
        on conflict (tenant_id, provider, provider_event_id) do nothing;
        if found then
            v_recorded := v_recorded + 1;
            if not v_delivery = any (v_touched) then
                v_touched := v_touched || v_delivery;
            end if;
        end if;
    end loop;
    -- Deliveries in one order, so two batches about the same deliveries do not deadlock.
    for v_delivery in select t.id from unnest(v_touched) as t (id) order by t.id loop
        perform aicrm_private.lock_delivery_metrics(v_delivery, 'delivery_id');
        v_rows := v_rows || aicrm_private.delivery_metrics_json(aicrm_private.fold_delivery_events(v_delivery));
    end loop;
    return jsonb_build_object('received', jsonb_array_length(p_events), 'recorded', v_recorded,
        'duplicates', jsonb_array_length(p_events) - v_recorded, 'deliveries', v_rows);
end
$$;

revoke execute on function aicrm.record_delivery_events(jsonb) from public;
grant execute on function aicrm.record_delivery_events(jsonb) to aicrm_app, aicrm_worker;

-- A provider's event webhook body as it is POSTed (SendGrid, Mailgun, Postmark), so a PostgREST
-- or Supabase RPC endpoint can be the webhook's URL: normalize_delivery_events maps it, events
-- that are not ours (no aicrm_outbox_id) or that the normal form has no place for are ignored,
-- and the rest recorded as record_delivery_events records them.
create or replace function aicrm.record_provider_events(p_provider text, p_payload jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_normal jsonb := aicrm.normalize_delivery_events(p_provider, p_payload);
    v_total integer := case jsonb_typeof(p_payload) when 'array' then jsonb_array_length(p_payload) else 1 end;
    v_answer jsonb;
begin
    perform aicrm_private.require_tenant();
    if jsonb_array_length(v_normal) = 0 then
        v_answer := jsonb_build_object('received', 0, 'recorded', 0, 'duplicates', 0, 'deliveries', '[]'::jsonb);
    else
        v_answer := aicrm.record_delivery_events(v_normal);
    end if;
    return v_answer || jsonb_build_object('provider', p_provider, 'ignored', v_total - jsonb_array_length(v_normal));
end
$$;

revoke execute on function aicrm.record_provider_events(text, jsonb) from public;
grant execute on function aicrm.record_provider_events(text, jsonb) to aicrm_app, aicrm_worker;
