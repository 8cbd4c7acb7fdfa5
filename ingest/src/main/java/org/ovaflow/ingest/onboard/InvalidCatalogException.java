package org.ovaflow.ingest.onboard;

/** A catalog that could not be read at all (the file, not one of its items): names the file and what failed. */
public class InvalidCatalogException extends Exception {

    private final String catalog;

    public InvalidCatalogException(String catalog, String problem) {
        this(catalog, problem, null);
    }

    public InvalidCatalogException(String catalog, String problem, Throwable cause) {
        super(catalog + ": " + problem, cause);
        this.catalog = catalog;
    }

    /** The catalog's file name. */
    public String catalog() {
        return catalog;
    }
}
