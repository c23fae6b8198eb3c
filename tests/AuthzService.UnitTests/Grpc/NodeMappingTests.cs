using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.UnitTests.Grpc;

public sealed class NodeMappingTests
{
    [Fact]
    public void ToProto_EveryDomainKind_RoundTrips()
    {
        foreach (var kind in Enum.GetValues<NodeKind>())
        {
            Assert.Equal(kind, kind.ToProto().ToDomain());
        }
    }

    [Fact]
    public void ToDomain_EveryContractType_RoundTripsAndUnspecifiedIsNull()
    {
        foreach (var type in Enum.GetValues<NodeType>())
        {
            var kind = type.ToDomain();

            if (type == NodeType.Unspecified)
            {
                Assert.Null(kind);
            }
            else
            {
                Assert.NotNull(kind);
                Assert.Equal(type, kind.Value.ToProto());
            }
        }
    }

    [Fact]
    public void ToDomain_UnknownValue_IsNull()
    {
        Assert.Null(((NodeType)99).ToDomain());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((NodeKind)99).ToProto());
    }
}
