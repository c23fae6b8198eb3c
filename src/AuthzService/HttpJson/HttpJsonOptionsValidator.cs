using System.Net;
using Microsoft.Extensions.Options;

namespace Qbee.Authz.Service.HttpJson;

/// <summary>Stops the service at start-up on an HTTP/JSON URL it could not listen on.</summary>
internal sealed class HttpJsonOptionsValidator(HttpJsonListeners listeners) : IValidateOptions<HttpJsonOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpJsonOptions options)
    {
        var problems = Problems(options.UrlList, listeners.TakenPorts);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Why each URL cannot be served; <paramref name="takenPorts"/> are the gRPC and scrape ports.</summary>
    public static List<string> Problems(IReadOnlyList<string> urls, IReadOnlyList<int> takenPorts)
    {
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var url in urls)
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                problems.Add($"{HttpJsonOptions.SectionName}:Urls: '{url}' is not a URL (http://127.0.0.1:8080).");
                continue;
            }

            if (address.IsUnixPipe || address.Scheme is not ("http" or "https"))
            {
                problems.Add($"{HttpJsonOptions.SectionName}:Urls: '{url}' must be http:// or https:// with a host and a port.");
            }
            else if (address.Port is <= 0 or > IPEndPoint.MaxPort)
            {
                problems.Add($"{HttpJsonOptions.SectionName}:Urls: '{url}' needs a fixed port (1..{IPEndPoint.MaxPort}).");
            }
            else if (takenPorts.Contains(address.Port))
            {
                problems.Add($"{HttpJsonOptions.SectionName}:Urls: port {address.Port} of '{url}' is the gRPC service's or the metrics port: HTTP/1.1 needs its own.");
            }
            else if (!seen.Add(url))
            {
                problems.Add($"{HttpJsonOptions.SectionName}:Urls: '{url}' is listed twice.");
            }
        }

        return problems;
    }
}
