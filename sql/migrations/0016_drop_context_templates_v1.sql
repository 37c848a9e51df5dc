-- aicrm_private.context_templates(customer, channel, purpose) rendered a customer's templates with
-- its values as they are now; get_customer_context_for_ai calls context_templates_v2, which renders
-- them with the values of the context version it returns, and their variants too. Nothing else
-- called the first version (a private helper), so it goes.
drop function if exists aicrm_private.context_templates(aicrm.customers, text, text);
