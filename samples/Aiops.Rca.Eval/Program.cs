return Aiops.Rca.Eval.RcaCli.Run(args, Console.Out, Console.Error);
