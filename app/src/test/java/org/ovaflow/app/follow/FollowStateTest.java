package org.ovaflow.app.follow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The follow state survives a restart, belongs to one upstream, and never goes back to an older root version. */
class FollowStateTest {

    private static final String UPSTREAM = "https://upstream.example/ova-catalog/";

    @TempDir
    Path dir;

    @Test
    void whatWasDoneIsReadBackByTheNextRun() throws Exception {
        Path file = dir.resolve("follow").resolve("state.json");
        FollowState state = FollowState.load(file, UPSTREAM);
        assertThat(state.version()).isNull();
        assertThat(state.versions()).isEmpty();

        state.accepted(7);
        FollowState.Followed imported = new FollowState.Followed("a".repeat(64), "imp-1", "mine-1",
                "followed/acme-corp/widget/1.0/widget.ova", Instant.parse("2026-12-07T10:00:00Z"), null, null);
        state.put("acme-corp/widget/1.0", imported);
        state.accepted(5);

        FollowState again = FollowState.load(file, UPSTREAM);
        assertThat(again.version()).as("never back to an older version").isEqualTo(7);
        assertThat(again.get("acme-corp/widget/1.0")).contains(imported);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left").containsExactly(file);
        }
    }

    @Test
    void theStateOfAnotherUpstreamOrAnotherFileIsRefusedWithTheFileNamed() throws Exception {
        Path file = dir.resolve("state.json");
        FollowState.load(file, UPSTREAM).accepted(1);

        assertThatThrownBy(() -> FollowState.load(file, "https://other.example/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("the state of following " + UPSTREAM);

        Path notState = Files.writeString(dir.resolve("other.json"), "{\"format\":\"something-else\"}");
        assertThatThrownBy(() -> FollowState.load(notState, UPSTREAM)).hasMessageContaining(notState.toString())
                .hasMessageContaining("not a catalog follow state file");
        Path notJson = Files.writeString(dir.resolve("broken.json"), "{{{");
        assertThatThrownBy(() -> FollowState.load(notJson, UPSTREAM)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(notJson.toString());
    }
}
