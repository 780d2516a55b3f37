using Cronos;
using Tappaas.Model.Json;
using Tappaas.Model.Modules;
using Tappaas.Model.Site;


namespace Tappaas.Platform.Embedded.Backup;

/// <summary>Which snapshots of a module are kept (restic's keep-* options); a count of 0 leaves that rule out.</summary>
public sealed record RetentionPolicy(int KeepLast, int KeepHourly, int KeepDaily, int KeepWeekly, int KeepMonthly)
{
    /// <summary>The default: the last 3, 7 daily, 4 weekly, 6 monthly.</summary>
    public static RetentionPolicy Default { get; } = new(3, 0, 7, 4, 6);

    public IEnumerable<(string Flag, int Value)> Flags()
    {
        var all = new[] { ("--keep-last", KeepLast), ("--keep-hourly", KeepHourly), ("--keep-daily", KeepDaily), ("--keep-weekly", KeepWeekly), ("--keep-monthly", KeepMonthly) };
        var set = all.Where(f => f.Item2 > 0).ToList();
        return set.Count > 0 ? set : [("--keep-last", 1)]; // never "forget everything"
    }

    public override string ToString() => string.Join(", ", Flags().Select(f => $"{f.Flag[2..]} {f.Value}"));
}

/// <summary>A module's backup schedule, retention and verify schedule, from the module or the site's defaults.</summary>
public sealed record BackupPolicy(CronExpression Schedule, string ScheduleText, RetentionPolicy Retention, CronExpression? Verify, string? VerifyText)
{
    private static readonly string[] s_keep = ["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly"];

    /// <summary>
    /// Reads the policy: the module's <c>backupSchedule</c>, <c>backupRetention</c>, <c>verifySchedule</c>, else the site's
    /// <c>tappaas.backup</c> defaults, else daily at 03:00 with <see cref="RetentionPolicy.Default"/>. Returns the problem
    /// (with its JSON path) when a value is wrong.
    /// </summary>
    public static (BackupPolicy? Policy, string? Error) For(ModuleDefinition module, SiteBackupSettings? siteBackup)
    {
        var scheduleText = module.Text("backupSchedule") ?? siteBackup?.Schedule ?? "0 3 * * *";
        var where = module.Text("backupSchedule") is null ? "$.tappaas.backup.schedule in configuration.json" : $"$.backupSchedule of {module.Name}";
        if (Cron(scheduleText) is not { } schedule)
        {
            return (null, $"{where}: \"{scheduleText}\" is not a cron expression; write five fields, e.g. \"0 3 * * *\" (03:00 every day)");
        }

        var verifyText = module.Text("verifySchedule") ?? siteBackup?.VerifySchedule;
        CronExpression? verify = null;
        if (verifyText is not null && verifyText != "none" && (verify = Cron(verifyText)) is null)
        {
            return (null, $"$.verifySchedule of {module.Name}: \"{verifyText}\" is not a cron expression; write e.g. \"0 5 * * 0\" (Sundays 05:00) or \"none\"");
        }

        var retentionNode = module.Field("backupRetention")?.Value ?? siteBackup?.Retention;
        var retention = RetentionPolicy.Default;
        if (retentionNode is not null)
        {
            if (retentionNode is not JObject r)
            {
                return (null, $"backupRetention of {module.Name} must be an object like {{\"keepLast\": 3, \"keepDaily\": 7}}");
            }

            foreach (var p in r.Properties.Where(p => !s_keep.Contains(p.Name) || Lenient.Integer(p.Value) is not (>= 0 and <= 10000)))
            {
                return (null, $"$.backupRetention.{p.Name} of {module.Name}: expected one of {string.Join(", ", s_keep)} with a whole number from 0 to 10000");
            }

            int Keep(string name) => (int)(Lenient.Integer(r[name]) ?? 0);
            retention = new RetentionPolicy(Keep("keepLast"), Keep("keepHourly"), Keep("keepDaily"), Keep("keepWeekly"), Keep("keepMonthly"));
        }

        return (new BackupPolicy(schedule, scheduleText, retention, verify, verify is null ? null : verifyText), null);
    }

    /// <summary>True when a run was due between <paramref name="last"/> (or a day before <paramref name="now"/>) and now.</summary>
    public static bool Due(CronExpression cron, DateTimeOffset? last, DateTimeOffset now)
    {
        var from = last ?? now.AddDays(-1);
        return cron.GetNextOccurrence(from, TimeZoneInfo.Utc) is { } next && next <= now;
    }

    private static CronExpression? Cron(string text)
    {
        try
        {
            return CronExpression.Parse(text);
        }
        catch (CronFormatException)
        {
            return null;
        }
    }
}
