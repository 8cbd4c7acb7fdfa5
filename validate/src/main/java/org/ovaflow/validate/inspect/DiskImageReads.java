package org.ovaflow.validate.inspect;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads every disk image of a local OVA to its end, as the transcode stage reads them: what a header probe
 * cannot see (tables and grains pointing past the end of the file, data that does not inflate). The app
 * supplies it with the transcode stage's readers, which a validate stage may not depend on.
 */
@FunctionalInterface
public interface DiskImageReads {

    /**
     * The checks of reading the disks of {@code event} (its tar index and appliance as the stages found them)
     * from the plain OVA {@code ova}.
     */
    List<CheckResult> read(Path ova, ImportEvent event) throws IOException;
}
