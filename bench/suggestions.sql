-- Measures the alternatives suggested in docs/benchmarks.md on a province-size database,
-- in a scratch schema and scratch indexes that are dropped at the end. Run by
-- `bench/province.sh --suggestions` (or psql -f against a seeded database). Changes no
-- product table's data.
\set ON_ERROR_STOP on
\timing on
\o /dev/null
SELECT min(name) FILTER (WHERE length(name) = 3) AS name3 FROM members_member WHERE id < 1000 \gset
SELECT substring(:'name3', 2, 2) AS name2, substring(:'name3', 1, 2) AS prefix2 \gset
\o

\echo '== 1. Subtree counts from a per-organization rollup (materialized view, 99k rows)'
DROP SCHEMA IF EXISTS bench_suggestion CASCADE;
CREATE SCHEMA bench_suggestion;
\echo '-- build'
CREATE MATERIALIZED VIEW bench_suggestion.org_counts AS
  SELECT o.id AS organization_id, o.path,
         count(m.id) FILTER (WHERE m.status = 'full') AS full_members,
         count(m.id) FILTER (WHERE m.status = 'probationary') AS probationary,
         count(m.id) FILTER (WHERE m.is_mobile AND m.status IN ('probationary', 'full')) AS mobile
  FROM orgs_organization o LEFT JOIN members_member m ON m.organization_id = o.id
  GROUP BY o.id, o.path;
CREATE UNIQUE INDEX ON bench_suggestion.org_counts (organization_id);
CREATE INDEX ON bench_suggestion.org_counts (path varchar_pattern_ops);
ANALYZE bench_suggestion.org_counts;
\echo '-- refresh (concurrently: readers are not blocked)'
REFRESH MATERIALIZED VIEW CONCURRENTLY bench_suggestion.org_counts;
\o /dev/null
\echo '-- subtree of the root, 3 runs'
SELECT sum(full_members), sum(probationary), sum(mobile) FROM bench_suggestion.org_counts WHERE path LIKE '0001%';
\g
\g
\echo '-- children of the root, 3 runs'
SELECT substring(path, 1, 8), sum(full_members), sum(probationary), sum(mobile)
  FROM bench_suggestion.org_counts WHERE path LIKE '0001%' AND length(path) > 4 GROUP BY 1;
\g
\g
\echo '-- subtree of the first county, 3 runs'
SELECT sum(full_members), sum(probationary), sum(mobile) FROM bench_suggestion.org_counts WHERE path LIKE '000100010001%';
\g
\g
\o

\echo '== 2. Structure warning totals (dashboard) with grouped joins instead of per-row subqueries'
\o /dev/null
\echo '-- 2 runs (compare: the dashboard query of warning_totals)'
WITH m AS (
  SELECT organization_id, count(*) FILTER (WHERE status = 'full') AS full_members, count(*) AS active
  FROM members_member WHERE status IN ('probationary', 'full') GROUP BY organization_id),
p AS (
  SELECT p.organization_id,
         count(*) FILTER (WHERE p.party_post IN ('deputy_secretary', 'secretary', 'committee_member')) AS committee,
         bool_or(p.party_post = 'secretary') AS has_secretary
  FROM members_post p JOIN members_member mm ON mm.id = p.member_id AND mm.status IN ('probationary', 'full')
  WHERE p.ended_on IS NULL AND p.kind = 'party' GROUP BY p.organization_id),
t AS (
  SELECT DISTINCT ON (organization_id) organization_id, coalesce(postponed_to, due_on) AS due
  FROM orgs_term WHERE ended_on IS NULL ORDER BY organization_id, elected_on DESC),
u AS (SELECT organization_id, count(*) AS n FROM orgs_unit GROUP BY organization_id),
x AS (
  SELECT o.kind, o.dissolved_on IS NULL AS alive, coalesce(m.full_members, 0) AS f, coalesce(m.active, 0) AS a,
         coalesce(u.n, 0) AS units, coalesce(p.committee, 0) AS c, coalesce(p.has_secretary, false) AS s, t.due
  FROM orgs_organization o LEFT JOIN m ON m.organization_id = o.id LEFT JOIN p ON p.organization_id = o.id
  LEFT JOIN t ON t.organization_id = o.id LEFT JOIN u ON u.organization_id = o.id)
