namespace ZinTrust.Workers.Abstractions.Tests;

public sealed class JobStateMachineTests
{
    public static TheoryData<JobState, JobState> Allowed => new()
    {
        { JobState.Waiting, JobState.Active },
        { JobState.Waiting, JobState.Cancelled },
        { JobState.Delayed, JobState.Waiting },
        { JobState.Delayed, JobState.Cancelled },
        { JobState.Active, JobState.Completed },
        { JobState.Active, JobState.Failed },
        { JobState.Active, JobState.Waiting },
        { JobState.Active, JobState.Delayed },
        { JobState.Active, JobState.Cancelled },
        { JobState.Failed, JobState.Waiting },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Move_AllowsTheDocumentedTransitions(JobState from, JobState to) =>
        Assert.Equal(to, JobStateMachine.Move(from, to));

    [Fact]
    public void Move_RejectsEveryOtherTransition_WithAStableCode()
    {
        var allowed = Allowed.Select(row => ((JobState)row.Data.Item1, (JobState)row.Data.Item2)).ToHashSet();
        foreach (var from in Enum.GetValues<JobState>())
        {
            foreach (var to in Enum.GetValues<JobState>())
            {
                if (allowed.Contains((from, to)))
                {
                    continue;
                }

                var error = Assert.Throws<WorkersException>(() => JobStateMachine.Move(from, to));
                Assert.Equal(WorkersErrorCodes.InvalidJobTransition, error.Code);
            }
        }
    }

    [Theory]
    [InlineData(JobState.Completed)]
    [InlineData(JobState.Cancelled)]
    public void TerminalStates_HaveNoWayOut(JobState terminal)
    {
        Assert.True(JobStateMachine.IsTerminal(terminal));
        Assert.All(Enum.GetValues<JobState>(), to => Assert.False(JobStateMachine.CanMove(terminal, to)));
    }

    [Fact]
    public void DeadLetters_AreNotTerminal_OnlyAnOperatorRetryLeavesThem()
    {
        Assert.False(JobStateMachine.IsTerminal(JobState.Failed));
        Assert.True(JobStateMachine.IsDeadLettered(JobState.Failed));
        Assert.Equal([JobState.Waiting], Enum.GetValues<JobState>().Where(to => JobStateMachine.CanMove(JobState.Failed, to)));
    }
}
