package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * The body of an ova.dlq event: a record a stage could not process, with the reason and the original record
 * (value base64, headers) so that an operator can inspect it and replay it to its topic.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(int schemaVersion, String stage, String reason, String error, String topic,
                         Integer partition, Long offset, String key, java.util.Map<String, String> headers,
                         String valueBase64, Instant at) {
}
