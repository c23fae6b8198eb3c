using Qbee.Authz.Service.Domain.Model;
using Qbee.Authz.Service.Grpc.Mapping;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.UnitTests.Grpc;

public sealed class UserMappingTests
{
    [Fact]
    public void ToProto_EveryDomainState_RoundTrips()
    {
        foreach (var state in Enum.GetValues<UserState>())
        {
            Assert.Equal(state, state.ToProto().ToDomain());
        }
    }

    [Fact]
    public void ToDomain_EveryContractStatus_MapsToTheSameNameOrActiveWhenUnspecified()
    {
        foreach (var status in Enum.GetValues<UserStatus>())
        {
            var state = status.ToDomain();

            Assert.NotNull(state);
            Assert.Equal(status == UserStatus.Unspecified ? UserStatus.Active : status, state.Value.ToProto());
        }
    }

    [Fact]
    public void ToDomain_UnknownValue_IsNull()
    {
        Assert.Null(((UserStatus)99).ToDomain());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((UserState)99).ToProto());
    }
}
