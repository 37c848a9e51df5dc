-- aicrm_private.context_templates_v2 loses its suffix: the first signature it stood beside went in
-- 0016, so it is aicrm_private.context_templates again (with v2's four arguments). The old name is
-- dropped so that an upgraded database keeps no copy of it; the repeatables, applied after the
-- migrations, create the new one.
drop function if exists aicrm_private.context_templates_v2(aicrm.customers, text, text, jsonb);
