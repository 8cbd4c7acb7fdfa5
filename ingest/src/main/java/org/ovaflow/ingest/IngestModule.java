package org.ovaflow.ingest;

import org.apache.camel.RoutesBuilder;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageModule;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.ingest.notification.S3EventNotification;
import org.ovaflow.ingest.route.IngestRoutes;
import org.ovaflow.ingest.route.SeenTopic;
import org.ovaflow.ingest.scan.BucketScan;
import org.ovaflow.ingest.unpacked.UnpackedArrivals;

import java.time.Clock;
import java.util.List;

/** The ingest stage: what of the incoming bucket is an import, how often it is scanned, and its routes. */
public final class IngestModule implements StageModule {

    public static final String INGEST = "ingest";

    public static final Setting<List<String>> SUFFIXES = Setting.ofList("ovaflow.ingest.suffixes",
            ".ova,.ova.gz,.ova.xz,.ovf", "which keys of the incoming bucket are imports: plain OVAs, OVAs compressed "
                    + "with gzip or xz, and unpacked OVF packages by their descriptor (see "
                    + "[What is accepted](formats.md#what-is-accepted))")
            .checkedBy(suffixes -> {
                if (suffixes.isEmpty()) {
                    throw new IllegalArgumentException("no suffix: nothing would be imported");
                }
            });
    public static final Setting<Long> SCAN_INTERVAL_MS = Setting.ofLong("ovaflow.ingest.scan-interval-ms", 5000, 0,
            Long.MAX_VALUE, "period of the bucket scan (for stores without notifications)");
    public static final Setting<Long> SCAN_DELAY_MS = Setting.ofLong("ovaflow.ingest.scan-delay-ms", 1000, 0,
            Long.MAX_VALUE, "how long after the start the first bucket scan begins");
    public static final Setting<Integer> SEEN_CACHE = Setting.ofInt("ovaflow.ingest.seen-cache", 1000000, 1,
            Integer.MAX_VALUE, "how many of the ids ingest has let through (`ova.ingest.seen`) each ingest process "
                    + "keeps in memory, the latest ones");

    @Override
    public List<String> stages() {
        return List.of(INGEST);
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(SUFFIXES, SCAN_INTERVAL_MS, SCAN_DELAY_MS, SEEN_CACHE);
    }

    @Override
    public RoutesBuilder routes(String stage, StageContext context) {
        if (!stage.equals(INGEST)) {
            throw new IllegalArgumentException("the ingest module has no stage " + stage);
        }
        Settings settings = context.settings();
        ObjectStore store = context.store();
        Arrivals arrivals = new Arrivals(settings.get(SharedSettings.INCOMING_BUCKET), settings.get(SUFFIXES));
        SeenTopic seen = new SeenTopic(Topics.INGEST_SEEN.topic(), context.kafka(), settings.get(SEEN_CACHE));
        return new IngestRoutes(new BucketScan(store, arrivals, Clock.systemUTC()),
                new S3EventNotification(arrivals, Clock.systemUTC()), seen, new UploaderOverrides(store),
                new UnpackedArrivals(store, arrivals, Clock.systemUTC()), context.metrics());
    }
}
