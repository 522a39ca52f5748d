using System.Text;
using ZinTrust.Workers.Cli;

// ✓, ━ and the table borders on every terminal.
Console.OutputEncoding = Encoding.UTF8;
return await CliApp.RunAsync(args, new CliContext(Console.Out, Console.Error)
{
    HandleTermination = true,
    Input = Console.In,
    CommandName = InvokedName.Resolve(),
});
