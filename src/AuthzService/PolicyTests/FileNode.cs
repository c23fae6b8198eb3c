using YamlDotNet.RepresentationModel;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>
/// A node of a policy test file and its path as the file spells it (<c>users[2].roles[0]</c>): reads keys strictly
/// (an unknown key is an error, so a typo never silently tests less) and names line and path in every error.
/// </summary>
internal readonly record struct FileNode(YamlNode Node, string Path)
{
    public int Line => (int)Node.Start.Line;

    public PolicyFileException Error(string reason) => new(Line, Path, reason);

    /// <summary>A mapping whose keys are all among <paramref name="allowed"/>.</summary>
    public YamlMappingNode Mapping(params string[] allowed)
    {
        if (Node is not YamlMappingNode mapping)
        {
            throw Error("must be a mapping (key: value lines)");
        }

        foreach (var key in mapping.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw new PolicyFileException((int)key.Start.Line, Child(name), $"unknown key (expected one of: {string.Join(", ", allowed)})");
            }
        }

        return mapping;
    }

    public FileNode? Get(string key) =>
        Node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? new FileNode(value, Child(key))
            : null;

    /// <summary>The scalar at <paramref name="key"/>; <paramref name="absent"/> when the key is missing or empty.</summary>
    public string Text(string key, string absent = "") => Get(key) is { } value ? value.Scalar(absent) : absent;

    public string Scalar(string absent = "") => Node switch
    {
        YamlScalarNode { Value: null or "" } => absent,
        YamlScalarNode scalar => scalar.Value,
        _ => throw Error("must be a single value"),
    };

    public bool Flag(string key) => Text(key, "false") switch
    {
        "true" => true,
        "false" => false,
        _ => throw Get(key)!.Value.Error("must be true or false"),
    };

    /// <summary>The items of the list at <paramref name="key"/>; none when the key is missing or empty.</summary>
    public IReadOnlyList<FileNode> Items(string key)
    {
        if (Get(key) is not { } value || value.Node is YamlScalarNode { Value: null or "" })
        {
            return [];
        }

        if (value.Node is not YamlSequenceNode sequence)
        {
            throw value.Error("must be a list");
        }

        return sequence.Children.Select((item, i) => new FileNode(item, $"{value.Path}[{i}]")).ToArray();
    }

    public string[] Texts(string key) => Items(key).Select(item => item.Scalar()).ToArray();

    /// <summary>The node a field path below this one names (<c>policies[0].resources[1]</c>), as deep as the file has it.</summary>
    public FileNode Find(string relative)
    {
        var current = this;
        foreach (var part in relative.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var key = bracket < 0 ? part : part[..bracket];
            if (current.Get(key) is not { } next)
            {
                return current;
            }

            current = next;
            if (bracket >= 0 && int.TryParse(part[(bracket + 1)..^1], out var index)
                && current.Node is YamlSequenceNode sequence && index < sequence.Children.Count)
            {
                current = new FileNode(sequence.Children[index], $"{current.Path}[{index}]");
            }
        }

        return current;
    }

    public string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";
}
