using System.CommandLine;
using Tappaas.Abstractions.Secrets;

namespace Tappaas.Cli.Commands;

/// <summary>
/// <c>tappaas secret set|list|delete</c>: the site's secret store. Values come from standard input or a file, never
/// from the command line (where other users could read them in the process list), and are never printed.
/// </summary>
internal static class SecretCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("NAME") { Description = "The secret's name, referred to as ${secret:NAME} in a workload's env." };
        var fromFile = new Option<string?>("--from-file") { Description = "Read the value from this file instead of standard input." };
        var set = new Command("set", "Store a secret (the value is read from standard input or --from-file).") { name, fromFile };
        set.SetAction((result, ct) => SiteCommand.RunAsync(result, error, async (session, token) =>
        {
            var key = result.GetValue(name)!;
            if (!SiteSecrets.IsValidName(key))
            {
                error.WriteLine($"error: NAME \"{key}\" is not a valid secret name: use letters, digits, '_', '.', '-', starting with a letter");
                return ExitCodes.Usage;
            }

            string value;
            if (result.GetValue(fromFile) is { } file)
            {
                if (!File.Exists(file))
                {
                    error.WriteLine($"error: --from-file {file}: no such file");
                    return ExitCodes.Usage;
                }

                value = await File.ReadAllTextAsync(file, token);
            }
            else
            {
                if (!Console.IsInputRedirected)
                {
                    error.Write($"value of {key} (end with Ctrl-D): ");
                }

                value = await Console.In.ReadToEndAsync(token);
            }

            value = value.TrimEnd('\n', '\r');
            if (value.Length == 0)
            {
                error.WriteLine($"error: the value of {key} is empty; pipe it in (printf %s \"$VALUE\" | tappaas secret set {key}) or use --from-file");
                return ExitCodes.Usage;
            }

            new SiteSecrets(session.Layout.Root).Set(key, value);
            output.WriteLine($"secret {key} stored");
            return ExitCodes.Ok;
        }, ct));

        var list = new Command("list", "List the names of the site's secrets (never their values).");
        list.SetAction((result, ct) => SiteCommand.RunAsync(result, error, (session, _) =>
        {
            foreach (var n in new SiteSecrets(session.Layout.Root).Names())
            {
                output.WriteLine(n);
            }

            return Task.FromResult(ExitCodes.Ok);
        }, ct));

        var deleteName = new Argument<string>("NAME") { Description = "The secret to remove." };
        var delete = new Command("delete", "Remove a secret.") { deleteName };
        delete.SetAction((result, ct) => SiteCommand.RunAsync(result, error, (session, _) =>
        {
            var key = result.GetValue(deleteName)!;
            if (!new SiteSecrets(session.Layout.Root).Remove(key))
            {
                error.WriteLine($"error: the site has no secret \"{key}\" (tappaas secret list shows the names)");
                return Task.FromResult(ExitCodes.Failed);
            }

            output.WriteLine($"secret {key} removed");
            return Task.FromResult(ExitCodes.Ok);
        }, ct));

        return new Command("secret", "Manage the site's secrets.") { set, list, delete };
    }
}
