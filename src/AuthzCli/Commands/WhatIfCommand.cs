using System.CommandLine;
using System.Text.Json;
using Google.Protobuf;
using Qbee.Authz.Cli.Connection;
using Qbee.Authz.Cli.Input;
using Qbee.Authz.Cli.Output;
using Qbee.Authz.V1;

namespace Qbee.Authz.Cli.Commands;

/// <summary><c>what-if FILE</c>: a role or user file sent as PutRole / PutUser with <c>dry_run</c>; prints who would gain or
/// lose what. Nothing is stored.</summary>
internal static class WhatIfCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "A role or a user, YAML or JSON: {\"role\": {...}} / {\"user\": {...}} (or the Role / User alone)" };
        var json = new Option<bool>("--json") { Description = "Print the Impact as JSON" };
        var command = new Command("what-if", "What a role or user write would change, per user (a dry run: nothing is stored).");
        command.Arguments.Add(file);
        command.Options.Add(json);
        context.SetServiceAction(command, async (result, service, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            var (impact, what) = ReadWrite(path) switch
            {
                Role role => ((await service.Admin.PutRoleAsync(new PutRoleRequest { Role = role, DryRun = true }, deadline: ServiceConnection.UnaryDeadline, cancellationToken: cancellationToken)).Impact,
                    $"role {role.RoleId} of {role.AccountId}"),
                User user => ((await service.Admin.PutUserAsync(new PutUserRequest { User = user, DryRun = true }, deadline: ServiceConnection.UnaryDeadline, cancellationToken: cancellationToken)).Impact,
                    $"user {user.UserId} of {user.AccountId}"),
                _ => throw new InvalidOperationException("ReadWrite returns a role or a user"),
            };
            impact ??= new Impact();
            if (result.GetValue(json))
            {
                await ProtoJson.WriteLineAsync(context.Out, impact);
            }
            else
            {
                await ImpactText.WriteAsync(context.Out, $"putting {what}", impact);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The file's role or user: under a <c>role</c> or <c>user</c> key, or alone (told apart by its fields).</summary>
    private static IMessage ReadWrite(string path)
    {
        var document = StructuredFile.Read(path);
        if (document.ValueKind != JsonValueKind.Object)
        {
            throw new CliInputException($"{path}: expected an object with a role or a user");
        }

        if (document.TryGetProperty("role", out var role))
        {
            return Parse<Role>(path, role);
        }

        if (document.TryGetProperty("user", out var user))
        {
            return Parse<User>(path, user);
        }

        if (Has(document, "policies", "role_id", "roleId"))
        {
            return Parse<Role>(path, document);
        }

        if (Has(document, "user_id", "userId", "email", "role_ids", "roleIds"))
        {
            return Parse<User>(path, document);
        }

        throw new CliInputException($"{path}: neither a role (role_id, policies) nor a user (user_id, email); put it under a \"role\" or \"user\" key");
    }

    private static bool Has(JsonElement document, params string[] names) => names.Any(n => document.TryGetProperty(n, out _));

    private static T Parse<T>(string path, JsonElement element)
        where T : IMessage<T>, new()
    {
        try
        {
            return ProtoJson.Parser.Parse<T>(element.GetRawText());
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CliInputException($"{path}: not a {typeof(T).Name}: {e.Message}");
        }
    }
}
