package org.ovaflow.validate.ovf;

import org.ovaflow.core.event.ApplianceMetadata;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the Properties of ProductSections in document order, up to {@link ApplianceMetadata#MAX_PROPERTIES}
 * of them and {@link #MAX_TEXT} characters of their texts, and remembers whether any were left out.
 */
final class ProductProperties {

    /** With each text already cut, this keeps a hostile descriptor's properties to a fraction of a Kafka record. */
    static final int MAX_TEXT = 128 * 1024;

    private final List<ApplianceMetadata.Property> properties = new ArrayList<>();
    private int text;
    private boolean cut;

    /** Adds the properties of one ProductSection of the VirtualSystem or collection {@code owner}. */
    void add(String owner, OvfElement productSection) {
        String prefix = nonBlank(productSection.attribute("class"));
        String suffix = nonBlank(productSection.attribute("instance"));
        for (OvfElement element : productSection.children("Property")) {
            if (cut) {
                return;
            }
            String key = element.attribute("key");
            ApplianceMetadata.Property property = new ApplianceMetadata.Property(
                    owner,
                    (prefix == null ? "" : prefix + ".") + (key == null ? "" : key.trim())
                            + (suffix == null ? "" : "." + suffix),
                    nonBlank(element.attribute("type")),
                    element.attribute("value"),
                    "true".equalsIgnoreCase(nonBlank(element.attribute("userConfigurable"))),
                    "true".equalsIgnoreCase(nonBlank(element.attribute("password"))),
                    element.childText("Label"),
                    element.childText("Description"));
            int length = length(property);
            if (properties.size() == ApplianceMetadata.MAX_PROPERTIES || text + length > MAX_TEXT) {
                cut = true;
                return;
            }
            properties.add(property);
            text += length;
        }
    }

    List<ApplianceMetadata.Property> properties() {
        return properties;
    }

    /** True when properties were left out; null otherwise, as the metadata carries it. */
    Boolean cut() {
        return cut ? Boolean.TRUE : null;
    }

    private static int length(ApplianceMetadata.Property p) {
        return length(p.owner()) + length(p.key()) + length(p.type()) + length(p.defaultValue()) + length(p.label())
                + length(p.description());
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
