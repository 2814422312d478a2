-- Bulk data for the PostgreSQL figures of bench/run.py (5a-pg, 5b-pg): what bench/bulk_seed.cpp
-- writes into a SQLite file, written here with SQL into the schema a carechat server made
-- (`carechat token create --db URI` runs its migrations; the URI's search_path names the schema).
-- No server may use the schema meanwhile. Run by bench/run.py as
--   psql -X -q -v ON_ERROR_STOP=1 -v tenant=T -v instance=I -v first=F -v chats=C -v messages=M -v words=0|1 -f bench/pg_seed.sql URI
-- Adds M messages spread evenly over the chats of patients F .. F+C-1 (ids
-- "00000000-0000-4000-8000-%012d", as bench/run.py names them; chats made if missing, in the
-- instance's log), created at consecutive milliseconds ending now, chat after chat, all inbound
-- from the patient and unread by staff, as bulk_seed's are:
-- - external ids in the server's shape ('IM', 12 hex digits of the creation time in ms, 20 random);
-- - seq taken explicitly after the highest one, and the identity sequence moved past them;
-- - bodies "seed message N, a short question", or (words=1) 8 random words of bulk_seed's
--   vocabulary, 1 in 50 with "kiwi" as the fourth;
-- - chats.unread_inbound and chats.last_message_at kept as the writer keeps them;
-- - no events, audit rows or webhook rows (a latest page or a search reads none of them).
-- The messages table's secondary indexes (everything but its primary key and unique external id)
-- are dropped before the insert and built again afterwards from their own definitions
-- (pg_indexes.indexdef, so they stay exactly what src/store/postgres/migrations.cpp made): a
-- B-tree built by CREATE INDEX over rows that arrive in key order has the shape the ascending
-- inserts would have given it, and building the trigram index once is many times quicker than
-- adding 10 M rows to it one by one. Then VACUUM ANALYZE (hint bits and the visibility map set,
-- statistics fresh, as autovacuum leaves an established database; without it the first reads of
-- each page would write) and a CHECKPOINT (the data on disk before the measurement, as the SQLite
-- figure's sync does).
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '1GB';
SET max_parallel_maintenance_workers = 2;

BEGIN;
INSERT INTO log_heads (tenant, instance) VALUES (:'tenant', :'instance') ON CONFLICT (tenant, instance) DO NOTHING;
INSERT INTO chats (tenant, instance, patient, log_id)
SELECT :'tenant', :'instance', format('00000000-0000-4000-8000-%s', lpad((:first + c)::text, 12, '0')), h.log_id
FROM generate_series(0, :chats - 1) AS c, log_heads AS h
WHERE h.tenant = :'tenant' AND h.instance = :'instance'
ON CONFLICT (tenant, instance, patient) DO NOTHING;

-- The seeded chats by their index 0 .. C-1.
CREATE TEMP TABLE seed_chats ON COMMIT DROP AS
SELECT c AS ci, ch.id, ch.patient
FROM generate_series(0, :chats - 1) AS c
JOIN chats AS ch ON ch.tenant = :'tenant' AND ch.instance = :'instance'
  AND ch.patient = format('00000000-0000-4000-8000-%s', lpad((:first + c)::text, 12, '0'));
ANALYZE seed_chats;

CREATE TEMP TABLE rebuild ON COMMIT DROP AS
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = current_schema() AND tablename = 'messages'
  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'messages'::regclass);
SELECT format('DROP INDEX %I', indexname) FROM rebuild \gexec

SELECT coalesce(max(seq), 0) AS base,
       (extract(epoch FROM clock_timestamp()) * 1000)::bigint - :messages AS at0
FROM messages \gset

INSERT INTO messages (seq, chat_id, external_id, kind, sender_type, sender_id, body, created_at)
SELECT :base + 1 + s.i, c.id,
       'IM' || lpad(to_hex(:at0 + s.i), 12, '0') || substr(md5(s.r::text || s.i::text), 1, 20),
       0, 'PATIENT', c.patient,
       CASE WHEN :words = 0 THEN 'seed message ' || s.i || ', a short question'
            ELSE array_to_string(ARRAY(
                   SELECT CASE WHEN s.kiwi AND w = 4 THEN 'kiwi'
                               ELSE (ARRAY['appointment', 'refill', 'pharmacy', 'tomorrow', 'morning', 'question',
                                           'results', 'dosage', 'thanks', 'headache', 'insurance', 'schedule',
                                           'please', 'better', 'doctor', 'again'])[1 + floor(random() * 16)::int] END
                   FROM generate_series(1, 8) AS w), ' ') END,
       :at0 + s.i
FROM (SELECT i, random() AS r, random() < 0.02 AS kiwi, (i * :chats) / :messages AS ci
      FROM generate_series(0::bigint, :messages - 1) AS i) AS s
JOIN seed_chats AS c ON c.ci = s.ci
ORDER BY s.i;

SELECT setval(pg_get_serial_sequence('messages', 'seq'), greatest(max(seq), 1)) FROM messages \gset

UPDATE chats AS ch SET unread_inbound = ch.unread_inbound + d.n, last_message_at = greatest(ch.last_message_at, d.last_at)
FROM (SELECT chat_id, count(*) AS n, max(created_at) AS last_at FROM messages WHERE seq > :base GROUP BY chat_id) AS d
WHERE ch.id = d.chat_id;

SELECT indexdef FROM rebuild \gexec
COMMIT;

VACUUM ANALYZE messages;
VACUUM ANALYZE chats;
CHECKPOINT;
