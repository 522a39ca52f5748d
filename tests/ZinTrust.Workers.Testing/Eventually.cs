namespace ZinTrust.Workers.Testing;

/// <summary>Polls a condition until it holds or a deadline passes (then fails with the given expectation).</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<Task<T>> probe, Func<T, bool> done, string expectation, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T value = await probe();
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting: {expectation}. Last value: {value}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
            value = await probe();
        }

        return value;
    }

    public static Task True(Func<bool> condition, string expectation, TimeSpan? timeout = null) =>
        Get(() => Task.FromResult(condition()), static v => v, expectation, timeout);

    public static Task True(Func<Task<bool>> condition, string expectation, TimeSpan? timeout = null) =>
        Get(condition, static v => v, expectation, timeout);
}
