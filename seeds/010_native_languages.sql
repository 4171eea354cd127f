-- Native languages: the original backend's three (available) and the rest of the iOS app's twelve
-- (listed, not yet available). Idempotent: upsert on slug, touching only rows that changed.
insert into app.native_languages as l (slug, name, description, sort_order, is_available)
values
    ('english', 'English', 'English', 1, true),
    ('chinese_traditional', 'Traditional Chinese', '繁體中文', 2, true),
    ('chinese_simplified', 'Simplified Chinese', '简体中文', 3, true),
    ('spanish', 'Spanish', 'Español', 4, false),
    ('french', 'French', 'Français', 5, false),
    ('german', 'German', 'Deutsch', 6, false),
    ('italian', 'Italian', 'Italiano', 7, false),
    ('portuguese', 'Portuguese', 'Português', 8, false),
    ('russian', 'Russian', 'Русский', 9, false),
    ('chinese', 'Chinese', '中文 (choose Traditional or Simplified)', 10, false),
    ('japanese', 'Japanese', '日本語', 11, false),
    ('korean', 'Korean', '한국어', 12, false),
    ('arabic', 'Arabic', 'العربية', 13, false),
    ('hindi', 'Hindi', 'हिन्दी', 14, false)
on conflict (slug) do update
    set name = excluded.name,
        description = excluded.description,
        sort_order = excluded.sort_order,
        is_available = excluded.is_available,
        updated_at = now()
    where (l.name, l.description, l.sort_order, l.is_available)
        is distinct from (excluded.name, excluded.description, excluded.sort_order, excluded.is_available);
