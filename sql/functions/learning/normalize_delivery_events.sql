-- Outcomes in (docs/learning.md, "Providers"): normalize_delivery_events, a provider's event
-- webhook body in the normal form record_delivery_events takes.

-- SendGrid (an array of events; our id in the unique/custom args, which SendGrid puts at the
-- event's top level), Mailgun (one {"signature", "event-data"} per request, or an array of them;
-- our id in event-data."user-variables"), Postmark (one event per request; our id in Metadata).
-- The publisher sends our id with every email (runner/smtp.py: X-SMTPAPI unique_args,
-- X-Mailgun-Variables, X-PM-Metadata-aicrm_outbox_id), so each event names its outbox row as
-- aicrm_outbox_id. Left out: events without it (another sender on the same account), and events
-- the normal form has no place for (SendGrid processed, deferred, dropped, group_resubscribe;
-- Mailgun accepted, temporary failures, stored; Postmark soft bounces, a subscription change that
-- re-enables sending). raw keeps what the provider said without addresses or IPs. Reads
-- nothing, writes nothing. AC001 provider for a provider it does not know, payload for a body
-- that is not that provider's shape.
create or replace function aicrm.normalize_delivery_events(p_provider text, p_payload jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_uuid constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
    v_items jsonb;
    v_e jsonb;
    v_kind text;
    v_event text;
    v_out jsonb := '[]';
    v_at text;
begin
    if p_provider is null or p_provider not in ('sendgrid', 'mailgun', 'postmark') then
        raise exception using errcode = 'AC001',
            message = format('provider: %s is not a provider aicrm maps', coalesce(quote_literal(left(p_provider, 50)), 'null')),
            hint = 'Use sendgrid, mailgun or postmark; other sources send the normal form to record_delivery_events.',
            column = 'provider';
    end if;
    v_items := case when jsonb_typeof(p_payload) = 'array' then p_payload
                    when jsonb_typeof(p_payload) = 'object' then jsonb_build_array(p_payload) end;
    if v_items is null or jsonb_array_length(v_items) > 1000
       or exists (select from jsonb_array_elements(v_items) as x where jsonb_typeof(x) <> 'object') then
        raise exception using errcode = 'AC001', message = format('payload: not a %s event webhook body', p_provider),
            hint = 'Pass the body as the provider POSTs it: an event object, or an array of at most 1000.',
            column = 'payload';
    end if;
    for v_e in select x from jsonb_array_elements(v_items) as x loop
        if p_provider = 'sendgrid' then
            v_kind := v_e ->> 'event';
            v_event := case v_kind when 'delivered' then 'delivered' when 'open' then 'open' when 'click' then 'click'
                                   when 'bounce' then 'bounce' when 'spamreport' then 'complaint'
                                   when 'unsubscribe' then 'unsubscribe' when 'group_unsubscribe' then 'unsubscribe' end;
            if v_event is not null and v_e ->> 'aicrm_outbox_id' ~ v_uuid and v_e ->> 'sg_event_id' is not null
               and jsonb_typeof(v_e -> 'timestamp') = 'number' and v_e ->> 'email' is not null then
                v_out := v_out || jsonb_strip_nulls(jsonb_build_object(
                    'outbox_id', v_e ->> 'aicrm_outbox_id', 'event', v_event, 'recipient', v_e ->> 'email',
                    'occurred_at', to_timestamp((v_e ->> 'timestamp')::double precision),
                    'provider', 'sendgrid', 'provider_event_id', v_e ->> 'sg_event_id',
                    'url', case when v_event = 'click' then v_e ->> 'url' end,
                    'raw', jsonb_strip_nulls(jsonb_build_object('event', v_kind, 'sg_message_id', v_e -> 'sg_message_id',
                        'type', v_e -> 'type', 'reason', v_e -> 'reason', 'status', v_e -> 'status'))));
            end if;
        elsif p_provider = 'mailgun' then
            v_e := coalesce(v_e -> 'event-data', v_e);  -- the webhook wraps it; the events API does not
            v_kind := v_e ->> 'event';
            v_event := case v_kind when 'delivered' then 'delivered' when 'opened' then 'open' when 'clicked' then 'click'
                                   when 'unsubscribed' then 'unsubscribe' when 'complained' then 'complaint'
                                   when 'failed' then case when v_e ->> 'severity' = 'permanent' then 'bounce' end end;
            if v_event is not null and v_e #>> '{user-variables,aicrm_outbox_id}' ~ v_uuid and v_e ->> 'id' is not null
               and jsonb_typeof(v_e -> 'timestamp') = 'number' and v_e ->> 'recipient' is not null then
                v_out := v_out || jsonb_strip_nulls(jsonb_build_object(
                    'outbox_id', v_e #>> '{user-variables,aicrm_outbox_id}', 'event', v_event,
                    'recipient', v_e ->> 'recipient',
                    'occurred_at', to_timestamp((v_e ->> 'timestamp')::double precision),
                    'provider', 'mailgun', 'provider_event_id', v_e ->> 'id',
                    'url', case when v_event = 'click' then v_e ->> 'url' end,
                    'raw', jsonb_strip_nulls(jsonb_build_object('event', v_kind,
                        'message_id', v_e #> '{message,headers,message-id}', 'severity', v_e -> 'severity',
                        'reason', v_e -> 'reason', 'code', v_e #> '{delivery-status,code}'))));
            end if;
        else
            v_kind := v_e ->> 'RecordType';
            v_event := case v_kind when 'Delivery' then 'delivered' when 'Open' then 'open' when 'Click' then 'click'
                                   when 'SpamComplaint' then 'complaint'
                                   when 'Bounce' then case when v_e ->> 'Type' = 'HardBounce'
                                                           or (v_e -> 'Inactive') = 'true' then 'bounce' end
                                   when 'SubscriptionChange' then case when (v_e -> 'SuppressSending') = 'true'
                                                                       then 'unsubscribe' end end;
            v_at := coalesce(v_e ->> 'DeliveredAt', v_e ->> 'ReceivedAt', v_e ->> 'BouncedAt', v_e ->> 'ChangedAt');
            if v_event is not null and v_e #>> '{Metadata,aicrm_outbox_id}' ~ v_uuid and v_e ->> 'MessageID' is not null
               and v_at is not null and coalesce(v_e ->> 'Recipient', v_e ->> 'Email') is not null then
                v_out := v_out || jsonb_strip_nulls(jsonb_build_object(
                    'outbox_id', v_e #>> '{Metadata,aicrm_outbox_id}', 'event', v_event,
                    'recipient', coalesce(v_e ->> 'Recipient', v_e ->> 'Email'), 'occurred_at', v_at,
                    'provider', 'postmark',
                    -- Postmark numbers bounces and complaints; other events are one per message
                    -- (aicrm sends one message per recipient), kind and time (a click: and link).
                    'provider_event_id', case when v_e ? 'ID' then concat_ws(':', v_kind, v_e ->> 'ID')
                                              else concat_ws(':', v_kind, v_e ->> 'MessageID', v_at,
                                                             v_e ->> 'OriginalLink') end,
                    'url', case when v_event = 'click' then v_e ->> 'OriginalLink' end,
                    'raw', jsonb_strip_nulls(jsonb_build_object('event', v_kind, 'message_id', v_e -> 'MessageID',
                        'type', v_e -> 'Type', 'tag', v_e -> 'Tag', 'suppression_reason', v_e -> 'SuppressionReason'))));
            end if;
        end if;
    end loop;
    return v_out;
end
$$;

revoke execute on function aicrm.normalize_delivery_events(text, jsonb) from public;
grant execute on function aicrm.normalize_delivery_events(text, jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;
