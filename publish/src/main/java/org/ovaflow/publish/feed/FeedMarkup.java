package org.ovaflow.publish.feed;

import org.jdom2.Element;
import org.jdom2.Namespace;
import org.ovaflow.publish.catalog.ApplianceRecord;

import java.time.Instant;

/**
 * ovaflow's own elements in the feeds (namespace {@value #URI}, prefix {@code ovaflow}), in every item of both
 * formats, for clients that verify what they download:
 * <pre>{@code
 * <ovaflow:artifact name="qcow2/disk1.qcow2" role="disk" size="1048576" sha256="…" format="qcow2" target="qcow2"
 *                   url="http://…/download/qcow2/disk1.qcow2"/>
 * <ovaflow:eula url="http://…/download/widget.ovf"/>
 * <ovaflow:retraction at="2026-01-02T03:04:05Z" reason="…"/>
 * <ovaflow:pruned at="2026-01-02T03:04:05Z" reason="…"/>
 * }</pre>
 * Documented in docs/events.md.
 */
public final class FeedMarkup {

    public static final String URI = "https://ovaflow.org/ns/feed/1";
    public static final Namespace NAMESPACE = Namespace.getNamespace("ovaflow", URI);

    private FeedMarkup() {
    }

    /** One artifact of the entry; {@code url} null for a retracted entry (nothing is offered for download). */
    static Element artifact(ApplianceRecord.Artifact artifact, String url) {
        Element element = new Element("artifact", NAMESPACE);
        set(element, "name", FeedText.clean(artifact.name(), Integer.MAX_VALUE));
        set(element, "role", FeedText.clean(artifact.role(), FeedText.MAX_NAME));
        set(element, "size", Long.toString(artifact.size()));
        set(element, "sha256", FeedText.clean(artifact.sha256(), FeedText.MAX_NAME));
        set(element, "format", FeedText.clean(artifact.format(), FeedText.MAX_TEXT));
        set(element, "target", FeedText.clean(artifact.target(), FeedText.MAX_NAME));
        set(element, "url", url);
        return element;
    }

    static Element eula(String url) {
        Element element = new Element("eula", NAMESPACE);
        set(element, "url", url);
        return element;
    }

    static Element retraction(Instant at, String reason) {
        Element element = new Element("retraction", NAMESPACE);
        set(element, "at", at == null ? null : at.toString());
        set(element, "reason", FeedText.clean(reason, FeedText.MAX_TEXT));
        return element;
    }

    /** A version the retention policy pruned: when and by which rule. */
    static Element pruning(Instant at, String reason) {
        Element element = new Element("pruned", NAMESPACE);
        set(element, "at", at == null ? null : at.toString());
        set(element, "reason", FeedText.clean(reason, FeedText.MAX_TEXT));
        return element;
    }

    private static void set(Element element, String attribute, String value) {
        if (value != null) {
            element.setAttribute(attribute, value);
        }
    }
}
