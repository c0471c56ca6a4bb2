using MongoDB.Bson;

namespace ExcelMedical.DbRunbook.MongoWireTestServer.Commands;

/// <summary>
/// Command name → handler. Synchronous handlers run under the storage lock; asynchronous
/// ones (sleep, which must not block other connections) take it themselves when needed.
/// </summary>
internal sealed class CommandTable
{
    private readonly Dictionary<string, CommandHandler> handlers = new(StringComparer.Ordinal);

    public void Add(string name, Func<CommandContext, BsonDocument> handler) => handlers.Add(name, new CommandHandler(handler, null));

    public void AddAsync(string name, Func<CommandContext, Task<BsonDocument>> handler) => handlers.Add(name, new CommandHandler(null, handler));

    public CommandHandler? Find(string name) => handlers.GetValueOrDefault(name);
}

/// <summary>Exactly one of the two delegates is set.</summary>
internal sealed record CommandHandler(Func<CommandContext, BsonDocument>? Locked, Func<CommandContext, Task<BsonDocument>>? Unlocked);

/// <summary>A group of related commands (one file per family) that registers its handlers.</summary>
internal interface ICommandFamily
{
    void Register(CommandTable table);
}
