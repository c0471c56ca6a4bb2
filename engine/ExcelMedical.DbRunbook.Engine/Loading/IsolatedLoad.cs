using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Model;

namespace ExcelMedical.DbRunbook.Engine.Loading;

/// <summary>
/// Loads one file on a thread of its own: a stack of known size (<see cref="LoadLimits.LoadStackBytes"/>)
/// whatever thread asked, an allocation count of its own for the memory budget, and a deadline
/// the caller keeps even if the load does not stop by itself. One hostile file can then cost
/// its budget and no more: a scheduler or `runbook validate folder/` goes on with the next file.
/// </summary>
internal static class IsolatedLoad
{
    /// <summary>How long past the budget the caller waits for the load to report on its own before leaving it behind.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public static T? Run<T>(string file, LoadLimits limits, DiagnosticBag diagnostics, Func<LoadBudget, DiagnosticBag, T?> load)
        where T : class
    {
        var own = new DiagnosticBag();
        T? result = null;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = load(new LoadBudget(limits), own);
                }
                catch (Exception ex)
                {
                    // Whatever one file does must not end the process that loads the others.
                    failure = ex;
                }
            },
            limits.LoadStackBytes)
        {
            IsBackground = true,
            Name = "runbook playbook load",
        };
        thread.Start();
        var location = SourceLocation.Unknown(file);
        if (!thread.Join(limits.MaxLoadTime + Grace))
        {
            // The thread is left to finish on its own (its budget checks stop it soon); nothing waits for it.
            diagnostics.Add(location, $"loading this file took longer than {Duration.Format(limits.MaxLoadTime)}; it is skipped");
            return null;
        }

        diagnostics.AddRange(own);
        switch (failure)
        {
            case null:
                return result;
            case LoadBudgetExceededException:
                diagnostics.Add(location, failure.Message);
                return null;
            case InsufficientExecutionStackException:
                diagnostics.Add(location, "the file nests too deeply to be checked; it is skipped");
                return null;
            default:
                diagnostics.Add(location, $"the file could not be checked ({failure.GetType().Name}: {failure.Message}); it is skipped");
                return null;
        }
    }
}
