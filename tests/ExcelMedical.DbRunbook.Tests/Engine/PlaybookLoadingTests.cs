using ExcelMedical.DbRunbook.Engine.Diagnostics;
using ExcelMedical.DbRunbook.Engine.Loading;
using ExcelMedical.DbRunbook.Engine.Templating;
using ExcelMedical.DbRunbook.Tests.Support;

namespace ExcelMedical.DbRunbook.Tests.Engine;

/// <summary>Reading a playbook file: encoding, line numbers, documents, syntax errors and the load's budget (LoadLimits).</summary>
public sealed class PlaybookLoadingTests : IDisposable
{
    private const string Hostile = "TestData/Playbooks/hostile";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<string> Problems(string file, LoadLimits? limits = null)
    {
        var diagnostics = new DiagnosticBag();
        new PlaybookLoader(TestSteps.Catalog(), new TemplateEngine(), new Dictionary<string, string>(), limits).Load(file, diagnostics);
        return [.. diagnostics.Sorted().Select(d => d.ToString())];
    }

    [Fact]
    public void Invalid_UTF8_is_an_error_at_the_line_and_column_of_the_bad_byte()
    {
        var problem = Assert.Single(Problems($"{Hostile}/invalid-utf8.yaml"));

        Assert.Equal($"{Hostile}/invalid-utf8.yaml:4:12: the file is not valid UTF-8: byte 0xE9 here cannot start or continue a character; save the file as UTF-8", problem);
    }

    [Fact]
    public void Line_and_paragraph_separators_and_NEL_are_not_line_breaks_and_stay_in_values()
    {
        var diagnostics = new DiagnosticBag();
        var playbook = PlaybookReader.Load($"{Hostile}/line-separators.yaml", diagnostics);

        // Three of them above, yet the misspelt key is reported on its own line, 9.
        Assert.Contains($"{Hostile}/line-separators.yaml:9:5: unknown key 'wiht' in a step (did you mean 'with'?)", diagnostics.Sorted().Select(d => d.ToString()));
        Assert.Equal("pasted\u2028from a web page", playbook!.Description);
        Assert.Equal("plain\u2029text", ((ExcelMedical.DbRunbook.Engine.Model.ScalarNode)playbook.Vars.Single().Value).Value);
    }

    [Fact]
    public void A_second_YAML_document_is_an_error_where_it_starts()
    {
        Assert.Equal(
            [$"{Hostile}/two-documents.yaml:6:1: a second YAML document starts here; a playbook file holds exactly one (remove the '---' line, or move what follows to its own file)"],
            Problems($"{Hostile}/two-documents.yaml"));
    }

    [Theory]
    [InlineData("unclosed-quote.yaml", "2:14: YAML syntax error: the quoted text that starts here is not closed (the parser gave up at line 3, column 1: While scanning a multi-line double-quoted scalar, found wrong indentation)")]
    [InlineData("unclosed-bracket.yaml", "5:34: YAML syntax error in the '[' opened here: is a ']' or a ',' missing? (the parser gave up at line 5, column 40: While parsing a flow sequence, did not find expected ',' or ']')")]
    [InlineData("tab-indentation.yaml", "5:1: YAML syntax error: a tab in the indentation of this line; YAML indents with spaces only")]
    public void A_syntax_error_points_at_where_the_broken_construct_starts_and_says_where_the_parser_gave_up(string file, string expected)
    {
        var problem = Assert.Single(Problems($"{Hostile}/{file}"));

        Assert.StartsWith($"{Hostile}/{file}:{expected}", problem);
    }

    [Fact]
    public void A_bracket_never_closed_before_the_end_of_the_file_is_reported_where_it_opens()
    {
        var file = _dir.Write("open.yaml", "name: open\nsteps:\n  - id: one\n    uses: shell\n    with: { program: echo, args: [unclosed\n  - id: two\n");

        Assert.Equal([$"{file}:5:34: YAML syntax error: this '[' is never closed: the file ends (line 6) before its ']'"], Problems(file));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_an_error_at_the_first_level_too_deep()
    {
        var file = _dir.Write("deep.yaml", "name: deep\nsteps:\n  - id: one\n    uses: shell\n    with: { program: echo, args: " + new string('[', 70) + new string(']', 70) + " }\n");

        Assert.Equal([$"{file}:5:94: lists and mappings are nested more than 64 levels deep here; a playbook may nest at most 64 (see 'Limits' in the README)"], Problems(file));
    }

    [Fact]
    public void Aliases_count_as_copies_of_what_they_name()
    {
        var limits = LoadLimits.Default with { MaxNodes = 1_000 };
        var file = _dir.Write("aliases.yaml", """
            name: aliases
            vars:
              a: &a [x, x, x, x, x, x, x, x, x, x]
              b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
              c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            steps:
              - id: one
                uses: shell
                with: { program: echo }
            """);

        var problem = Assert.Single(Problems(file, limits));

        Assert.StartsWith($"{file}:5:", problem);
        Assert.Contains("the alias '*b' repeats 111 value(s); the playbook holds more than 1000 values", problem);
    }

    [Fact]
    public void A_load_over_its_time_budget_is_reported_and_skipped()
    {
        var file = _dir.Write("slow.yaml", "name: slow\nvars:\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"  v{i}: \"{{{{ env.HOME }}}}/{i}\"\n")) + "steps:\n  - id: one\n    uses: shell\n    with: { program: echo }\n");

        var problems = Problems(file, LoadLimits.Default with { MaxLoadTime = TimeSpan.FromMilliseconds(1) });

        Assert.Contains($"{file}: loading this file took longer than 1ms; it is skipped", problems);
    }

    [Fact]
    public void A_load_over_its_memory_budget_is_reported_and_skipped()
    {
        var file = _dir.Write("big.yaml", "name: big\nvars:\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"  v{i}: \"{{{{ env.HOME }}}}/{i}\"\n")) + "steps:\n  - id: one\n    uses: shell\n    with: { program: echo }\n");

        var problems = Problems(file, LoadLimits.Default with { MaxLoadAllocation = 4 * 1024 * 1024 });

        Assert.Contains($"{file}: loading this file needed more than 4.0 MiB of memory; it is skipped", problems);
    }

    [Fact]
    public async Task A_playbook_that_is_a_fifo_is_refused_without_opening_it()
    {
        var fifo = _dir["pipe.yaml"];
        Assert.Equal(0, (await Shell.RunAsync($"mkfifo '{fifo}'")).ExitCode);

        Assert.Equal([$"{fifo}: cannot read the playbook: it is a FIFO (named pipe), and only regular files are read"], Problems(fifo));
    }
}
