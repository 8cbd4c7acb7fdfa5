package org.ovaflow.ingest.onboard;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 records of a text: fields separated by commas, optionally in double quotes (a quoted field may hold
 * commas, line breaks and {@code ""} for a quote), records ended by CRLF or LF. Each record knows the line it
 * starts on; an unterminated quote ends the text with a record that has a problem instead of fields.
 */
final class CsvRecords {

    record Record(int line, List<String> fields, String problem) {
        boolean blank() {
            return problem == null && fields.size() == 1 && fields.get(0).isBlank();
        }
    }

    private CsvRecords() {
    }

    static List<Record> parse(String text) {
        List<Record> records = new ArrayList<>();
        int line = 1;
        int i = 0;
        int n = text.length();
        while (i < n) {
            int start = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            String problem = null;
            while (true) {
                if (i >= n) {
                    if (quoted) {
                        problem = "quoted field opened on line " + start + " is never closed";
                    }
                    break;
                }
                char c = text.charAt(i++);
                if (quoted) {
                    if (c == '"') {
                        if (i < n && text.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        field.append(c);
                    }
                } else if (c == '"' && field.isEmpty() && !wasQuoted) {
                    quoted = true;
                    wasQuoted = true;
                } else if (c == ',') {
                    fields.add(wasQuoted ? field.toString() : field.toString().trim());
                    field.setLength(0);
                    wasQuoted = false;
                } else if (c == '\r' && i < n && text.charAt(i) == '\n') {
                    // CRLF: the LF ends the record
                } else if (c == '\n') {
                    line++;
                    break;
                } else {
                    // lenient: a quote inside an unquoted field, or text after a closing quote, is kept as is
                    field.append(c);
                }
            }
            fields.add(wasQuoted ? field.toString() : field.toString().trim());
            records.add(problem == null ? new Record(start, fields, null) : new Record(start, List.of(), problem));
        }
        return records;
    }
}
