namespace Tappaas.Providers.Fake;

/// <summary>One scripted behaviour of the fake provider, read from <c>&lt;site&gt;/fake/script.json</c> (<c>{"rules": [ … ]}</c>).</summary>
/// <remarks>Settable, not init-only: generated JSON code sets every init-only property, so one the file leaves out would
/// lose its default (<c>*</c>, status 2) and the rule would match nothing.</remarks>
public sealed record FakeRule
{
    /// <summary>Consumer module, or <c>*</c>.</summary>
    public string Module { get; set; } = "*";

    /// <summary>Service as <c>module:service</c>, or <c>*</c>.</summary>
    public string Service { get; set; } = "*";

    /// <summary>install, update, delete, test, snapshot, restore, or <c>*</c>.</summary>
    public string Operation { get; set; } = "*";

    /// <summary>Milliseconds to wait before acting.</summary>
    public int DelayMs { get; set; }

    /// <summary>Fail the Nth matching call (1-based, counted across processes); 0 = never.</summary>
    public int FailOnCall { get; set; }

    /// <summary>Fail every matching call.</summary>
    public bool FailAlways { get; set; }

    /// <summary>Exit status of a failure: 1 failed, 2 fatal.</summary>
    public int Status { get; set; } = 2;

    /// <summary>For tests: alternate pass and fail on successive calls.</summary>
    public bool Flap { get; set; }

    /// <summary>True when the rule applies to a call.</summary>
    public bool Matches(string module, string service, string operation) =>
        (Module == "*" || Module == module) && (Service == "*" || Service == service) && (Operation == "*" || Operation == operation);
}
