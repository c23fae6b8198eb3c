using Qbee.Authz.Service.Hosting;
using Qbee.Authz.Service.Security;

if (TokenCommand.IsCommand(args))
{
    return TokenCommand.Run(args, Console.Out, Console.Error);
}

var app = AuthzApp.Build(args);
try
{
    await app.RunAsync();
}
catch (InvalidOperationException e) when (LoopbackGuard.IsRefusal(e))
{
    return 2; // said in the log with its reason; a stack trace would only repeat it
}

return 0;
