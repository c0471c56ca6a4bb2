namespace ExcelMedical.DbRunbook.Steps.Infrastructure.Postgres;

/// <summary>
/// The two ways to know bloat. Both return kind ('table' or 'index'), schema, table, index (null
/// for a table), size in bytes, wasted bytes and the wasted percentage ("50% bloated" means half
/// the relation is waste), for relations of at least $1 pages outside the system schemas.
/// </summary>
internal static class BloatQueries
{
    /// <summary>
    /// Estimated bloat of tables and btree indexes of at least $1 pages, from the statistics:
    /// the pages their rows would fill (reltuples × the average row width in pg_stats, with the
    /// fillfactor) against the pages they have. Rows are (kind 'table' or 'index', schema, table,
    /// index or null, size, wasted bytes, wasted %). Needs recent statistics (ANALYZE); relations
    /// whose estimate is unreliable (a name column, or columns without statistics) are left out.
    /// <para>
    /// Tables: the ioguix/pgsql-bloat-estimation table_bloat.sql method (tuple header with null
    /// bitmap, MAXALIGN padding, TOAST pages at 4 tuples a page). Indexes: a leaf tuple is the
    /// 8-byte IndexTupleData (+4 for the null bitmap) aligned, then the key columns' average
    /// width aligned, plus a 4-byte line pointer; a page holds (block − 24 header − 16 btree
    /// special) × fillfactor of them, plus the metapage (upper levels, about 1%, are ignored).
    /// </para>
    /// <para>
    /// pg_stats is read once for both: the view checks column privileges row by row and is
    /// most of the query's time on a database with many tables.
    /// </para>
    /// </summary>
    public const string Estimate = """
        WITH constants AS (
          SELECT current_setting('block_size')::numeric AS bs,
            CASE WHEN version() ~ 'mingw32' OR version() ~ '64-bit|x86_64|ppc64|ia64|amd64' THEN 8 ELSE 4 END AS ma
        ), stats AS MATERIALIZED (
          SELECT schemaname, tablename, attname, coalesce(null_frac, 0) AS null_frac, coalesce(avg_width, 0) AS avg_width
          FROM pg_stats
          WHERE NOT inherited AND schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname !~ '^pg_toast'
        ), tables AS (
          SELECT tbl.oid, ns.nspname AS schemaname, tbl.relname AS tblname, tbl.reltuples,
            tbl.relpages + coalesce(toast.relpages, 0) AS tblpages, coalesce(toast.reltuples, 0) AS toasttuples,
            coalesce(substring(array_to_string(tbl.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::smallint, 100) AS fillfactor
          FROM pg_class AS tbl
            JOIN pg_namespace AS ns ON ns.oid = tbl.relnamespace
            LEFT JOIN pg_class AS toast ON toast.oid = tbl.reltoastrelid
          WHERE tbl.relkind IN ('r', 'm') AND tbl.relpages >= $1
            AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_toast'
        ), table_rows AS (
          SELECT t.schemaname, t.tblname, t.reltuples, t.tblpages, t.toasttuples, t.fillfactor,
            count(*) <> count(s.attname) OR bool_or(att.atttypid = 'pg_catalog.name'::regtype) AS is_na,
            23 + CASE WHEN coalesce(max(s.null_frac), 0) > 0 THEN (7 + count(s.attname)) / 8 ELSE 0 END AS hdr,
            coalesce(sum((1 - s.null_frac) * s.avg_width), 0) AS data_width
          FROM tables AS t
            JOIN pg_attribute AS att ON att.attrelid = t.oid AND att.attnum > 0 AND NOT att.attisdropped
            LEFT JOIN stats AS s ON s.schemaname = t.schemaname AND s.tablename = t.tblname AND s.attname = att.attname
          GROUP BY t.oid, t.schemaname, t.tblname, t.reltuples, t.tblpages, t.toasttuples, t.fillfactor
        ), table_estimates AS (
          SELECT r.schemaname, r.tblname, r.tblpages AS pages, c.bs,
            ceil(r.reltuples / ((c.bs - 24) * r.fillfactor / (100 * (4 + r.hdr + r.data_width + (2 * c.ma)
              - CASE WHEN r.hdr % c.ma = 0 THEN c.ma ELSE r.hdr % c.ma END
              - CASE WHEN ceil(r.data_width)::int % c.ma = 0 THEN c.ma ELSE ceil(r.data_width)::int % c.ma END))))
              + ceil(r.toasttuples / 4) AS expected
          FROM table_rows AS r CROSS JOIN constants AS c
          WHERE NOT r.is_na AND r.reltuples >= 0
        ), indexes AS (
          SELECT i.indexrelid, i.indrelid, i.indkey, i.indnatts, ns.nspname AS schemaname, tbl.relname AS tblname,
            idx.relname AS idxname, idx.reltuples, idx.relpages,
            coalesce(substring(array_to_string(idx.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::smallint, 90) AS fillfactor
          FROM pg_index AS i
            JOIN pg_class AS idx ON idx.oid = i.indexrelid
            JOIN pg_class AS tbl ON tbl.oid = i.indrelid
            JOIN pg_namespace AS ns ON ns.oid = tbl.relnamespace
          WHERE idx.relam = (SELECT oid FROM pg_am WHERE amname = 'btree') AND idx.relpages >= $1 AND i.indisvalid
            AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_toast'
        ), index_rows AS (
          -- Key column k is the table's column indkey[k - 1], or an expression whose statistics
          -- ANALYZE keeps under the index's own name and column.
          SELECT x.schemaname, x.tblname, x.idxname, x.reltuples, x.relpages, x.fillfactor,
            count(*) <> count(s.attname) OR bool_or(att.atttypid = 'pg_catalog.name'::regtype) AS is_na,
            coalesce(max(s.null_frac), 0) > 0 AS nullable,
            coalesce(sum((1 - s.null_frac) * s.avg_width), 0) AS data_width
          FROM indexes AS x
            CROSS JOIN LATERAL (
              SELECT k AS position, x.indkey[k - 1] <> 0 AS is_column FROM generate_series(1, x.indnatts) AS k
            ) AS key
            JOIN pg_attribute AS att
              ON att.attrelid = CASE WHEN key.is_column THEN x.indrelid ELSE x.indexrelid END
              AND att.attnum = CASE WHEN key.is_column THEN x.indkey[key.position - 1] ELSE key.position END
            LEFT JOIN stats AS s ON s.schemaname = x.schemaname
              AND s.tablename = CASE WHEN key.is_column THEN x.tblname ELSE x.idxname END
              AND s.attname = att.attname
          GROUP BY x.indexrelid, x.schemaname, x.tblname, x.idxname, x.reltuples, x.relpages, x.fillfactor
        ), index_estimates AS (
          SELECT r.schemaname, r.tblname, r.idxname, r.relpages AS pages, c.bs,
            1 + ceil(r.reltuples / greatest(1, floor((c.bs - 24 - 16) * r.fillfactor / 100
              / (4 + (ceil((8 + CASE WHEN r.nullable THEN 4 ELSE 0 END) / c.ma) * c.ma) + (ceil(r.data_width / c.ma) * c.ma))))) AS expected
          FROM index_rows AS r CROSS JOIN constants AS c
          WHERE NOT r.is_na AND r.reltuples >= 0
        ), estimates AS (
          SELECT 'table' AS kind, schemaname, tblname, NULL::name AS idxname, pages, bs, expected FROM table_estimates
          UNION ALL
          SELECT 'index', schemaname, tblname, idxname, pages, bs, expected FROM index_estimates
        )
        SELECT kind, schemaname, tblname, idxname, (bs * pages)::int8 AS real_size,
          (CASE WHEN pages > expected THEN (pages - expected) * bs ELSE 0 END)::int8 AS bloat_size,
          (CASE WHEN pages > 0 AND pages > expected THEN 100 * (pages - expected) / pages::float8 ELSE 0 END)::float8 AS bloat_pct
        FROM estimates
        ORDER BY 7 DESC, 1, 2, 3, 4
        """;

    /// <summary>
    /// pgwatch table_bloat_approx_stattuple: pgstattuple_approx counts dead tuples exactly and
    /// takes free space from the free-space map, skipping all-visible pages; relations locked
    /// ACCESS EXCLUSIVE are skipped so the monitor never waits behind a VACUUM FULL.
    /// </summary>
    public const string Pgstattuple = """
        SELECT 'table', n.nspname, c.relname, NULL::name, s.table_len::int8,
          (s.approx_free_space + s.dead_tuple_len)::int8,
          (s.approx_free_percent + s.dead_tuple_percent)::float8
        FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          CROSS JOIN LATERAL pgstattuple_approx(c.oid) s
        WHERE c.relkind IN ('r', 'm') AND c.relpages >= $1
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
          AND c.oid NOT IN (SELECT relation FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation IS NOT NULL)
        ORDER BY 7 DESC, 2, 3
        """;
}
