using System.Runtime.CompilerServices;

namespace Tappaas.TestUtilities;

/// <summary>What a skipped test that needs data from <c>../shared</c> says; under CI=true nothing is skipped and a missing folder fails the test.</summary>
internal static class SharedSkip
{
    public static string? Reason(bool present, string howToGet) => present || Prerequisites.InCi ? null : $"needs ../shared: {howToGet}";
}

/// <summary>A fact that reads the upstream corpus (<see cref="Corpus"/>): skipped without it outside CI.</summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Skip = SharedSkip.Reason(Corpus.Present, Corpus.HowToGet);
}

/// <summary>A theory that reads the upstream corpus (<see cref="Corpus"/>): skipped without it outside CI.</summary>
public sealed class CorpusTheoryAttribute : TheoryAttribute
{
    public CorpusTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Skip = SharedSkip.Reason(Corpus.Present, Corpus.HowToGet);
}

/// <summary>A fact that checks a client against the vendor API schemas (<see cref="VendorApi"/>): skipped without them outside CI.</summary>
public sealed class VendorApiFactAttribute : FactAttribute
{
    public VendorApiFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Skip = SharedSkip.Reason(VendorApi.Present, VendorApi.HowToGet);
}

/// <summary>A theory that checks a client against the vendor API schemas (<see cref="VendorApi"/>): skipped without them outside CI.</summary>
public sealed class VendorApiTheoryAttribute : TheoryAttribute
{
    public VendorApiTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Skip = SharedSkip.Reason(VendorApi.Present, VendorApi.HowToGet);
}
