using System.Diagnostics;
using System.Globalization;

namespace Tappaas.Platform.Embedded.Images;

/// <summary>Reads what an unpacked image holds: its programs, its users and groups, the content of a volume's path.</summary>
internal static partial class ImageFiles
{
    /// <summary>Whether <paramref name="program"/> (a path, or a name looked up in <paramref name="path"/>) is a file in the image, following links inside it.</summary>
    public static bool Executable(string rootfs, string program, string path)
    {
        var candidates = program.Contains('/', StringComparison.Ordinal) ? [program] : path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => d.TrimEnd('/') + "/" + program);
        return candidates.Any(c => Resolve(rootfs, c) is { } file && File.Exists(file));
    }

    /// <summary>The uid and gid of an image user: <c>name</c>, <c>uid</c>, <c>name:group</c> or <c>uid:gid</c>; null or empty is root.</summary>
    public static (long Uid, long Gid) User(string rootfs, string? user)
    {
        if (string.IsNullOrEmpty(user))
        {
            return (0, 0);
        }

        var parts = user.Split(':', 2);
        var passwd = Table(rootfs, "/etc/passwd");
        long uid;
        long? gid = null;
        if (long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            uid = n;
            gid = passwd.FirstOrDefault(p => p.Length > 3 && p[2] == parts[0]) is { } byId && long.TryParse(byId[3], CultureInfo.InvariantCulture, out var g0) ? g0 : null;
        }
        else if (passwd.FirstOrDefault(p => p.Length > 3 && p[0] == parts[0]) is { } entry && long.TryParse(entry[2], CultureInfo.InvariantCulture, out var u) && long.TryParse(entry[3], CultureInfo.InvariantCulture, out var g))
        {
            (uid, gid) = (u, g);
        }
        else
        {
            throw new ArgumentException($"the image has no user \"{parts[0]}\" in /etc/passwd; set workload.user to a user it has or to uid:gid");
        }

        if (parts.Length == 2)
        {
            gid = long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var gn) ? gn
                : Table(rootfs, "/etc/group").FirstOrDefault(g => g.Length > 2 && g[0] == parts[1]) is { } group && long.TryParse(group[2], CultureInfo.InvariantCulture, out var gg) ? gg
                : throw new ArgumentException($"the image has no group \"{parts[1]}\" in /etc/group; set workload.user to uid:gid");
        }

        if (uid >= Guests.Oci.RuntimeSpec.IdsPerGuest || (gid ?? 0) >= Guests.Oci.RuntimeSpec.IdsPerGuest)
        {
            throw new ArgumentException($"user \"{user}\" is outside the guest's ids 0-{Guests.Oci.RuntimeSpec.IdsPerGuest - 1}");
        }

        return (uid, gid ?? uid);
    }

    /// <summary>
    /// Makes a volume's folder on the module's disk the first time: a copy of what the image has at that path (owners
    /// kept, as Docker fills a new named volume), else an empty folder owned by the guest's user.
    /// </summary>
    public static void SeedVolume(string rootfs, string volume, string host, long hostUid, long hostGid)
    {
        if (Directory.Exists(host))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(host)!);
        var work = host + ".seeding";
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        if (Resolve(rootfs, volume) is { } inImage && Directory.Exists(inImage))
        {
            using var cp = Process.Start(new ProcessStartInfo("cp", ["-a", "--", inImage, work]) { RedirectStandardError = true })!;
            var error = cp.StandardError.ReadToEnd();
            cp.WaitForExit();
            if (cp.ExitCode != 0)
            {
                throw new IOException($"cannot copy {volume} of the image to {host}: {error.Trim()}");
            }
        }
        else
        {
            Directory.CreateDirectory(work);
            Chown(work, hostUid, hostGid);
        }

        Directory.Move(work, host);
    }

    /// <summary>The host path of a path in the image, following symbolic links as the guest would (inside its root); null when it does not exist.</summary>
    public static string? Resolve(string rootfs, string guestPath, int depth = 0)
    {
        if (depth > 16)
        {
            return null;
        }

        var current = "/";
        foreach (var part in guestPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = Path.Combine(current, part);
            var host = rootfs + next;
            var info = new FileInfo(host);
            if (info.LinkTarget is { } target)
            {
                var resolved = Resolve(rootfs, target.StartsWith('/') ? target : Path.Combine(current, target), depth + 1);
                if (resolved is null)
                {
                    return null;
                }

                current = resolved[rootfs.Length..];
                current = current.Length == 0 ? "/" : current;
                continue;
            }

            if (!info.Exists && !Directory.Exists(host))
            {
                return null;
            }

            current = next;
        }

        return rootfs + (current == "/" ? "" : current);
    }

    private static List<string[]> Table(string rootfs, string file) =>
        Resolve(rootfs, file) is { } path && File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => !l.StartsWith('#')).Select(l => l.Split(':'))] : [];

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int ChownNative(string path, uint owner, uint group);

    private static void Chown(string path, long uid, long gid)
    {
        if (ChownNative(path, (uint)uid, (uint)gid) != 0)
        {
            throw new IOException($"cannot give {path} to {uid}:{gid} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
    }
}
