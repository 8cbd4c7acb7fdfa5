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
        for (OvfElement element : productSection.children("Property")) {
            if (cut) {
                return;
            }
            ApplianceMetadata.Property property = new ApplianceMetadata.Property(
                    owner,
                    fullKey(productSection, element),
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

    /** The key as the OVF environment and {@code ${…}} references name it: {@code class.key.instance} (DSP0243 9.5). */
    static String fullKey(OvfElement productSection, OvfElement property) {
        String prefix = nonBlank(productSection.attribute("class"));
        String suffix = nonBlank(productSection.attribute("instance"));
        String key = property.attribute("key");
        return (prefix == null ? "" : prefix + ".") + (key == null ? "" : key.trim())
                + (suffix == null ? "" : "." + suffix);
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
