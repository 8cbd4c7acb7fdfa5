package org.ovaflow.app;

import com.fasterxml.jackson.core.type.TypeReference;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.testing.ExternalTool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Python's feedparser, the library most feed readers are built on, as a second reader of the catalog's feeds besides
 * Rome. It needs a python3 that can import it (Debian: python3-feedparser, in /usr/bin/python3; a python3 of pyenv
 * or a venv first on the PATH often cannot): where there is none the tests that need it are skipped with a message,
 * except under {@code CI=true}, where its absence fails the run.
 */
final class Feedparser {

    /** Prints, per entry id, every URL feedparser finds in the entry: its links, enclosures and the hrefs of its HTML. */
    private static final String LINKS = """
            import json, sys, feedparser
            from html.parser import HTMLParser
            class Hrefs(HTMLParser):
                def __init__(self):
                    super().__init__()
                    self.found = []
                def handle_starttag(self, tag, attrs):
                    self.found += [v for k, v in attrs if k in ('href', 'src') and v]
            feed = feedparser.parse(sys.argv[1])
            if feed.bozo:
                sys.exit('feedparser: not a well-formed feed: %s' % feed.bozo_exception)
            out = {}
            for entry in feed.entries:
                urls = [entry.get('link')] + [l.get('href') for l in entry.get('links', [])]
                urls += [e.get('href') for e in entry.get('enclosures', [])]
                for html in [entry.get('summary')] + [c.get('value') for c in entry.get('content', [])]:
                    if html:
                        parser = Hrefs()
                        parser.feed(html)
                        urls += parser.found
                out[entry.get('id')] = [u for u in urls if u]
            print(json.dumps(out))
            """;

    private final String python;

    private Feedparser(String python) {
        this.python = python;
    }

    /** A python3 with feedparser, or the test aborted (skipped) with the reason; a failure under CI=true. */
    static Feedparser require() {
        Set<String> candidates = new LinkedHashSet<>();
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            candidates.add(Path.of(dir, "python3").toString());
        }
        candidates.add("/usr/bin/python3"); // Debian's, where python3-feedparser installs it
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate)) && ExternalTool.run(null,
                    List.of(candidate, "-c", "import feedparser"), Duration.ofSeconds(30)).exitCode() == 0) {
                return new Feedparser(candidate);
            }
        }
        String message = "no python3 can import feedparser (Debian: apt-get install -y python3-feedparser); "
                + "the feedparser checks of the feeds are skipped";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message.replace("are skipped", "cannot be skipped under CI=true"));
        }
        System.err.println("SKIPPED: " + message);
        org.junit.jupiter.api.Assumptions.abort(message);
        return null;
    }

    /** Every URL of every entry of the feed in {@code file}, by entry id (an Atom id, an RSS guid). */
    Map<String, List<String>> links(Path file) throws IOException {
        List<String> command = new ArrayList<>(List.of(python, "-c", LINKS, file.toString()));
        ExternalTool.Result result = ExternalTool.run(null, command, Duration.ofMinutes(1)).assertSuccess();
        // the JSON is the last line: a warning of python's may come before it (output and errors are one stream)
        List<String> lines = result.output().strip().lines().toList();
        return EventCodec.JSON.readValue(lines.get(lines.size() - 1), new TypeReference<>() {
        });
    }
}
