using System.CommandLine;
using Tappaas.Model.Fields;

namespace Tappaas.Cli.Commands;

/// <summary><c>tappaas schema</c>: prints the JSON Schema of a module file (the one published as schema/module.schema.json).</summary>
internal static class SchemaCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("schema", "Print the JSON Schema of a module file, for editors and other tools.");
        command.SetAction(_ =>
        {
            output.Write(ModuleSchema.Generate());
            return ExitCodes.Ok;
        });
        return command;
    }
}
