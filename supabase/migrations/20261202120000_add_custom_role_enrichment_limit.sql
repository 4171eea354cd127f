-- Custom job roles cost an AI call each (the job_roles__enrich job), so a learner's submissions are
-- metered like every other AI feature: api.submit_custom_job_role takes one request of this limit for
-- each new role it files, and refuses with ai.rate_limited (429) once the window is full. Resubmitting a
-- role already pending review reuses it and costs nothing.
-- Touches: private.ai_rate_limits (row custom_role_enrichment).

insert into private.ai_rate_limits (feature, max_requests, window_seconds) values
('custom_role_enrichment', 5, 86400);

comment on column private.ai_rate_limits.feature is
'The feature (practice_scenario, learning_plan_regeneration, custom_role_enrichment).';
