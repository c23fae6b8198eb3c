using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Domain.Resources;

namespace Qbee.Authz.Service.UnitTests.Domain;

public sealed class ResourceParserTests
{
    [Theory]
    [InlineData("*", EntityKind.Any, "", "*")]
    [InlineData("  *  ", EntityKind.Any, "", "*")]
    [InlineData("tag:x", EntityKind.Tag, "x", "tag:x")]
    [InlineData("tag:my-device-tag", EntityKind.Tag, "my-device-tag", "tag:my-device-tag")]
    [InlineData("tag: a.b_C-9 ", EntityKind.Tag, "a.b_C-9", "tag: a.b_C-9")]
    [InlineData("node:x", EntityKind.Node, "x", "node:x")]
    [InlineData("node:root", EntityKind.Node, "root", "node:root")]
    [InlineData("node: f6fb0cb4-496f-4c40-8a23-fa2f8d9a9074", EntityKind.Node, "f6fb0cb4-496f-4c40-8a23-fa2f8d9a9074", "node: f6fb0cb4-496f-4c40-8a23-fa2f8d9a9074")]
    [InlineData("\tnode:\tunassigned_group\n", EntityKind.Node, "unassigned_group", "node:\tunassigned_group")]
    public void Parse_Entity_ParsedAndTrimmed(string text, object kindValue, string value, string shown)
    {
        var kind = (EntityKind)kindValue;
        foreach (var allowActions in new[] { false, true })
        {
            var filter = ResourceParser.Parse(text, allowActions);
            Assert.Equal(kind, filter.Entity);
            Assert.Equal(value, filter.EntityValue);
            Assert.Equal(shown, filter.Text);
            Assert.Equal(RemoteAction.None, filter.Action);
            Assert.Null(filter.Ports);
            Assert.Null(filter.PathPrefix);
            Assert.Equal(kind == EntityKind.Any, filter.IsUnrestricted);
        }
    }

    [Theory]
    [InlineData("*/console", RemoteAction.Console)]
    [InlineData("* / console", RemoteAction.Console)]
    [InlineData("tag:a/reload", RemoteAction.Reload)]
    [InlineData("node:g1/tunnel", RemoteAction.Tunnel)]
    [InlineData("node:g1/copy", RemoteAction.Copy)]
    public void Parse_ActionWithoutOptions_NoOptionRestricts(string text, object actionValue)
    {
        var action = (RemoteAction)actionValue;
        var filter = ResourceParser.Parse(text, allowActions: true);
        Assert.Equal(action, filter.Action);
        Assert.Equal(TunnelProtocol.None, filter.Protocol);
        Assert.Null(filter.Ports);
        Assert.Null(filter.Destination);
        Assert.Equal(CopyDirection.None, filter.Direction);
        Assert.Null(filter.PathPrefix);
        Assert.False(filter.IsUnrestricted);
    }

    [Fact]
    public void Parse_TunnelWithProtoAndPort_AllParsed()
    {
        var filter = ResourceParser.Parse("tag:a/tunnel(proto=tcp;port=22)", allowActions: true);
        Assert.Equal(EntityKind.Tag, filter.Entity);
        Assert.Equal("a", filter.EntityValue);
        Assert.Equal(RemoteAction.Tunnel, filter.Action);
        Assert.Equal(TunnelProtocol.Tcp, filter.Protocol);
        Assert.Equal([new PortRange(22, 22)], filter.Ports!);
        Assert.Null(filter.Destination);
    }

    [Fact]
    public void Parse_TunnelWithWhitespaceRangesListAndDst_AllParsed()
    {
        var filter = ResourceParser.Parse(" * / tunnel ( proto = udp ; port = 1000-2000 , 22,65535 ; dst = localhost ; ) ", allowActions: true);
        Assert.Equal(TunnelProtocol.Udp, filter.Protocol);
        Assert.Equal([new PortRange(1000, 2000), new PortRange(22, 22), new PortRange(65535, 65535)], filter.Ports!);
        Assert.Equal("localhost", filter.Destination);
        Assert.Equal("* / tunnel ( proto = udp ; port = 1000-2000 , 22,65535 ; dst = localhost ; )", filter.Text);
    }

