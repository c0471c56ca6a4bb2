namespace ExcelMedical.DbRunbook.Engine.Steps;

/// <summary>A failure the step explains itself: the message is shown as is, without a stack trace.</summary>
public sealed class StepFailedException : Exception
{
    public StepFailedException(string message)
        : base(message)
    {
    }

    public StepFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public StepFailedException()
    {
    }
}
