package org.ovaflow.ingest.onboard;

import java.net.URI;
import java.util.Locale;

/**
 * One OVA a vendor catalog lists: where to fetch it, the file name it gets in the incoming bucket, what the
 * catalog promises of its content (SHA-256, size) and optional vendor/product/version overrides.
 *
 * @param id       stable identity: the catalog's own id, else the URL normalised ({@link #idOf(URI)})
 * @param source   http(s)://, s3://bucket/key, file: or a plain (relative) path
 * @param fileName the object key in the incoming bucket, as the catalog gives it (checked by the Downloader)
 * @param sha256   lower-case hex, or null
 * @param size     bytes, or null
 */
public record CatalogItem(String id, URI source, String fileName, String sha256, Long size,
                          String vendor, String product, String version) {

    /** A URL as an id: scheme and host lower-case, path normalised, no fragment. */
    public static String idOf(URI source) {
        URI uri = source.normalize();
        if (uri.isOpaque() || uri.getScheme() == null) {
            return uri.toString();
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if ((port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"))) {
            port = -1;
        }
        StringBuilder id = new StringBuilder(scheme).append(':');
        if (uri.getRawAuthority() != null) {
            id.append("//");
            if (host != null) {
                if (uri.getRawUserInfo() != null) {
                    id.append(uri.getRawUserInfo()).append('@');
                }
                id.append(host);
                if (port >= 0) {
                    id.append(':').append(port);
                }
            } else {
                id.append(uri.getRawAuthority());
            }
        }
        id.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        if (uri.getRawQuery() != null) {
            id.append('?').append(uri.getRawQuery());
        }
        return id.toString();
    }
}
