using System.Text;
using Grpc.Core;

namespace Qbee.Authz.Cli.Output;

/// <summary>A gRPC error as one line: the status as the protocol names it, then the service's detail.</summary>
internal static class RpcErrorText
{
    public static string Format(RpcException error, Uri? address)
    {
        var detail = string.IsNullOrWhiteSpace(error.Status.Detail) ? "(no detail)" : OneLine(error.Status.Detail);
        // Unreachable or too slow says nothing about which service: name the address the command used.
        var where = address is not null && error.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded ? $" (address {address})" : string.Empty;
        return $"{StatusName(error.StatusCode)}: {detail}{where}";
    }

    /// <summary><c>InvalidArgument</c> -> <c>INVALID_ARGUMENT</c>, as grpcurl and the gRPC docs spell it.</summary>
    public static string StatusName(StatusCode code)
    {
        if (code == StatusCode.OK)
        {
            return "OK";
        }

        var name = code.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                text.Append('_');
            }

            text.Append(char.ToUpperInvariant(name[i]));
        }

        return text.ToString();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
