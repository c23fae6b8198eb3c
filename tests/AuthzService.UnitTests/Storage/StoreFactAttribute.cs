using Xunit.Abstractions;
using Xunit.Sdk;

namespace Qbee.Authz.Service.UnitTests.Storage;

/// <summary>
/// A fact of <see cref="StoreConformanceTests"/>: discovered in every provider's subclass, except one marked
/// <see cref="RequiresVariableAttribute"/> whose variable is unset. Such a test is not there at all, rather than
/// skipped: a run without a SQL Server reports no skipped tests.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Qbee.Authz.Service.UnitTests.Storage.StoreFactDiscoverer", "Qbee.Authz.Service.UnitTests")]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>The theory twin of <see cref="StoreFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Qbee.Authz.Service.UnitTests.Storage.StoreTheoryDiscoverer", "Qbee.Authz.Service.UnitTests")]
public sealed class StoreTheoryAttribute : TheoryAttribute;

/// <summary>The test class runs only where the environment variable is set (to a connection string, say).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresVariableAttribute(string variable) : Attribute
{
    public string Variable { get; } = variable;

    /// <summary>False when the test class requires a variable that is unset or empty.</summary>
    internal static bool IsSatisfied(ITestMethod testMethod)
    {
        var required = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresVariableAttribute).AssemblyQualifiedName).FirstOrDefault();
        return required?.GetConstructorArguments().FirstOrDefault() is not string variable
            || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable));
    }
}

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        RequiresVariableAttribute.IsSatisfied(testMethod) ? base.Discover(discoveryOptions, testMethod, factAttribute) : [];
}

public sealed class StoreTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        RequiresVariableAttribute.IsSatisfied(testMethod) ? base.Discover(discoveryOptions, testMethod, theoryAttribute) : [];
}
