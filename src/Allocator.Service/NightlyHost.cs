using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Allocator.Service;

/// <summary>Builds the nightly planning host: configuration, validated options, the worker, logging, shutdown.</summary>
public static class NightlyHost
{
    /// <summary>
    /// The host. Configuration comes from <paramref name="settingsFile"/> (appsettings.json; optional), then environment
    /// variables prefixed ALLOCATOR_ (<c>ALLOCATOR_Nightly__Schedule</c>), then <paramref name="flags"/> (the command
    /// line's options as configuration keys), each overriding the one before. Options are validated when the host starts:
    /// a bad one stops start-up with every problem named.
    /// </summary>
    public static IHost Create(string? settingsFile, IReadOnlyDictionary<string, string?> flags, Action<IServiceCollection>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Directory.GetCurrentDirectory() });
        var settings = settingsFile ?? Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        builder.Configuration.AddJsonFile(Path.GetFullPath(settings), optional: settingsFile is null, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables("ALLOCATOR_");
        builder.Configuration.AddInMemoryCollection(flags);

        builder.Services.AddOptions<NightlyOptions>().Bind(builder.Configuration.GetSection(NightlyOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<NightlyOptions>, NightlyOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<NightlyReport>();
        builder.Services.AddHostedService<NightlyPlanner>();
        // A stop request gives the run time to interrupt the solver and write its plan before the host gives up on it.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddLogging(logging => logging
            .AddConfiguration(builder.Configuration.GetSection("Logging"))
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            })
            .AddFilter(level => level >= LogLevel.Information)
            // Options that fail validation are reported by the caller, one line per problem, not as a host stack trace.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical));
        // Logs go to stderr, so stdout stays for what a command prints (history list --json).
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(c => c.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(c => c.SuppressStatusMessages = true);
        builder.Services.AddSingleton<IHostLifetime, Microsoft.Extensions.Hosting.Internal.ConsoleLifetime>();
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}
