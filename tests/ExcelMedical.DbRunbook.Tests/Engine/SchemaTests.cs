using System.Text.Json.Nodes;
using ExcelMedical.DbRunbook.Engine.Options;
using ExcelMedical.DbRunbook.Engine.Schema;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

public sealed class SchemaTests
{
    [Fact]
    public void The_committed_schema_is_the_one_the_step_declarations_generate()
    {
        var generated = PlaybookSchema.Generate(TestSteps.Catalog().WithoutTestSteps());
        var committed = File.ReadAllText(RepositoryRoot.File("schema/playbook.schema.json"));

        Assert.True(generated == committed, "schema/playbook.schema.json is stale: run `runbook schema` from the repository root and commit the result");
    }

    [Fact]
    public void Schema_property_names_are_the_names_the_binder_accepts()
    {
        foreach (var step in Steps.BuiltInSteps.Create().All)
        {
            var schema = PlaybookSchema.OptionsSchema(step.OptionsType);
            var schemaNames = schema["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
            var binderNames = OptionDescriptor.For(step.OptionsType).Select(o => o.Name).Order(StringComparer.Ordinal);

            Assert.Equal(binderNames, schemaNames);
        }
    }

    [Fact]
    public void Runbook_steps_lists_options_in_the_order_of_the_schema()
    {
        // Options inherited from a shared base (e.g. PostgresConnectionOptions) are ordered by the
        // same rules in both: the class's own first, then the base's, [JsonPropertyOrder] first of all.
        foreach (var step in Steps.BuiltInSteps.Create().All)
        {
            var schemaNames = PlaybookSchema.OptionsSchema(step.OptionsType)["properties"]!.AsObject().Select(p => p.Key);
            var binderNames = OptionDescriptor.For(step.OptionsType).Select(o => o.Name);

            Assert.Equal(schemaNames, binderNames);
        }
    }

    [Fact]
    public void Required_options_defaults_and_secrets_appear_in_the_schema()
    {
        var schema = JsonNode.Parse(PlaybookSchema.Generate(Steps.BuiltInSteps.Create()))!;
        var slack = schema["definitions"]!["notify.slack"]!;
        var email = schema["definitions"]!["notify.email"]!;

        Assert.Contains("webhook", slack["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("Secret", slack["properties"]!["webhook"]!["description"]!.GetValue<string>());
        Assert.Null(email["properties"]!["password"]!["default"]);
        Assert.Equal("auto", email["properties"]!["security"]!["anyOf"]![0]!["default"]?.GetValue<string>() ?? email["properties"]!["security"]!["default"]!.GetValue<string>());
        Assert.Equal("15s", slack["properties"]!["timeout"]!["default"]?.GetValue<string>());
    }
}
