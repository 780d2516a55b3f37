using System.Text.Json.Nodes;

namespace Tappaas.Platform.Embedded.Guests.Oci;

/// <summary>
/// The default seccomp profile of Podman and Docker, read from the file the <c>containers-common</c> package maintains
/// (<see cref="DefaultFile"/>), turned into the runtime spec's <c>linux.seccomp</c> for one architecture and one
/// capability set: a rule is kept when its <c>includes</c> hold (every listed capability granted, the architecture
/// listed, the kernel new enough) and its <c>excludes</c> do not.
/// </summary>
public static class SeccompProfile
{
    public const string DefaultFile = "/usr/share/containers/seccomp.json";

    /// <summary>The runtime spec's seccomp section for <paramref name="capabilities"/> on <paramref name="goArch"/> (amd64, arm64, …).</summary>
    public static JsonObject ForRuntime(JsonObject profile, IReadOnlyCollection<string> capabilities, string goArch, Version kernel)
    {
        var scmpArch = ScmpArch(goArch);
        var architectures = new JsonArray();
        foreach (var entry in (profile["archMap"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((string?)entry["architecture"] == scmpArch)
            {
                architectures.Add((JsonNode)scmpArch);
                foreach (var sub in (entry["subArchitectures"] as JsonArray ?? []).Select(s => (string?)s).OfType<string>())
                {
                    architectures.Add((JsonNode)sub);
                }
            }
        }

        var syscalls = new JsonArray();
        foreach (var rule in (profile["syscalls"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (!Applies(rule["includes"] as JsonObject, capabilities, goArch, kernel, include: true) || !Applies(rule["excludes"] as JsonObject, capabilities, goArch, kernel, include: false))
            {
                continue;
            }

            var kept = new JsonObject { ["names"] = rule["names"]?.DeepClone(), ["action"] = rule["action"]?.DeepClone() };
            if (rule["args"] is JsonArray { Count: > 0 } args)
            {
                kept["args"] = args.DeepClone();
            }

            if (rule["errnoRet"] is { } errno)
            {
                kept["errnoRet"] = errno.DeepClone();
            }

            syscalls.Add((JsonNode)kept);
        }

        var seccomp = new JsonObject { ["defaultAction"] = profile["defaultAction"]?.DeepClone() ?? "SCMP_ACT_ERRNO", ["architectures"] = architectures, ["syscalls"] = syscalls };
        if (profile["defaultErrnoRet"] is { } defaultErrno)
        {
            seccomp["defaultErrnoRet"] = defaultErrno.DeepClone();
        }

        return seccomp;
    }

    /// <summary>Reads <see cref="DefaultFile"/> (or another profile file); null when it is not there.</summary>
    public static JsonObject? Load(string file = DefaultFile) => File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file)) as JsonObject : null;

    /// <summary>The host's architecture as OCI images name it.</summary>
    public static string HostArch => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The running kernel's version (from <c>/proc/sys/kernel/osrelease</c>), for rules with <c>minKernel</c>.</summary>
    public static Version HostKernel()
    {
        var text = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease") : "0.0";
        return ParseKernel(text);
    }

    internal static Version ParseKernel(string text)
    {
        var digits = new string(text.Trim().TakeWhile(c => char.IsDigit(c) || c == '.').ToArray()).Split('.', StringSplitOptions.RemoveEmptyEntries);
        return new Version(digits.Length > 0 ? int.Parse(digits[0], System.Globalization.CultureInfo.InvariantCulture) : 0, digits.Length > 1 ? int.Parse(digits[1], System.Globalization.CultureInfo.InvariantCulture) : 0);
    }

    private static bool Applies(JsonObject? filter, IReadOnlyCollection<string> capabilities, string goArch, Version kernel, bool include)
    {
        if (filter is null || filter.Count == 0)
        {
            return true;
        }

        var caps = (filter["caps"] as JsonArray ?? []).Select(c => (string?)c).OfType<string>().ToList();
        var arches = (filter["arches"] as JsonArray ?? []).Select(a => (string?)a).OfType<string>().ToList();
        var minKernel = (string?)filter["minKernel"];
        if (include)
        {
            return caps.All(capabilities.Contains) && (arches.Count == 0 || arches.Contains(goArch)) && (minKernel is null || kernel >= ParseKernel(minKernel));
        }

        // An exclude drops the rule when any capability it names is granted or the architecture is listed.
        return !caps.Any(capabilities.Contains) && !arches.Contains(goArch) && (minKernel is null || kernel < ParseKernel(minKernel));
    }

    private static string ScmpArch(string goArch) => goArch switch
    {
        "amd64" => "SCMP_ARCH_X86_64",
        "arm64" => "SCMP_ARCH_AARCH64",
        "386" => "SCMP_ARCH_X86",
        "arm" => "SCMP_ARCH_ARM",
        "s390x" => "SCMP_ARCH_S390X",
        "ppc64le" => "SCMP_ARCH_PPC64LE",
        _ => "SCMP_ARCH_NATIVE",
    };
}
