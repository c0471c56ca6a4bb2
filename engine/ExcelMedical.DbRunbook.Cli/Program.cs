using ExcelMedical.DbRunbook.Cli;

return await RunbookCli.InvokeAsync(args, RunbookCli.CreateHost(Console.Out, Console.Error), registerSignals: true);
