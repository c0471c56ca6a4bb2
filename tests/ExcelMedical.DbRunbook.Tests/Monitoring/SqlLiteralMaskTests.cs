using ExcelMedical.DbRunbook.Steps.Infrastructure.Monitoring.Metrics;

namespace ExcelMedical.DbRunbook.Tests.Monitoring;

/// <summary>What the query text of alerts and reports keeps, and what it never shows, literal by literal.</summary>
public sealed class SqlLiteralMaskTests
{
    [Theory]
    [InlineData("SELECT * FROM nurses WHERE name = 'Jane Roe'", "SELECT * FROM nurses WHERE name = '?'")]
    [InlineData("SELECT 'it''s Jane'", "SELECT '?'")]
    [InlineData("SELECT E'it\\'s Jane', 1", "SELECT '?', 1")]
    [InlineData("SELECT e'a\\\\', 'b'", "SELECT '?', '?'")]
    [InlineData("SELECT $$Jane's$$, $body$ x $$ y $body$, $a1$z$a1$", "SELECT '?', '?', '?'")]
    [InlineData("SELECT $1, name FROM t WHERE id = $2", "SELECT $1, name FROM t WHERE id = $2")]
    [InlineData("SELECT \"it's\" FROM t WHERE a = 'Jane'", "SELECT \"it's\" FROM t WHERE a = '?'")]
    [InlineData("SELECT 1 -- don't\n, 'Jane'", "SELECT 1 -- don't\n, '?'")]
    [InlineData("SELECT /* it's /* nested */ */ 'Jane'", "SELECT /* it's /* nested */ */ '?'")]
    public void Literals_are_masked_and_the_rest_is_kept(string sql, string expected) =>
        Assert.Equal(expected, SqlLiteralMask.Apply(sql));

    [Theory]
    [InlineData("SELECT pg_sleep(1), 'Jane Roe born 19", "SELECT pg_sleep(1), '?…")]
    [InlineData("SELECT E'Jane\\' Roe", "SELECT '?…")]
    [InlineData("SELECT $x$Jane Roe", "SELECT '?…")]
    [InlineData("SELECT 'C:\\' AND name = 'Jane'", "SELECT '?…")]
    [InlineData("SELECT /* note 'Jane", "SELECT /*…")]
    public void A_text_cut_inside_a_literal_is_masked_to_the_end(string sql, string expected) =>
        Assert.Equal(expected, SqlLiteralMask.Apply(sql));
}
