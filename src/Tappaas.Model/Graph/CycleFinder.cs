namespace Tappaas.Model.Graph;

/// <summary>Finds dependency cycles (strongly connected components of two or more modules) in a stable order.</summary>
internal static class CycleFinder
{
    public static IReadOnlyList<IReadOnlyList<string>> Find(IReadOnlyList<string> nodes, IReadOnlyList<DependencyEdge> edges)
    {
        var next = nodes.ToDictionary(n => n, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var e in edges)
        {
            next[e.Consumer].Add(e.Provider);
        }

        var components = Tarjan(nodes, next);
        var cycles = new List<IReadOnlyList<string>>();
        foreach (var component in components.Where(c => c.Count > 1))
        {
            var members = component.ToHashSet(StringComparer.Ordinal);
            var start = component.Min(StringComparer.Ordinal)!;
            cycles.Add(Walk(start, members, next));
        }

        return [.. cycles.OrderBy(c => c[0], StringComparer.Ordinal)];
    }

    // A readable cycle through the component: from the smallest name, follow the smallest successor that can still
    // get back to the start, until we return.
    private static List<string> Walk(string start, HashSet<string> members, Dictionary<string, SortedSet<string>> next)
    {
        var path = new List<string> { start };
        var visited = new HashSet<string>(StringComparer.Ordinal) { start };
        var current = start;
        while (true)
        {
            if (next[current].Contains(start) && path.Count > 1)
            {
                return path;
            }

            var step = next[current].FirstOrDefault(n => members.Contains(n) && !visited.Contains(n) && Reaches(n, start, members, next));
            if (step is null)
            {
                return path; // unreachable in a strongly connected component; keeps the method total
            }

            path.Add(step);
            visited.Add(step);
            current = step;
        }
    }

    private static bool Reaches(string from, string to, HashSet<string> members, Dictionary<string, SortedSet<string>> next)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([from]);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (n == to)
            {
                return true;
            }

            if (seen.Add(n))
            {
                foreach (var m in next[n].Where(members.Contains))
                {
                    stack.Push(m);
                }
            }
        }

        return false;
    }

    private static List<List<string>> Tarjan(IReadOnlyList<string> nodes, Dictionary<string, SortedSet<string>> next)
    {
        var index = 0;
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var result = new List<List<string>>();

        foreach (var root in nodes)
        {
            if (indices.ContainsKey(root))
            {
                continue;
            }

            // Iterative Tarjan: each frame is a node and the enumerator over its successors.
            var work = new Stack<(string Node, IEnumerator<string> Next)>();
            indices[root] = low[root] = index++;
            stack.Push(root);
            onStack.Add(root);
            work.Push((root, next[root].GetEnumerator()));
            while (work.Count > 0)
            {
                var (node, successors) = work.Peek();
                if (successors.MoveNext())
                {
                    var s = successors.Current;
                    if (!indices.ContainsKey(s))
                    {
                        indices[s] = low[s] = index++;
                        stack.Push(s);
                        onStack.Add(s);
                        work.Push((s, next[s].GetEnumerator()));
                    }
                    else if (onStack.Contains(s))
                    {
                        low[node] = Math.Min(low[node], indices[s]);
                    }

                    continue;
                }

                work.Pop();
                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }

                if (low[node] == indices[node])
                {
                    var component = new List<string>();
                    string member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (member != node);
                    result.Add(component);
                }
            }
        }

        return result;
    }
}
