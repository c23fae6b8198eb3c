using Qbee.Authz.Service.Hosting;
using Qbee.Authz.Service.Security;

if (TokenCommand.IsCommand(args))
{
    return TokenCommand.Run(args, Console.Out, Console.Error);
}

var app = AuthzApp.Build(args);
if (LoopbackGuard.RefusesToStart(app.Services))
{
    return 2; // said once in the log, with its reason; the host never started, so nothing repeats it
}

try
{
    await app.RunAsync();
}
catch (InvalidOperationException e) when (LoopbackGuard.IsRefusal(e))
{
    return 2; // addresses bound from code, refused once Kestrel had them: said in the log with its reason
}

return 0;
