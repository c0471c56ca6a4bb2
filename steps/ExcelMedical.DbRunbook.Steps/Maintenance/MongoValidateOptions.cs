using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class MongoValidateOptions : MongoConnectionOptions, IValidatableObject
{
    [Description("Validate only these collections (default: every collection except views and system.*).")]
    public List<string> Collections { get; set; } = [];

    [Description("Validate on a checkpoint with intent locks only, so reads and writes continue (MongoDB 4.4+). false runs the foreground validate, which locks each collection exclusively while it is checked.")]
    public bool Background { get; set; } = true;

    [Description("full: true also checks WiredTiger's internal structures; slower, only off-peak, and not combinable with background.")]
    public bool Full { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Full && Background)
        {
            yield return new ValidationResult("full: true cannot run in the background: set background: false for a full validate (it locks each collection exclusively; run it off-peak)");
        }
    }
}
