namespace ExcelMedical.DbRunbook.Engine.Templating;

/// <summary>A template that failed to render, with the template text in the message.</summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string message)
        : base(message)
    {
    }

    public TemplateException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public TemplateException()
    {
    }
}
