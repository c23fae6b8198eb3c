namespace Qbee.Authz.Cli;

/// <summary>Exit codes scripts can tell apart: an answer (allowed or denied) from a question that could not be asked.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for <c>check</c>: allowed; for <c>test</c>: every assertion holds.</summary>
    public const int Ok = 0;

    /// <summary><c>check</c>: denied; <c>test</c>: an assertion failed.</summary>
    public const int Denied = 1;

    /// <summary>Bad usage or input (an unknown option, an unreadable file), said on standard error.</summary>
    public const int BadInput = 2;

    /// <summary>The service answered with an error status or could not be reached: one line on standard error.</summary>
    public const int ServiceError = 3;
}
