package org.ovaflow.app.http;

import org.ovaflow.core.event.EventCodec;

import java.util.Map;

/** What an endpoint answers: status, content type, body and any headers of its own (a redirect's Location). */
record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json";

    Response(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of());
    }

    static Response json(Object document) {
        return new Response(200, JSON, EventCodec.toJson(document));
    }

    static Response error(int status, String message) {
        return new Response(status, JSON, EventCodec.toJson(Map.of("error", message)));
    }

    static Response notFound(String message) {
        return error(404, message);
    }

    /** 302 to {@code location}, which the client fetches itself. */
    static Response redirect(String location) {
        return new Response(302, JSON, new byte[0], Map.of("Location", location));
    }
}
