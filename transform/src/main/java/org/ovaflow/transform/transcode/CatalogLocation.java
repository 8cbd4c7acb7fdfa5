package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.ImportEvent;

import java.util.function.Function;

/**
 * Where the publish stage will put an import's files: the catalog bucket and the import's folder in it. The
 * transcode stage needs it only for files that name published objects (EC2's disk-container list).
 *
 * @param folder the import's catalog folder, with a trailing slash
 */
public record CatalogLocation(String bucket, Function<ImportEvent, String> folder) {
}
