using Tappaas.Cli;

return CliApp.Run(args, Console.Out, Console.Error, TimeProvider.System); // this process's one clock
