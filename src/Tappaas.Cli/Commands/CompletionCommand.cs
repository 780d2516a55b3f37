using System.CommandLine;
using System.CommandLine.Completions;
using Tappaas.Composition;

namespace Tappaas.Cli.Commands;

/// <summary>
/// <c>tappaas completion bash|zsh|fish</c>: a script that asks the CLI itself what may come next (its
/// <c>[suggest:N]</c> directive), so commands, options and the site's installed module names complete.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # tappaas completion for bash: eval "$(./tappaas completion bash)" (or save it under /etc/bash_completion.d/)
        _tappaas_complete() {
            local line="${COMP_LINE#*[[:space:]]}"
            local point=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${point}]" "${line}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _tappaas_complete tappaas ./tappaas
        """;

    // Native zsh completion: autoloaded as _tappaas from a folder of $fpath (the package installs it so), or evaluated.
    private const string Zsh = """
        #compdef tappaas
        # tappaas completion for zsh: eval "$(./tappaas completion zsh)" (or save it as _tappaas in a folder of $fpath)
        _tappaas() {
            local line="${(j: :)words[2,CURRENT]}"
            local -a suggestions
            suggestions=(${(f)"$("${words[1]}" "[suggest:${#line}]" "$line" 2>/dev/null)"})
            compadd -a suggestions
        }
        if [ "$funcstack[1]" = "_tappaas" ]; then
            _tappaas "$@"
        else
            compdef _tappaas tappaas ./tappaas
        fi
        """;

    private const string Fish = """
        # tappaas completion for fish: ./tappaas completion fish | source
        function __tappaas_complete
            set -l line (commandline -cp | string replace -r '^\S+\s*' '')
            set -l program (commandline -opc)[1]
            $program "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
        end
        complete -c tappaas -f -a '(__tappaas_complete)'
        """;

    public static Command Create(TextWriter output)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completion", "Print a shell completion script (commands, options and installed module names).") { shell };
        command.SetAction(result =>
        {
            output.WriteLine(result.GetValue(shell) switch { "bash" => Bash, "zsh" => Zsh, _ => Fish });
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Completes an argument with the names of the modules installed in the site (<c>config/&lt;name&gt;.json</c>).</summary>
    public static T Modules<T>(T argument)
        where T : Argument
    {
        argument.CompletionSources.Add(context =>
        {
            return SiteHost.InstalledNames(SiteOptions.Root(context.ParseResult)).Select(n => new CompletionItem(n));
        });
        return argument;
    }
}