SELECT count(*) FILTER (WHERE alive AND kind = 'branch' AND f < 3) AS undersized,
       count(*) FILTER (WHERE alive AND kind = 'branch' AND a > 50) AS oversized,
       count(*) FILTER (WHERE alive AND kind = 'branch' AND units > 5) AS too_many_units,
       count(*) FILTER (WHERE alive AND kind = 'branch' AND f >= 7 AND c < 3) AS no_committee,
       count(*) FILTER (WHERE alive AND kind <> 'leading_committee' AND NOT s) AS no_secretary,
       count(*) FILTER (WHERE alive AND kind <> 'leading_committee' AND due IS NULL) AS no_term,
       count(*) FILTER (WHERE alive AND kind <> 'leading_committee' AND due < current_date) AS term_overdue,
       count(*) FILTER (WHERE alive AND kind <> 'leading_committee' AND due >= current_date
                        AND due <= current_date + interval '2 months') AS term_due_soon
FROM x;
\g
\o
\echo '-- the totals (compare with the dashboard)'
\g

\echo '== 3. Name search: trigram and prefix indexes'
\echo :name3 :name2 :prefix2
CREATE EXTENSION IF NOT EXISTS pg_trgm;
\echo '-- build the trigram index (GIN) and a prefix index (varchar_pattern_ops)'
SET maintenance_work_mem = '1GB';
CREATE INDEX bench_suggestion_name_trgm ON members_member USING gin (name gin_trgm_ops);
CREATE INDEX bench_suggestion_name_prefix ON members_member (name varchar_pattern_ops);
ANALYZE members_member;
SELECT pg_size_pretty(pg_relation_size('bench_suggestion_name_trgm')) AS trigram_index,
       pg_size_pretty(pg_relation_size('bench_suggestion_name_prefix')) AS prefix_index;
\o /dev/null
\echo '-- three-character name, contains (trigram index), 2 runs'
SELECT count(*) FROM members_member WHERE status IN ('probationary', 'full') AND name LIKE '%' || :'name3' || '%';
\g
\echo '-- no match, four characters, contains (trigram index), 2 runs'
SELECT count(*) FROM members_member WHERE status IN ('probationary', 'full') AND name LIKE '%查无此人%';
\g
\echo '-- two characters, contains (no trigram to use: still a scan), 2 runs'
SELECT count(*) FROM members_member WHERE status IN ('probationary', 'full') AND name LIKE '%' || :'name2' || '%';
\g
\echo '-- two characters, starts with (prefix index), 2 runs'
SELECT count(*) FROM members_member WHERE status IN ('probationary', 'full') AND name LIKE :'prefix2' || '%';
\g
\o
DROP INDEX bench_suggestion_name_trgm;
DROP INDEX bench_suggestion_name_prefix;
DROP EXTENSION pg_trgm;

\echo '== 4. JIT: the root subtree count with jit on, then off (2 runs each)'
\o /dev/null
SET jit = on;
SELECT count(*) FILTER (WHERE m.status = 'full'), count(*) FILTER (WHERE m.status = 'probationary'),
       count(*) FILTER (WHERE m.is_mobile)
  FROM members_member m JOIN orgs_organization o ON m.organization_id = o.id
  WHERE o.path LIKE '0001%' AND m.status IN ('probationary', 'full');
\g
SET jit = off;
\echo '-- jit off'
SELECT count(*) FILTER (WHERE m.status = 'full'), count(*) FILTER (WHERE m.status = 'probationary'),
       count(*) FILTER (WHERE m.is_mobile)
  FROM members_member m JOIN orgs_organization o ON m.organization_id = o.id
  WHERE o.path LIKE '0001%' AND m.status IN ('probationary', 'full');
\g
\o

DROP SCHEMA bench_suggestion CASCADE;
ANALYZE members_member;
