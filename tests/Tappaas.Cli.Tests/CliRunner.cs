namespace Tappaas.Cli.Tests;

internal static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Run(args, output, error, TimeProvider.System);
        return (code, output.ToString(), error.ToString());
    }
}
