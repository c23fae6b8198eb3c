using Qbee.Authz.Service.Domain.Model;

namespace Qbee.Authz.Service.PolicyTests;

/// <summary>A policy test file, read and validated: the account's rows, its devices' names and the assertions.</summary>
internal sealed record PolicyTestFile(string Path, AccountData Data, DeviceNames Devices, IReadOnlyList<PolicyAssertion> Assertions);
