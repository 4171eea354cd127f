-- Industries: the original four (sort order 1-4), then a broader list. Slugs are fixed (the job-role
-- catalogue's industry relevance refers to them). Idempotent: upsert on slug.
insert into app.industries as i (slug, name, description, sort_order)
values
    ('banking_finance', 'Banking & Finance', 'Financial services and banking', 1),
    ('shipping_logistics', 'Shipping & Logistics', 'Transportation and logistics', 2),
    ('real_estate', 'Real Estate', 'Property and real estate', 3),
    ('hotels_hospitality', 'Hotels & Hospitality', 'Hospitality and tourism', 4),
    ('technology', 'Technology', 'Software, IT services and hardware', 5),
    ('healthcare', 'Healthcare', 'Hospitals, clinics and care services', 6),
    ('manufacturing', 'Manufacturing', 'Production of goods and industrial operations', 7),
    ('retail_ecommerce', 'Retail & E-commerce', 'Stores, online shops and consumer sales', 8),
    ('legal_services', 'Legal Services', 'Law firms and legal departments', 9),
    ('consulting', 'Consulting', 'Management, strategy and professional advice', 10),
    ('education', 'Education', 'Schools, universities and training', 11),
    ('energy_utilities', 'Energy & Utilities', 'Power, oil and gas, water and renewables', 12),
    ('construction_engineering', 'Construction & Engineering', 'Building, infrastructure and engineering', 13),
    ('marketing_advertising', 'Marketing & Advertising', 'Agencies, brands and communications', 14),
    ('government_public_sector', 'Government & Public Sector', 'Public administration and services', 15),
    ('telecommunications', 'Telecommunications', 'Networks, carriers and connectivity', 16),
    ('pharmaceuticals_life_sciences', 'Pharmaceuticals & Life Sciences', 'Drugs, biotech and research', 17),
    ('insurance', 'Insurance', 'Insurers, brokers and risk', 18),
    ('media_entertainment', 'Media & Entertainment', 'Publishing, broadcasting, film and games', 19),
    ('aviation_aerospace', 'Aviation & Aerospace', 'Airlines, airports and aerospace', 20),
    ('automotive', 'Automotive', 'Vehicle makers, suppliers and dealers', 21),
    ('food_beverage', 'Food & Beverage', 'Food production, restaurants and drinks', 22),
    ('agriculture', 'Agriculture', 'Farming, fisheries and agribusiness', 23),
    ('nonprofit', 'Nonprofit', 'Charities, NGOs and foundations', 24)
on conflict (slug) do update
    set name = excluded.name,
        description = excluded.description,
        sort_order = excluded.sort_order,
        updated_at = now()
    where (i.name, i.description, i.sort_order)
        is distinct from (excluded.name, excluded.description, excluded.sort_order);
