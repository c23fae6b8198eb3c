using Qbee.Authz.Service.Hosting;

var app = AuthzApp.Build(args);
await app.RunAsync();
