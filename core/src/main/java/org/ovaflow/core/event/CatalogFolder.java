package org.ovaflow.core.event;

/**
 * Where the publish stage puts an import in the catalog bucket: the folder of its version, with a trailing slash.
 * The process hands it to the stages that name published objects before publish runs (the transcode stage's EC2
 * disk-container list), so that no stage module imports another.
 */
@FunctionalInterface
public interface CatalogFolder {

    String of(ImportEvent event);
}
