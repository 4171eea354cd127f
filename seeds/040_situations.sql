-- The original fifteen communication situations. Idempotent: upsert on slug.
insert into app.situations as s (slug, name, description, sort_order)
values
    ('interviews', 'Interviews', 'Job interviews, as candidate or interviewer', 1),
    ('conflict_resolution', 'Conflict Resolution', 'Resolving disagreements and tensions', 2),
    ('phone_calls', 'Phone Calls', 'Business calls without video', 3),
    ('one_on_ones', 'One-on-Ones', 'Private meetings between two people', 4),
    ('feedback_sessions', 'Feedback Sessions', 'Giving and receiving feedback', 5),
    ('team_discussions', 'Team Discussions', 'Discussing work within a team', 6),
    ('negotiations', 'Negotiations', 'Reaching agreements on terms and prices', 7),
    ('status_updates', 'Status Updates', 'Reporting progress on work', 8),
    ('informal_chats', 'Informal Chats', 'Small talk and casual conversation', 9),
    ('briefings', 'Briefings', 'Short, focused information sessions', 10),
    ('meetings', 'Meetings', 'Scheduled meetings with several people', 11),
    ('presentations', 'Presentations', 'Presenting ideas, results or products', 12),
    ('training_sessions', 'Training Sessions', 'Teaching or learning a skill at work', 13),
    ('client_conversations', 'Client Conversations', 'Talking with clients about their needs', 14),
    ('video_conferences', 'Video Conferences', 'Meetings over video calls', 15)
on conflict (slug) do update
    set name = excluded.name,
        description = excluded.description,
        sort_order = excluded.sort_order,
        updated_at = now()
    where (s.name, s.description, s.sort_order)
        is distinct from (excluded.name, excluded.description, excluded.sort_order);
