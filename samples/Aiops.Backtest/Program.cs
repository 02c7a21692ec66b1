return Aiops.Backtest.BacktestCli.Run(args, Console.Out, Console.Error);
