package org.ovaflow.ingest.onboard;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A vendor catalog in JSON: an array of items, or an object whose {@code items} is one; read as a stream. */
final class JsonCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonCatalog() {
    }

    static List<VendorCatalog.Entry> read(String name, byte[] content, int start, Path folder)
            throws InvalidCatalogException {
        List<VendorCatalog.Entry> entries = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(content, start, content.length - start)) {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.START_OBJECT) {
                boolean found = false;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if ("items".equals(field) && value == JsonToken.START_ARRAY) {
                        readItems(parser, folder, entries);
                        found = true;
                    } else {
                        parser.skipChildren();
                    }
                }
                if (!found) {
                    throw new InvalidCatalogException(name, "JSON object without an \"items\" array");
                }
            } else if (token == JsonToken.START_ARRAY) {
                readItems(parser, folder, entries);
            } else {
                throw new InvalidCatalogException(name, "JSON that is neither an array nor an object");
            }
            if (parser.nextToken() != null) {
                throw new InvalidCatalogException(name, "text after the JSON catalog at line "
                        + parser.currentTokenLocation().getLineNr());
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidCatalogException(name, "not valid JSON" + (at == null ? "" : " at line "
                    + at.getLineNr() + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidCatalogException(name, "not readable as JSON: " + e.getMessage(), e);
        }
        return entries;
    }

    private static void readItems(JsonParser parser, Path folder, List<VendorCatalog.Entry> entries) throws IOException {
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            int line = parser.currentTokenLocation().getLineNr();
            JsonNode node = parser.readValueAsTree();
            if (node == null || !node.isObject()) {
                entries.add(new VendorCatalog.Entry(line, null, "line " + line + ": not an object"));
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            node.fields().forEachRemaining(f -> {
                if (f.getValue().isValueNode() && !f.getValue().isNull()) {
                    fields.put(f.getKey().toLowerCase(Locale.ROOT), f.getValue().asText());
                }
            });
            entries.add(CatalogItems.entry(line, "line " + line, fields, folder));
        }
    }
}
