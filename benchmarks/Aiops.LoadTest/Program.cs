using Aiops.LoadTest;

const string Usage = """
    Aiops.LoadTest: load and memory measurements of Aiops.Hosting.

    Commands:
      pipeline        Pushes samples through a hosted pipeline (AddAiops, no web) without drops; prints samples/s end to end.
                      --series 10000  --points 500  --detector ensemble  --capacity 100000  --anomalies 20  --workers 0 (0 = the default: processors, at most 4)
      overload        Offers samples faster than detection consumes (FullMode DropOldest) and samples memory every second.
                      --rate 0 (samples/s offered; 0 = as fast as the writers can)  --writers 2  --seconds 30  --series 10000
                      --detector ensemble  --capacity 100000
      webhook-server  A Kestrel host on 127.0.0.1 with AddAiops and MapAiopsAlertmanager, for wrk; prints memory on exit.
                      --port 0 (0 = any free port)  --token (bearer token; none by default)
      soak            The whole hosted pipeline behind the webhook for a long run: noise alerts at a steady rate mixed with incidents;
                      checks memory stays flat, every incident is decided and no response is a 5xx (exit code 1 otherwise).
                      --seconds 3600  --rate 5000 (alerts/s)  --incident-every 30 (s)
      breakdown       Where a sample's time goes in detection: the stage's steps one by one on one thread, ns and bytes per sample.
                      --series 10000  --points 200  --detector ensemble
      state           Heap bytes per series of a detector (measured) next to its StateSizeBytes, after 1 to 5,000 points.
                      --series 10000  --detector ensemble

    Example: dotnet run -c Release --project benchmarks/Aiops.LoadTest -- pipeline --series 10000 --points 500
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return 0;
}

try
{
    var options = CommandLine.Parse(args[1..]);
    return args[0] switch
    {
        "pipeline" => await PipelineCommand.RunAsync(options),
        "overload" => await OverloadCommand.RunAsync(options),
        "webhook-server" => await WebhookServerCommand.RunAsync(options),
        "soak" => await SoakCommand.RunAsync(options),
        "breakdown" => await BreakdownCommand.RunAsync(options),
        "state" => await StateCommand.RunAsync(options),
        _ => Fail($"Unknown command '{args[0]}'."),
    };
}
catch (ArgumentException ex)
{
    return Fail(ex.Message);
}

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    Console.Error.WriteLine("Run with --help for the commands and their options.");
    return 2;
}
