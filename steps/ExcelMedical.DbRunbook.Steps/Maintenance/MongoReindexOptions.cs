using System.ComponentModel;
using ExcelMedical.DbRunbook.Steps.SharedOptions;

namespace ExcelMedical.DbRunbook.Steps.Maintenance;

public sealed class MongoReindexOptions : MongoConnectionOptions
{
    [Description("Rebuild indexes of only these collections (default: every collection except views and system.*).")]
    public List<string> Collections { get; set; } = [];

    [Description("Rebuild only indexes with these names (default: every index that can be rebuilt safely).")]
    public List<string> Indexes { get; set; } = [];
}
