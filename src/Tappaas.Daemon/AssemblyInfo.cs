// The daemon runs guests in Linux namespaces and cgroups: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
