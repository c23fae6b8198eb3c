namespace Qbee.Authz.Service.UnitTests.Architecture;

/// <summary>The contract's generated types (Qbee.Authz.V1) are mapped in Grpc/ only: the rest of the service speaks the domain.</summary>
public sealed class ContractBoundaryTests
{
    /// <summary>
    /// Security names the services' descriptors to tell check methods from admin ones, not their messages;
    /// PolicyTests/RowValidation builds the messages of admin writes and checks to validate a file's rows by the
    /// one validation layer (Grpc/Validation), so a file is refused with the service's own texts.
    /// </summary>
    private static readonly string[] Allowed = ["Grpc", Path.Combine("Security", "CallerTable.cs"), Path.Combine("PolicyTests", "RowValidation.cs")];

    [Fact]
    public void ContractTypes_OutsideGrpc_AreNamedNowhere()
    {
        var root = RepositoryFiles.PathOf("src", "AuthzService");
        var naming = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(root, file))
            .Where(file => file.Split(Path.DirectorySeparatorChar)[0] is not ("bin" or "obj"))
            .Where(file => !Allowed.Any(allowed => file == allowed || file.StartsWith(allowed + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            .Where(file => File.ReadAllText(Path.Combine(root, file)).Contains("Qbee.Authz.V1", StringComparison.Ordinal));

        Assert.Empty(naming);
    }

    [Fact]
    public void ContractTypes_InGrpc_AreNamed()
    {
        // Guards the test above against reading the wrong folder.
        Assert.Contains("Qbee.Authz.V1", File.ReadAllText(RepositoryFiles.PathOf("src", "AuthzService", "Grpc", "AuthorizationGrpcService.cs")), StringComparison.Ordinal);
    }
}
