using System.Net;
using Qbee.Authz.Service.Security;

namespace Qbee.Authz.Service.UnitTests.Security;

public sealed class CallerTableTests
{
    private const string Check = "/qbee.authz.v1.AuthorizationService/Check";
    private const string PutRole = "/qbee.authz.v1.AdminService/PutRole";
    private const string Health = "/grpc.health.v1.Health/Check";
    private const string Reflection = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
    private static readonly IPAddress Remote = IPAddress.Parse("10.1.2.3");

    private static readonly (string Token, string Hash) Gateway = TokenCommand.NewToken();
    private static readonly (string Token, string Hash) Ops = TokenCommand.NewToken();

    private static CallerTable Table() => new(
    [
        new CallerEntry { Name = "gateway", TokenSha256 = Gateway.Hash, Scopes = ["check"] },
        new CallerEntry { Name = "ops", TokenSha256 = Ops.Hash.ToUpperInvariant(), Scopes = ["check", "admin"] },
    ]);

    [Fact]
    public void Authorize_KnownTokenWithScope_IsThatCaller()
    {
        var verdict = Table().Authorize(Check, $"Bearer {Gateway.Token}", Remote);

        Assert.Equal(CallOutcome.Caller, verdict.Outcome);
        Assert.Equal("gateway", Table().FeatureOf(verdict.Caller).Name);
    }

    [Fact]
    public void Authorize_UppercaseConfiguredHashAndLowercaseScheme_StillMatch()
    {
        Assert.Equal(CallOutcome.Caller, Table().Authorize(PutRole, $"bearer {Ops.Token}", Remote).Outcome);
    }

    [Fact]
    public void Authorize_TokenWithoutTheScope_IsPermissionDeniedNamingTheScope()
    {
        var verdict = Table().Authorize(PutRole, $"Bearer {Gateway.Token}", Remote);

        Assert.Equal(CallOutcome.PermissionDenied, verdict.Outcome);
        Assert.Contains("'admin'", verdict.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer not-a-token")]
    public void Authorize_MissingMalformedOrUnknownToken_IsUnauthenticated(string? header)
    {
        Assert.Equal(CallOutcome.Unauthenticated, Table().Authorize(Check, header, IPAddress.Loopback).Outcome);
    }

    [Fact]
    public void Authorize_TokenOverTheLengthLimit_IsUnauthenticated()
    {
        Assert.Equal(CallOutcome.Unauthenticated, Table().Authorize(Check, "Bearer " + new string('a', 100_000), Remote).Outcome);
    }

    [Theory]
    [InlineData(Health)]
    [InlineData(Reflection)]
    public void Authorize_HealthAndReflection_AreOpenWithoutToken(string method)
    {
        Assert.Equal(CallOutcome.Open, Table().Authorize(method, null, Remote).Outcome);
        Assert.Equal(CallOutcome.Open, new CallerTable([]).Authorize(method, null, Remote).Outcome);
    }

    [Fact]
    public void RequiredScope_UnknownService_NeedsAdmin()
    {
        Assert.Equal(CallerScopes.Admin, CallerTable.RequiredScope("/qbee.authz.v2.Other/Do"));
        Assert.Equal(CallerScopes.Check, CallerTable.RequiredScope("/qbee.authz.v1.AuthorizationService/WatchRevocations"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Authorize_NoCallersOverLoopback_IsServed(string address)
    {
        Assert.Equal(CallOutcome.Loopback, new CallerTable([]).Authorize(PutRole, null, IPAddress.Parse(address)).Outcome);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("fe80::1")]
    [InlineData(null)]
    public void Authorize_NoCallersFromElsewhere_IsUnauthenticatedSayingWhy(string? address)
    {
        var verdict = new CallerTable([]).Authorize(Check, "Bearer anything", address is null ? null : IPAddress.Parse(address));

        Assert.Equal(CallOutcome.Unauthenticated, verdict.Outcome);
        Assert.Contains("loopback", verdict.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:50051", true)]
    [InlineData("http://localhost:50051", true)]
    [InlineData("https://[::1]:443", true)]
    [InlineData("http://0.0.0.0:50051", false)]
    [InlineData("http://*:50051", false)]
    [InlineData("http://+:50051", false)]
    [InlineData("http://[::]:50051", false)]
    [InlineData("http://authz.example.com:50051", false)]
    [InlineData("http://10.0.0.5:50051", false)]
    public void IsLoopbackUrl_OnlyLoopbackAddressesAndLocalhost(string url, bool expected)
    {
        Assert.Equal(expected, LoopbackGuard.IsLoopbackUrl(url));
    }
}
