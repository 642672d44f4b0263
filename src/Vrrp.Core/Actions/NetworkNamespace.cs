using System.Runtime.InteropServices;

namespace Vrrp.Actions;

/// <summary>Runs code on a dedicated thread that entered a network namespace (setns); pool threads are never switched.</summary>
internal static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    public static T Run<T>(string? name, Func<T> action)
    {
        if (name is null)
        {
            return action();
        }

        T result = default!;
        Exception? error = null;
        Thread thread = new(() =>
        {
            try
            {
                using SafeHandle handle = File.OpenHandle($"/var/run/netns/{name}");
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new LocalAddressActionException($"cannot enter network namespace {name}: errno {Marshal.GetLastPInvokeError()}");
                }

                result = action();
            }
            catch (IOException e)
            {
                error = new LocalAddressActionException($"cannot open network namespace {name}: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                error = new LocalAddressActionException($"cannot open network namespace {name}: {e.Message}", e);
            }
#pragma warning disable CA1031 // rethrown on the calling thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = e;
            }
        })
        {
            IsBackground = true,
            Name = "vrrp-netns",
        };
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        return result;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nsType);
}
