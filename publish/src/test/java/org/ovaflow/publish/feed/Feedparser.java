package org.ovaflow.publish.feed;

import com.fasterxml.jackson.core.type.TypeReference;
import org.junit.jupiter.api.Assumptions;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.testing.ExternalTool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's feedparser (Debian's python3-feedparser, run by Debian's own /usr/bin/python3: a python3 earlier on the
 * PATH may lack the module), the feed reader of many Python tools, as a second reader of the feeds besides Rome.
 * Where it is missing the tests that need it are skipped with a message, except under {@code CI=true}, where its
 * absence fails the run (.ci/run installs python3-feedparser).
 */
final class Feedparser {

    static final String PYTHON = "/usr/bin/python3";

    private static final String SCRIPT = """
            import json, sys
            import feedparser
            pages = []
            for path in sys.argv[1:]:
                d = feedparser.parse(path)
                pages.append({
                    "bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")), "version": d.version,
                    "links": {l.get("rel"): l.get("href") for l in d.feed.get("links", [])},
                    "archive": "fh_archive" in d.feed,
                    "ids": [e.get("id") for e in d.entries]})
            print(json.dumps(pages))
            """;

    private final Path script;

    private Feedparser(Path script) {
        this.script = script;
    }

    /** What feedparser read of one page. */
    record Page(boolean bozo, String error, String version, Map<String, String> links, boolean archive,
                List<String> ids) {
    }

    /** feedparser, or the test aborted (skipped) with the reason; a failure under CI=true. */
    static Feedparser require(Path dir) throws IOException {
        boolean there = Files.isExecutable(Path.of(PYTHON)) && ExternalTool.run(null,
                List.of(PYTHON, "-c", "import feedparser"), Duration.ofMinutes(1)).exitCode() == 0;
        if (!there) {
            String message = "feedparser is not installed for " + PYTHON + " (Debian: apt-get install -y "
                    + "python3-feedparser); the feedparser checks of the feeds are skipped";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message.replace("are skipped", "cannot be skipped under CI=true"));
            }
            System.err.println("SKIPPED: " + message);
            Assumptions.abort(message);
        }
        return new Feedparser(Files.writeString(dir.resolve("read_feeds.py"), SCRIPT));
    }

    /** feedparser's reading of each file, in their order. */
    List<Page> read(List<Path> files) {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
        files.forEach(file -> command.add(file.toString()));
        ExternalTool.Result result = ExternalTool.run(null, command, Duration.ofMinutes(2)).assertSuccess();
        try {
            return EventCodec.JSON.readValue(result.output(), new TypeReference<List<Page>>() { });
        } catch (IOException e) {
            throw new AssertionError("feedparser's output is not what read_feeds.py prints:\n" + result.output(), e);
        }
    }
}
