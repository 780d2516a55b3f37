using Tappaas.Platform.Embedded.Guests;

// The per-guest supervisor: tappaas-shim GUEST_DIR (started detached by the embedded platform).
if (args.Length != 1 || !File.Exists(Path.Combine(args[0], "spec.json")))
{
    Console.Error.WriteLine("usage: tappaas-shim GUEST_DIR (a folder with spec.json)");
    return 2;
}

return await ShimHost.RunAsync(args[0], TimeProvider.System); // this process's one clock
