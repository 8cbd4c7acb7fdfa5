package org.ovaflow.core.store;

import com.sun.net.httpserver.HttpServer;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store client sends as many requests at once as its callers make (up to {@link ObjectStore#MAX_REQUESTS}):
 * MinIO's clients send every request as an asynchronous call, which OkHttp's default dispatcher holds to five a
 * host. An HTTP server on 127.0.0.1 answers no request until 16 are in flight together.
 */
class StoreClientConcurrencyTest {

    private static final int AT_ONCE = 16;

    @Test
    void sixteenRequestsToOneStoreAreInFlightTogether() throws Exception {
        CountDownLatch allArrived = new CountDownLatch(AT_ONCE);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        ExecutorService handlers = Executors.newFixedThreadPool(AT_ONCE);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), AT_ONCE);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            allArrived.countDown();
            try {
                // held until all have arrived (at once with a client that sends them all; a client that sends fewer
                // at once gets its answers after the wait, wave after wave)
                allArrived.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            OkHttpClient client = ObjectStore.httpClient();
            CountDownLatch answered = new CountDownLatch(AT_ONCE);
            AtomicInteger ok = new AtomicInteger();
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/bucket/key";
            for (int i = 0; i < AT_ONCE; i++) {
                client.newCall(new Request.Builder().url(url + i).head().build()).enqueue(new Callback() {
                    @Override
                    public void onResponse(Call call, Response response) {
                        if (response.isSuccessful()) {
                            ok.incrementAndGet();
                        }
                        response.close();
                        answered.countDown();
                    }

                    @Override
                    public void onFailure(Call call, IOException e) {
                        answered.countDown();
                    }
                });
            }
            assertThat(answered.await(120, TimeUnit.SECONDS)).isTrue();
            assertThat(ok).hasValue(AT_ONCE);
            assertThat(mostInFlight).hasValue(AT_ONCE);
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        } finally {
            server.stop(0);
            handlers.shutdownNow();
        }
    }
}
