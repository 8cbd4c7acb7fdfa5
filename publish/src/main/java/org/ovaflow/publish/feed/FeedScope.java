package org.ovaflow.publish.feed;

import org.ovaflow.publish.catalog.ApplianceRecord;

/**
 * Which part of the catalog a feed covers: all of it, one vendor, or one vendor's product. Vendor and product
 * are catalog slugs (the path parts of appliance.json's folder), null where the scope does not narrow.
 */
public record FeedScope(String vendor, String product) {

    public FeedScope {
        if (product != null && vendor == null) {
            throw new IllegalArgumentException("a product scope needs its vendor");
        }
    }

    public static FeedScope catalog() {
        return new FeedScope(null, null);
    }

    public static FeedScope vendor(String vendor) {
        return new FeedScope(vendor, null);
    }

    public static FeedScope product(String vendor, String product) {
        return new FeedScope(vendor, product);
    }

    public boolean includes(ApplianceRecord record) {
        return (vendor == null || vendor.equals(record.vendor()))
                && (product == null || product.equals(record.product()));
    }

    /**
     * The feed's path below {@code /feeds/} without extension: {@code catalog}, {@code <vendor>} or
     * {@code <vendor>/<product>}. (A vendor whose slug is {@code catalog} has no vendor feed of its own: that
     * path is the whole catalog's, which includes it; its product feeds are there.)
     */
    public String path() {
        if (vendor == null) {
            return "catalog";
        }
        return product == null ? vendor : vendor + "/" + product;
    }

    /** A stable identifier (Atom's feed id), independent of the host the feed is served from. */
    public String id() {
        return "urn:ovaflow:feed:" + path();
    }
}
