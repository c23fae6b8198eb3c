using Qbee.Authz.Service.Hosting;
using Qbee.Authz.Service.Security;

if (TokenCommand.IsCommand(args))
{
    return TokenCommand.Run(args, Console.Out, Console.Error);
}

var app = AuthzApp.Build(args);
await app.RunAsync();
return 0;
