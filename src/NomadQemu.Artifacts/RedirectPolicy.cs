using System.Globalization;
using System.Net;

namespace NomadQemu.Artifacts;

/// <summary>
/// How HTTP redirects are followed (by us, not by HttpClient, whose automatic redirects would carry custom
/// headers to any host and allow 50 hops): at most <see cref="MaxRedirects"/>, only to http and https.
/// </summary>
internal static class RedirectPolicy
{
    /// <summary>go-getter's (and Go's net/http) limit.</summary>
    public const int MaxRedirects = 10;

    public static bool IsRedirect(HttpStatusCode status) =>
        status
            is HttpStatusCode.MovedPermanently
                or HttpStatusCode.Found
                or HttpStatusCode.SeeOther
                or HttpStatusCode.TemporaryRedirect
                or HttpStatusCode.PermanentRedirect;

    /// <summary>Same scheme, host and port: the only place a job's headers and credentials are sent.</summary>
    public static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <exception cref="ArtifactDownloadException">Too many hops, no Location, or a scheme other than http(s).</exception>
    public static Uri Next(Uri current, HttpResponseMessage response, int redirectsSoFar, string display)
    {
        if (redirectsSoFar >= MaxRedirects)
        {
            throw new ArtifactDownloadException(
                display,
                string.Create(CultureInfo.InvariantCulture, $"stopped after {MaxRedirects} redirects"),
                (int)response.StatusCode
            );
        }

        var location =
            response.Headers.Location
            ?? throw new ArtifactDownloadException(
                display,
                $"HTTP {(int)response.StatusCode} redirect without a Location header",
                (int)response.StatusCode
            );
        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (next.Scheme is not ("http" or "https"))
        {
            throw new ArtifactDownloadException(
                display,
                $"redirected to a {next.Scheme}: URL ({SourceLocation.Redact(next.OriginalString)}); only http and https redirects are followed",
                (int)response.StatusCode
            );
        }

        return next;
    }

    public static Uri WithoutUserInfo(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri : new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri;
}
