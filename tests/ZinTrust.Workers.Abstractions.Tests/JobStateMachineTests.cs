namespace ZinTrust.Workers.Abstractions.Tests;

/// <summary>The classification of states (the moves themselves are the silo's transitions module, tested with it).</summary>
public sealed class JobStateMachineTests
{
    [Theory]
    [InlineData(JobState.Waiting, false, false, false)]
    [InlineData(JobState.Delayed, false, false, false)]
    [InlineData(JobState.Active, false, false, false)]
    [InlineData(JobState.Completed, true, false, true)]
    [InlineData(JobState.Failed, false, true, true)]
    [InlineData(JobState.Cancelled, true, false, true)]
    public void States_AreTerminal_DeadLettered_OrSettled_AsDocumented(JobState state, bool terminal, bool deadLettered, bool settled)
    {
        Assert.Equal(terminal, JobStateMachine.IsTerminal(state));
        Assert.Equal(deadLettered, JobStateMachine.IsDeadLettered(state));
        Assert.Equal(settled, JobStateMachine.IsSettled(state));
    }
}
