namespace Tappaas.IO;

/// <summary>The platform's one atomic file writer (its body is <c>src/Shared/AtomicFile.cs</c>), public to every room.</summary>
public static partial class AtomicFile;
