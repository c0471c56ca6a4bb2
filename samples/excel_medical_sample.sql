-- Excel Medical sample data: the staffing platform's schema and a deterministic data generator.
--
-- This file only defines things (tables, indexes, the loader function); loading is a separate call so
-- callers choose the scale and the point in time the data is relative to:
--
--   psql -v ON_ERROR_STOP=1 -f samples/excel_medical_sample.sql -c "SELECT load_excel_medical_sample(1, now())"
--
-- The C# test fixture (ExcelMedical.DbRunbook.Testing.Postgres.SampleData) runs the same file.
-- Running the file again is harmless; loading again replaces all sample rows (TRUNCATE, then insert).
--
-- Determinism: no random(). Every value derives from the row's series number, the scale and the
-- reference time, so two loads with the same (scale, reference_time) produce identical rows and ids.
--
-- Rows per unit of scale (multiply by the scale; the counts grow linearly):
--   facilities 25, recruiters 15, users 620 (5 admins + 15 recruiters + 600 candidates),
--   candidates 600, jobs 300, applications 1500,
--   audit_logs 5000, application_logs 6000, page_views 12000, job_views 8000, user_searches 4000.
--
-- Log tables (audit_logs, application_logs, page_views, job_views, user_searches): row i of n has
--   created_at = reference_time - floor((n - i + 1) * 63072000 / n) seconds
-- so rows are spread evenly over the 730 days before reference_time: the oldest row is exactly
-- 730 days old, the newest is one spacing before reference_time, and ids ascend with time.

-- Core platform tables ---------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS facilities (
    id            bigserial PRIMARY KEY,
    name          text        NOT NULL,
    facility_type text        NOT NULL CHECK (facility_type IN ('hospital', 'clinic', 'nursing_home', 'rehab_center', 'urgent_care')),
    address_line  text        NOT NULL,
    city          text        NOT NULL,
    state         char(2)     NOT NULL,
    postal_code   text        NOT NULL,
    bed_count     integer,
    phone         text        NOT NULL,
    is_active     boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    id            bigserial PRIMARY KEY,
    email         text        NOT NULL UNIQUE,
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('admin', 'recruiter', 'candidate')),
    is_active     boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL,
    last_login_at timestamptz
);

