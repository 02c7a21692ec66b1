using Aiops.Lab;

return await LabCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
