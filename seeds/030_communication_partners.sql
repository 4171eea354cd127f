-- The original seven communication partners, with the Expo app's descriptions. Idempotent: upsert on slug.
insert into app.communication_partners as p (slug, name, description, sort_order)
values
    ('clients', 'Clients', 'External customers or clients', 1),
    ('senior_management', 'Senior Management', 'Company leadership and executives', 2),
    ('suppliers', 'Suppliers', 'External suppliers and vendors', 3),
    ('customers', 'Customers', 'End customers and consumers', 4),
    ('colleagues', 'Colleagues', 'Team members and coworkers', 5),
    ('stakeholders', 'Stakeholders', 'Project stakeholders and interested parties', 6),
    ('partners', 'Partners', 'Business partners and collaborators', 7)
on conflict (slug) do update
    set name = excluded.name,
        description = excluded.description,
        sort_order = excluded.sort_order,
        updated_at = now()
    where (p.name, p.description, p.sort_order)
        is distinct from (excluded.name, excluded.description, excluded.sort_order);
