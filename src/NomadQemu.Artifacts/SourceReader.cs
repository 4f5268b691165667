using System.Net;

namespace NomadQemu.Artifacts;

/// <summary>An open byte stream for a source, with its length when the server or file system knows it.</summary>
internal sealed class OpenedSource(Stream content, long? length, IDisposable? owner) : IAsyncDisposable
{
    public Stream Content { get; } = content;
    public long? Length { get; } = length;

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        owner?.Dispose();
    }
}

/// <summary>Opens http(s) and local sources, turning every failure into an <see cref="ArtifactDownloadException"/>.</summary>
internal sealed class SourceReader(HttpClient http)
{
    public async Task<OpenedSource> OpenAsync(
        SourceLocation location,
        IReadOnlyDictionary<string, string> headers,
        string display,
        CancellationToken cancellationToken
    )
    {
        return location.IsHttp
            ? await OpenHttpAsync(location.HttpUri!, headers, display, cancellationToken).ConfigureAwait(false)
            : LocalSourceFile.Open(location.LocalPath!, display);
    }

    private async Task<OpenedSource> OpenHttpAsync(
        Uri uri,
        IReadOnlyDictionary<string, string> headers,
        string display,
        CancellationToken cancellationToken
    )
    {
        var current = uri;
        for (var redirects = 0; ; redirects++)
        {
            // The job's headers and URL credentials belong to the origin the job named; a redirect elsewhere
            // (another host, port or scheme) must not carry an API key or a password along.
            var firstOrigin = RedirectPolicy.SameOrigin(current, uri);
            using var request = BuildRequest(current, firstOrigin ? headers : null, firstOrigin ? uri : null, display);
            HttpResponseMessage? response = null;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                    .ConfigureAwait(false);
                if (RedirectPolicy.IsRedirect(response.StatusCode))
                {
                    current = RedirectPolicy.Next(current, response, redirects, display);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    var status = (int)response.StatusCode;
                    throw new ArtifactDownloadException(
                        display,
                        $"HTTP {status} {response.ReasonPhrase ?? ReasonFor(response.StatusCode)}",
                        status
                    );
                }

                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var opened = new OpenedSource(body, response.Content.Headers.ContentLength, response);
                response = null;
                return opened;
            }
            catch (Exception ex) when (TransferErrors.IsTransportFailure(ex, cancellationToken))
            {
                throw new ArtifactDownloadException(
                    display,
                    $"request failed: {TransferErrors.Describe(ex)}",
                    inner: ex
                );
            }
            finally
            {
                response?.Dispose();
            }
        }
    }

    private static HttpRequestMessage BuildRequest(
        Uri target,
        IReadOnlyDictionary<string, string>? headers,
        Uri? credentialsFrom,
        string display
    )
    {
        var request = new HttpRequestMessage(HttpMethod.Get, RedirectPolicy.WithoutUserInfo(target));
        try
        {
            if (credentialsFrom is { UserInfo.Length: > 0 })
            {
                // go-getter sends URL credentials as basic auth; so do we, to the first origin only.
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                    "Basic",
                    Convert.ToBase64String(
                        System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(credentialsFrom.UserInfo))
                    )
                );
            }

            foreach ((var name, var value) in headers ?? new Dictionary<string, string>())
            {
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    throw new ArtifactConfigException(
                        display,
                        "headers",
                        $"\"{name}\" cannot be sent as a request header"
                    );
                }
            }

            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private static string ReasonFor(HttpStatusCode code) => code.ToString();
}

/// <summary>Classifies exceptions thrown while talking to a server or reading its body.</summary>
internal static class TransferErrors
{
    /// <summary>Network-level failures; caller cancellation is deliberately excluded so it surfaces as-is.</summary>
    public static bool IsTransportFailure(Exception ex, CancellationToken cancellationToken) =>
        ex switch
        {
            HttpRequestException or IOException => true,
            // Not our token: a handler-level timeout, which is a transfer failure, not a cancellation.
            OperationCanceledException => !cancellationToken.IsCancellationRequested,
            _ => false,
        };

    public static string Describe(Exception ex) =>
        ex switch
        {
            OperationCanceledException => "timed out",
            _ when ex.InnerException is { } inner
                    && !ex.Message.Contains(inner.Message.TrimEnd('.'), StringComparison.Ordinal) =>
                $"{ex.Message} ({inner.Message})",
            _ => ex.Message,
        };
}
