using Tappaas.Model.Json;

namespace Tappaas.Engine.Merging;

/// <summary>
/// The 3-way merge of an installed module file on update, as upstream does it. Inputs are flat forms: the
/// installed file (current), the release it was installed from (orig, the merge baseline) and the new release
/// (source). Per leaf path — objects recurse, arrays compare whole: platform-stamped top-level fields keep the
/// current value; a value only the operator has is kept; a value new in the release is added; a value the
/// operator never changed (current equals orig) adopts the release; anything else stays pinned (a conflict when the
/// release changed it too).
/// </summary>
public static class ModuleMerge
{
    /// <summary>Top-level fields the platform stamps; never adopted from a release.</summary>
    public static IReadOnlyList<string> AutoFields { get; } = ["location", "installTime", "updateTime", "releaseDate", "variant"];

    /// <summary>The merged flat object and, per leaf path, what happened.</summary>
    public sealed record Result(JObject Merged, IReadOnlyList<(string Path, MergeOutcome Outcome)> Leaves)
    {
        /// <summary>How many leaves had each outcome.</summary>
        public int Count(MergeOutcome outcome) => Leaves.Count(l => l.Outcome == outcome);
    }

    /// <summary>Merges; a missing baseline counts as "the operator changed nothing" only where current equals source.</summary>
    public static Result Merge(JObject current, JObject? orig, JObject source)
    {
        var leaves = new List<(string, MergeOutcome)>();
        var merged = MergeObject(current, orig, source, "$", topLevel: true, leaves);
        return new Result(merged, leaves);
    }

    private static JObject MergeObject(JObject current, JObject? orig, JObject source, string path, bool topLevel, List<(string, MergeOutcome)> leaves)
    {
        var props = new List<JProperty>();
        foreach (var p in current.Properties)
        {
            var childPath = JsonPathText.Member(path, p.Name);
            var src = source[p.Name];
            var org = orig?[p.Name];
            if (topLevel && AutoFields.Contains(p.Name) || src is null)
            {
                leaves.Add((childPath, MergeOutcome.Kept));
                props.Add(p);
            }
            else if (p.Value is JObject c && src is JObject s)
            {
                props.Add(p with { Value = MergeObject(c, org as JObject, s, childPath, topLevel: false, leaves) });
            }
            else if (org is not null && JObject.SemanticEquals(p.Value, org))
            {
                if (!JObject.SemanticEquals(p.Value, src))
                {
                    leaves.Add((childPath, MergeOutcome.Adopted));
                }

                props.Add(p with { Value = src });
            }
            else
            {
                if (!JObject.SemanticEquals(p.Value, src))
                {
                    // Both changed it (the release moved away from the baseline too): a conflict the operator is told of.
                    leaves.Add((childPath, org is not null && !JObject.SemanticEquals(src, org) ? MergeOutcome.Conflict : MergeOutcome.Pinned));
                }

                props.Add(p);
            }
        }

        foreach (var p in source.Properties.Where(p => !current.Has(p.Name)))
        {
            if (topLevel && AutoFields.Contains(p.Name))
            {
                continue;
            }

            leaves.Add((JsonPathText.Member(path, p.Name), MergeOutcome.Added));
            props.Add(p);
        }

        return new JObject(props);
    }
}
