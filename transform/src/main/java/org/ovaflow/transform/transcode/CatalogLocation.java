package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.ImportEvent;

import java.util.function.Function;

/**
 * Where the publish stage will put an import's files: the catalog bucket and the import's entry folder in it. The
 * transcode stage needs it for files that name published objects (EC2's disk-container list), and, when
 * {@code holdsOutputs}, to write every output straight into the import's own folder of its entry,
 * {@code <entry>/<importId>/}, where publication leaves them: nothing a reader sees until publish writes the entry's
 * appliance.json naming them, and no large object staged and then copied.
 *
 * @param folder       the import's catalog entry folder, with a trailing slash
 * @param holdsOutputs whether transcode writes its outputs under {@link #importFolder} (else into staging)
 * @param keepsOva     whether the entry keeps the original OVA ({@code ovaflow.publish.keep-ova}), which transcode
 *                     then has the store copy under {@link #importFolder} too (only when it holds the outputs)
 */
public record CatalogLocation(String bucket, Function<ImportEvent, String> folder, boolean holdsOutputs,
                              boolean keepsOva) {

    /** A location the transcode stage only names (outputs go to staging). */
    public CatalogLocation(String bucket, Function<ImportEvent, String> folder) {
        this(bucket, folder, false, false);
    }

    /**
     * A location the transcode stage writes its outputs into, under each import's own folder, with the original OVA
     * when {@code keepOva}.
     */
    public static CatalogLocation holdingOutputs(String bucket, Function<ImportEvent, String> folder, boolean keepOva) {
        return new CatalogLocation(bucket, folder, true, keepOva);
    }

    /**
     * Where the import's files will be published: {@code <entry>/<importId>/} when transcode writes them there,
     * else the entry's folder (a first publication's; a replacement's go under its import id, see PublishStage).
     */
    public String importFolder(ImportEvent event) {
        return folder.apply(event) + (holdsOutputs ? event.importId() + "/" : "");
    }
}
