package org.ovaflow.ingest.onboard;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A vendor catalog in CSV: UTF-8, a header row naming at least {@code url}, one item a record. */
final class CsvCatalog {

    private CsvCatalog() {
    }

    static List<VendorCatalog.Entry> read(String name, byte[] content, int start, Path folder)
            throws InvalidCatalogException {
        String text = text(name, content, start);
        List<CsvRecords.Record> records = CsvRecords.parse(text);
        int headerAt = 0;
        while (headerAt < records.size() && records.get(headerAt).blank()) {
            headerAt++;
        }
        if (headerAt == records.size() || records.get(headerAt).problem() != null) {
            throw new InvalidCatalogException(name, "not a catalog: no CSV header row");
        }
        List<String> header = records.get(headerAt).fields().stream()
                .map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        if (!header.contains("url")) {
            throw new InvalidCatalogException(name, "not a catalog: neither JSON, nor a feed, nor CSV with a "
                    + "\"url\" column in its header (line " + records.get(headerAt).line() + ")");
        }
        List<VendorCatalog.Entry> entries = new ArrayList<>();
        for (CsvRecords.Record record : records.subList(headerAt + 1, records.size())) {
            String where = "line " + record.line();
            if (record.problem() != null) {
                entries.add(new VendorCatalog.Entry(record.line(), null, where + ": " + record.problem()));
            } else if (record.blank()) {
                continue;
            } else if (record.fields().size() > header.size()) {
                entries.add(new VendorCatalog.Entry(record.line(), null, where + ": " + record.fields().size()
                        + " fields, the header has " + header.size()));
            } else {
                Map<String, String> fields = new LinkedHashMap<>();
                for (int i = 0; i < record.fields().size(); i++) {
                    fields.putIfAbsent(header.get(i), record.fields().get(i));
                }
                entries.add(CatalogItems.entry(record.line(), where, fields, folder));
            }
        }
        return entries;
    }

    private static String text(String name, byte[] content, int start) throws InvalidCatalogException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content, start, content.length - start)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidCatalogException(name, "not a catalog: not UTF-8 text", e);
        }
    }
}
