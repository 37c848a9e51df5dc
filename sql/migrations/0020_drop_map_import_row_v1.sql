-- aicrm_private.map_import_row(source, mapping) mapped one import row and returned the profile;
-- import_customers now calls map_import_row_v2(source, mapping, plan), which follows the columns
-- planned once per call (several targets per column, keys of object fields, combined columns)
-- and also returns notes on what it normalised. Nothing else called the first version (a private
-- helper), so it goes.
drop function if exists aicrm_private.map_import_row(jsonb, jsonb);
