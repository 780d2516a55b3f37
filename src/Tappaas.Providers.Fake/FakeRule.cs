namespace Tappaas.Providers.Fake;

/// <summary>One scripted behaviour of the fake provider, read from <c>&lt;site&gt;/fake/script.json</c> (<c>{"rules": [ … ]}</c>).</summary>
public sealed record FakeRule
{
    /// <summary>Consumer module, or <c>*</c>.</summary>
    public string Module { get; init; } = "*";

    /// <summary>Service as <c>module:service</c>, or <c>*</c>.</summary>
    public string Service { get; init; } = "*";

    /// <summary>install, update, delete, test, snapshot, restore, or <c>*</c>.</summary>
    public string Operation { get; init; } = "*";

    /// <summary>Milliseconds to wait before acting.</summary>
    public int DelayMs { get; init; }

    /// <summary>Fail the Nth matching call (1-based, counted across processes); 0 = never.</summary>
    public int FailOnCall { get; init; }

    /// <summary>Fail every matching call.</summary>
    public bool FailAlways { get; init; }

    /// <summary>Exit status of a failure: 1 failed, 2 fatal.</summary>
    public int Status { get; init; } = 2;

    /// <summary>For tests: alternate pass and fail on successive calls.</summary>
    public bool Flap { get; init; }

    /// <summary>True when the rule applies to a call.</summary>
    public bool Matches(string module, string service, string operation) =>
        (Module == "*" || Module == module) && (Service == "*" || Service == service) && (Operation == "*" || Operation == operation);
}
