using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ExcelMedical.DbRunbook.Engine.Options;

namespace ExcelMedical.DbRunbook.Steps.Archives;

public sealed class ArchiveVerifyOptions
{
    [Required]
    [Description("The .tar.gz to verify, usually \"{{ steps.mongo_dump.outputs.file }}\". Every byte is read: each gzip member's header, CRC-32 and length, each tar entry and the end-of-archive marker; in a mongodump layout every document of every .bson file and every .metadata.json.")]
    public string File { get; set; } = string.Empty;

    [Description("The id of the mongo.dump step of this run: every collection it dumped must be in the archive with the same number of documents, and the file must still have the SHA-256 it was written with.")]
    [StepReference]
    public string? DumpStep { get; set; }

    [Description("Where to write the verification report, e.g. \"{{ vars.day }}/verification/mongo_backup_verify.txt\".")]
    public string? Report { get; set; }
}
