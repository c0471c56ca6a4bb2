namespace ExcelMedical.DbRunbook.Testing.Slack;

/// <summary>How <see cref="SlackReceiver"/> answers the webhook calls it records.</summary>
public enum SlackReceiverMode
{
    /// <summary>200 with body "ok", as Slack answers a delivered message.</summary>
    Ok,

    /// <summary>500 with body "internal_error": Slack is having an outage.</summary>
    ServerError,

    /// <summary>No answer at all until the receiver is disposed: the client's timeout must end the call.</summary>
    Timeout,
}
