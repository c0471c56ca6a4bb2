namespace ExcelMedical.DbRunbook.Steps.Monitoring;

/// <summary>
/// The two ways to know a table's bloat. Both return schema, table, size in bytes, wasted bytes
/// and the wasted percentage ("50% bloated" means half the table is waste), for tables of at
/// least $1 pages outside the system schemas.
/// </summary>
internal static class BloatQueries
{
    /// <summary>
    /// ioguix/pgsql-bloat-estimation table/table_bloat.sql: the expected pages from reltuples and
    /// the average row width in pg_stats, with the fillfactor, against the actual pages. Needs
    /// recent statistics (ANALYZE); tables whose estimate is unreliable (is_na: name columns or
    /// columns without statistics) are left out.
    /// </summary>
    public const string Estimate = """
        SELECT schemaname, tblname, (bs * tblpages)::int8 AS real_size,
          (CASE WHEN tblpages - est_tblpages_ff > 0 THEN (tblpages - est_tblpages_ff) * bs ELSE 0 END)::int8 AS bloat_size,
          (CASE WHEN tblpages > 0 AND tblpages - est_tblpages_ff > 0 THEN 100 * (tblpages - est_tblpages_ff) / tblpages::float8 ELSE 0 END)::float8 AS bloat_pct
        FROM (
          SELECT ceil(reltuples / ((bs - page_hdr) * fillfactor / (tpl_size * 100))) + ceil(toasttuples / 4) AS est_tblpages_ff,
            tblpages, fillfactor, bs, schemaname, tblname, heappages, is_na
          FROM (
            SELECT (4 + tpl_hdr_size + tpl_data_size + (2 * ma)
                - CASE WHEN tpl_hdr_size % ma = 0 THEN ma ELSE tpl_hdr_size % ma END
                - CASE WHEN ceil(tpl_data_size)::int % ma = 0 THEN ma ELSE ceil(tpl_data_size)::int % ma END) AS tpl_size,
              (heappages + toastpages) AS tblpages, heappages, reltuples, toasttuples, bs, page_hdr, schemaname, tblname, fillfactor, is_na
            FROM (
              SELECT ns.nspname AS schemaname, tbl.relname AS tblname, tbl.reltuples,
                tbl.relpages AS heappages, coalesce(toast.relpages, 0) AS toastpages, coalesce(toast.reltuples, 0) AS toasttuples,
                coalesce(substring(array_to_string(tbl.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::smallint, 100) AS fillfactor,
                current_setting('block_size')::numeric AS bs,
                CASE WHEN version() ~ 'mingw32' OR version() ~ '64-bit|x86_64|ppc64|ia64|amd64' THEN 8 ELSE 4 END AS ma,
                24 AS page_hdr,
                23 + CASE WHEN max(coalesce(s.null_frac, 0)) > 0 THEN (7 + count(s.attname)) / 8 ELSE 0::int END AS tpl_hdr_size,
                sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)) AS tpl_data_size,
                bool_or(att.atttypid = 'pg_catalog.name'::regtype) OR sum(CASE WHEN att.attnum > 0 THEN 1 ELSE 0 END) <> count(s.attname) AS is_na
              FROM pg_attribute AS att
                JOIN pg_class AS tbl ON att.attrelid = tbl.oid
                JOIN pg_namespace AS ns ON ns.oid = tbl.relnamespace
                LEFT JOIN pg_stats AS s ON s.schemaname = ns.nspname AND s.tablename = tbl.relname AND s.inherited = false AND s.attname = att.attname
                LEFT JOIN pg_class AS toast ON tbl.reltoastrelid = toast.oid
              WHERE NOT att.attisdropped AND att.attnum > 0 AND tbl.relkind IN ('r', 'm')
                AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_toast'
                AND tbl.relpages >= $1
              GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
            ) AS s
          ) AS s2
        ) AS s3
        WHERE NOT is_na
        ORDER BY 5 DESC, 1, 2
        """;

    /// <summary>
    /// pgwatch table_bloat_approx_stattuple: pgstattuple_approx counts dead tuples exactly and
    /// takes free space from the free-space map, skipping all-visible pages; relations locked
    /// ACCESS EXCLUSIVE are skipped so the monitor never waits behind a VACUUM FULL.
    /// </summary>
    public const string Pgstattuple = """
        SELECT n.nspname, c.relname, s.table_len::int8,
          (s.approx_free_space + s.dead_tuple_len)::int8,
          (s.approx_free_percent + s.dead_tuple_percent)::float8
        FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          CROSS JOIN LATERAL pgstattuple_approx(c.oid) s
        WHERE c.relkind IN ('r', 'm') AND c.relpages >= $1
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
          AND c.oid NOT IN (SELECT relation FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation IS NOT NULL)
        ORDER BY 5 DESC, 1, 2
        """;
}
