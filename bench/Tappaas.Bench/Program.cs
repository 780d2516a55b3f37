using Tappaas.Bench;

var which = args.Length > 0 ? args[0] : "model";
return which switch
{
    "model" => ModelBenchmark.Run(args.Skip(1).ToArray()),
    "engine" => await EngineBenchmark.RunAsync(),
    "embedded" => await EmbeddedBenchmark.RunAsync(),
    "backup" => await BackupBenchmark.RunAsync(args.Skip(1).ToArray()),
    "proxy" when OperatingSystem.IsLinux() => await ProxyBenchmark.RunAsync(args.Skip(1).ToArray()),
    "api" => await ApiBenchmark.RunAsync(args.Skip(1).ToArray()),
    "rollout" when OperatingSystem.IsLinux() => await RolloutBenchmark.RunAsync(args.Skip(1).ToArray()),
    "routes" => await RouteBenchmark.RunAsync(args.Skip(1).ToArray()),
    "images" when OperatingSystem.IsLinux() => await ImageBenchmark.RunAsync(args.Skip(1).ToArray()),
    "cli" when OperatingSystem.IsLinux() => await CliBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench/run model [--modules N] | engine | embedded | backup [--mib N] | proxy [--seconds N] | api [--modules N] | rollout [--seconds N] | routes [--modules N] | images [--runs N] [--guests N] | cli [--cli PATH]");
    return 2;
}
