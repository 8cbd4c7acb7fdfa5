package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.ovaflow.core.event.EventCodec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The examples of docs/events.md, read back so that a test can hold them against real records: each topic's
 * section ({@code ### `ova.x`}) has one JSON block {@code {"key", "headers", "value"}}.
 */
final class EventExamples {

    private static final Pattern SECTION = Pattern.compile("### `(ova\\.[a-z.]+)`.*?```json\\n(.*?)\\n```", Pattern.DOTALL);

    private EventExamples() {
    }

    static Map<String, JsonNode> read(Path markdown) throws IOException {
        Map<String, JsonNode> examples = new LinkedHashMap<>();
        Matcher matcher = SECTION.matcher(Files.readString(markdown));
        while (matcher.find()) {
            examples.put(matcher.group(1), EventCodec.JSON.readTree(matcher.group(2)));
        }
        return examples;
    }

    /** A record as the docs show it: key, headers (as text) and the JSON value. */
    static JsonNode asExample(ConsumerRecord<String, byte[]> record) throws IOException {
        ObjectNode example = EventCodec.JSON.createObjectNode();
        example.put("key", record.key());
        ObjectNode headers = example.putObject("headers");
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        example.set("value", EventCodec.JSON.readTree(record.value()));
        return example;
    }

    /** Every field path of a JSON tree, array elements collapsed to [], so shapes compare without values. */
    static TreeSet<String> shape(JsonNode node) {
        TreeSet<String> paths = new TreeSet<>();
        collect(node, "", paths);
        return paths;
    }

    private static void collect(JsonNode node, String path, TreeSet<String> paths) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = path + "/" + field.getKey();
                paths.add(child);
                collect(field.getValue(), child, paths);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                collect(element, path + "[]", paths);
            }
        }
    }
}
