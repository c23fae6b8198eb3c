using Qbee.Authz.Service.Domain;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.UnitTests.Grpc;

public sealed class RemoteAccessMappingTests
{
    [Fact]
    public void ToProto_EveryDomainAction_RoundTrips()
    {
        foreach (var action in Enum.GetValues<RemoteAction>())
        {
            Assert.Equal(action, action.ToProto().ToDomain());
        }
    }

    [Fact]
    public void ToDomain_EveryContractAction_RoundTrips()
    {
        foreach (var action in Enum.GetValues<RemoteAccessAction>())
        {
            var domain = action.ToDomain();

            Assert.NotNull(domain);
            Assert.Equal(action, domain.Value.ToProto());
        }
    }

    [Fact]
    public void ToDomain_Unspecified_IsNoAction()
    {
        Assert.Equal(RemoteAction.None, RemoteAccessAction.Unspecified.ToDomain());
    }

    [Fact]
    public void ToDomain_UnknownValue_IsNull()
    {
        Assert.Null(((RemoteAccessAction)99).ToDomain());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((RemoteAction)99).ToProto());
    }
}
