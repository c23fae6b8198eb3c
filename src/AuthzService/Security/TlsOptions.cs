using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Qbee.Authz.Service.Security;

/// <summary>
/// Mutual TLS beside Kestrel's own settings (section Authz:Tls). Kestrel takes the server certificate and
/// <c>ClientCertificateMode=RequireCertificate</c> from <c>Kestrel:Endpoints:NAME</c>; this names the CA that
/// issues the callers' certificates, so a private CA works without installing it in the machine's trust store.
/// </summary>
internal sealed class TlsOptions
{
    public const string SectionName = "Authz:Tls";

    /// <summary>A PEM or DER file with the CA certificate; empty: the machine's trust store decides.</summary>
    public string ClientCaPath { get; set; } = string.Empty;
}

internal static class ClientCertificates
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="ca"/> and may authenticate a client.</summary>
    /// <remarks>Revocation is not checked: rotate the CA, or keep client certificates short-lived.</remarks>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        return chain.Build(certificate);
    }
}
