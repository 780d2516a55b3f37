using System.Net;
using System.Net.Sockets;
using System.Text;
using Tappaas.Platform.Embedded.Guests.Health;

namespace Tappaas.Platform.Embedded.Tests;

/// <summary>The supervisor's HTTP health check against real sockets: what it sends, the status it reads, what it refuses.</summary>
public sealed class HttpStatusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", 204)]
    [InlineData("HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 503)]
    [InlineData("HTTP/1.1 302 Found\r\nLocation: /login\r\n\r\n", 302)]
    public async Task Reads_the_status_of_a_real_answer_and_sends_a_plain_GET(string answer, int expected)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(Ct);
            var stream = client.GetStream();
            var request = new StringBuilder();
            var buffer = new byte[1024];
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, Ct);
                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), Ct);
            return request.ToString();
        }, Ct);

        Assert.Equal(expected, await HttpStatus.GetAsync("127.0.0.1", port, "/health?deep=1", Ct));
        var sent = await server;
        Assert.StartsWith("GET /health?deep=1 HTTP/1.1\r\n", sent, StringComparison.Ordinal);
        Assert.Contains($"\r\nHost: 127.0.0.1:{port}\r\n", sent, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", sent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "closed the connection without an answer")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n", "not HTTP: SSH-2.0-OpenSSH_9.2")]
    [InlineData("HTTP/1.1 2000 OK\r\n", "not HTTP")]
    public void What_is_not_an_HTTP_answer_is_a_failed_check_that_says_what_came(string answer, string message)
    {
        var error = Assert.Throws<IOException>(() => HttpStatus.Parse(answer));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_fails_the_check()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await Assert.ThrowsAsync<SocketException>(() => HttpStatus.GetAsync("127.0.0.1", port, "/", Ct));
    }
}
