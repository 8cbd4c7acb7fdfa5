package org.ovaflow.core.thread;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DaemonThreadsTest {

    @Test
    void makesDaemonThreadsOfTheGivenNameThatRunTheirTask() throws InterruptedException {
        boolean[] ran = new boolean[1];
        Thread thread = DaemonThreads.named("ovaflow-test").newThread(() -> ran[0] = true);

        assertThat(thread.getName()).isEqualTo("ovaflow-test");
        assertThat(thread.isDaemon()).isTrue();
        thread.start();
        thread.join(10_000);
        assertThat(ran[0]).isTrue();
    }
}
