using Qbee.Authz.Service.Domain.Evaluation;
using Qbee.Authz.Service.Grpc.Mapping;
using Proto = Qbee.Authz.V1;

namespace Qbee.Authz.Service.UnitTests.Grpc;

public sealed class DecisionMappingTests
{
    [Fact]
    public void ToProto_EveryDomainReason_RoundTripsUnderItsOwnName()
    {
        foreach (var reason in Enum.GetValues<DecisionReason>())
        {
            var proto = reason.ToProto();

            Assert.Equal(reason, proto.ToDomain());
            Assert.Equal(reason == DecisionReason.None ? nameof(Proto.DecisionReason.Unspecified) : reason.ToString(), proto.ToString());
        }
    }

    [Fact]
    public void ToDomain_EveryContractReason_RoundTrips()
    {
        foreach (var reason in Enum.GetValues<Proto.DecisionReason>())
        {
            Assert.Equal(reason, reason.ToDomain().ToProto());
        }
    }

    [Fact]
    public void ToDomain_EveryContractReason_KeepsItsNumber()
    {
        // Audit records store the number: the domain's must be the contract's.
        foreach (var reason in Enum.GetValues<Proto.DecisionReason>())
        {
            Assert.Equal((int)reason, (int)reason.ToDomain());
        }
    }

    [Fact]
    public void ToProto_UnknownValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((DecisionReason)99).ToProto());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((Proto.DecisionReason)99).ToDomain());
    }
}