    [Theory]
    [InlineData("port=1", 1, 1)]
    [InlineData("port=65535", 65535, 65535)]
    [InlineData("port=1-65535", 1, 65535)]
    [InlineData("port=80 - 81", 80, 81)]
    [InlineData("port=443-443", 443, 443)]
    public void Parse_PortBounds_Accepted(string option, int from, int to)
    {
        var filter = ResourceParser.Parse($"*/tunnel({option})", allowActions: true);
        Assert.Equal([new PortRange(from, to)], filter.Ports!);
    }

    [Fact]
    public void Parse_Exactly64Ports_Accepted()
    {
        var ports = string.Join(',', Enumerable.Range(1, 64));
        Assert.Equal(64, ResourceParser.Parse($"*/tunnel(port={ports})", allowActions: true).Ports!.Length);
    }

    [Theory]
    [InlineData("direction=upload;path=/var/log/../log", CopyDirection.Upload, "/var/log")]
    [InlineData("direction=download", CopyDirection.Download, null)]
    [InlineData("path=/", CopyDirection.None, "/")]
    [InlineData("path=//home//user/./docs/", CopyDirection.None, "/home/user/docs")]
    [InlineData("path=/../../etc", CopyDirection.None, "/etc")]
    public void Parse_Copy_DirectionAndNormalisedPath(string options, object directionValue, string? path)
    {
        var direction = (CopyDirection)directionValue;
        var filter = ResourceParser.Parse($"*/copy({options})", allowActions: true);
        Assert.Equal(RemoteAction.Copy, filter.Action);
        Assert.Equal(direction, filter.Direction);
        Assert.Equal(path, filter.PathPrefix);
    }

