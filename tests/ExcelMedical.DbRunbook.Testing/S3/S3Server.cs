using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ExcelMedical.DbRunbook.Testing.Support;

namespace ExcelMedical.DbRunbook.Testing.S3;

/// <summary>
/// A local S3 server for tests: s3rver (node) with a temporary data folder, listening on a free
/// loopback port. Tests isolate themselves with <see cref="CreateBucketAsync"/>. s3rver checks the
/// access key but not SigV4 signatures, so a wrong secret key goes unnoticed.
/// </summary>
public sealed partial class S3Server : IAsyncDisposable
{
    private const string FolderPrefix = "runbook-s3-";
    private const string PidFileName = "s3rver.pid";

    // Run by the orphan watchdog if the test process dies first. The pid must still be a process
    // whose command line names this folder, so a recycled pid is never killed.
    private const string OrphanCleanup = $$"""
        pid=$(cat "$folder/{{PidFileName}}" 2>/dev/null)
        if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$folder"; then
            kill -KILL "$pid"
        fi
        """;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly ProcessWideShared<S3Server> SharedInstance = new(() => StartAsync());

    private readonly Process _process;
    private readonly string _rootDirectory;
    private int _disposed;

    private S3Server(Process process, string rootDirectory, Uri serviceUrl)
    {
        _process = process;
        _rootDirectory = rootDirectory;
        ServiceUrl = serviceUrl;
    }

    /// <summary>The server every test class shares: started on first use, stopped when the test process exits.</summary>
    public static Task<S3Server> Shared => SharedInstance.Value;

    /// <summary>"http://127.0.0.1:port/"; buckets are addressed path style (http://127.0.0.1:port/bucket/key).</summary>
    public Uri ServiceUrl { get; }

    /// <summary>s3rver's fixed credentials; it checks signatures made with them.</summary>
    public string AccessKey { get; } = "S3RVER";

    public string SecretKey { get; } = "S3RVER";

    public string Region { get; } = "us-east-1";

    /// <summary>Where s3rver keeps buckets and objects.</summary>
    public string DataDirectory => Path.Combine(_rootDirectory, "data");

    /// <summary>s3rver's process id, for tests of the fixture itself.</summary>
    public int ProcessId => _process.Id;

    /// <summary>A server of your own (dispose it); the node tools must be installed (npm ci --prefix tools).</summary>
    public static async Task<S3Server> StartAsync(CancellationToken cancellationToken = default)
    {
        var installation = S3rverInstallation.Locate();
        var rootDirectory = Path.Combine(Path.GetTempPath(), FolderPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        var dataDirectory = Path.Combine(rootDirectory, "data");
        Directory.CreateDirectory(dataDirectory);
        OrphanWatchdog.Arm(rootDirectory, OrphanCleanup);

        var output = new OutputTail();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) => OnOutput(line.Data, output, listening);
        process.ErrorDataReceived += (_, line) => output.Add(line.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"s3rver exited before it listened:\n{output}"));
        try
        {
            var hostScript = await S3rverHostScript.WriteToAsync(rootDirectory, cancellationToken);
            process.StartInfo = StartInfo(installation, hostScript, dataDirectory);
            process.Start();
            await File.WriteAllTextAsync(Path.Combine(rootDirectory, PidFileName), process.Id.ToString(CultureInfo.InvariantCulture), cancellationToken);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var serviceUrl = await WaitForListeningAsync(listening.Task, output, cancellationToken);
            return new S3Server(process, rootDirectory, serviceUrl);
        }
        catch
        {
            await StopAsync(process);
            DeleteDirectory(rootDirectory);
            throw;
        }
    }

    /// <summary>
    /// An SDK client for this server. Checksums only when an operation requires them: s3rver neither
    /// verifies the SDK's default checksum trailers (the host script just drops them) nor returns checksums.
    /// </summary>
    public AmazonS3Client CreateClient() =>
        new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
        {
            ServiceURL = ServiceUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    /// <summary>Creates an empty bucket named "prefix-xxxxxxxxxxxx" and returns its name.</summary>
    public async Task<string> CreateBucketAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = BucketNames.Unique(prefix);
        using var client = CreateClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name }, cancellationToken);
        return name;
    }

    /// <summary>Kills s3rver and deletes its data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(_process);
        DeleteDirectory(_rootDirectory);
    }

    private static ProcessStartInfo StartInfo(S3rverInstallation installation, string hostScript, string dataDirectory)
    {
        var startInfo = new ProcessStartInfo(installation.Node)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // s3rver never reads stdin; a pipe keeps it from sharing the test host's.
            RedirectStandardInput = true,
        };
        // The host binds port 0 on 127.0.0.1: the kernel picks a free port at bind time (no race
        // with other processes) and the host prints the one it got.
        foreach (var argument in new[] { hostScript, installation.Package, dataDirectory })
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private static void OnOutput(string? line, OutputTail output, TaskCompletionSource<Uri> listening)
    {
        output.Add(line);
        var match = line is null ? null : ListeningLine().Match(line);
        if (match is { Success: true })
        {
            listening.TrySetResult(new Uri($"http://{match.Groups["address"].Value}:{match.Groups["port"].Value}/"));
        }
    }

    private static async Task<Uri> WaitForListeningAsync(Task<Uri> listening, OutputTail output, CancellationToken cancellationToken)
    {
        try
        {
            return await listening.WaitAsync(StartTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"s3rver did not report listening within {StartTimeout.TotalSeconds} s:\n{output}");
        }
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var stopped = new CancellationTokenSource(StopTimeout);
            await process.WaitForExitAsync(stopped.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        catch (OperationCanceledException)
        {
            // Still there after SIGKILL; the orphan watchdog gets another try once the folder check fails.
        }
        finally
        {
            process.Dispose();
        }
    }

    private static void DeleteDirectory(string directory)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // The killed server may still be closing files it was writing.
                Thread.Sleep(200);
            }
        }
    }

    [GeneratedRegex(@"S3rver listening on (?<address>\S+):(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
