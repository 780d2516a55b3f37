using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tappaas.Daemon.Security;
using Tappaas.TestUtilities;

namespace Tappaas.Daemon.Tests;

/// <summary>API tokens: listed without secrets, expiring on the daemon's clock, revoked at once, never the last admin.</summary>
public sealed class TokenTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void A_token_expires_on_the_clock_and_the_last_admin_cannot_be_revoked()
    {
        using var site = new TempDir();
        var clock = new Clock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var tokens = new TokenStore(site.Path, clock);
        var admin = tokens.Create("admin", TokenRole.Admin);
        var ci = tokens.Create("ci", TokenRole.Operator, TimeSpan.FromHours(1));
        Assert.Equal("ci", tokens.Find(ci)?.Name);

        clock.Now += TimeSpan.FromMinutes(61);
        Assert.Null(tokens.Find(ci));
        Assert.Equal("admin", tokens.Find(admin)?.Name);

        Assert.Contains("there is no token \"nobody\"", tokens.Revoke("nobody"), StringComparison.Ordinal);
        Assert.Contains("last admin token", tokens.Revoke("admin"), StringComparison.Ordinal);
        var second = tokens.Create("second", TokenRole.Admin);
        Assert.Null(tokens.Revoke("admin"));
        Assert.Null(tokens.Find(admin));
        Assert.Equal("second", tokens.Find(second)?.Name);

        Assert.Equal(TimeSpan.FromHours(12), TokenStore.ParseLifetime("12h"));
        Assert.Equal(TimeSpan.FromDays(90), TokenStore.ParseLifetime("90d"));
        Assert.All(new[] { "", "d", "0d", "-1d", "1w", "1.5d", " 1d" }, bad => Assert.Null(TokenStore.ParseLifetime(bad)));
    }

    [Fact]
    public async Task Tokens_are_listed_without_secrets_and_a_revoked_one_opens_nothing()
    {
        await using var h = await DaemonHarness.StartAsync();
        var admin = h.Client(h.AdminToken);
        var created = await (await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "ci", role = "viewer", expiresIn = "2h" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var ci = created.GetProperty("token").GetString()!;
        Assert.True(created.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(119));
        Assert.Equal(HttpStatusCode.OK, (await h.Client(ci).GetAsync("/api/v1/modules", Ct)).StatusCode);

        var listed = await admin.GetStringAsync("/api/v1/tokens", Ct);
        Assert.DoesNotContain("tpk_", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256", listed, StringComparison.OrdinalIgnoreCase);
        var entries = JsonDocument.Parse(listed).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
        Assert.Equal("viewer", entries["ci"].GetProperty("role").GetString());
        Assert.False(entries["ci"].GetProperty("expired").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entries["admin"].GetProperty("expiresAt").ValueKind);
        Assert.Equal(HttpStatusCode.Forbidden, (await h.Client(ci).GetAsync("/api/v1/tokens", Ct)).StatusCode); // admin only

        var bad = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "x", role = "viewer", expiresIn = "soon" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("12h or 90d", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        foreach (var name in new[] { "", "my token", "family\n", new string('a', 65) })
        {
            var badName = await admin.PostAsJsonAsync("/api/v1/tokens", new { name, role = "viewer" }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
            Assert.Contains("is not 1 to 64 letters, digits", await badName.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        var badRole = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "x", role = "2" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        Assert.StartsWith("role \"2\" is not viewer, operator or admin", (await badRole.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(JsonDocument.Parse(await admin.GetStringAsync("/api/v1/tokens", Ct)).RootElement.EnumerateArray(), e => e.GetProperty("name").GetString() is "x" or "my token");

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/api/v1/tokens/ci", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await h.Client(ci).GetAsync("/api/v1/modules", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/tokens/ci", Ct)).StatusCode);
        var last = await admin.DeleteAsync("/api/v1/tokens/admin", Ct);
        Assert.Equal(HttpStatusCode.Conflict, last.StatusCode);
        Assert.Contains("last admin token", await last.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/modules", Ct)).StatusCode);
    }
}
