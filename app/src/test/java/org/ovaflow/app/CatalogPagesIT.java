package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.ovaflow.app.pipeline.CatalogSigning;
import org.ovaflow.app.pipeline.Drop;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.testing.ExternalTool;
import org.ovaflow.core.testing.Gpg;
import org.ovaflow.publish.catalog.CatalogRetraction;
import org.ovaflow.publish.signing.SigningKey;

import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browsable catalog in a real (headless) Chromium over a real pipeline: a catalog of several vendors, two
 * versions of one product and a retracted third, a multi-VM appliance, a hostile-metadata appliance and a rejected
 * import. The test goes from the list to a product as a person would, compares what the page shows with the entry's
 * appliance.json, follows a download link to the artifact's bytes, and saves screenshots under target/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogPagesIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String LICENSE = "You may run this suite on weekdays only. <b>No</b> warranty.";
    /** A vendor's name of 10 KB with markup and no break in it: shown as text, the layout holding. */
    private static final String HOSTILE_VENDOR = "<img src=x onerror=\"document.title='pwned'\">" + "W".repeat(10_000);
    private static final String HOSTILE_PRODUCT = "<script>document.title='pwned'</script>Gadget";

    @TempDir
    static Path dir;

    private Pipeline pipeline;
    private WebDriver browser;
    private WebDriverWait wait;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    private Drop widget10;
    private Drop widget11;
    private Drop widget09;
    private Drop suite;
    private Drop router;
    private Drop hostile;
    private Drop spoiled;

    @BeforeAll
    void publishACatalogAndStartTheBrowser() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian packages chromium and chromium-driver) for the catalog pages test");
        }
        Assumptions.assumeTrue(present, "SKIPPED: the catalog pages test needs " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian packages chromium and chromium-driver)");
        // Globex signs its router: the page shows the verified signer
        VendorSigning globex = VendorSigning.create(dir, "CN=Globex Release Signing,O=Globex");
        Path trusted = Files.createDirectory(dir.resolve("trusted"));
        Files.writeString(trusted.resolve("globex.pem"), globex.pem());
        pipeline = Pipeline.start(TestPipelines.embedded(dir.resolve("data"), "all",
                Map.of("ovaflow.transcode.targets", "original,qcow2,openstack,aws",
                        "ovaflow.validate.trust-store", trusted.toString())));
        widget10 = drop("widget-1.0.ova", SampleAppliance.ova("Acme Corp", "Big Widget", "1.0", 300_000, 41));
        widget11 = drop("widget-1.1.ova", SampleAppliance.ova("Acme Corp", "Big Widget", "1.1", 200_000, 42));
        widget09 = drop("widget-0.9.ova", SampleAppliance.ova("Acme Corp", "Big Widget", "0.9", 100_000, 43));
        suite = drop("shop-suite.ova", multiVm());
        router = drop("router.ova", globex.sign(SampleAppliance.ova("Globex", "Router", "2.0", 100_000, 44),
                "router.cert"));
        hostile = drop("hostile.ova", SampleAppliance.ova(HOSTILE_VENDOR, HOSTILE_PRODUCT, "6.6", 100_000, 45));
        spoiled = drop("spoiled.ova", SampleAppliance.ova("Initech", "TPS", "4.2", 100_000, 46)
                .spoilDigestOf("disk1.img"));
        Map<String, StatusEvent> outcomes = pipeline.statuses().awaitFinal(List.of(widget10.importId(),
                widget11.importId(), widget09.importId(), suite.importId(), router.importId(), hostile.importId(),
                spoiled.importId()), WAIT);
        assertThat(outcomes).hasSize(7);
        outcomes.forEach((id, status) -> assertThat(status.state()).as(status.toString())
                .isEqualTo(id.equals(spoiled.importId()) ? StatusEvent.State.QUARANTINED : StatusEvent.State.PUBLISHED));
        new CatalogRetraction(pipeline.store(), "ova-catalog", SigningKey.keptIn(dir.resolve("data")
                .resolve(CatalogSigning.FOLDER), null).signer())
                .retract("acme-corp/big-widget/0.9", "CVE-2026-0042: default password").orElseThrow();
        browser = headlessChromium(dir.resolve("chromium-profile"));
        wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(200));
    }

    /** The Debian chromium and its driver, set explicitly: Selenium Manager must not download anything. */
    private static WebDriver headlessChromium(Path profile) throws Exception {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        Files.createDirectories(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void fromTheListToAProductWhosePageSaysWhatItsApplianceJsonSaysAndWhoseDownloadGivesItsBytes() throws Exception {
        open("/catalog");
        List<String> listed = browser.findElements(By.cssSelector("#products tbody tr")).stream()
                .map(row -> row.getAttribute("data-vendor") + "/" + row.getAttribute("data-product")).toList();
        assertThat(listed).contains("acme-corp/big-widget", "acme-corp/shop-suite", "globex/router").hasSize(4);
        WebElement widgetRow = browser.findElement(By.cssSelector("#products tr[data-product='big-widget']"));
        assertThat(widgetRow.findElement(By.cssSelector("td.name a")).getText()).isEqualTo("Big Widget");
        assertThat(widgetRow.findElement(By.cssSelector("td.vendor")).getText()).isEqualTo("Acme Corp");
        assertThat(widgetRow.findElement(By.cssSelector("td.latest")).getText()).isEqualTo("1.1");
        assertThat(widgetRow.findElement(By.cssSelector("td.versions")).getText()).isEqualTo("3");
        assertNoHorizontalOverflow("/catalog");
        screenshot("catalog-list.png");

        widgetRow.findElement(By.cssSelector("td.name a")).click();
        wait.until(ExpectedConditions.urlContains("/catalog/acme-corp/big-widget"));
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
        assertThat(browser.getCurrentUrl()).endsWith("/catalog/acme-corp/big-widget");
        JsonNode entry = appliance("acme-corp/big-widget/1.1");

        assertThat(text("product-name")).isEqualTo(entry.path("appliance").path("product").asText());
        assertThat(text("product-vendor")).isEqualTo("by " + entry.path("appliance").path("vendor").asText());
        assertThat(text("version-title")).isEqualTo("Version 1.1");
        assertThat(text("annotation")).isEqualTo(entry.path("appliance").path("annotation").asText());
        // every version, newest first, the latest marked, the retracted one with its reason
        List<WebElement> versions = browser.findElements(By.cssSelector("#versions tbody tr"));
        assertThat(versions).extracting(v -> v.getAttribute("data-version")).containsExactly("1.1", "1.0", "0.9");
        assertThat(versions.get(0).findElement(By.cssSelector(".badge.latest")).getText()).isEqualTo("latest");
        assertThat(versions.get(1).findElements(By.cssSelector(".badge"))).isEmpty();
        assertThat(versions.get(2).findElement(By.cssSelector("td.state")).getText()).isEqualTo("retracted");
        assertThat(versions.get(2).findElement(By.cssSelector("td.note")).getText())
                .contains("CVE-2026-0042: default password");
        // each artifact of appliance.json with its size, digest and link; the profiles' ready-to-use files shown
        List<String> shown = new ArrayList<>();
        for (JsonNode artifact : entry.path("artifacts")) {
            String name = artifact.path("name").asText();
            WebElement row = browser.findElement(By.cssSelector("#targets tr[data-name='" + name + "']"));
            shown.add(name);
            assertThat(row.findElement(By.cssSelector("td.sha256")).getText()).isEqualTo(artifact.path("sha256").asText());
            assertThat(row.findElement(By.cssSelector("td.size")).getAttribute("title"))
                    .isEqualTo(artifact.path("size").asLong() + " bytes");
            assertThat(row.findElement(By.cssSelector("td.download a")).getAttribute("href"))
                    .endsWith("/api/catalog/acme-corp/big-widget/1.1/download/" + name);
        }
        assertThat(shown).contains("qcow2/disk1.qcow2", "openstack/disk1.qcow2.glance.json", "aws/disk-containers.json");
        for (String profileFile : List.of("openstack/disk1.qcow2.glance.json", "aws/disk-containers.json")) {
            By pre = By.cssSelector("pre.profile-file[data-name='" + profileFile + "']");
            wait.until(d -> !d.findElement(pre).getText().equals("loading…"));
            String key = artifact(entry, profileFile).path("key").asText();
            try (InputStream stored = pipeline.store().read("ova-catalog", key)) {
                assertThat(browser.findElement(pre).getAttribute("textContent"))
                        .isEqualTo(new String(stored.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        // how to verify: the key's fingerprint, the feed's signature, the digests
        assertThat(text("fingerprint")).isEqualTo(pipeline.signingKey().signer().fingerprint());
        String commands = browser.findElement(By.id("verify-commands")).getAttribute("textContent");
        assertThat(commands).contains("gpg --verify 'big-widget.atom.asc' 'big-widget.atom'")
                .contains("sha256sum -c")
                .contains(artifact(entry, "qcow2/disk1.qcow2").path("sha256").asText() + "  qcow2/disk1.qcow2");
        // provenance
        assertThat(browser.findElement(By.id("provenance")).getText()).contains(widget11.importId())
                .contains(entry.path("provenance").path("source").asText());
        assertThat(browser.findElements(By.cssSelector("#checks tbody tr")))
                .hasSize(entry.path("provenance").path("checks").size());
        assertThat(browser.findElement(By.id("feed-atom")).getAttribute("href")).endsWith("/feeds/acme-corp/big-widget.atom");
        browser.findElement(By.cssSelector("#eula")); // present, folded: this sample has no EULA
        assertThat(browser.findElement(By.id("eula")).isDisplayed()).isFalse();
        fullPageScreenshot("product-page.png");

        // the download link gives the bytes appliance.json's sha256 names
        String href = browser.findElement(By.cssSelector("#targets tr[data-name='qcow2/disk1.qcow2'] td.download a"))
                .getAttribute("href");
        HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(href)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(download.body())))
                .isEqualTo(artifact(entry, "qcow2/disk1.qcow2").path("sha256").asText());
    }

    @Test
    void theVerifyCommandsRunAsShownTheFeedsSignatureAndEveryDigestHolding() throws Exception {
        ExternalTool.require("curl", "curl", "the run of the product page's verify commands");
        ExternalTool.require("sha256sum", "coreutils", "the run of the product page's verify commands");
        open("/catalog/globex/router/2.0");
        String commands = browser.findElement(By.id("verify-commands")).getAttribute("textContent");
        Path work = Files.createDirectories(dir.resolve("verify-run"));
        Path home = dir.resolve("verify-gnupg");
        try (Gpg gpg = Gpg.require(home)) {
            // as a user pastes them into a shell, with a keyring of their own
            Path script = Files.writeString(work.resolve("verify.sh"), "set -euo pipefail\nexport LC_ALL=C GNUPGHOME='"
                    + home + "'\n" + commands + "\n");

            ExternalTool.Result run = ExternalTool.run(work, List.of("bash", script.toString()), Duration.ofMinutes(2));

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output()).contains("Good signature").doesNotContain("FAILED")
                    .containsIgnoringCase(pipeline.signingKey().signer().signingKeyFingerprint());
            JsonNode entry = appliance("globex/router/2.0");
            for (JsonNode artifact : entry.path("artifacts")) {
                assertThat(run.output()).contains(artifact.path("name").asText() + ": OK");
            }
        }
    }

    @Test
    void aRetractedVersionIsShownWithItsReasonAndOffersNoDownload() throws Exception {
        open("/catalog/acme-corp/big-widget/0.9");
        assertThat(text("retracted")).contains("CVE-2026-0042: default password");
        assertThat(browser.findElement(By.id("no-downloads")).isDisplayed()).isTrue();
        assertThat(browser.findElements(By.cssSelector("#targets td.download a"))).isEmpty();
        assertThat(browser.findElements(By.cssSelector("#targets td.download .retracted"))).isNotEmpty();
        assertThat(browser.findElement(By.id("verify-commands")).getAttribute("textContent")).doesNotContain("curl -fsSL --create-dirs");
        assertThat(browser.findElement(By.cssSelector("#versions tr.selected")).getAttribute("data-version"))
                .isEqualTo("0.9");
        screenshot("product-retracted.png");
    }

    @Test
    void aMultiVmApplianceShowsEachSystemsHardwareItsDisksAndItsFoldedEula() throws Exception {
        open("/catalog/acme-corp/shop-suite");
        JsonNode entry = appliance("acme-corp/shop-suite/3.1");
        List<WebElement> systems = browser.findElements(By.cssSelector("#systems tbody tr"));
        assertThat(systems).extracting(s -> s.getAttribute("data-system")).containsExactly("web", "db");
        JsonNode vms = entry.path("appliance").path("virtualSystems");
        for (int i = 0; i < 2; i++) {
            assertThat(systems.get(i).findElement(By.cssSelector("td.cpus")).getText())
                    .isEqualTo(vms.get(i).path("cpus").asText());
        }
        assertThat(systems.get(0).findElement(By.cssSelector("td.memory")).getText()).isEqualTo("2.0 GiB");
        assertThat(systems.get(1).findElement(By.cssSelector("td.memory")).getText()).isEqualTo("8.0 GiB");
        assertThat(systems.get(1).getText()).contains("backend");
        assertThat(browser.findElements(By.cssSelector("#disks tbody tr"))).hasSize(2);
        assertThat(text("networks")).contains("frontend").contains("backend");
        assertThat(browser.findElement(By.id("release")).getText()).contains("3.1.0-build42")
                .contains("https://acme.example/shop");
        assertThat(browser.findElement(By.cssSelector("#release a")).getAttribute("href"))
                .isEqualTo("https://acme.example/shop");
        WebElement eula = browser.findElement(By.id("eula"));
        assertThat(eula.getAttribute("open")).as("folded").isNull();
        assertThat(browser.findElement(By.id("eula-text")).getAttribute("textContent")).contains(LICENSE);
        eula.findElement(By.tagName("summary")).click();
        assertThat(browser.findElement(By.id("eula-text")).getText()).contains("<b>No</b> warranty");
        fullPageScreenshot("product-multi-vm.png");
    }

    @Test
    void hostileMetadataIsShownAsTextAndTheLayoutHolds() throws Exception {
        open("/catalog");
        WebElement row = browser.findElement(By.cssSelector("#products tr[data-vendor^='img-src-x-onerror']"));
        assertThat(row.findElement(By.cssSelector("td.vendor")).getText()).startsWith("<img src=x onerror=");
        assertNoHorizontalOverflow("/catalog");
        String path = row.getAttribute("data-vendor") + "/" + row.getAttribute("data-product");
        row.findElement(By.cssSelector("td.name a")).click();
        wait.until(ExpectedConditions.urlContains("/catalog/img-src-x-onerror"));
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
        JsonNode entry = appliance(path + "/6.6");

        assertThat(browser.findElement(By.id("product-vendor")).getAttribute("textContent"))
                .isEqualTo("by " + entry.path("appliance").path("vendor").asText());
        assertThat(entry.path("appliance").path("vendor").asText()).hasSizeGreaterThan(10_000);
        assertThat(text("product-name")).isEqualTo(HOSTILE_PRODUCT);
        assertThat(text("annotation")).contains("<script>");
        assertThat(browser.findElements(By.cssSelector("main img, main script"))).isEmpty();
        // the markup's script would have made the title just "pwned"; as text it is part of the title
        assertThat(browser.getTitle()).isEqualTo("ovaflow catalog: " + HOSTILE_PRODUCT);
        assertNoHorizontalOverflow("the hostile product's page");
        screenshot("product-hostile.png");
    }

    @Test
    void searchVendorFilterAndPagesNarrowTheList() throws Exception {
        open("/catalog?q=shop");
        assertThat(rows()).containsExactly("acme-corp/shop-suite");
        open("/catalog");
        new Select(browser.findElement(By.id("vendor"))).selectByValue("acme-corp");
        wait.until(ExpectedConditions.urlContains("vendor=acme-corp"));
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
        assertThat(rows()).containsExactly("acme-corp/big-widget", "acme-corp/shop-suite");
        screenshot("catalog-vendor.png");

        open("/catalog?limit=2");
        List<String> seen = new ArrayList<>(rows());
        assertThat(seen).hasSize(2);
        browser.findElement(By.id("next")).click();
        wait.until(ExpectedConditions.urlContains("page=2"));
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
        seen.addAll(rows());
        assertThat(browser.findElement(By.id("next")).isEnabled()).isFalse();
        assertThat(seen).doesNotHaveDuplicates().hasSize(4);
    }

    @Test
    void theStatusPageLinksAPublishedImportToItsProductAndARejectedOneToItsReport() throws Exception {
        browser.get(pipeline.httpUrl() + "/");
        // the status page rebuilds its tables at every poll: its elements are found afresh for each use
        By publishedLink = By.cssSelector("#imports tr[data-import-id='" + router.importId() + "'] td.link a");
        wait.until(ExpectedConditions.presenceOfElementLocated(publishedLink));
        String productHref = StatusPageIT.fresh(wait, publishedLink, link -> link.getAttribute("href"));
        assertThat(productHref).endsWith("/catalog/globex/router/2.0");
        String reportHref = StatusPageIT.fresh(wait, By.cssSelector("#rejects tr[data-import-id='"
                + spoiled.importId() + "'] td.link a"), link -> link.getAttribute("href"));
        assertThat(reportHref).endsWith("/report/" + spoiled.importId());

        StatusPageIT.fresh(wait, publishedLink, link -> {
            link.click();
            return true;
        });
        wait.until(ExpectedConditions.urlContains("/catalog/globex/router/2.0"));
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
        assertThat(text("version-title")).isEqualTo("Version 2.0");
        JsonNode signer = appliance("globex/router/2.0").path("provenance").path("signer");
        assertThat(signer.path("subject").asText()).contains("CN=Globex Release Signing");
        assertThat(browser.findElement(By.id("provenance")).getText()).contains("subject: " + signer.path("subject").asText())
                .contains("SHA-256 fingerprint: " + signer.path("sha256Fingerprint").asText());
        fullPageScreenshot("product-signed.png");

        browser.get(reportHref);
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
        JsonNode stored = EventCodec.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(
                pipeline.httpUrl() + "/api/quarantine/" + spoiled.importId())).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body());
        List<WebElement> failed = browser.findElements(By.cssSelector("#failed tbody tr"));
        assertThat(failed).hasSize(stored.path("failed").size()).isNotEmpty();
        for (int i = 0; i < failed.size(); i++) {
            JsonNode concern = stored.path("failed").get(i);
            assertThat(failed.get(i).getAttribute("data-check")).isEqualTo(concern.path("id").asText());
            assertThat(failed.get(i).findElement(By.cssSelector("td.message")).getText())
                    .isEqualTo(concern.path("message").asText());
            assertThat(failed.get(i).findElement(By.cssSelector("td.remedy")).getText())
                    .isEqualTo(concern.path("remedy").asText());
        }
        assertThat(browser.findElements(By.cssSelector("#failed tr[data-check='manifest.digest']"))).hasSize(1);
        screenshot("report.png");
    }

    @Test
    void theListingsJsonRefusesWhatItDoesNotKnow() throws Exception {
        for (String bad : List.of("/api/products?limit=0", "/api/products?limit=201", "/api/products?cursor=a",
                "/api/products?vendor=..", "/api/products?sort=name", "/api/products?q=" + "x".repeat(257))) {
            assertThat(status(bad)).as(bad).isEqualTo(400);
        }
        assertThat(status("/api/productsX")).isEqualTo(404);
        assertThat(status("/api/catalog/acme-corp/nothing")).isEqualTo(404);
        assertThat(status("/api/catalog/acme-corp/big-widget/1.1/content/qcow2/disk1.qcow2")).as("a disk is downloaded")
                .isEqualTo(404);
        assertThat(status("/api/catalog/acme-corp/big-widget/0.9/content/aws/disk-containers.json")).as("retracted")
                .isEqualTo(410);
        JsonNode product = EventCodec.JSON.readTree(get("/api/catalog/acme-corp/big-widget").body());
        assertThat(product.path("latest").asText()).isEqualTo("1.1");
        assertThat(product.path("versions")).extracting(v -> v.path("version").asText()).containsExactly("0.9", "1.0", "1.1");
        HttpResponse<byte[]> page = get("/catalog/acme-corp/big-widget");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'none'").contains("script-src 'self'"));
    }

    private List<String> rows() {
        return browser.findElements(By.cssSelector("#products tbody tr")).stream()
                .map(row -> row.getAttribute("data-vendor") + "/" + row.getAttribute("data-product")).toList();
    }

    /** Opens a page of the server and waits until its script filled it. */
    private void open(String path) {
        browser.manage().window().setSize(new Dimension(1400, 1000));
        browser.get(pipeline.httpUrl() + path);
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private void assertNoHorizontalOverflow(String page) {
        Object overflow = ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).longValue()).as("horizontal overflow of " + page).isLessThanOrEqualTo(0);
    }

    private JsonNode appliance(String entry) throws Exception {
        return EventCodec.JSON.readTree(get("/api/catalog/" + entry).body());
    }

    private static JsonNode artifact(JsonNode entry, String name) {
        for (JsonNode artifact : entry.path("artifacts")) {
            if (artifact.path("name").asText().equals(name)) {
                return artifact;
            }
        }
        throw new AssertionError("no artifact " + name + " in " + entry);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pipeline.httpUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private int status(String path) throws Exception {
        return get(path).statusCode();
    }

    private void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "catalog-pages", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The whole page: the window made as tall as the document (at most 6000 pixels) for the shot. */
    private void fullPageScreenshot(String name) throws Exception {
        long height = ((Number) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollHeight;")).longValue();
        browser.manage().window().setSize(new Dimension(1400, (int) Math.min(6000, Math.max(1000, height + 120))));
        screenshot(name);
        browser.manage().window().setSize(new Dimension(1400, 1000));
    }

    private Drop drop(String name, OvaBuilder ova) throws Exception {
        return TestPipelines.drop(pipeline, dir, name, ova.toBytes());
    }

    /** A two-tier appliance: a VirtualSystemCollection of a web and a database VM, a raw disk each, and a EULA. */
    private static OvaBuilder multiVm() {
        byte[] web = SampleAppliance.disk(200_000, 51);
        byte[] db = SampleAppliance.disk(120_000, 52);
        String descriptor = """
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
                          xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
                          xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
                  <References>
                    <File ovf:id="web-file" ovf:href="web-disk1.img" ovf:size="%1$d"/>
                    <File ovf:id="db-file" ovf:href="db-disk1.img" ovf:size="%2$d"/>
                  </References>
                  <DiskSection>
                    <Info>Virtual disks</Info>
                    <Disk ovf:diskId="web-disk" ovf:fileRef="web-file" ovf:capacity="1" ovf:capacityAllocationUnits="byte * 2^20" ovf:format="%3$s"/>
                    <Disk ovf:diskId="db-disk" ovf:fileRef="db-file" ovf:capacity="2" ovf:capacityAllocationUnits="byte * 2^20" ovf:format="%3$s"/>
                  </DiskSection>
                  <NetworkSection>
                    <Info>Logical networks</Info>
                    <Network ovf:name="frontend"><Description>Where clients connect</Description></Network>
                    <Network ovf:name="backend"><Description>Between the tiers</Description></Network>
                  </NetworkSection>
                  <VirtualSystemCollection ovf:id="shop">
                    <Info>The shop: web and database tiers</Info>
                    <Name>Shop Suite</Name>
                    <AnnotationSection>
                      <Info>Release notes</Info>
                      <Annotation>Shop Suite 3.1: faster checkout.</Annotation>
                    </AnnotationSection>
                    <ProductSection>
                      <Info>Product information</Info>
                      <Product>Shop Suite</Product>
                      <Vendor>Acme Corp</Vendor>
                      <Version>3.1</Version>
                      <FullVersion>3.1.0-build42</FullVersion>
                      <ProductUrl>https://acme.example/shop</ProductUrl>
                      <VendorUrl>javascript:alert(1)</VendorUrl>
                    </ProductSection>
                    <EulaSection>
                      <Info>License agreement</Info>
                      <License>%4$s</License>
                    </EulaSection>
                %5$s
                %6$s
                  </VirtualSystemCollection>
                </Envelope>
                """.formatted(web.length, db.length, SampleAppliance.RAW_FORMAT,
                LICENSE.replace("<", "&lt;").replace(">", "&gt;"),
                system("web", 2, 2048, "web-disk", "frontend"), system("db", 4, 8192, "db-disk", "backend"));
        return new OvaBuilder("shop-suite.ovf", descriptor).file("web-disk1.img", web).file("db-disk1.img", db);
    }

    private static String system(String id, int cpus, int memoryMiB, String disk, String network) {
        return """
                    <VirtualSystem ovf:id="%1$s">
                      <Info>The %1$s tier</Info>
                      <Name>%1$s</Name>
                      <OperatingSystemSection ovf:id="101">
                        <Info>Guest OS</Info>
                        <Description>Linux 64-bit</Description>
                      </OperatingSystemSection>
                      <VirtualHardwareSection>
                        <Info>Virtual hardware</Info>
                        <System>
                          <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
                          <vssd:InstanceID>0</vssd:InstanceID>
                          <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
                        </System>
                        <Item><rasd:ElementName>%2$d CPUs</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID>
                          <rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>%2$d</rasd:VirtualQuantity></Item>
                        <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>Memory</rasd:ElementName>
                          <rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType>
                          <rasd:VirtualQuantity>%3$d</rasd:VirtualQuantity></Item>
                        <Item><rasd:ElementName>SCSI</rasd:ElementName><rasd:InstanceID>3</rasd:InstanceID>
                          <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType><rasd:ResourceType>6</rasd:ResourceType></Item>
                        <Item><rasd:AddressOnParent>0</rasd:AddressOnParent><rasd:ElementName>Disk</rasd:ElementName>
                          <rasd:HostResource>ovf:/disk/%4$s</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID>
                          <rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>
                        <Item><rasd:Connection>%5$s</rasd:Connection><rasd:ElementName>NIC</rasd:ElementName>
                          <rasd:InstanceID>5</rasd:InstanceID><rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
                          <rasd:ResourceType>10</rasd:ResourceType></Item>
                      </VirtualHardwareSection>
                    </VirtualSystem>""".formatted(id, cpus, memoryMiB, disk, network);
    }
}
