using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Qbee.Authz.Client.AspNetCore;

namespace Qbee.Authz.Client.UnitTests.AspNetCore;

public sealed class PermissionProblemResultHandlerTests
{
    private static readonly PermissionDenial Denial = new("device:read", new string('2', 64), "DeviceOutOfScope", "Denied: not in scope.");

    [Fact]
    public void AddQbeeAuthzClient_BeforeAddAuthorization_ItsHandlerAnswers()
    {
        var services = new ServiceCollection().AddLogging().AddQbeeAuthzClient().AddAuthorization();

        Assert.IsType<PermissionProblemResultHandler>(ResultHandler(services));
    }

    [Fact]
    public void AddQbeeAuthzClient_AfterAddAuthorization_ReplacesTheDefault()
    {
        var services = new ServiceCollection().AddLogging().AddAuthorization().AddQbeeAuthzClient();

        Assert.IsType<PermissionProblemResultHandler>(ResultHandler(services));
        Assert.Single(services, d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler));
    }

    [Fact]
    public void AddQbeeAuthzClient_AppHasAHandlerOfItsOwn_KeepsIt()
    {
        var services = new ServiceCollection().AddLogging().AddAuthorization()
            .AddSingleton<IAuthorizationMiddlewareResultHandler, OwnHandler>()
            .AddQbeeAuthzClient();

        Assert.IsType<OwnHandler>(ResultHandler(services));
    }

    [Fact]
    public void ToProblemDetails_Denial_Is403WithTheReasonAndMessage()
    {
        var problem = Denial.ToProblemDetails();

        Assert.Equal(403, problem.Status);
        Assert.Equal("Forbidden", problem.Title);
        Assert.Equal("DeviceOutOfScope: Denied: not in scope.", problem.Detail);
        Assert.Equal("DeviceOutOfScope", problem.Extensions["reason"]);
        Assert.Equal("device:read", problem.Extensions["permission"]);
        Assert.Equal(Denial.DeviceId, problem.Extensions["deviceId"]);
    }

    [Fact]
    public void ToProblemDetails_NoDeviceNoMessage_OmitsThem()
    {
        var problem = new PermissionDenial("audit:read", null, "PermissionNotGranted", string.Empty).ToProblemDetails();

        Assert.Equal("PermissionNotGranted", problem.Detail);
        Assert.False(problem.Extensions.ContainsKey("deviceId"));
    }

    [Fact]
    public async Task HandleAsync_ForbiddenByAPermission_Writes403ProblemJson()
    {
        var context = Context();
        var handler = new PermissionProblemResultHandler();
        var failure = AuthorizationFailure.Failed([new PermissionFailureReason(new OwnAuthorizationHandler(), Denial)]);

        await handler.HandleAsync(_ => Task.CompletedTask, context, Policy(), PolicyAuthorizationResult.Forbid(failure));

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        context.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("DeviceOutOfScope", body.RootElement.GetProperty("reason").GetString());
        Assert.Equal("Forbidden", body.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task HandleAsync_ForbiddenByAnotherRequirement_LeavesItToTheDefault()
    {
        var context = Context();
        var handler = new PermissionProblemResultHandler();
        var failure = AuthorizationFailure.Failed([new AuthorizationFailureReason(new OwnAuthorizationHandler(), "not ours")]);

        // The default forbids through the authentication service, which this context lacks: that it is asked for
        // shows the default answered, and nothing was written.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            handler.HandleAsync(_ => Task.CompletedTask, context, Policy(), PolicyAuthorizationResult.Forbid(failure)));

        Assert.Contains("IAuthenticationService", error.Message);
        Assert.Equal(0, context.Response.Body.Length);
    }

    [Fact]
    public async Task HandleAsync_Success_CallsTheNextMiddleware()
    {
        var context = Context();
        var called = false;

        await new PermissionProblemResultHandler().HandleAsync(_ => { called = true; return Task.CompletedTask; }, context, Policy(), PolicyAuthorizationResult.Success());

        Assert.True(called);
    }

    private static IAuthorizationMiddlewareResultHandler ResultHandler(IServiceCollection services) =>
        services.BuildServiceProvider().GetRequiredService<IAuthorizationMiddlewareResultHandler>();

    private static DefaultHttpContext Context() => new()
    {
        RequestServices = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider(),
        Response = { Body = new MemoryStream() },
    };

    private static AuthorizationPolicy Policy() => new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();

    private sealed class OwnHandler : IAuthorizationMiddlewareResultHandler
    {
        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) => Task.CompletedTask;
    }

    private sealed class OwnAuthorizationHandler : IAuthorizationHandler
    {
        public Task HandleAsync(AuthorizationHandlerContext context) => Task.CompletedTask;
    }
}
