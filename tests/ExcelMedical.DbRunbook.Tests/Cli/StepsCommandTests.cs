using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Cli;

public sealed class StepsCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Defaults_print_as_a_playbook_would_write_them_never_as_type_names()
    {
        var cli = new RunbookCliHarness(_dir["state"]);

        var evaluate = await cli.RunAsync("steps", "monitor.evaluate");
        var all = new List<string> { evaluate.Output };
        foreach (var name in (await cli.RunAsync("steps")).Output.Split('\n').Skip(1).Select(l => l.Trim().Split(' ')[0]).Where(n => n.Length > 0))
        {
            all.Add((await cli.RunAsync("steps", name)).Output);
        }

        Assert.True(evaluate.ExitCode == 0, evaluate.All);
        Assert.Contains("default { postgres.connections: { critical: 100 }, postgres.query_seconds: { critical: 30 }, postgres.bloat_pct: { critical: 50 },", evaluate.Output);
        Assert.Contains("system.disk_pct: { critical: 80 } })", evaluate.Output);
        foreach (var text in all)
        {
            Assert.DoesNotContain("ExcelMedical.", text);
            Assert.DoesNotContain("System.", text);
            Assert.DoesNotContain("[[", text);
        }
    }
}
