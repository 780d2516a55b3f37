namespace Tappaas.Model.Fields;

/// <summary>How the items of an array field (or the members of an object field) are checked.</summary>
public enum ItemRule
{
    /// <summary>Nothing is checked.</summary>
    None,

    /// <summary>Each item is a string (matching <see cref="FieldDefinition.ItemPattern"/> when set).</summary>
    Strings,

    /// <summary><c>ports</c>: <c>{port: int|"a:b"|"a-b", protocol, description}</c>.</summary>
    Ports,

    /// <summary><c>ingress</c>: <c>{from, ports[], protocol, description}</c>.</summary>
    Ingress,

    /// <summary><c>egress</c>: <c>{to, ports[], protocol, description}</c>.</summary>
    Egress,

    /// <summary><c>natRules</c>: <c>{externalPort, internalPort, protocol, description}</c>.</summary>
    NatRules,

    /// <summary><c>discoveryUdpRelay</c>: <c>{port, zones[]}</c>.</summary>
    UdpRelay,

    /// <summary><c>aliases</c>: name → <c>{type, addresses[], description}</c>.</summary>
    Aliases,

    /// <summary><c>windows</c>: <c>{enableRDP: bool}</c>.</summary>
    Windows,

    /// <summary><c>identity</c>: OIDC options.</summary>
    Identity,

    /// <summary><c>workload</c>: what an embedded guest runs (command, ports, health, restart, replicas).</summary>
    Workload,
}