CREATE TABLE IF NOT EXISTS recruiters (
    id         bigserial PRIMARY KEY,
    user_id    bigint      NOT NULL UNIQUE REFERENCES users (id),
    first_name text        NOT NULL,
    last_name  text        NOT NULL,
    phone      text        NOT NULL,
    region     text        NOT NULL,
    hired_on   date        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS candidates (
    id                  bigserial PRIMARY KEY,
    user_id             bigint        NOT NULL UNIQUE REFERENCES users (id),
    recruiter_id        bigint        REFERENCES recruiters (id),
    first_name          text          NOT NULL,
    last_name           text          NOT NULL,
    phone               text          NOT NULL,
    profession          text          NOT NULL CHECK (profession IN ('RN', 'LPN', 'CNA', 'RT', 'PT', 'OT', 'CRNA')),
    specialty           text          NOT NULL,
    license_state       char(2)       NOT NULL,
    license_number      text          NOT NULL,
    years_experience    integer       NOT NULL,
    desired_hourly_rate numeric(8, 2) NOT NULL,
    available_from      date          NOT NULL,
    created_at          timestamptz   NOT NULL
);

CREATE TABLE IF NOT EXISTS jobs (
    id             bigserial PRIMARY KEY,
    facility_id    bigint        NOT NULL REFERENCES facilities (id),
    recruiter_id   bigint        NOT NULL REFERENCES recruiters (id),
    title          text          NOT NULL,
    profession     text          NOT NULL,
    specialty      text          NOT NULL,
    shift          text          NOT NULL CHECK (shift IN ('day', 'evening', 'night', 'rotating')),
    hourly_rate    numeric(8, 2) NOT NULL,
    start_date     date          NOT NULL,
    duration_weeks integer       NOT NULL,
    openings       integer       NOT NULL,
    status         text          NOT NULL CHECK (status IN ('open', 'on_hold', 'filled', 'closed')),
    description    text          NOT NULL,
    posted_at      timestamptz   NOT NULL
);

CREATE TABLE IF NOT EXISTS applications (
    id           bigserial PRIMARY KEY,
    job_id       bigint      NOT NULL REFERENCES jobs (id),
    candidate_id bigint      NOT NULL REFERENCES candidates (id),
    status       text        NOT NULL CHECK (status IN ('submitted', 'screening', 'interview', 'offered', 'hired', 'rejected', 'withdrawn')),
    cover_note   text,
    applied_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (job_id, candidate_id)
);

CREATE INDEX IF NOT EXISTS candidates_profession_state_idx ON candidates (profession, license_state);
CREATE INDEX IF NOT EXISTS candidates_recruiter_id_idx ON candidates (recruiter_id);
CREATE INDEX IF NOT EXISTS jobs_facility_id_idx ON jobs (facility_id);
CREATE INDEX IF NOT EXISTS jobs_status_posted_at_idx ON jobs (status, posted_at);
CREATE INDEX IF NOT EXISTS applications_candidate_id_idx ON applications (candidate_id);

-- Log tables: append-only, purged by age (created_at), no foreign keys so purges never cascade ---

CREATE TABLE IF NOT EXISTS audit_logs (
    id          bigserial PRIMARY KEY,
    created_at  timestamptz NOT NULL,
    user_id     bigint,
    action      text        NOT NULL,
    entity_type text        NOT NULL,
    entity_id   bigint,
    ip_address  inet,
    details     jsonb       NOT NULL
);

CREATE TABLE IF NOT EXISTS application_logs (
    id         bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL,
    level      text        NOT NULL CHECK (level IN ('DEBUG', 'INFO', 'WARN', 'ERROR')),
    logger     text        NOT NULL,
    message    text        NOT NULL,
    trace_id   text        NOT NULL
);

CREATE TABLE IF NOT EXISTS page_views (
    id          bigserial PRIMARY KEY,
    created_at  timestamptz NOT NULL,
    user_id     bigint,
    session_id  uuid        NOT NULL,
    path        text        NOT NULL,
    referrer    text,
    user_agent  text        NOT NULL,
    duration_ms integer     NOT NULL
);

CREATE TABLE IF NOT EXISTS job_views (
    id         bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL,
    job_id     bigint      NOT NULL,
    user_id    bigint,
    source     text        NOT NULL CHECK (source IN ('search', 'email', 'direct', 'partner'))
);

CREATE TABLE IF NOT EXISTS user_searches (
    id           bigserial PRIMARY KEY,
    created_at   timestamptz NOT NULL,
    user_id      bigint,
    query        text        NOT NULL,
    filters      jsonb       NOT NULL,
    result_count integer     NOT NULL
);

CREATE INDEX IF NOT EXISTS audit_logs_created_at_idx ON audit_logs (created_at);
CREATE INDEX IF NOT EXISTS application_logs_created_at_idx ON application_logs (created_at);
CREATE INDEX IF NOT EXISTS page_views_created_at_idx ON page_views (created_at);
CREATE INDEX IF NOT EXISTS job_views_created_at_idx ON job_views (created_at);
CREATE INDEX IF NOT EXISTS job_views_job_id_idx ON job_views (job_id);
CREATE INDEX IF NOT EXISTS user_searches_created_at_idx ON user_searches (created_at);

-- Loader -----------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION load_excel_medical_sample(scale integer, reference_time timestamptz)
RETURNS void
LANGUAGE plpgsql
AS $loader$
DECLARE
    n_facilities   bigint := 25 * scale;
    n_recruiters   bigint := 15 * scale;
    n_admins       bigint := 5 * scale;
    n_candidates   bigint := 600 * scale;
    n_users        bigint := 620 * scale;
    n_jobs         bigint := 300 * scale;
    n_applications bigint := 1500 * scale;
    n_audit        bigint := 5000 * scale;
    n_app_logs     bigint := 6000 * scale;
    n_page_views   bigint := 12000 * scale;
    n_job_views    bigint := 8000 * scale;
    n_searches     bigint := 4000 * scale;
    -- 730 days in seconds: the span the log tables cover.
    history        bigint := 63072000;
    first_names    text[] := ARRAY['Maria', 'James', 'Aisha', 'Wei', 'Carlos', 'Emily', 'Olu', 'Priya', 'Daniel', 'Sofia',
                                   'Kwame', 'Hannah', 'Luis', 'Grace', 'Mateo', 'Chloe', 'Noah', 'Fatima', 'Ethan', 'Mei'];
    last_names     text[] := ARRAY['Garcia', 'Smith', 'Okafor', 'Chen', 'Johnson', 'Patel', 'Williams', 'Nguyen', 'Brown', 'Lopez',
                                   'Davis', 'Kim', 'Martinez', 'Wilson', 'Anderson', 'Thomas', 'Moore', 'Jackson', 'Lee', 'Harris'];
    cities         text[] := ARRAY['Houston', 'Phoenix', 'Chicago', 'Atlanta', 'Denver', 'Seattle', 'Miami', 'Boston', 'Dallas', 'Nashville'];
    states         text[] := ARRAY['TX', 'AZ', 'IL', 'GA', 'CO', 'WA', 'FL', 'MA', 'TX', 'TN'];
    professions    text[] := ARRAY['RN', 'LPN', 'CNA', 'RT', 'PT', 'OT', 'CRNA'];
    specialties    text[] := ARRAY['ICU', 'ER', 'Med-Surg', 'Telemetry', 'OR', 'L&D', 'NICU', 'Oncology', 'Pediatrics', 'Rehab'];
    paths          text[] := ARRAY['/', '/jobs', '/jobs/search', '/jobs/detail', '/profile', '/applications', '/facilities', '/login', '/help', '/messages'];
BEGIN
    IF scale IS NULL OR scale < 1 THEN
        RAISE EXCEPTION 'scale must be a positive integer, got %', scale;
    END IF;
    IF reference_time IS NULL THEN
        RAISE EXCEPTION 'reference_time must not be null';
    END IF;

    TRUNCATE applications, jobs, candidates, recruiters, users, facilities,
             audit_logs, application_logs, page_views, job_views, user_searches RESTART IDENTITY;

    INSERT INTO facilities (id, name, facility_type, address_line, city, state, postal_code, bed_count, phone, is_active, created_at)
    SELECT g,
           cities[1 + g % 10] || ' ' || (ARRAY['General Hospital', 'Medical Center', 'Care Clinic', 'Senior Living', 'Rehabilitation Center'])[1 + g % 5] || ' ' || g,
           (ARRAY['hospital', 'hospital', 'clinic', 'nursing_home', 'rehab_center', 'urgent_care'])[1 + (g * 7) % 6],
           (100 + g * 17 % 9900) || ' ' || (ARRAY['Main St', 'Oak Ave', 'Elm St', 'Park Blvd', 'Lake Dr'])[1 + g % 5],
           cities[1 + g % 10],
           states[1 + g % 10],
           lpad(((g * 7919) % 99999)::text, 5, '0'),
           CASE WHEN g % 6 IN (0, 1) THEN 50 + (g * 37) % 550 END,
           '555-' || lpad(((g * 104729) % 10000)::text, 4, '0'),
           g % 23 <> 0,
           reference_time - ((n_facilities - g + 1) * 94608000 / n_facilities) * interval '1 second' - interval '30 days'
    FROM generate_series(1::bigint, n_facilities) AS g;

    -- Users: ids 1..n_admins are admins, then the recruiters' users, then the candidates' users.
    INSERT INTO users (id, email, password_hash, role, is_active, created_at, last_login_at)
    SELECT g,
           CASE WHEN g <= n_admins THEN 'admin' WHEN g <= n_admins + n_recruiters THEN 'recruiter' ELSE 'candidate' END
               || g || '@excelmedical.example',
           '$argon2id$v=19$m=65536,t=3,p=4$' || md5('salt' || g) || '$' || md5('password' || g),
           CASE WHEN g <= n_admins THEN 'admin' WHEN g <= n_admins + n_recruiters THEN 'recruiter' ELSE 'candidate' END,
           g % 17 <> 0,
           reference_time - ((n_users - g + 1) * 94608000 / n_users) * interval '1 second',
           CASE WHEN g % 5 <> 0 THEN reference_time - ((g * 7919) % 2592000) * interval '1 second' END
    FROM generate_series(1::bigint, n_users) AS g;

    INSERT INTO recruiters (id, user_id, first_name, last_name, phone, region, hired_on, created_at)
    SELECT g,
           n_admins + g,
           first_names[1 + (g * 3) % 20],
           last_names[1 + (g * 7) % 20],
           '555-' || lpad(((g * 3571) % 10000)::text, 4, '0'),
           (ARRAY['South', 'West', 'Midwest', 'Northeast', 'Southeast'])[1 + g % 5],
           (reference_time - (400 + (g * 97) % 1500) * interval '1 day')::date,
           u.created_at
    FROM generate_series(1::bigint, n_recruiters) AS g
    JOIN users AS u ON u.id = n_admins + g;

    INSERT INTO candidates (id, user_id, recruiter_id, first_name, last_name, phone, profession, specialty, license_state,
                            license_number, years_experience, desired_hourly_rate, available_from, created_at)
    SELECT g,
           n_admins + n_recruiters + g,
           CASE WHEN g % 10 <> 0 THEN 1 + (g * 13) % n_recruiters END,
           first_names[1 + (g * 11) % 20],
           last_names[1 + (g * 17) % 20],
           '555-' || lpad(((g * 7727) % 10000)::text, 4, '0'),
           professions[1 + (g * 5) % 7],
           specialties[1 + (g * 3) % 10],
           states[1 + (g * 7) % 10],
           states[1 + (g * 7) % 10] || '-' || lpad(((g * 104723) % 1000000)::text, 6, '0'),
           (g * 31) % 30,
           35 + ((g * 53) % 6500) / 100.0,
           (reference_time + ((g * 19) % 120 - 30) * interval '1 day')::date,
           u.created_at
    FROM generate_series(1::bigint, n_candidates) AS g
    JOIN users AS u ON u.id = n_admins + n_recruiters + g;

    INSERT INTO jobs (id, facility_id, recruiter_id, title, profession, specialty, shift, hourly_rate, start_date,
                      duration_weeks, openings, status, description, posted_at)
    SELECT g,
           1 + (g * 7) % n_facilities,
           1 + (g * 11) % n_recruiters,
           'Travel ' || professions[1 + (g * 3) % 7] || ' - ' || specialties[1 + (g * 7) % 10],
           professions[1 + (g * 3) % 7],
           specialties[1 + (g * 7) % 10],
           (ARRAY['day', 'evening', 'night', 'rotating'])[1 + g % 4],
           40 + ((g * 61) % 8000) / 100.0,
           (posted + ((g * 5) % 60 + 14) * interval '1 day')::date,
           (ARRAY[4, 8, 13, 13, 26])[1 + g % 5],
           1 + (g * 3) % 4,
           CASE WHEN posted > reference_time - interval '60 days' THEN (ARRAY['open', 'open', 'open', 'on_hold'])[1 + g % 4]
                ELSE (ARRAY['filled', 'closed', 'filled'])[1 + g % 3] END,
           repeat('Seeking an experienced clinician for a ' || (ARRAY[4, 8, 13, 13, 26])[1 + g % 5]
                  || '-week assignment; housing stipend and weekly pay. ', 1 + (g % 3)::integer),
           posted
    FROM generate_series(1::bigint, n_jobs) AS g
    CROSS JOIN LATERAL (SELECT reference_time - ((n_jobs - g + 1) * history / n_jobs) * interval '1 second' AS posted) AS p;

    -- Application a goes to candidate (a-1) % n_candidates + 1; a candidate's k-th application (k = 0, 1, 2)
    -- is shifted 97*k jobs along, so (job, candidate) pairs never repeat.
    INSERT INTO applications (id, job_id, candidate_id, status, cover_note, applied_at, updated_at)
    SELECT g,
           1 + ((g - 1) % n_candidates + ((g - 1) / n_candidates) * 97) % n_jobs,
           1 + (g - 1) % n_candidates,
           (ARRAY['submitted', 'screening', 'interview', 'offered', 'hired', 'rejected', 'rejected', 'withdrawn'])[1 + (g * 7) % 8],
           CASE WHEN g % 3 = 0 THEN 'Available to start within two weeks; compact licence holder.' END,
           least(j.posted_at + ((g * 13) % 240) * interval '1 hour', reference_time),
           least(j.posted_at + ((g * 13) % 240 + (g * 29) % 500) * interval '1 hour', reference_time)
    FROM generate_series(1::bigint, n_applications) AS g
    JOIN jobs AS j ON j.id = 1 + ((g - 1) % n_candidates + ((g - 1) / n_candidates) * 97) % n_jobs;

    INSERT INTO audit_logs (id, created_at, user_id, action, entity_type, entity_id, ip_address, details)
    SELECT g,
           reference_time - ((n_audit - g + 1) * history / n_audit) * interval '1 second',
           CASE WHEN g % 50 <> 0 THEN 1 + (g * 7) % n_users END,
           (ARRAY['login', 'logout', 'update_profile', 'submit_application', 'view_document', 'export_report', 'change_status'])[1 + (g * 3) % 7],
           (ARRAY['user', 'candidate', 'job', 'application', 'facility'])[1 + g % 5],
           1 + (g * 13) % n_jobs,
           ('10.' || (g % 256) || '.' || ((g / 256) % 256) || '.' || (1 + (g * 7) % 254))::inet,
           jsonb_build_object('request_id', md5('audit' || g), 'changed_fields', (g * 3) % 6,
                              'client', (ARRAY['web', 'ios', 'android'])[1 + g % 3])
    FROM generate_series(1::bigint, n_audit) AS g;

    INSERT INTO application_logs (id, created_at, level, logger, message, trace_id)
    SELECT g,
           reference_time - ((n_app_logs - g + 1) * history / n_app_logs) * interval '1 second',
           (ARRAY['INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'INFO', 'ERROR'])[1 + (g * 5) % 8],
           'ExcelMedical.' || (ARRAY['Jobs.SearchService', 'Applications.Pipeline', 'Identity.Login', 'Notifications.Mailer', 'Credentials.Verifier'])[1 + g % 5],
           (ARRAY['Request completed in ', 'Retrying upstream call after ', 'Cache refreshed, entries: ', 'Slow query detected, ms: '])[1 + (g * 3) % 4]
               || ((g * 37) % 5000) || ' (tenant ' || (1 + g % 40) || ', job ' || (1 + (g * 13) % n_jobs) || ')',
           md5('trace' || g)
    FROM generate_series(1::bigint, n_app_logs) AS g;

    INSERT INTO page_views (id, created_at, user_id, session_id, path, referrer, user_agent, duration_ms)
    SELECT g,
           reference_time - ((n_page_views - g + 1) * history / n_page_views) * interval '1 second',
           CASE WHEN g % 4 <> 0 THEN 1 + (g * 11) % n_users END,
           md5('session' || (g / 6))::uuid,
           paths[1 + (g * 7) % 10],
           CASE WHEN g % 3 = 0 THEN 'https://www.google.com/' WHEN g % 3 = 1 THEN NULL ELSE 'https://excelmedical.example' || paths[1 + g % 10] END,
           (ARRAY['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36',
                  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
                  'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36'])[1 + g % 3],
           50 + (g * 211) % 30000
    FROM generate_series(1::bigint, n_page_views) AS g;

    INSERT INTO job_views (id, created_at, job_id, user_id, source)
    SELECT g,
           reference_time - ((n_job_views - g + 1) * history / n_job_views) * interval '1 second',
           1 + (g * 17) % n_jobs,
           CASE WHEN g % 3 <> 0 THEN 1 + (g * 19) % n_users END,
           (ARRAY['search', 'search', 'email', 'direct', 'partner'])[1 + g % 5]
    FROM generate_series(1::bigint, n_job_views) AS g;

    INSERT INTO user_searches (id, created_at, user_id, query, filters, result_count)
    SELECT g,
           reference_time - ((n_searches - g + 1) * history / n_searches) * interval '1 second',
           CASE WHEN g % 5 <> 0 THEN 1 + (g * 23) % n_users END,
           lower(professions[1 + g % 7]) || ' ' || lower(specialties[1 + (g * 3) % 10]) || ' ' || lower(cities[1 + (g * 7) % 10]),
           jsonb_build_object('profession', professions[1 + g % 7], 'state', states[1 + (g * 7) % 10],
                              'shift', (ARRAY['day', 'evening', 'night', 'rotating'])[1 + g % 4], 'min_rate', 40 + (g * 3) % 60),
           (g * 41) % 250
    FROM generate_series(1::bigint, n_searches) AS g;

    -- Explicit ids above bypassed the sequences; move them past the data so later inserts do not collide.
    PERFORM setval(pg_get_serial_sequence(t, 'id'), n)
    FROM (VALUES ('facilities', n_facilities), ('users', n_users), ('recruiters', n_recruiters), ('candidates', n_candidates),
                 ('jobs', n_jobs), ('applications', n_applications), ('audit_logs', n_audit), ('application_logs', n_app_logs),
                 ('page_views', n_page_views), ('job_views', n_job_views), ('user_searches', n_searches)) AS s (t, n);

    ANALYZE facilities, users, recruiters, candidates, jobs, applications,
            audit_logs, application_logs, page_views, job_views, user_searches;
END
$loader$;
