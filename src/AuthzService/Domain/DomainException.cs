namespace Qbee.Authz.Service.Domain;

/// <summary>
/// A request the domain refuses. The gRPC error interceptor turns each kind into its status;
/// nothing is written when one is thrown inside a store transaction.
/// </summary>
internal abstract class DomainException(string message) : Exception(message);

/// <summary>A field of the request is malformed: INVALID_ARGUMENT, naming the field.</summary>
internal sealed class InvalidFieldException(string field, string reason)
    : DomainException($"{field}: {reason}")
{
    public string Field { get; } = field;

    public string Reason { get; } = reason;
}

/// <summary>NOT_FOUND.</summary>
internal sealed class NotFoundException(string message) : DomainException(message);

/// <summary>ALREADY_EXISTS.</summary>
internal sealed class AlreadyExistsException(string message) : DomainException(message);

/// <summary>FAILED_PRECONDITION: the request is well-formed but the current state forbids it.</summary>
internal sealed class PreconditionFailedException(string message) : DomainException(message);

/// <summary>UNAVAILABLE: a dependency or a revision is out of reach right now; the caller may retry.</summary>
internal sealed class UnavailableException(string message) : DomainException(message);

/// <summary>ABORTED: the state moved under a read-evaluate-compare (a dry run); retrying may succeed.</summary>
internal sealed class AbortedException(string message) : DomainException(message);
