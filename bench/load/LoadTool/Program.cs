using Qbee.Authz.LoadTool;

// bench/load/run.sh drives this: `wait` until the service answers, then `seed` the account and write the
// h2load request bodies with the reply size each must produce; `empty` serves the baseline it is compared with.
return args switch
{
    ["wait", var address] => await Commands.WaitAsync(address),
    ["seed", var address, var devices, var output] => await Commands.SeedAsync(address, int.Parse(devices), output),
    ["empty", var url, var bodies] => await EmptyServer.RunAsync(url, bodies),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: LoadTool wait <address> | seed <address> <devices> <output-dir> | empty <url> <bodies-dir>");
    return 2;
}
