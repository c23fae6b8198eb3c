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

    [Fact]
    public void ToProto_AuditRecordWithAnActionThisBuildDoesNotKnow_IsUnspecifiedNotAnError()
    {
        var stored = new Qbee.Authz.Service.Domain.Model.RemoteAccessRequest((RemoteAction)99, "tcp", 22, "localhost", "", "");

        var message = stored.ToProto();

        Assert.Equal(RemoteAccessAction.Unspecified, message.Action);
        Assert.Equal(22u, message.Port);
        Assert.Equal(RemoteAccessAction.Tunnel, (stored with { Action = RemoteAction.Tunnel }).ToProto().Action);
    }
}
