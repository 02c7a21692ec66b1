return Aiops.Correlation.Eval.EvalCli.Run(args, Console.Out, Console.Error);
