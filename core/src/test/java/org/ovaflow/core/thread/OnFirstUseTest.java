package org.ovaflow.core.thread;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class OnFirstUseTest {

    @Test
    void theValueIsMadeOnTheFirstGetOnlyAndSharedByEveryThread() {
        AtomicInteger made = new AtomicInteger();
        OnFirstUse<String> value = OnFirstUse.of(() -> "value " + made.incrementAndGet());
        assertThat(made).hasValue(0);

        List<CompletableFuture<String>> askers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            askers.add(CompletableFuture.supplyAsync(value));
        }

        assertThat(askers).extracting(CompletableFuture::join).containsOnly("value 1");
        assertThat(value.get()).isEqualTo("value 1");
        assertThat(made).hasValue(1);
    }
}
