using ExcelMedical.DbRunbook.Engine.Logging;
using ExcelMedical.DbRunbook.Engine.Secrets;
using Microsoft.Extensions.Time.Testing;

namespace ExcelMedical.DbRunbook.Tests.Engine;

public sealed class StepProgressTests
{
    private const string Erase = "\r\u001b[2K";

    [Fact]
    public void On_a_terminal_the_status_line_is_rewritten_in_place_at_most_four_times_a_second_masked_and_cleared()
    {
        var terminal = new StringWriter();
        var masker = new SecretMasker();
        masker.Add("hunter2-secret");
        var time = new FakeTimeProvider();
        var progress = StepProgress.For(terminal, interactive: true, masker, time);

        progress.Report("1 MiB dumped");
        progress.Report("2 MiB dumped");
        time.Advance(TimeSpan.FromMilliseconds(300));
        progress.Report("3 MiB dumped for hunter2-secret");
        progress.Clear();

        Assert.Equal($"{Erase}  … 1 MiB dumped{Erase}  … 3 MiB dumped for ***{Erase}", terminal.ToString());
    }

    [Fact]
    public void Redirected_output_gets_no_progress_at_all()
    {
        var log = new StringWriter();
        var progress = StepProgress.For(log, interactive: false, new SecretMasker(), TimeProvider.System);

        progress.Report("1 MiB dumped");
        progress.Clear();

        Assert.Same(StepProgress.Silent, progress);
        Assert.Equal(string.Empty, log.ToString());
    }
}
