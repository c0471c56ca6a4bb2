using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class MongoValidateOptions : IValidatableObject
{
    [Connection]
    [Description("The playbook connection; its uri (the guide's MONGO_URI) names the server, the credentials and the database.")]
    public string Connection { get; set; } = "mongo";

    [Description("The database (default: the one in the connection's uri).")]
    public string? Database { get; set; }

    [Description("Validate only these collections (default: every collection except views and system.*).")]
    public List<string> Collections { get; set; } = [];

    [Description("Validate on a checkpoint with intent locks only, so reads and writes continue (MongoDB 4.4+). false runs the foreground validate, which locks each collection exclusively while it is checked.")]
    public bool Background { get; set; } = true;

    [Description("full: true also checks WiredTiger's internal structures; slower, only off-peak, and not combinable with background.")]
    public bool Full { get; set; }

    [Description("How long to wait for a reachable server before failing.")]
    public TimeSpan ServerSelectionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Full && Background)
        {
            yield return new ValidationResult("full: true cannot run in the background: set background: false for a full validate (it locks each collection exclusively; run it off-peak)");
        }
    }
}
