using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using ExcelMedical.DbRunbook.Testing.Slack;
using Xunit;

namespace ExcelMedical.DbRunbook.Testing.Tests.Slack;

public sealed class SlackReceiverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Webhook_post_is_answered_ok_and_recorded_with_path_headers_body_and_json()
    {
        using var receiver = new SlackReceiver();
        using var http = new HttpClient();

        using var response = await http.PostAsJsonAsync(receiver.WebhookUrl, new { text = "Backup finished ✓", channel = "#ops" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal(SlackReceiver.WebhookPath, request.Path);
        Assert.StartsWith("application/json", request.Headers["content-type"]);
        Assert.Contains("\"channel\":\"#ops\"", request.Body);
        Assert.Equal("Backup finished ✓", request.Text);
        Assert.Equal("#ops", request.Json?.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Webhook_url_is_on_loopback_and_shaped_like_slacks()
    {
        using var receiver = new SlackReceiver();

        Assert.Equal("127.0.0.1", receiver.WebhookUrl.Host);
        Assert.Matches("^http://127\\.0\\.0\\.1:[0-9]+/services/T000/B000/XXXXsecret$", receiver.WebhookUrl.ToString());
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_recorded_without_json()
    {
        using var receiver = new SlackReceiver();
        using var http = new HttpClient();

        using var response = await http.PostAsync(receiver.WebhookUrl, new StringContent("payload=not-json", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var request = await receiver.WaitForRequestAsync(Patience);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("payload=not-json", request.Body);
        Assert.Null(request.Json);
        Assert.Null(request.Text);
    }

    [Fact]
    public async Task Server_error_mode_answers_500_and_still_records_and_ok_mode_recovers()
    {
        using var receiver = new SlackReceiver { Mode = SlackReceiverMode.ServerError };
        using var http = new HttpClient();

        using var failed = await http.PostAsJsonAsync(receiver.WebhookUrl, new { text = "first try" });
        receiver.Mode = SlackReceiverMode.Ok;
        using var retried = await http.PostAsJsonAsync(receiver.WebhookUrl, new { text = "second try" });

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(["first try", "second try"], receiver.Requests.Select(request => request.Text));
    }

    [Fact]
    public async Task Timeout_mode_never_answers_so_a_client_with_a_one_second_timeout_gives_up()
    {
        using var receiver = new SlackReceiver { Mode = SlackReceiverMode.Timeout };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TaskCanceledException>(() => http.PostAsJsonAsync(receiver.WebhookUrl, new { text = "anyone there?" }));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal("anyone there?", (await receiver.WaitForRequestAsync(Patience)).Text);
    }

    [Fact]
    public async Task Disposing_releases_a_request_held_open_in_timeout_mode()
    {
        var receiver = new SlackReceiver { Mode = SlackReceiverMode.Timeout };
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var pending = http.PostAsJsonAsync(receiver.WebhookUrl, new { text = "held" });
        await receiver.WaitForRequestAsync(Patience);
        Assert.False(pending.IsCompleted);

        receiver.Dispose();

        await Assert.ThrowsAsync<HttpRequestException>(() => pending.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_client_that_closes_each_connection_still_reads_every_answer()
    {
        using var receiver = new SlackReceiver();
        using var http = new HttpClient();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, receiver.WebhookUrl)
            {
                Content = new StringContent($"{{\"text\":\"message {attempt}\"}}", Encoding.UTF8, "application/json"),
            };
            request.Headers.ConnectionClose = true;
            using var response = await http.SendAsync(request);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(["message 1", "message 2", "message 3"], receiver.Requests.Select(request => request.Text));
        Assert.All(receiver.Requests, request => Assert.Equal("close", request.Headers["connection"]));
    }

    [Fact]
    public async Task Waiting_in_vain_times_out_naming_what_did_arrive()
    {
        using var receiver = new SlackReceiver();
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(receiver.WebhookUrl, new { text = "something else" });

        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => receiver.WaitForRequestAsync(request => request.Text == "never sent", TimeSpan.FromMilliseconds(300)));

        Assert.Contains(SlackReceiver.WebhookPath, error.Message);
    }
}
