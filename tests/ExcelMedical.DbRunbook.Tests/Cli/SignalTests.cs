using System.Diagnostics;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Cli;

/// <summary>The real `runbook` process, stopped the way systemd and Ctrl-C stop it.</summary>
public sealed class SignalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_cancels_the_running_step_still_runs_always_steps_and_exits_130(string signal)
    {
        var playbook = _dir.Write("long.yaml", """
            name: long
            steps:
              - id: wait
                uses: shell
                with: { program: sleep, args: ["300"] }
              - id: never
                uses: shell
                with: { program: touch, args: ["never-ran"] }
              - id: cleanup
                uses: shell
                always: true
                with: { program: touch, args: ["cleanup-ran"] }
            """);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir.Path };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "runbook.dll"));
        info.ArgumentList.Add("run");
        info.ArgumentList.Add(playbook);
        info.Environment["RUNBOOK_STATE_DIR"] = _dir["state"];
        using var runbook = Process.Start(info)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        runbook.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        runbook.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        runbook.BeginOutputReadLine();
        runbook.BeginErrorReadLine();

        try
        {
            var deadline = Stopwatch.StartNew();
            while (!output.Any(line => line.Contains("$ sleep 300", StringComparison.Ordinal)) && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }

            Assert.True(output.Any(line => line.Contains("$ sleep 300", StringComparison.Ordinal)), string.Join('\n', output));
            var sleeper = await Shell.RunAsync($"pgrep -P {runbook.Id} -x sleep");
            Assert.Equal(0, sleeper.ExitCode);

            await Shell.RunAsync($"kill -{signal} {runbook.Id}");
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await runbook.WaitForExitAsync(exited.Token);

            Assert.True(runbook.ExitCode == 130, string.Join('\n', output));
            Assert.True(File.Exists(_dir["cleanup-ran"]), "the always step did not run");
            Assert.False(File.Exists(_dir["never-ran"]));
            Assert.NotEqual(0, (await Shell.RunAsync($"kill -0 {sleeper.Output.Trim()}")).ExitCode);
            var record = RunRecords.Latest(_dir["state"], "long");
            Assert.Equal("cancelled", record.GetProperty("status").GetString());
            Assert.Equal("cancelled", record.Step("wait").Status());
        }
        finally
        {
            if (!runbook.HasExited)
            {
                runbook.Kill(entireProcessTree: true);
            }
        }
    }
}
