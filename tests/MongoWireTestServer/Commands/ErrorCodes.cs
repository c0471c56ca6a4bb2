namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>The server error codes this server returns, with mongod's code names.</summary>
internal static class ErrorCodes
{
    public const int InternalError = 1;
    public const int BadValue = 2;
    public const int NoSuchKey = 4;
    public const int FailedToParse = 9;
    public const int Unauthorized = 13;
    public const int TypeMismatch = 14;
    public const int IllegalOperation = 20;
    public const int NamespaceNotFound = 26;
    public const int IndexNotFound = 27;
    public const int PathNotViable = 28;
    public const int CursorNotFound = 43;
    public const int NamespaceExists = 48;
    public const int CommandNotFound = 59;
    public const int ImmutableField = 66;
    public const int CannotCreateIndex = 67;
    public const int InvalidOptions = 72;
    public const int InvalidNamespace = 73;
    public const int NoReplicationEnabled = 76;
    public const int IndexOptionsConflict = 85;
    public const int IndexKeySpecsConflict = 86;
    public const int CommandNotSupported = 115;
    public const int InvalidPipelineOperator = 168;
    public const int InvalidIndexSpecificationOption = 197;
    public const int DuplicateKey = 11000;
    public const int Interrupted = 11601;

    private static readonly Dictionary<int, string> Names = new()
    {
        [InternalError] = "InternalError",
        [BadValue] = "BadValue",
        [NoSuchKey] = "NoSuchKey",
        [FailedToParse] = "FailedToParse",
        [Unauthorized] = "Unauthorized",
        [TypeMismatch] = "TypeMismatch",
        [IllegalOperation] = "IllegalOperation",
        [NamespaceNotFound] = "NamespaceNotFound",
        [IndexNotFound] = "IndexNotFound",
        [PathNotViable] = "PathNotViable",
        [CursorNotFound] = "CursorNotFound",
        [NamespaceExists] = "NamespaceExists",
        [CommandNotFound] = "CommandNotFound",
        [ImmutableField] = "ImmutableField",
        [CannotCreateIndex] = "CannotCreateIndex",
        [InvalidOptions] = "InvalidOptions",
        [InvalidNamespace] = "InvalidNamespace",
        [NoReplicationEnabled] = "NoReplicationEnabled",
        [IndexOptionsConflict] = "IndexOptionsConflict",
        [IndexKeySpecsConflict] = "IndexKeySpecsConflict",
        [CommandNotSupported] = "CommandNotSupported",
        [InvalidPipelineOperator] = "InvalidPipelineOperator",
        [InvalidIndexSpecificationOption] = "InvalidIndexSpecificationOption",
        [DuplicateKey] = "DuplicateKey",
        [Interrupted] = "Interrupted",
    };

    /// <summary>mongod names codes without a symbolic name "Location&lt;code&gt;".</summary>
    public static string NameOf(int code) => Names.TryGetValue(code, out var name) ? name : $"Location{code}";
}
