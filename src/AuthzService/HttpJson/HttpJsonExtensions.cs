using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi.Models;
using Qbee.Authz.Service.Telemetry;

namespace Qbee.Authz.Service.HttpJson;

internal static class HttpJsonExtensions
{
    /// <summary>Where the OpenAPI document of the HTTP/JSON routes is served, on every listener.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>The XML docs of the contract (the proto comments): the OpenAPI document's descriptions.</summary>
    private const string ContractDocs = "Qbee.Authz.Contracts.xml";

    /// <summary>
    /// HTTP/JSON from the same contract: gRPC JSON transcoding of every RPC with a google.api.http rule (routes only:
    /// a gRPC call passes through nothing new; the interceptors run for both), its OpenAPI document, and the
    /// HTTP/1.1 listeners of Authz:Http:Urls. Called after <see cref="TelemetryExtensions.AddTelemetryExport"/>:
    /// the listeners join the scrape port's and keep it on HTTP/1.1.
    /// </summary>
    public static WebApplicationBuilder AddHttpJson(this WebApplicationBuilder builder)
    {
        // Protobuf's JSON mapping, as the CLI's --json prints it: lowerCamelCase names (requests may use
        // either those or the proto names, user_id), enum names, 64-bit integers as strings (JavaScript loses
        // precision past 2^53), and default values written out, so a deny says "allowed": false.
        builder.Services.AddGrpc().AddJsonTranscoding(o => o.JsonSettings.WriteInt64sAsStrings = true);
        builder.Services.AddGrpcSwagger();
        builder.Services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Qbee.Authz HTTP/JSON",
                Version = "v1",
                Description = "The gRPC contract (protos/qbee/authz/v1) transcoded to HTTP/JSON. Bearer token as for gRPC; "
                    + "errors are google.rpc.Status JSON. AdminService.ImportAccount (a client stream) is gRPC only.",
            });
            var docs = Path.Combine(AppContext.BaseDirectory, ContractDocs);
            if (File.Exists(docs))
            {
                swagger.IncludeXmlComments(docs);
                swagger.IncludeGrpcXmlComments(docs, includeControllerXmlComments: true);
            }

            swagger.OperationFilter<StreamingOperationFilter>();
            swagger.SchemaFilter<Int64AsStringSchemaFilter>();
            swagger.AddSecurityDefinition("bearer", new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer" });
            swagger.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "bearer" } }] = [],
            });
        });

        // The scrape endpoint planned by AddTelemetryExport (port 0 when off).
        var metrics = (MetricsEndpoint)builder.Services.Last(d => d.ServiceType == typeof(MetricsEndpoint)).ImplementationInstance!;
        var listeners = HttpJsonListeners.Plan(builder.Configuration, metrics);
        builder.Services.AddSingleton(listeners);
        builder.Services.AddOptions<HttpJsonOptions>().Bind(builder.Configuration.GetSection(HttpJsonOptions.SectionName)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpJsonOptions>, HttpJsonOptionsValidator>());
        listeners.Listen(builder);
        return builder;
    }

    /// <summary>The OpenAPI document, an endpoint like the transcoded routes (no middleware in front of gRPC calls).</summary>
    public static WebApplication MapHttpJson(this WebApplication app)
    {
        app.MapSwagger("/openapi/{documentName}.json");
        var listeners = app.Services.GetRequiredService<HttpJsonListeners>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpJsonExtensions));
        if (listeners.Urls.Count > 0)
        {
            HttpJsonLog.Listening(logger, string.Join(", ", listeners.Urls), OpenApiPath);
        }
        else
        {
            HttpJsonLog.GrpcPortOnly(logger, OpenApiPath);
        }

        return app;
    }
}