    [Theory]
    // empty
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    // entity
    [InlineData("device:x", "entity 'device:x'")]
    [InlineData("Tag:x", "entity 'Tag:x'")]
    [InlineData("**", "entity '**'")]
    [InlineData("x", "entity 'x'")]
    [InlineData("tag:", "tag ''")]
    [InlineData("tag:a b", "tag 'a b'")]
    [InlineData("tag:a*", "tag 'a*'")]
    [InlineData("tag:a:b", "tag 'a:b'")]
    [InlineData("node:", "node id ''")]
    [InlineData("node:x y", "node id 'x y'")]
    [InlineData("node:a,b", "node id 'a,b'")]
    // actions
    [InlineData("*/shell", "action 'shell'")]
    [InlineData("*/Console", "action 'Console'")]
    [InlineData("*/", "action ''")]
    [InlineData("*/console(x=1)", "action 'console' takes no options")]
    [InlineData("tag:a/reload(port=22)", "action 'reload' takes no options")]
    // options
    [InlineData("*/tunnel(host=a)", "unknown option 'host' for action 'tunnel'")]
    [InlineData("*/copy(port=22)", "unknown option 'port' for action 'copy'")]
    [InlineData("*/tunnel(path=/x)", "unknown option 'path' for action 'tunnel'")]
    [InlineData("*/tunnel(port=22;port=23)", "option 'port' is given twice")]
    [InlineData("*/copy(direction=upload; direction = download)", "option 'direction' is given twice")]
    [InlineData("*/tunnel(port=)", "option 'port' has no value")]
    [InlineData("*/tunnel(proto= ;port=22)", "option 'proto' has no value")]
    [InlineData("*/tunnel(port)", "option 'port' must be <key>=<value>")]
    [InlineData("*/tunnel(=22)", "option '=22' must be <key>=<value>")]
    [InlineData("*/tunnel(port=22;;proto=tcp)", "empty option")]
    [InlineData("*/tunnel(;port=22)", "empty option")]
    // parentheses
    [InlineData("*/tunnel(port=22", "must end with ')'")]
    [InlineData("*/tunnel port=22)", "unbalanced ')'")]
    [InlineData("*/console)", "unbalanced ')'")]
    [InlineData("*/tunnel((port=22))", "unbalanced parentheses")]
    [InlineData("*/tunnel(port=22))", "unbalanced parentheses")]
    [InlineData("*/tunnel(port=(22)", "unbalanced parentheses")]
    // ports
    [InlineData("*/tunnel(port=0)", "port '0'")]
    [InlineData("*/tunnel(port=65536)", "port '65536'")]
    [InlineData("*/tunnel(port=99999999)", "port '99999999'")]
    [InlineData("*/tunnel(port=ssh)", "port 'ssh'")]
    [InlineData("*/tunnel(port=+22)", "port '+22'")]
    [InlineData("*/tunnel(port=2 2)", "port '2 2'")]
    [InlineData("*/tunnel(port=22.5)", "port '22.5'")]
    [InlineData("*/tunnel(port=22,,23)", "port ''")]
    [InlineData("*/tunnel(port=1-0x10)", "port '0x10'")]
    [InlineData("*/tunnel(port=100-10)", "port range '100-10' runs backwards")]
    [InlineData("*/tunnel(port=80,90-89)", "port range '90-89' runs backwards")]
    // proto, dst, direction
    [InlineData("*/tunnel(proto=icmp)", "proto 'icmp'")]
    [InlineData("*/tunnel(proto=TCP)", "proto 'TCP'")]
    [InlineData("*/tunnel(dst=a b)", "dst 'a b'")]
    [InlineData("*/tunnel(dst=a/b)", "dst 'a/b'")]
    [InlineData("*/copy(direction=sideways)", "direction 'sideways'")]
    [InlineData("*/copy(direction=Upload)", "direction 'Upload'")]
    // paths
    [InlineData("*/copy(path=var/log)", "path must be an absolute path")]
    [InlineData("*/copy(path=./log)", "path must be an absolute path")]
    [InlineData("*/copy(path=/var/%2e%2e/etc)", "path must not contain '%'")]
    [InlineData("*/copy(path=/var\\log)", "path must not contain '\\'")]
    [InlineData("*/copy(path=/var/\tlog)", "path must not contain control characters")]
    public void Parse_GrammarError_MessageNamesTheOffendingPart(string text, string expected)
    {
        var e = Assert.Throws<ResourceSyntaxException>(() => ResourceParser.Parse(text, allowActions: true));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*/tunnel(port=-1)")]
    [InlineData("*/tunnel(port=-22)")]
    [InlineData("*/tunnel(port=22-)")]
    public void Parse_NegativeOrOpenPort_Throws(string text)
    {
        var e = Assert.Throws<ResourceSyntaxException>(() => ResourceParser.Parse(text, allowActions: true));
        Assert.StartsWith("port '", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooLongTag_MessageNamesTheTag()
    {
        var tag = new string('t', Ids.MaxLength + 1);
        var e = Assert.Throws<ResourceSyntaxException>(() => ResourceParser.Parse("tag:" + tag, allowActions: false));
        Assert.Contains("tag 'tttt", e.Message, StringComparison.Ordinal);
        Assert.Equal(Ids.MaxLength, ResourceParser.Parse("tag:" + tag[1..], allowActions: false).EntityValue.Length);
    }

    [Fact]
    public void Parse_MoreThan64Ports_Throws()
    {
        var ports = string.Join(',', Enumerable.Range(1, 65));
        var e = Assert.Throws<ResourceSyntaxException>(() => ResourceParser.Parse($"*/tunnel(port={ports})", allowActions: true));
        Assert.Contains("at most 64", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*/console")]
    [InlineData("tag:a/tunnel(port=22)")]
    [InlineData("node:g/copy")]
    [InlineData("*/")]
    public void Parse_ActionOnPermissionWithoutActions_Throws(string text)
    {
        var e = Assert.Throws<ResourceSyntaxException>(() => ResourceParser.Parse(text, allowActions: false));
        Assert.Contains("remote-access:connect", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tag:a\0")]
    [InlineData("tag:a\u0001b")]
    [InlineData("\u001b[31m*")]
    [InlineData("tag:a\u007f")]
    [InlineData("*/copy(path=/var/\0log)")]
    public void Parse_ControlCharacter_Throws(string text)
    {
        var e = Assert.Throws<ResourceSyntaxException>(() => ResourceParser.Parse(text, allowActions: true));
        Assert.Contains("control characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OverLongResource_Throws()
    {
        var atLimit = "*/copy(path=/" + new string('a', ResourceParser.MaxLength - 14) + ")";
        Assert.Equal(ResourceParser.MaxLength, atLimit.Length);
        Assert.NotNull(ResourceParser.Parse(atLimit, allowActions: true).PathPrefix);

        var e = Assert.Throws<ResourceSyntaxException>(() => ResourceParser.Parse(atLimit + " ", allowActions: true));
        Assert.Contains("longer than 1024", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ResourceParser.Parse(null!, allowActions: true));
    }

    [Fact]
    public void Parse_ErrorEchoingCallerText_ClipsAndEscapes()
    {
        var e = Assert.Throws<ResourceSyntaxException>(() => ResourceParser.Parse("bogus" + new string('x', 500), allowActions: false));
        Assert.True(e.Message.Length < 200, e.Message);
    }
}
