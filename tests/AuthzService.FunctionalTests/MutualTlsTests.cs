using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Qbee.Authz.V1;

namespace Qbee.Authz.Service.FunctionalTests;

/// <summary>
/// Mutual TLS from settings only, as the README documents it: a Kestrel endpoint with its certificate and
/// ClientCertificateMode=RequireCertificate, and Authz:Tls:ClientCaPath naming the private CA of the callers.
/// </summary>
public sealed class MutualTlsTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "qbee-authz-tls", Guid.NewGuid().ToString("N"));
    private X509Certificate2 _ca = null!;
    private X509Certificate2 _client = null!;
    private X509Certificate2 _stranger = null!;
    private Dictionary<string, string?> _settings = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _ca = NewCa("CN=Qbee Authz test CA");
        var server = Issue(_ca, "CN=localhost", serverAuth: true);
        _client = Issue(_ca, "CN=gateway", serverAuth: false);
        _stranger = Issue(NewCa("CN=Someone else's CA"), "CN=gateway", serverAuth: false);
        File.WriteAllBytes(Path.Combine(_directory, "server.pfx"), server.Export(X509ContentType.Pfx, "test-password"));
        File.WriteAllText(Path.Combine(_directory, "client-ca.pem"), _ca.ExportCertificatePem());
        _settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Tls:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Tls:Certificate:Path"] = Path.Combine(_directory, "server.pfx"),
            ["Kestrel:Endpoints:Tls:Certificate:Password"] = "test-password",
            ["Kestrel:Endpoints:Tls:ClientCertificateMode"] = "RequireCertificate",
            ["Authz:Tls:ClientCaPath"] = Path.Combine(_directory, "client-ca.pem"),
        };
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Call_WithClientCertificateOfTheCa_IsServed()
    {
        await using var server = await AuthzServer.StartAsync(_settings, hooks: new ServerHooks(Channel: Options(_client)));

        var answer = await server.Authz.CheckAsync(new CheckRequest { UserId = "nobody", Permission = "audit:read" });

        Assert.StartsWith("https://", server.Address);
        Assert.Equal(DecisionReason.UserNotFound, answer.Reason);
    }

    [Fact]
    public async Task Call_WithoutClientCertificate_Fails()
    {
        await using var server = await AuthzServer.StartAsync(_settings, hooks: new ServerHooks(Channel: Options(null)));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            server.Authz.CheckAsync(new CheckRequest { UserId = "nobody", Permission = "audit:read" }).ResponseAsync);

        AssertRefusedByTransport(error);
    }

    [Fact]
    public async Task Call_WithCertificateOfAnotherCa_Fails()
    {
        await using var server = await AuthzServer.StartAsync(_settings, hooks: new ServerHooks(Channel: Options(_stranger)));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            server.Authz.CheckAsync(new CheckRequest { UserId = "nobody", Permission = "audit:read" }).ResponseAsync);

        AssertRefusedByTransport(error);
    }

    /// <summary>
    /// The TLS layer refused the connection: the client reports it (UNAVAILABLE, or INTERNAL when TLS 1.3 lets
    /// the handshake finish before the server's refusal arrives), with the transport's exception, never a
    /// status the service sent.
    /// </summary>
    private static void AssertRefusedByTransport(RpcException error)
    {
        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
        Assert.True(
            error.Status.DebugException is HttpRequestException or IOException or System.Security.Authentication.AuthenticationException,
            $"expected a transport failure, got {error.Status.DebugException?.GetType().Name ?? "a status from the server"}: {error.Status.Detail}");
    }

    private GrpcChannelOptions Options(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && IsIssuedByCa(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true };
    }

    private bool IsIssuedByCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static X509Certificate2 NewCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        // Ends before the CA does: a leaf may not outlive its issuer, whose NotAfter is cut to the second.
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), new DateTimeOffset(ca.NotAfter).AddHours(-1), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
